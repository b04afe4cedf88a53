"""Who to notify, decided after each committed change (connected from ``create_app``).

Each listener opens its own session, writes notification rows (one per event and
person: ``event_key`` is unique per member), commits, then queues e-mails and webhook
deliveries. A listener never raises into the request: ``community.events`` logs errors.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models import (
    ArticleComment,
    ContentItem,
    Idea,
    IdeaComment,
    IdeaStatusChange,
    IdeaVote,
    Notification,
    Reply,
    Review,
    Topic,
    User,
    db,
    utcnow,
)

from .. import events
from . import email, webhooks
from .services import PRIORITY, auto_watch, own_session, watchers

log = logging.getLogger(__name__)
STAFF_ROLES = ("staff", "admin")
_QUOTE = re.compile(r"\]\((?:https?://[^)\s]*?)?/(?:forum/)?(?:p|c)/(\d+)\)")
_MENTION_LINK = re.compile(r'<a\b[^>]*class="mention"[^>]*>@([A-Za-z0-9_.-]+)</a>')


class Plan:
    """The notifications of one event: the most specific reason per person wins."""

    def __init__(self, event_key: str, actor_id: int | None, content_id: int | None, title: str) -> None:
        self.event_key = event_key
        self.actor_id = actor_id
        self.content_id = content_id
        self.title = title[:300]
        self.kinds: dict[int, str] = {}
        self.in_app_only: set[int] = set()

    def add(self, user_id: int | None, kind: str, *, track: bool = False) -> None:
        if user_id is None or user_id == self.actor_id:
            return  # never for one's own actions
        current = self.kinds.get(user_id)
        if current is None or PRIORITY[kind] < PRIORITY[current]:
            self.kinds[user_id] = kind
            if track:
                self.in_app_only.add(user_id)
            else:
                self.in_app_only.discard(user_id)

    def add_watchers(self, levels: dict[int, str], kind: str = "activity") -> None:
        for user_id, level in levels.items():
            if level == "mute":
                if self.kinds.get(user_id) == "activity":
                    del self.kinds[user_id]
                continue
            if level not in ("watch", "track"):  # "normal": only what is addressed to them
                continue
            if user_id not in self.kinds:
                self.add(user_id, kind, track=level == "track")

    def muted(self, levels: dict[int, str]) -> None:
        """Muting silences activity, not what is addressed to the member."""
        for user_id, level in levels.items():
            if level == "mute" and self.kinds.get(user_id) in ("activity", "idea_status", "reply", "comment"):
                del self.kinds[user_id]

    def save(self) -> None:
        """Write the rows (skipping people already notified of this event), commit,
        then queue e-mails."""
        if not self.kinds:
            db.session.commit()
            return
        active = set(
            db.session.scalars(select(User.id).where(User.id.in_(self.kinds), User.is_active.is_(True)))
        )
        already = set(
            db.session.scalars(
                select(Notification.user_id).where(
                    Notification.event_key == self.event_key, Notification.user_id.in_(self.kinds)
                )
            )
        )
        url = f"/c/{self.content_id}" if self.content_id else "/notifications"
        created: list[tuple[Notification, bool]] = []
        for user_id, kind in sorted(self.kinds.items()):
            if user_id not in active or user_id in already:
                continue
            row = Notification(
                user_id=user_id, kind=kind, event_key=self.event_key, actor_id=self.actor_id,
                content_id=self.content_id, url=url, title=self.title,
            )  # fmt: skip
            db.session.add(row)
            created.append((row, user_id in self.in_app_only))
        try:
            db.session.flush()
        except IntegrityError:  # a concurrent listener wrote one first: keep theirs
            db.session.rollback()
            return
        deliveries = email.plan_emails([row for row, in_app_only in created if not in_app_only])
        db.session.commit()
        email.queue(deliveries)


def _run(handler: Any, **payload: Any) -> None:
    with own_session():
        try:
            handler(**payload)
        except Exception:
            db.session.rollback()
            raise


def _mentioned(item: ContentItem) -> list[int]:
    names = {n.lower() for n in _MENTION_LINK.findall(item.body_html or "")}
    if not names:
        return []
    return list(db.session.scalars(select(User.id).where(func.lower(User.username).in_(names))))


def _quoted_authors(item: ContentItem) -> list[int]:
    ids = {int(x) for x in _QUOTE.findall(item.body_source or "")}
    if not ids:
        return []
    return list(db.session.scalars(select(ContentItem.author_id).where(ContentItem.id.in_(ids))))


def _notify_new_content(item: ContentItem) -> None:
    author = item.author_id
    plan = Plan(f"content:{item.id}", author, item.id, item.title_text)
    if isinstance(item, Reply):
        topic = db.session.get(Topic, item.topic_id)
        plan.title = topic.title
        if item.author_role in STAFF_ROLES and topic.is_question:
            plan.add(topic.author_id, "official_answer")
        else:
            plan.add(topic.author_id, "reply")
        for uid in _quoted_authors(item):
            plan.add(uid, "quote")
        for uid in _mentioned(item):
            plan.add(uid, "mention")
        levels = watchers([("topic", topic.id), ("category", topic.category_id)])
        plan.add_watchers(levels)
        plan.muted(levels)
        if author:
            auto_watch(author, "topic", topic.id)
    elif isinstance(item, Topic):
        for uid in _mentioned(item):
            plan.add(uid, "mention")
        plan.add_watchers(watchers([("category", item.category_id)]))
        if author:
            auto_watch(author, "topic", item.id)
    elif isinstance(item, IdeaComment):
        idea = db.session.get(Idea, item.idea_id)
        plan.title = idea.title
        plan.add(idea.author_id, "comment")
        for uid in _mentioned(item):
            plan.add(uid, "mention")
        levels = watchers([("idea", idea.id)])
        plan.add_watchers(levels)
        plan.muted(levels)
        if author:
            auto_watch(author, "idea", idea.id)
    elif isinstance(item, Idea):
        if author:
            auto_watch(author, "idea", item.id)
    elif isinstance(item, ArticleComment):
        from models import Article

        article = db.session.get(Article, item.article_id)
        plan.title = article.title
        plan.add(article.author_id, "comment")
        if item.parent_id:
            parent = db.session.get(ArticleComment, item.parent_id)
            plan.add(parent.author_id if parent else None, "reply")
        for uid in _mentioned(item):
            plan.add(uid, "mention")
    elif isinstance(item, Review):
        plan.add_watchers(watchers([("product", item.product_id)]))
    else:
        return
    plan.save()


# --- signal handlers ------------------------------------------------------------------------


def _content_created(content_id: int, **_: Any) -> None:
    item = db.session.get(ContentItem, content_id)
    if item is None or item.state != "published":
        return
    _notify_new_content(item)


def _content_state_changed(
    content_id: int, previous: str, state: str, actor_id: int | None = None, reason: str = "", **_: Any
) -> None:
    item = db.session.get(ContentItem, content_id)
    if item is None:
        return
    if previous == "pending" and state == "published":
        # Approved after pre-moderation: now it counts as new.
        _notify_new_content(item)
        item = db.session.get(ContentItem, content_id)
    decision = (
        state == "hidden"
        or (state == "published" and previous in ("hidden", "pending"))
        or (
            state == "deleted" and actor_id is not None
        )  # deleted by a moderator (the author's own is excluded below)
    )
    if decision and previous != state and previous != "deleted" and actor_id != item.author_id:
        # Each decision is its own event: hidden, restored, then hidden again notifies three times.
        stamp = int(utcnow().timestamp() * 1000)
        plan = Plan(
            f"state:{content_id}:{state}:{previous}:{stamp}", actor_id, content_id, reason or item.title_text
        )
        plan.add(item.author_id, "moderation")
        plan.save()


def _answer_accepted(content_id: int, reply_id: int, actor_id: int, **_: Any) -> None:
    topic = db.session.get(Topic, content_id)
    reply = db.session.get(Reply, reply_id)
    if topic is None or reply is None:
        return
    plan = Plan(f"accepted:{reply_id}", actor_id, reply_id, topic.title)
    plan.add(reply.author_id, "answer_accepted")
    plan.save()


def _review_responded(
    review_id: int, response_id: int, reviewer_id: int | None = None, staff_id: int | None = None, **_: Any
) -> None:
    review = db.session.get(Review, review_id)
    if review is None:
        return
    plan = Plan(f"content:{response_id}", staff_id, response_id, review.title)
    plan.add(review.author_id, "brand_response")
    plan.save()


def _idea_status_changed(idea_id: int, change_id: int, actor_id: int | None = None, **_: Any) -> None:
    idea = db.session.get(Idea, idea_id)
    if idea is None:
        return
    plan = Plan(f"status:{change_id}", actor_id, idea_id, idea.title)
    plan.add(idea.author_id, "idea_status")
    for uid in db.session.scalars(select(IdeaVote.user_id).where(IdeaVote.idea_id == idea_id)):
        plan.add(uid, "idea_status")
    levels = watchers([("idea", idea_id)])
    plan.add_watchers(levels, "idea_status")
    plan.muted(levels)
    plan.save()


def _idea_merged(
    idea_id: int, into_id: int, actor_id: int | None = None, voter_ids: list[int] | None = None, **_: Any
) -> None:
    idea = db.session.get(Idea, idea_id)
    target = db.session.get(Idea, into_id)
    if idea is None or target is None:
        return
    plan = Plan(f"merged:{idea_id}:{into_id}", actor_id, into_id, target.title)
    plan.add(idea.author_id, "idea_status")
    for uid in voter_ids or []:
        plan.add(uid, "idea_status")
    plan.add_watchers(watchers([("idea", idea_id)]), "idea_status")
    plan.save()


def _member_mentioned(content_id: int, user_ids: list[int], **_: Any) -> None:
    item = db.session.get(ContentItem, content_id)
    if item is None or item.state != "published":
        return
    plan = Plan(f"content:{content_id}", item.author_id, content_id, item.title_text)
    if isinstance(item, Reply):
        plan.title = db.session.get(Topic, item.topic_id).title
    for uid in user_ids:
        plan.add(uid, "mention")
    plan.save()


def _member_sanctioned(user_id: int, sanction_id: int, kind: str = "", **_: Any) -> None:
    plan = Plan(f"sanction:{sanction_id}", None, None, kind)
    plan.add(user_id, "moderation")
    plan.save()


def _status_change_note(change_id: int) -> IdeaStatusChange | None:
    return db.session.get(IdeaStatusChange, change_id)


HANDLERS = {
    events.content_created: _content_created,
    events.content_state_changed: _content_state_changed,
    events.answer_accepted: _answer_accepted,
    events.review_responded: _review_responded,
    events.idea_status_changed: _idea_status_changed,
    events.idea_merged: _idea_merged,
    events.member_mentioned: _member_mentioned,
    events.member_sanctioned: _member_sanctioned,
}


def _make_receiver(handler: Any) -> Any:
    def receiver(_sender: Any, **payload: Any) -> None:
        _run(handler, **payload)

    receiver.__name__ = f"notify{handler.__name__}"
    return receiver


_RECEIVERS: list[Any] = []


def connect() -> None:
    """Connect every handler once (strong references kept here)."""
    for signal, handler in HANDLERS.items():
        receiver = _make_receiver(handler)
        _RECEIVERS.append(receiver)
        signal.connect(receiver, weak=False)
    webhooks.connect()
