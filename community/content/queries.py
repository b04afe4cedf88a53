"""Reads across every kind of content."""

from __future__ import annotations

from models import ContentItem, db


def get_item(content_id: int) -> ContentItem | None:
    """The item with this id, as its own kind's class."""
    return db.session.get(ContentItem, content_id)
