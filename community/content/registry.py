"""What each kind of content tells the rest of the application about itself.

A feature registers its kinds when its module is imported (from ``create_app``)::

    register(ContentKind(
        name="reply", label=_l("Reply"), model=Reply,
        url=lambda item: url_for("forum.permalink", post_id=item.id),
        context=lambda item: ContentContext(label=item.topic.title, url=..., scope=("category", item.topic.category_id)),
    ))

Moderation (queue context, scoped moderators, whether flags may hide), search
(documents), notifications and the API (permalinks) read it through :func:`kind_of`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from models import ContentItem, db


@dataclass(frozen=True)
class ContentContext:
    """Where an item lives: shown in the moderation queue, notifications, search."""

    label: str  # e.g. the topic title, the product name
    url: str | None = None
    # (scope type, id) used for scoped moderators: ("category", 3), ("product_line", 2).
    scope: tuple[str, int] | None = None


@dataclass(frozen=True)
class ContentKind:
    name: str  # the polymorphic identity, e.g. "reply"
    label: Any  # lazy translated label, e.g. _l("Reply")
    model: type[ContentItem]
    url: Callable[[ContentItem], str]  # path of the item's permalink
    context: Callable[[ContentItem], ContentContext] | None = None
    # Whether enough flags hide the item before a moderator decides. Reviews say
    # False: criticism must not be buried by flagging.
    flags_can_hide: bool = True
    # Extra per-kind data (search document builder, API serialiser...).
    extras: dict[str, Any] = field(default_factory=dict)
    # The attribute holding the id of the item this one belongs to (a reply's topic, a
    # comment's article or idea, a response's review): an item is seen only by those who
    # see its parent too (``content.view``).
    parent_attr: str | None = None


_KINDS: dict[str, ContentKind] = {}


def register(kind: ContentKind) -> ContentKind:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing.model is not kind.model:
        raise ValueError(f"content kind {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def kind_of(item: ContentItem | str) -> ContentKind:
    name = item if isinstance(item, str) else item.kind
    return _KINDS[name]


def all_kinds() -> list[ContentKind]:
    return list(_KINDS.values())


def parent_id_of(item: ContentItem) -> int | None:
    kind = _KINDS.get(item.kind)
    if kind is None or kind.parent_attr is None:
        return None
    return getattr(item, kind.parent_attr, None)


def parent_of(item: ContentItem) -> ContentItem | None:
    """The item ``item`` belongs to, or None (from the session when already loaded)."""
    parent_id = parent_id_of(item)
    return db.session.get(ContentItem, parent_id) if parent_id is not None else None


def load_parents(items: list[ContentItem]) -> None:
    """Load the parents of ``items`` in one query, so that :func:`parent_of` finds them
    in the session (a list checking ``content.view`` for each of its items)."""
    wanted = {pid for pid in map(parent_id_of, items) if pid is not None}
    if wanted:
        db.session.scalars(select(ContentItem).where(ContentItem.id.in_(wanted))).all()


def scope_of(item: ContentItem) -> tuple[str, int] | None:
    """The (scope type, id) of an item's context, or None (unknown kind, no context)."""
    kind = _KINDS.get(item.kind)
    if kind is None or kind.context is None:
        return None
    return kind.context(item).scope
