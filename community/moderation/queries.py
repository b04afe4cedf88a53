"""Moderation reads: the queue, author histories, the audit log and transparency figures.

Each page issues a fixed number of queries whatever the volume.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, extract, func, or_, select
from sqlalchemy.orm import joinedload, with_polymorphic

from models import AuditEntry, ContentItem, ContentState, Flag, FlagStatus, Sanction, User, db

from ..content.registry import _KINDS, ContentContext
from ..permissions import moderates
from .services import SYSTEM_HIDE_REASON

QUEUE_LIMIT = 200
LOG_LIMIT = 500


@dataclass
class AuthorHistory:
    joined: datetime | None = None
    trust_level: int = 0
    published: int = 0
    hidden: int = 0
    sanctions: int = 0


@dataclass
class QueueEntry:
    item: ContentItem
    kind_label: Any
    url: str | None
    context: ContentContext | None
    flags: list[Flag] = field(default_factory=list)
    history: AuthorHistory | None = None

    @property
    def reasons(self) -> list[tuple[str, int]]:
        return Counter(f.reason for f in self.flags).most_common()

    @property
    def hidden_by_flags(self) -> bool:
        return self.item.state == ContentState.HIDDEN and self.item.hidden_reason == SYSTEM_HIDE_REASON


def _polymorphic():
    return with_polymorphic(ContentItem, "*")


def queue(actor: User, limit: int = QUEUE_LIMIT) -> list[QueueEntry]:
    """Pending and flagged items the actor moderates, oldest first."""
    flagged = select(Flag.content_id).where(Flag.status == FlagStatus.OPEN.value)
    poly = _polymorphic()
    items = db.session.scalars(
        select(poly)
        .options(joinedload(poly.author))
        .where(
            or_(
                poly.state == ContentState.PENDING.value,
                (poly.id.in_(flagged)) & (poly.state != ContentState.DELETED.value),
            )
        )
        .order_by(poly.created_at, poly.id)
        .limit(limit)
    ).all()
    items = [i for i in items if moderates(actor, i)]
    return entries_for(items)


def entries_for(items: list[ContentItem]) -> list[QueueEntry]:
    ids = [i.id for i in items]
    flags: dict[int, list[Flag]] = defaultdict(list)
    if ids:
        for f in db.session.scalars(
            select(Flag)
            .where(Flag.content_id.in_(ids), Flag.status == FlagStatus.OPEN.value)
            .order_by(Flag.id)
        ):
            flags[f.content_id].append(f)
    histories = author_histories([i.author for i in items if i.author is not None])
    entries = []
    for item in items:
        kind = _KINDS.get(item.kind)
        entries.append(
            QueueEntry(
                item=item,
                kind_label=kind.label if kind else item.kind,
                url=kind.url(item) if kind else None,
                context=kind.context(item) if kind and kind.context else None,
                flags=flags.get(item.id, []),
                history=histories.get(item.author_id) if item.author_id else None,
            )
        )
    return entries


def author_histories(authors: list[User]) -> dict[int, AuthorHistory]:
    """Join date, trust level, published/hidden counts and sanctions of each author (2 queries)."""
    result = {u.id: AuthorHistory(joined=u.created_at, trust_level=u.trust_level) for u in authors}
    if not result:
        return result
    ids = list(result)
    rows = db.session.execute(
        select(ContentItem.author_id, ContentItem.state, func.count(ContentItem.id))
        .where(ContentItem.author_id.in_(ids))
        .group_by(ContentItem.author_id, ContentItem.state)
    ).all()
    for author_id, state, count in rows:
        if state == ContentState.PUBLISHED:
            result[author_id].published = count
        elif state == ContentState.HIDDEN:
            result[author_id].hidden = count
    for user_id, count in db.session.execute(
        select(Sanction.user_id, func.count(Sanction.id))
        .where(Sanction.user_id.in_(ids))
        .group_by(Sanction.user_id)
    ).all():
        result[user_id].sanctions = count
    return result


def items_by_ids(ids: list[int]) -> list[ContentItem]:
    if not ids:
        return []
    poly = _polymorphic()
    return list(db.session.scalars(select(poly).where(poly.id.in_(ids)).order_by(poly.id)).all())


def get_item(content_id: int) -> ContentItem | None:
    poly = _polymorphic()
    return db.session.scalars(
        select(poly).options(joinedload(poly.author)).where(poly.id == content_id)
    ).first()


def audit_log(
    *, action: str = "", actor: str = "", target_type: str = "", target_id: int | None = None,
    limit: int = LOG_LIMIT,
) -> list[AuditEntry]:  # fmt: skip
    query = (
        select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit)
    )
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    if actor:
        query = query.join(User, AuditEntry.actor_id == User.id).where(
            func.lower(User.username) == actor.lower()
        )
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    return list(db.session.scalars(query).all())


def sanctions_of(user: User) -> list[Sanction]:
    return list(
        db.session.scalars(select(Sanction).where(Sanction.user_id == user.id).order_by(Sanction.id.desc()))
    )


# --- transparency ------------------------------------------------------------------------


@dataclass
class Breakdown:
    """Per month and key (a star rating): how many items, how many hidden."""

    title: Any
    rows: list[tuple[str, str, int, int]]  # (month, key, hidden, total)


# Features add ``() -> Breakdown`` here (reviews: share hidden by star rating).
TRANSPARENCY_BREAKDOWNS: list[Callable[[], Breakdown]] = []


def _month(value: datetime) -> str:
    return value.strftime("%Y-%m")


def rating_breakdown(model: type[ContentItem], title: Any, attribute: str = "rating") -> Breakdown:
    """Share of hidden items by rating, per month, for a kind with a ``rating`` column:
    one grouped query (deleted items and items without a rating do not count)."""
    rating = getattr(model, attribute)
    created = model.created_at
    if db.session.get_bind().dialect.name == "postgresql":
        created = func.timezone("UTC", created)  # months in UTC, as everywhere else
    year, month = extract("year", created), extract("month", created)
    hidden = func.sum(case((model.state == ContentState.HIDDEN.value, 1), else_=0))
    rows = db.session.execute(
        select(year, month, rating, hidden, func.count())
        .where(model.state != ContentState.DELETED.value, rating.is_not(None))
        .group_by(year, month, rating)
    ).all()
    cells = sorted(
        ((f"{int(y):04d}-{int(m):02d}", str(r), int(h or 0), int(t)) for y, m, r, h, t in rows), reverse=True
    )
    return Breakdown(title, cells)


@dataclass
class Transparency:
    months: list[str]
    hidden: dict[str, Counter]  # month -> reason -> count
    flags: dict[str, Counter]  # month -> upheld/dismissed -> count
    sanctions: dict[str, Counter]  # month -> kind -> count
    breakdowns: list[Breakdown]

    def csv_rows(self) -> list[tuple[str, str, str, int, int | str]]:
        rows: list[tuple[str, str, str, int, int | str]] = []
        for month in self.months:
            for reason, n in sorted(self.hidden.get(month, {}).items()):
                rows.append((month, "hidden_items", reason, n, ""))
            for status, n in sorted(self.flags.get(month, {}).items()):
                rows.append((month, "flags", status, n, ""))
            for kind, n in sorted(self.sanctions.get(month, {}).items()):
                rows.append((month, "sanctions", kind, n, ""))
        for b in self.breakdowns:
            for month, key, hidden, total in b.rows:
                rows.append((month, str(b.title), key, hidden, total))
        return rows


def public_reason(reason: str | None) -> str:
    return (
        str(_l("pending review after reports from members"))
        if reason == SYSTEM_HIDE_REASON
        else (reason or "")
    )


def transparency() -> Transparency:
    hidden: dict[str, Counter] = defaultdict(Counter)
    for created, reason in db.session.execute(
        select(AuditEntry.created_at, AuditEntry.reason).where(AuditEntry.action == "content.hide")
    ):
        hidden[_month(created)][public_reason(reason).strip().lower() or "-"] += 1
    flags: dict[str, Counter] = defaultdict(Counter)
    for resolved, status in db.session.execute(
        select(Flag.resolved_at, Flag.status).where(Flag.resolved_at.is_not(None))
    ):
        flags[_month(resolved)][status] += 1
    sanctions: dict[str, Counter] = defaultdict(Counter)
    for created, kind in db.session.execute(select(Sanction.created_at, Sanction.kind)):
        sanctions[_month(created)][kind] += 1
    months = sorted(set(hidden) | set(flags) | set(sanctions), reverse=True)
    return Transparency(months, hidden, flags, sanctions, [make() for make in TRANSPARENCY_BREAKDOWNS])
