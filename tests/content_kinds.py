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


class ReviewNote(ContentItem):
    """Stands for product reviews: flags never hide it (criticism stays online)."""

    __mapper_args__ = {"polymorphic_identity": "test_review"}

    @property
    def rating(self) -> int | None:
        """Stars, written as a leading "N*" in the text (test-only convention)."""
        head = self.body_source[:2]
        return int(head[0]) if len(head) == 2 and head[0].isdigit() and head[1] == "*" else None


REVIEW_KIND = register(
    ContentKind(
        name="test_review",
        label="Review note",
        model=ReviewNote,
        url=lambda item: f"/notes/{item.id}",
        context=lambda item: ContentContext(label="Boréal tent", url="/notes", scope=("product_line", 2)),
        flags_can_hide=False,
    )
)
