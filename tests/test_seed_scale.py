"""The benchmark seeder (benchmarks/seed_scale.py) at a tiny scale: its bulk rows are
what the services would write (counters, positions, aggregates), and the pages render."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import func, select

from community.forum.services import refresh_category
from community.reviews.services import recompute_aggregates
from community.search.backend import get_backend
from community.search.documents import count_all
from models import (
    ContentItem,
    ForumCategory,
    Idea,
    IdeaVote,
    Product,
    Reply,
    Review,
    Topic,
    db,
)

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "seed_scale.py"


def _module():
    spec = importlib.util.spec_from_file_location("seed_scale", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seeder_at_small_scale(app, client):
    seed_scale = _module()
    args = seed_scale.parse_args(
        ["--posts", "800", "--reviews", "400", "--ideas", "40", "--members", "60", "--long-topic", "60"]
    )
    summary = seed_scale.seed_all(app, args)
    counts = summary["counts"]
    assert counts["topic"] + counts["reply"] == 800
    assert counts["review"] == 400
    assert counts["idea"] == 40

    # Topics: counters and positions as the services keep them.
    for topic in db.session.scalars(select(Topic)):
        positions = db.session.scalars(
            select(Reply.position).where(Reply.topic_id == topic.id).order_by(Reply.position)
        ).all()
        assert positions == list(range(1, len(positions) + 1))
        assert topic.reply_count == len(positions)
        assert topic.last_position == len(positions)
        if topic.accepted_reply_id is not None:
            assert db.session.get(Reply, topic.accepted_reply_id).topic_id == topic.id
    # Categories and products: stored counters equal a recount.
    stored = {c.id: (c.topic_count, c.post_count) for c in db.session.scalars(select(ForumCategory))}
    for category_id in stored:
        refresh_category(category_id)
    assert stored == {c.id: (c.topic_count, c.post_count) for c in db.session.scalars(select(ForumCategory))}
    for product in db.session.scalars(select(Product)):
        expected = recompute_aggregates(product.id)
        assert product.review_count == expected["review_count"]
        assert product.rating_sum == expected["rating_sum"]
    # Ideas: vote counts are the votes.
    votes = dict(db.session.execute(select(IdeaVote.idea_id, func.count()).group_by(IdeaVote.idea_id)).all())
    for idea in db.session.scalars(select(Idea)):
        assert idea.vote_count == votes.get(idea.id, 0)
    # Rendered HTML of bulk rows is present, and the index holds everything.
    assert not db.session.scalar(
        select(func.count()).select_from(ContentItem).where(ContentItem.body_html == "")
    )
    assert get_backend().count() >= count_all() > 0

    long_topic = db.session.scalars(select(Topic).order_by(Topic.last_position.desc())).first()
    category = db.session.scalars(select(ForumCategory).order_by(ForumCategory.topic_count.desc())).first()
    product = db.session.scalars(select(Product).order_by(Product.review_count.desc())).first()
    review = db.session.scalars(select(Review).order_by(Review.id.desc())).first()
    for url in (
        "/",
        "/forum",
        f"/forum/c/{category.slug}",
        f"/forum/t/{long_topic.slug}/{long_topic.id}",
        f"/forum/t/{long_topic.slug}/{long_topic.id}?page=3",
        f"/products/{product.slug}",
        f"/reviews/{review.id}",
        "/ideas",
        "/search?q=jacket",
        "/search?q=veste",
    ):
        assert client.get(url).status_code == 200, url
