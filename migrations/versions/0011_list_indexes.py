"""indexes for cross-category latest topics and one kind's newest items

Found by benchmarks/http_bench.py at 100,000 posts: the home page's latest topics and
recent reviews sorted every published row.

Revision ID: 0011_list_indexes
Revises: 0010_dashboard
"""

from alembic import op

revision = "0011_list_indexes"
down_revision = "0010_dashboard"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_forum_topic_activity", "forum_topic", ["is_pinned", "last_activity_at", "id"])
    op.create_index("ix_content_item_kind_state_created", "content_item", ["kind", "state", "created_at"])


def downgrade():
    op.drop_index("ix_content_item_kind_state_created", table_name="content_item")
    op.drop_index("ix_forum_topic_activity", table_name="forum_topic")
