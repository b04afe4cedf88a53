"""A content kind for tests of the shared machinery, stored in content_item alone
(single-table inheritance: no table, no migration)."""

from __future__ import annotations

from community.content.registry import ContentContext, ContentKind, register
from models import ContentItem


class Note(ContentItem):
    __mapper_args__ = {"polymorphic_identity": "test_note"}


NOTE_KIND = register(
    ContentKind(
        name="test_note",
        label="Note",
        model=Note,
        url=lambda item: f"/notes/{item.id}",
        context=lambda item: ContentContext(label="Notes", url="/notes", scope=("category", 1)),
    )
)
