"""Writes and rules of the idea board. Take the actor explicitly; only add/flush.

Votes stay exact under concurrency: a vote is one ``INSERT ... ON CONFLICT DO
NOTHING`` into ``idea_vote`` (unique on idea and member), and only when that insert
really added a row does one atomic ``UPDATE idea SET vote_count = vote_count + 1``
follow, in the same transaction; unvoting mirrors it with ``DELETE`` and ``- 1``.
Nothing reads a count in Python to write it back, so it holds on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from models import (
    CLOSED_STATUSES,
    ContentState,
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
    User,
    db,
    utcnow,
)

from .. import events
from ..content import services as content
from ..dashboard.rollups import count_vote
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..permissions import can

TRENDING_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TRENDING_HALF_LIFE_NOTE = "exp(-age / 7 days)"
TRENDING_TAU = timedelta(days=7)
TITLE_MAX = 200


# Atomic counter updates target the idea table itself: an UPDATE through the joined
# Idea entity would also name content_item, which PostgreSQL turns into an
# UPDATE ... FROM without a join condition.
IDEA = Idea.__table__


def vote_weight(voted_at: datetime) -> float:
    """Weight of a vote in the stored trending score: exp((t - epoch) / 7 days).

    Dividing every score by exp((now - epoch) / 7 days) gives sum(exp(-age / 7 days)),
    so ordering by the stored score is ordering by the stated formula.
    """
    if voted_at.tzinfo is None:
        voted_at = voted_at.replace(tzinfo=UTC)
    return math.exp((voted_at - TRENDING_EPOCH) / TRENDING_TAU)


def _insert_vote_ignoring_duplicates(values: dict[str, Any]):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - other databases are not supported
        return insert(IdeaVote.__table__).values(**values).returning(IdeaVote.__table__.c.id)
    # RETURNING tells whether a row was inserted; rowcount is not reliable for an
    # INSERT ... ON CONFLICT DO NOTHING through psycopg 3.
    return (
        dialect_insert(IdeaVote.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idea_id", "user_id"])
        .returning(IdeaVote.__table__.c.id)
    )


# --- ideas -----------------------------------------------------------------------------


def create_idea(
    author: User, title: str, body: str, *, product_ref: str | None = None, language: str | None = None
) -> Idea:
    """Publish an idea; its author's vote is counted at once."""
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput(_l("Give your idea a title."), code="missing_title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_l("The title is too long."), code="title_too_long")
    if not (body or "").strip():
        raise InvalidInput(_l("Describe your idea."), code="missing_body")
    idea = Idea(title=title, product_ref=(product_ref or "").strip()[:80] or None, last_activity_at=utcnow())
    content.publish(idea, author, body, language)
    if idea.state == ContentState.PUBLISHED:
        _add_vote(idea, author, check_budget=False)
    return idea


def _open_votes_of(user: User) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(
            IdeaVote.user_id == user.id,
            Idea.merged_into_id.is_(None),
            Idea.status.not_in(CLOSED_STATUSES),
        )
    )


def _check_votes_open(idea: Idea) -> None:
    if idea.is_merged:
        raise Conflict(
            _l("This idea was merged into another one: vote there."), code="idea_merged",
            into_id=idea.merged_into_id,
        )  # fmt: skip
    if idea.status in CLOSED_STATUSES:
        raise Conflict(_l("Voting is closed on ideas that are done or declined."), code="votes_closed")
    if idea.state != ContentState.PUBLISHED:
        raise Conflict(_l("This idea cannot receive votes."), code="votes_closed")


def _add_vote(idea: Idea, user: User, *, check_budget: bool = True) -> bool:
    budget = current_app.config.get("IDEA_VOTE_BUDGET") or 0
    if check_budget and budget and _open_votes_of(user) >= budget:
        raise Conflict(
            _l("You have used your %(n)d votes. Votes come back when ideas are done or declined, or when you withdraw one.", n=budget),
            code="vote_budget",
        )  # fmt: skip
    now = utcnow()
    result = db.session.execute(
        _insert_vote_ignoring_duplicates({"idea_id": idea.id, "user_id": user.id, "created_at": now})
    )
    if result.first() is None:  # already voted
        return False
    count_vote(db.session, now.date(), 1)
    db.session.execute(
        update(IDEA)
        .where(IDEA.c.id == idea.id)
        .values(
            vote_count=IDEA.c.vote_count + 1,
            trending_score=IDEA.c.trending_score + vote_weight(now),
            last_activity_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return True


def vote(idea: Idea, user: User) -> None:
    """Add ``user``'s vote. :raises Conflict: already voted, closed, merged, budget spent."""
    if not can(user, "idea.vote", idea):
        raise PermissionDenied(_l("Confirm your e-mail address before voting."))
    _check_votes_open(idea)
    if not _add_vote(idea, user):
        raise Conflict(_l("You already voted for this idea."), code="already_voted")


def unvote(idea: Idea, user: User) -> None:
    """Withdraw ``user``'s vote. :raises Conflict: no vote, closed or merged idea."""
    if not can(user, "idea.vote", idea):
        raise PermissionDenied(_l("Confirm your e-mail address before voting."))
    _check_votes_open(idea)
    row = db.session.execute(
        select(IdeaVote.id, IdeaVote.created_at).where(
            IdeaVote.idea_id == idea.id, IdeaVote.user_id == user.id
        )
    ).first()
    deleted = 0
    if row is not None:
        deleted = db.session.execute(
            delete(IdeaVote).where(IdeaVote.id == row.id).execution_options(synchronize_session=False)
        ).rowcount
    if deleted != 1:
        raise Conflict(_l("You have not voted for this idea."), code="not_voted")
    count_vote(db.session, row.created_at.date(), -1)
    db.session.execute(
        update(IDEA)
        .where(IDEA.c.id == idea.id)
        .values(
            vote_count=IDEA.c.vote_count - 1,
            trending_score=IDEA.c.trending_score - vote_weight(row.created_at),
        )
        .execution_options(synchronize_session=False)
    )


def refresh_counts(idea_id: int) -> None:
    """Recompute an idea's vote count and trending score from its votes (after merges)."""
    times = db.session.scalars(select(IdeaVote.created_at).where(IdeaVote.idea_id == idea_id)).all()
    db.session.execute(
        update(IDEA)
        .where(IDEA.c.id == idea_id)
        .values(
            vote_count=select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id)
            .scalar_subquery(),
            trending_score=sum(vote_weight(t) for t in times),
        )
        .execution_options(synchronize_session=False)
    )  # fmt: skip


# --- statuses ------------------------------------------------------------------------------


def change_status(idea: Idea, actor: User, status: str, note: str) -> IdeaStatusChange:
    """Staff move an idea to ``status`` with a public note, kept in the timeline."""
    if not can(actor, "idea.status", idea):
        raise PermissionDenied(_l("Only brand staff change the status of an idea."))
    if status not in {s.value for s in IdeaStatus}:
        raise InvalidInput(_l("This status does not exist."), code="bad_status")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_l("Explain the change in a public note."), code="missing_note")
    if len(note) > 5000:
        raise InvalidInput(_l("The note is too long."), code="note_too_long")
    if idea.is_merged:
        raise Conflict(_l("This idea was merged into another one."), code="idea_merged")
    if status == idea.status:
        raise Conflict(_l("The idea already has this status."), code="same_status")
    change = IdeaStatusChange(
        idea_id=idea.id, from_status=idea.status, to_status=status, author_id=actor.id, note=note
    )
    db.session.add(change)
    idea.status = status
    idea.last_activity_at = utcnow()
    db.session.flush()
    events.announce(
        events.idea_status_changed, idea_id=idea.id, change_id=change.id, previous=change.from_status,
        status=status, actor_id=actor.id,
    )  # fmt: skip
    return change


# --- comments ------------------------------------------------------------------------------


def add_comment(idea: Idea, author: User, body: str, language: str | None = None) -> IdeaComment:
    if idea.is_merged:
        raise Conflict(_l("This idea was merged into another one: comment there."), code="idea_merged")
    if idea.state != ContentState.PUBLISHED:
        raise NotFound()
    if not (body or "").strip():
        raise InvalidInput(_l("Write a comment first."), code="missing_body")
    comment = IdeaComment(idea_id=idea.id)
    content.publish(comment, author, body, language)
    if comment.state == ContentState.PUBLISHED:
        db.session.execute(
            update(IDEA)
            .where(IDEA.c.id == idea.id)
            .values(comment_count=IDEA.c.comment_count + 1, last_activity_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    return comment


# --- merges ----------------------------------------------------------------------------------


def merge(idea: Idea, target: Idea, actor: User) -> list[int]:
    """Merge ``idea`` (B) into ``target`` (A); returns the ids of voters whose vote moved.

    Voters of B become voters of A unless they already vote for A (no double vote);
    each moved vote keeps the idea it was cast for, so :func:`unmerge` is exact.
    """
    if not can(actor, "idea.merge", idea):
        raise PermissionDenied(_l("Only staff and moderators merge ideas."))
    if idea.id == target.id:
        raise InvalidInput(_l("An idea cannot be merged into itself."), code="merge_self")
    if idea.is_merged:
        raise Conflict(_l("This idea is already merged; undo that merge first."), code="already_merged")
    if target.is_merged:
        raise Conflict(
            _l("The target was itself merged into another idea: merge into that one instead."),
            code="merge_chain", into_id=target.merged_into_id,
        )  # fmt: skip
    if target.state != ContentState.PUBLISHED:
        raise InvalidInput(_l("The target idea is not available."), code="bad_target")
    already = select(IdeaVote.user_id).where(IdeaVote.idea_id == target.id)
    moving = db.session.scalars(
        select(IdeaVote.user_id).where(IdeaVote.idea_id == idea.id, IdeaVote.user_id.not_in(already))
    ).all()
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.user_id.in_(moving))
        .values(idea_id=target.id, original_idea_id=func.coalesce(IdeaVote.original_idea_id, idea.id))
        .execution_options(synchronize_session=False)
    )
    idea.merged_into_id = target.id
    idea.merged_at = utcnow()
    idea.merged_by_id = actor.id
    target.last_activity_at = utcnow()
    db.session.flush()
    refresh_counts(idea.id)
    refresh_counts(target.id)
    events.announce(
        events.idea_merged, idea_id=idea.id, into_id=target.id, actor_id=actor.id, voter_ids=list(moving)
    )
    return list(moving)


def _merged_family(idea_id: int) -> set[int]:
    """``idea_id`` and every idea merged into it, directly or through a chain."""
    family = {idea_id}
    frontier = {idea_id}
    while frontier:
        frontier = set(db.session.scalars(select(Idea.id).where(Idea.merged_into_id.in_(frontier)))) - family
        family |= frontier
    return family


def unmerge(idea: Idea, actor: User) -> None:
    """Undo the merge of ``idea``: every moved vote goes back where it was cast."""
    if not can(actor, "idea.merge", idea):
        raise PermissionDenied(_l("Only staff and moderators merge ideas."))
    if not idea.is_merged:
        raise Conflict(_l("This idea is not merged."), code="not_merged")
    target_id = idea.merged_into_id
    family = _merged_family(idea.id)
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.idea_id == target_id, IdeaVote.original_idea_id.in_(family))
        .values(idea_id=idea.id)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(IdeaVote)
        .where(IdeaVote.idea_id == idea.id, IdeaVote.original_idea_id == idea.id)
        .values(original_idea_id=None)
        .execution_options(synchronize_session=False)
    )
    idea.merged_into_id = None
    idea.merged_at = None
    idea.merged_by_id = None
    db.session.flush()
    refresh_counts(idea.id)
    refresh_counts(target_id)
    events.announce(events.idea_unmerged, idea_id=idea.id, from_id=target_id, actor_id=actor.id)
