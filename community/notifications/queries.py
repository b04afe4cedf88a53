"""Reads: a fixed number of queries per page whatever the volume."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from models import (
    BrandResponse,
    ContentItem,
    EmailDelivery,
    ForumCategory,
    Idea,
    IdeaStatusChange,
    Notification,
    Product,
    Reply,
    Review,
    StaffClaim,
    Topic,
    User,
    Watch,
    Webhook,
    WebhookDelivery,
    db,
    utcnow,
)

from .services import claim_cutoff

STAFF_ROLES = ("staff", "admin")


def unread_count(user_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def notifications_of(user_id: int, limit: int = 100, before_id: int | None = None) -> list[Notification]:
    stmt = (
        select(Notification)
        .options(joinedload(Notification.actor))
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if before_id:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.session.scalars(stmt))


def by_day(rows: list[Notification], tz: Any) -> list[tuple[Any, list[Notification]]]:
    return [
        (day, list(items)) for day, items in groupby(rows, key=lambda n: n.created_at.astimezone(tz).date())
    ]


# --- watching ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WatchState:
    """What the watch control shows: the member's level for one target.

    ``inherited`` names the enclosing target the level comes from ("category" for a
    topic in a watched category) when the member chose nothing for the target itself.
    """

    target_type: str
    target_id: int
    level: str  # watch, track, normal, mute
    inherited: str | None = None


def watch_state(
    user: Any, target_type: str, target_id: int, parent: tuple[str, int] | None = None
) -> WatchState | None:
    """The member's level for a target (and its ``parent``, for a topic's category), in
    one query; ``None`` for visitors (no query: the control is not shown)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    targets = [(target_type, target_id)] + ([parent] if parent else [])
    rows = dict(
        ((t, i), level)
        for t, i, level in db.session.execute(
            select(Watch.target_type, Watch.target_id, Watch.level).where(
                Watch.user_id == user.id,
                or_(*[and_(Watch.target_type == t, Watch.target_id == i) for t, i in targets]),
            )
        )
    )
    own = rows.get((target_type, target_id))
    if own is not None:
        return WatchState(target_type, target_id, own)
    if parent is not None and rows.get(parent) in ("watch", "track", "mute"):
        return WatchState(target_type, target_id, rows[parent], inherited=parent[0])
    return WatchState(target_type, target_id, "normal")


def watch_target(target_type: str, target_id: int) -> Any:
    """The topic, idea, forum category or product a member wants to watch (or ``None``)."""
    if target_type in ("topic", "idea"):
        item = db.session.get(ContentItem, target_id)
        return item if item is not None and item.kind == target_type else None
    if target_type == "category":
        return db.session.get(ForumCategory, target_id)
    if target_type == "product":
        return db.session.get(Product, target_id)
    return None


# --- staff inbox ----------------------------------------------------------------------------------


@dataclass
class InboxEntry:
    kind: str  # question, review, idea
    item: Any
    title: str
    created_at: datetime
    claim: StaffClaim | None = None

    def age_hours(self, now: datetime) -> float:
        return (now - self.created_at).total_seconds() / 3600


def inbox(limit: int = 100) -> list[InboxEntry]:
    questions = db.session.scalars(
        select(Topic).where(Topic.topic_kind == "question", Topic.state == "published", Topic.has_official_answer.is_(False))
        .order_by(Topic.created_at).limit(limit)
    ).all()  # fmt: skip
    reviews = db.session.scalars(
        select(Review)
        .where(Review.state == "published", Review.responded_at.is_(None))
        .order_by(Review.created_at)
        .limit(limit)
    ).all()
    ideas = db.session.scalars(
        select(Idea).where(Idea.state == "published", Idea.status == "new", Idea.merged_into_id.is_(None))
        .order_by(Idea.created_at).limit(limit)
    ).all()  # fmt: skip
    entries = (
        [InboxEntry("question", t, t.title, t.created_at) for t in questions]
        + [InboxEntry("review", r, r.title, r.created_at) for r in reviews]
        + [InboxEntry("idea", i, i.title, i.created_at) for i in ideas]
    )
    entries.sort(key=lambda e: e.created_at)
    entries = entries[:limit]
    if entries:
        claims = db.session.scalars(
            select(StaffClaim).options(joinedload(StaffClaim.user))
            .where(StaffClaim.content_id.in_([e.item.id for e in entries]), StaffClaim.claimed_at >= claim_cutoff())
        ).all()  # fmt: skip
        by_id = {c.content_id: c for c in claims}
        for entry in entries:
            entry.claim = by_id.get(entry.item.id)
    return entries


def target_hours() -> float:
    return float(current_app.config.get("BRAND_RESPONSE_TARGET_HOURS", 24))


# --- brand replies ------------------------------------------------------------------------------------


@dataclass
class BrandReply:
    kind: str  # official_answer, review_response, idea_status
    content_id: int  # where to link (/c/<id>)
    title: str
    body_html: str
    author: User | None
    created_at: datetime


def brand_replies(limit: int = 30) -> list[BrandReply]:
    topic = aliased(Topic, flat=True)
    review = aliased(Review, flat=True)
    answers = db.session.execute(
        select(Reply, topic.title).join(topic, topic.id == Reply.topic_id).options(joinedload(Reply.author))
        .where(Reply.author_role.in_(STAFF_ROLES), Reply.state == "published", topic.topic_kind == "question",
               topic.state == "published")
        .order_by(Reply.created_at.desc()).limit(limit)
    ).all()  # fmt: skip
    responses = db.session.execute(
        select(BrandResponse, review.title).join(review, review.id == BrandResponse.review_id)
        .options(joinedload(BrandResponse.author))
        .where(BrandResponse.state == "published", review.state == "published")
        .order_by(BrandResponse.created_at.desc()).limit(limit)
    ).all()  # fmt: skip
    notes = db.session.execute(
        select(IdeaStatusChange, Idea.title).join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .options(joinedload(IdeaStatusChange.author)).where(Idea.state == "published")
        .order_by(IdeaStatusChange.created_at.desc()).limit(limit)
    ).all()  # fmt: skip
    from ..markup import render_markdown as render

    out = (
        [BrandReply("official_answer", r.id, t, r.body_html, r.author, r.created_at) for r, t in answers]
        + [BrandReply("review_response", r.id, t, r.body_html, r.author, r.created_at) for r, t in responses]
        + [BrandReply("idea_status", c.idea_id, t, render(c.note), c.author, c.created_at) for c, t in notes]
    )
    out.sort(key=lambda b: b.created_at, reverse=True)
    return out[:limit]


def median_response_hours(days: int = 30) -> float | None:
    """Median time to the brand's first response over the last ``days`` (reviews and questions)."""
    since = utcnow() - timedelta(days=days)
    seconds = list(
        db.session.scalars(
            select(Review.response_seconds).where(
                Review.responded_at >= since, Review.response_seconds.is_not(None)
            )
        )
    )
    first = (
        select(Reply.topic_id, func.min(Reply.created_at).label("first_at"))
        .where(Reply.author_role.in_(STAFF_ROLES), Reply.state == "published")
        .group_by(Reply.topic_id).subquery()
    )  # fmt: skip
    for created, answered in db.session.execute(
        select(Topic.created_at, first.c.first_at).join(first, first.c.topic_id == Topic.id)
        .where(Topic.topic_kind == "question", first.c.first_at >= since)
    ):  # fmt: skip
        if answered is not None:
            if answered.tzinfo is None:
                from datetime import UTC

                answered = answered.replace(tzinfo=UTC)
            seconds.append(max(0, int((answered - created).total_seconds())))
    if not seconds:
        return None
    return statistics.median(seconds) / 3600


# --- admin -------------------------------------------------------------------------------------------


def webhooks() -> list[Webhook]:
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def webhook_deliveries(limit: int = 50) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))


def email_failures(limit: int = 50) -> list[EmailDelivery]:
    return list(
        db.session.scalars(
            select(EmailDelivery)
            .where(EmailDelivery.status != "sent")
            .order_by(EmailDelivery.id.desc())
            .limit(limit)
        )
    )
