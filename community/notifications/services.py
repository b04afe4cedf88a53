"""Writes: notifications, watches, settings, staff claims. Callers commit."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from models import ContentItem, Notification, NotificationSettings, StaffClaim, User, Watch, db, utcnow

from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..permissions import can

KINDS = (
    "reply", "quote", "mention", "answer_accepted", "official_answer", "brand_response",
    "idea_status", "comment", "moderation", "activity",
)  # fmt: skip
# The more specific reason wins when several apply to one person for one event.
PRIORITY = {kind: i for i, kind in enumerate(
    ("official_answer", "brand_response", "answer_accepted", "mention", "quote", "reply", "comment",
     "idea_status", "moderation", "activity")
)}  # fmt: skip
DELIVERY = ("immediately", "digest", "never")
DEFAULT_DELIVERY = {"activity": "digest"}
# "normal" is stored too: a member who chose it is not put back to watching by auto-watch,
# and it overrides the level of the category around a topic.
LEVELS = ("watch", "track", "normal", "mute")
TARGETS = ("topic", "idea", "category", "product")


@contextmanager
def own_session() -> Iterator[Session]:
    """A fresh session behind ``db.session`` (listeners run after another session's
    commit and must not touch it)."""
    registry = db.session.registry
    previous = registry() if registry.has() else None
    session = db.session.session_factory()
    registry.set(session)
    try:
        yield session
    finally:
        session.close()
        if previous is not None:
            registry.set(previous)
        else:
            registry.clear()


# --- settings ---------------------------------------------------------------------------


def settings_of(user_id: int) -> NotificationSettings:
    row = db.session.get(NotificationSettings, user_id)
    if row is None:
        row = NotificationSettings(user_id=user_id, auto_watch=True, email="{}")
    return row


def email_preferences(row: NotificationSettings) -> dict[str, str]:
    try:
        stored = json.loads(row.email or "{}")
    except ValueError:
        stored = {}
    return {kind: stored.get(kind) or DEFAULT_DELIVERY.get(kind, "immediately") for kind in KINDS}


def update_settings(
    user: User, *, email: dict[str, str] | None = None, auto_watch: bool | None = None
) -> NotificationSettings:
    row = db.session.get(NotificationSettings, user.id)
    if row is None:
        row = NotificationSettings(user_id=user.id, auto_watch=True, email="{}")
        db.session.add(row)
    prefs = email_preferences(row)
    for kind, value in (email or {}).items():
        if kind not in KINDS:
            raise InvalidInput(f"unknown notification kind: {kind}", field="email")
        if value not in DELIVERY:
            raise InvalidInput(f"unknown delivery: {value}", field="email")
        prefs[kind] = value
    row.email = json.dumps(prefs, sort_keys=True)
    if auto_watch is not None:
        row.auto_watch = bool(auto_watch)
    row.updated_at = utcnow()
    return row


# --- watching ---------------------------------------------------------------------------


def set_watch(user: User, target_type: str, target_id: int, level: str | None) -> Watch | None:
    """Set ``user``'s level for a target; ``None`` removes the row (back to default)."""
    if target_type not in TARGETS:
        raise InvalidInput(_l("This cannot be watched."), field="target_type")
    if level is not None and level not in LEVELS:
        raise InvalidInput(_l("Choose a notification level."), field="level")
    row = db.session.scalar(
        select(Watch).where(
            Watch.user_id == user.id, Watch.target_type == target_type, Watch.target_id == target_id
        )
    )
    if level is None:
        if row is not None:
            db.session.delete(row)
        return None
    if row is None:
        row = Watch(user_id=user.id, target_type=target_type, target_id=target_id)
        db.session.add(row)
    row.level = level
    return row


def auto_watch(user_id: int, target_type: str, target_id: int) -> None:
    """Authors and repliers watch what they wrote in, unless they opted out or chose a level."""
    if not settings_of(user_id).auto_watch:
        return
    exists = db.session.scalar(
        select(Watch.id).where(
            Watch.user_id == user_id, Watch.target_type == target_type, Watch.target_id == target_id
        )
    )
    if exists is None:
        db.session.add(Watch(user_id=user_id, target_type=target_type, target_id=target_id, level="watch"))


def watchers(targets: Iterable[tuple[str, int]]) -> dict[int, str]:
    """user id -> strongest level over ``targets`` (the first target listed wins: the
    most specific one, so muting a topic silences it inside a watched category)."""
    targets = list(targets)
    if not targets:
        return {}
    rows = db.session.execute(
        select(Watch.user_id, Watch.target_type, Watch.target_id, Watch.level).where(
            or_(*[and_(Watch.target_type == t, Watch.target_id == i) for t, i in targets])
        )
    ).all()
    rank = {target: i for i, target in enumerate(targets)}
    best: dict[int, tuple[int, str]] = {}
    for user_id, t, i, level in rows:
        r = rank[(t, i)]
        if user_id not in best or r < best[user_id][0]:
            best[user_id] = (r, level)
    return {user_id: level for user_id, (_r, level) in best.items()}


# --- notifications ----------------------------------------------------------------------


def mark_read(user: User, ids: list[int] | None = None) -> int:
    """Mark some (``ids``) or all of ``user``'s notifications read."""
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount or 0


def open_notification(user: User, notification_id: int) -> Notification:
    row = db.session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound()
    if row.read_at is None:
        row.read_at = utcnow()
    return row


# --- staff claims -----------------------------------------------------------------------


def claim_cutoff():
    return utcnow() - timedelta(hours=current_app.config.get("STAFF_CLAIM_HOURS", 4))


def take(item: ContentItem | None, staff: User) -> StaffClaim:
    """``staff`` takes an inbox item; refused while someone else's claim is fresh."""
    if not can(staff, "notifications.inbox"):
        raise PermissionDenied()
    if item is None or item.kind not in ("topic", "review", "idea"):
        raise NotFound()
    claim = db.session.scalar(select(StaffClaim).where(StaffClaim.content_id == item.id))
    if claim is not None and claim.user_id != staff.id and claim.claimed_at >= claim_cutoff():
        raise Conflict("Someone else took it.", code="taken")
    if claim is None:
        claim = StaffClaim(content_id=item.id, user_id=staff.id)
        db.session.add(claim)
    claim.user_id = staff.id
    claim.claimed_at = utcnow()
    return claim


def release(item_id: int, staff: User) -> None:
    db.session.execute(
        delete(StaffClaim).where(StaffClaim.content_id == item_id, StaffClaim.user_id == staff.id)
    )
