"""Reads of the idea board; every list is a fixed number of queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from models import ContentState, Idea, IdeaComment, IdeaStatus, IdeaStatusChange, IdeaVote, db, fold_text

PAGE_SIZE = 20
SORTS = ("trending", "top", "new")
ROADMAP_COLUMNS = (IdeaStatus.PLANNED.value, IdeaStatus.IN_PROGRESS.value, IdeaStatus.DONE.value)
ROADMAP_LIMIT = 50

_WORD = re.compile(r"\w+", re.UNICODE)
_STOPWORDS = {
    "the", "and", "for", "with", "that", "this", "from", "have", "more", "les", "des", "une", "pour",
    "avec", "dans", "sur", "qui", "que", "plus", "est", "aux", "par", "pas", "son", "ses",
}  # fmt: skip


def _listed() -> Select:
    """Published ideas that were not merged away: what lists show."""
    return select(Idea).where(Idea.state == ContentState.PUBLISHED.value, Idea.merged_into_id.is_(None))


@dataclass
class IdeaPage:
    ideas: list[Idea]
    total: int
    page: int
    pages: int


def list_ideas(sort: str = "trending", status: str | None = None, page: int = 1) -> IdeaPage:
    """One page of ideas: 2 queries (the count and the page with authors)."""
    query = _listed()
    if status:
        query = query.where(Idea.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = {
        "top": (Idea.vote_count.desc(), Idea.created_at.desc()),
        "new": (Idea.created_at.desc(), Idea.id.desc()),
    }.get(sort, (Idea.trending_score.desc(), Idea.created_at.desc()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    ideas = db.session.scalars(
        query.options(joinedload(Idea.author)).order_by(*order, Idea.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()  # fmt: skip
    return IdeaPage(list(ideas), total, page, pages)


def top_ideas(limit: int = 5) -> list[Idea]:
    """Open ideas with the most recent support, for the home page."""
    return list(
        db.session.scalars(
            _listed()
            .where(Idea.status.not_in((IdeaStatus.DONE.value, IdeaStatus.DECLINED.value)))
            .order_by(Idea.trending_score.desc(), Idea.id.desc())
            .limit(limit)
        )
    )


def roadmap() -> dict[str, list[Idea]]:
    """Planned, in progress and done ideas by votes: one query."""
    ranked = (
        _listed()
        .where(Idea.status.in_(ROADMAP_COLUMNS))
        .add_columns(
            func.row_number()
            .over(partition_by=Idea.status, order_by=(Idea.vote_count.desc(), Idea.id.desc()))
            .label("rank")
        )
        .subquery()
    )
    from sqlalchemy.orm import aliased

    idea = aliased(Idea, ranked)
    rows = db.session.scalars(
        select(idea).where(ranked.c.rank <= ROADMAP_LIMIT).order_by(ranked.c.rank)
    ).all()
    columns: dict[str, list[Idea]] = {status: [] for status in ROADMAP_COLUMNS}
    for item in rows:
        columns[item.status].append(item)
    return columns


def get_idea(idea_id: int) -> Idea | None:
    return db.session.scalar(select(Idea).options(joinedload(Idea.author)).where(Idea.id == idea_id))


def timeline(idea_id: int) -> list[IdeaStatusChange]:
    return list(
        db.session.scalars(
            select(IdeaStatusChange)
            .options(joinedload(IdeaStatusChange.author))
            .where(IdeaStatusChange.idea_id == idea_id)
            .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
        )
    )


def comments(idea_id: int, include_all: bool = False) -> list[IdeaComment]:
    query = select(IdeaComment).options(joinedload(IdeaComment.author)).where(IdeaComment.idea_id == idea_id)
    if not include_all:
        query = query.where(IdeaComment.state.in_((ContentState.PUBLISHED.value, ContentState.HIDDEN.value)))
    return list(db.session.scalars(query.order_by(IdeaComment.created_at, IdeaComment.id)))


def merged_into(idea_id: int) -> list[Idea]:
    """Ideas that were merged into this one."""
    return list(
        db.session.scalars(select(Idea).where(Idea.merged_into_id == idea_id).order_by(Idea.merged_at))
    )


def voted_ids(user, idea_ids: list[int]) -> set[int]:  # noqa: ANN001
    """Which of these ideas ``user`` voted for: one query (none for visitors)."""
    if not getattr(user, "is_authenticated", False) or not idea_ids:
        return set()
    return set(
        db.session.scalars(
            select(IdeaVote.idea_id).where(IdeaVote.user_id == user.id, IdeaVote.idea_id.in_(idea_ids))
        )
    )


def votes_moved_here(idea_id: int) -> int:
    """How many votes on this idea were cast for ideas merged into it."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(IdeaVote)
            .where(IdeaVote.idea_id == idea_id, IdeaVote.original_idea_id.is_not(None))
        )
        or 0
    )


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(fold_text(text)) if len(w) >= 3 and w not in _STOPWORDS}


def similar_ideas_for(user: Any, title: str, limit: int = 5) -> list[Idea]:
    """Ideas like ``title`` for the idea form, from the search index (stemming, both
    languages, relevance); :func:`similar_ideas` only when search is unavailable."""
    from ..search.queries import similar_or_none

    hits = similar_or_none(user, title or "", ["idea"], limit)
    if hits is None:
        return similar_ideas(title, limit)
    ids = [hit.content_id for hit in hits if hit.content_id is not None]
    if not ids:
        return []
    found = {idea.id: idea for idea in db.session.scalars(_listed().where(Idea.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def similar_ideas(title: str, limit: int = 5, exclude_id: int | None = None) -> list[Idea]:
    """Ideas whose titles share words with ``title``, best overlap first (one query).

    The fallback when search is unavailable: candidates are found with LIKE on each
    significant word (and its accent-free form), then ranked by shared words in Python.
    """
    words = _words(title or "")
    if not words:
        return []
    patterns = [f"%{word}%" for word in sorted(words, key=len, reverse=True)[:8]]
    query = _listed().where(or_(*(Idea.title_folded.like(p) for p in patterns)))
    if exclude_id:
        query = query.where(Idea.id != exclude_id)
    candidates = db.session.scalars(query.order_by(Idea.vote_count.desc()).limit(200)).all()
    scored = []
    for idea in candidates:
        shared = len(words & _words(idea.title))
        if shared:
            scored.append((shared / len(words | _words(idea.title)), idea.vote_count, idea))
    scored.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [idea for _score, _votes, idea in scored[:limit]]


def sitemap_entries():  # noqa: ANN201
    rows = db.session.execute(select(Idea.id, Idea.last_activity_at).where(
        Idea.state == ContentState.PUBLISHED.value, Idea.merged_into_id.is_(None)
    ).order_by(Idea.id)).all()  # fmt: skip
    return [(f"/ideas/{row.id}", row.last_activity_at) for row in rows]
