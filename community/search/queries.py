"""Reads for the search pages and API: run a query, then re-check visibility."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select

from models import ContentItem, ContentState, User, db

from ..content.registry import all_kinds, load_parents
from ..permissions import can
from .backend import SORTS, Hit, SearchQuery, SearchResults, get_backend
from .documents import sources

log = logging.getLogger(__name__)
PER_PAGE = 10


def type_choices() -> list[tuple[str, Any]]:
    """(type, label) of every searchable kind and source."""
    choices = [(kind.name, kind.label) for kind in all_kinds()]
    choices += [(source.name, source.label) for source in sources()]
    return choices


def _date(raw: str | None, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime((raw or "").strip(), "%Y-%m-%d").date()
    except ValueError:
        return None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


def _page(raw: Any) -> int:
    try:
        return max(1, min(int(raw), 1000))
    except (TypeError, ValueError):
        return 1


def query_from_args(args: Any, per_page: int = PER_PAGE) -> SearchQuery:
    """A :class:`SearchQuery` from request arguments; anything unexpected is ignored."""
    known = {name for name, _ in type_choices()}
    types: list[str] = []
    for raw in args.getlist("type"):
        types += [t for t in raw.split(",") if t in known]
    sort = args.get("sort", "relevance")
    return SearchQuery(
        text=(args.get("q") or "")[:500],
        types=types,
        scope=(args.get("scope") or "")[:64],
        author=(args.get("author") or "").strip()[:64],
        language=args.get("lang") if args.get("lang") in ("en", "fr") else "",
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to"), end=True),
        sort=sort if sort in SORTS else "relevance",
        page=_page(args.get("page", 1)),
        per_page=per_page,
    )


def visible_hits(user: Any, hits: list[Hit]) -> list[Hit]:
    """Drop hits whose item is no longer visible to ``user`` (the index may lag)."""
    ids = [hit.content_id for hit in hits if hit.content_id is not None]
    if not ids:
        return hits
    items = {item.id: item for item in db.session.scalars(select(ContentItem).where(ContentItem.id.in_(ids)))}
    load_parents(list(items.values()))  # content.view checks each item's parent

    now = datetime.now(UTC)

    def ok(hit: Hit) -> bool:
        if hit.date is not None and hit.date > now:  # a scheduled article, before its time
            return False
        if hit.content_id is None:
            return True
        item = items.get(hit.content_id)
        return (
            item is not None
            and item.state == ContentState.PUBLISHED.value
            and can(user, "content.view", item)
        )

    return [hit for hit in hits if ok(hit)]


def search(user: Any, query: SearchQuery) -> SearchResults:
    results = get_backend().search(query)
    kept = visible_hits(user, results.hits)
    results.total -= len(results.hits) - len(kept)
    results.hits = kept
    return results


def hit_authors(hits: list[Hit]) -> dict[int, tuple[User, str | None]]:
    """The author (and their role when writing) of each content hit, in one query, so the
    results show the same staff and brand-relationship labels as the content's own page."""
    ids = [hit.content_id for hit in hits if hit.content_id is not None]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ContentItem.id, ContentItem.author_role, User)
        .join(User, User.id == ContentItem.author_id)
        .where(ContentItem.id.in_(ids))
    )
    return {content_id: (author, role) for content_id, role, author in rows}


def suggest(user: Any, text: str, limit: int = 6) -> list[Hit]:
    return visible_hits(user, get_backend().suggest(text, limit))


def similar(user: Any, title: str, types: list[str], limit: int = 5, exclude: str = "") -> list[Hit]:
    return visible_hits(user, get_backend().similar(title, types, limit, exclude))


def similar_or_none(user: Any, title: str, types: list[str], limit: int = 5) -> list[Hit] | None:
    """:func:`similar`, or None when search cannot answer (an index never built, a
    backend failing): the caller then uses its own simple fallback."""
    backend = get_backend()
    try:
        if not backend.available():
            return None
        return similar(user, title, types, limit)
    except Exception:
        log.exception("search: similar content failed; using the fallback")
        return None
