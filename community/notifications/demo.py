"""Demo data for notifications: what the listeners would have written for the demo accounts.

The seeder runs with events muted (history is imported, nobody is e-mailed), so it
derives from what the other seeders wrote: the demo accounts watch what they created or
replied to, have notifications for the replies, answers, brand responses and idea status
changes that concern them (the newest unread, so the bell shows a count), a watched
category and a tracked product; and an example webhook, disabled, on the admin page.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased

from models import (
    BrandResponse,
    ForumCategory,
    Idea,
    IdeaComment,
    IdeaStatusChange,
    IdeaVote,
    Notification,
    Product,
    Reply,
    Review,
    Topic,
    Watch,
    Webhook,
    db,
    utcnow,
)

from ..demo import DemoContext
from .services import PRIORITY

STAFF_ROLES = ("staff", "admin")
PER_ACCOUNT = 14  # notifications kept per demo account
PER_KIND = 5  # at most this many of each source, so the list shows every kind the account has
UNREAD = 4  # the newest ones stay unread
EXAMPLE_WEBHOOK = "https://hooks.example.com/boreal/community"


def seed_notifications(ctx: DemoContext) -> None:
    accounts = list(ctx.users.values())
    ids = [u.id for u in accounts]
    _watches(ids)
    member = ctx.users.get("member")
    if member is not None:
        _member_choices(member.id)
    for user in accounts:
        _notifications(user.id)
    admin = ctx.users.get("admin")
    db.session.add(
        Webhook(
            url=EXAMPLE_WEBHOOK, secret=secrets.token_hex(24), active=False,
            events="question.created,review.created,flag.raised", created_by_id=admin.id if admin else None,
        )
    )  # fmt: skip
    db.session.flush()


def _watches(ids: list[int]) -> None:
    """Auto-watch, as after each post: topics and ideas the demo accounts wrote in."""
    pairs: set[tuple[int, str, int]] = set()
    pairs.update(
        (a, "topic", t)
        for t, a in db.session.execute(select(Topic.id, Topic.author_id).where(Topic.author_id.in_(ids)))
    )
    pairs.update(
        (a, "topic", t)
        for t, a in db.session.execute(
            select(Reply.topic_id, Reply.author_id).where(Reply.author_id.in_(ids))
        )
    )
    pairs.update(
        (a, "idea", i)
        for i, a in db.session.execute(select(Idea.id, Idea.author_id).where(Idea.author_id.in_(ids)))
    )
    pairs.update(
        (a, "idea", i) for i, a in db.session.execute(select(IdeaComment.idea_id, IdeaComment.author_id).where(IdeaComment.author_id.in_(ids)))
    )  # fmt: skip
    db.session.add_all(
        Watch(user_id=u, target_type=t, target_id=i, level="watch") for u, t, i in sorted(pairs)
    )


def _member_choices(user_id: int) -> None:
    """The member watches the tents category and tracks a product (in-app only)."""
    category = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == "tents"))
    if category is not None:
        db.session.add(Watch(user_id=user_id, target_type="category", target_id=category.id, level="watch"))
    product = db.session.scalar(select(Product).order_by(Product.id).limit(1))
    if product is not None:
        db.session.add(Watch(user_id=user_id, target_type="product", target_id=product.id, level="track"))


def _notifications(user_id: int) -> None:
    found: dict[str, dict[str, Any]] = {}

    def add(key: str, kind: str, actor_id: int | None, content_id: int, title: str, at: datetime) -> None:
        if actor_id == user_id:
            return  # never for one's own action
        current = found.get(key)
        if current is None or PRIORITY[kind] < PRIORITY[current["kind"]]:
            found[key] = {
                "kind": kind,
                "actor_id": actor_id,
                "content_id": content_id,
                "title": title[:300],
                "at": at,
            }

    topic, review, idea = aliased(Topic, flat=True), aliased(Review, flat=True), aliased(Idea, flat=True)
    replies = db.session.execute(
        select(Reply.id, Reply.author_id, Reply.author_role, Reply.created_at, topic.title, topic.topic_kind)
        .join(topic, topic.id == Reply.topic_id)
        .where(topic.author_id == user_id, Reply.state == "published")
        .order_by(Reply.created_at.desc()).limit(PER_KIND)
    )  # fmt: skip
    for rid, author, role, at, title, topic_kind in replies:
        official = role in STAFF_ROLES and topic_kind == "question"
        add(f"content:{rid}", "official_answer" if official else "reply", author, rid, title, at)
    accepted = db.session.execute(
        select(Reply.id, topic.author_id, topic.title, Reply.created_at)
        .join(topic, topic.accepted_reply_id == Reply.id)
        .where(Reply.author_id == user_id)
        .order_by(Reply.created_at.desc()).limit(PER_KIND)
    )  # fmt: skip
    for rid, asker, title, at in accepted:
        add(f"accepted:{rid}", "answer_accepted", asker, rid, title, at)
    responses = db.session.execute(
        select(BrandResponse.id, BrandResponse.author_id, BrandResponse.created_at, review.title)
        .join(review, review.id == BrandResponse.review_id)
        .where(review.author_id == user_id, BrandResponse.state == "published")
        .order_by(BrandResponse.created_at.desc()).limit(PER_KIND)
    )  # fmt: skip
    for rid, staff, at, title in responses:
        add(f"content:{rid}", "brand_response", staff, rid, title, at)
    voted = select(IdeaVote.idea_id).where(IdeaVote.user_id == user_id)
    changes = db.session.execute(
        select(IdeaStatusChange.id, IdeaStatusChange.author_id, IdeaStatusChange.created_at, Idea.id, Idea.title)
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where((Idea.author_id == user_id) | Idea.id.in_(voted))
        .order_by(IdeaStatusChange.created_at.desc()).limit(PER_KIND)
    )  # fmt: skip
    for cid, staff, at, idea_id, title in changes:
        add(f"status:{cid}", "idea_status", staff, idea_id, title, at)
    comments = db.session.execute(
        select(IdeaComment.id, IdeaComment.author_id, IdeaComment.created_at, idea.title)
        .join(idea, idea.id == IdeaComment.idea_id)
        .where(idea.author_id == user_id, IdeaComment.state == "published")
        .order_by(IdeaComment.created_at.desc()).limit(PER_KIND)
    )  # fmt: skip
    for cid, author, at, title in comments:
        add(f"content:{cid}", "comment", author, cid, title, at)

    newest = sorted(found.items(), key=lambda kv: kv[1]["at"], reverse=True)[:PER_ACCOUNT]
    now = utcnow()
    for position, (key, n) in enumerate(newest):
        db.session.add(
            Notification(
                user_id=user_id, kind=n["kind"], event_key=key, actor_id=n["actor_id"], content_id=n["content_id"],
                url=f"/c/{n['content_id']}", title=n["title"], created_at=n["at"],
                read_at=None if position < UNREAD else now, email_state="sent",
            )
        )  # fmt: skip
