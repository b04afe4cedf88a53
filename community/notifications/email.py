"""Notification e-mail: one :class:`EmailDelivery` row per message, sent by a job.

The row keeps the rendered message, its status, attempts and last error, so a mail
server that is down loses nothing: ``retry_failed`` (``flask notifications retry``,
also run by the digest command) sends what failed once its back-off has passed; under
RQ the job raises and RQ's Retry schedules the next attempt.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from models import EmailDelivery, Notification, User, db, utcnow

from .. import jobs
from ..mail import deliver, render_templated
from .services import email_preferences, settings_of

log = logging.getLogger(__name__)
BACKOFF = (60, 300, 1800, 7200, 21600)  # seconds before attempt 2, 3, ...
MAX_ATTEMPTS = 8

SUBJECTS = {
    "reply": _l("New reply to “%(title)s”"),
    "quote": _l("You were quoted in “%(title)s”"),
    "mention": _l("You were mentioned in “%(title)s”"),
    "answer_accepted": _l("Your answer was accepted: “%(title)s”"),
    "official_answer": _l("The brand answered your question “%(title)s”"),
    "brand_response": _l("The brand responded to your review “%(title)s”"),
    "idea_status": _l("Status change: “%(title)s”"),
    "comment": _l("New comment on “%(title)s”"),
    "moderation": _l("A moderation decision about your content"),
    "activity": _l("New activity in “%(title)s”"),
}


# --- the signed unsubscribe link --------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="community.unsubscribe")


def unsubscribe_token(user_id: int, kind: str) -> str:
    return _serializer().dumps({"uid": user_id, "kind": kind})


def load_unsubscribe_token(token: str) -> dict[str, Any] | None:
    try:
        data = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if isinstance(data, dict) and isinstance(data.get("uid"), int) and isinstance(data.get("kind"), str):
        return data
    return None


def _site() -> str:
    return current_app.config["SITE_URL"].rstrip("/")


def _headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


# --- planning (inside the listener's transaction) -------------------------------------------


def _recipient_ok(user: User) -> bool:
    return bool(user.is_active and user.email and user.email_confirmed_at)


def plan_emails(rows: list[Notification]) -> list[EmailDelivery]:
    """Render immediate e-mails into delivery rows; mark digest ones."""
    if not rows:
        return []
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({r.user_id for r in rows})))}
    deliveries = []
    for row in rows:
        user = users.get(row.user_id)
        if user is None or not _recipient_ok(user):
            continue
        choice = email_preferences(settings_of(user.id)).get(row.kind, "immediately")
        if choice == "digest":
            row.email_state = "digest"
        elif choice == "immediately":
            db.session.flush()
            deliveries.append(_render_one(user, row))
            row.email_state = "sent"
    return deliveries


def _render_one(user: User, row: Notification) -> EmailDelivery:
    unsubscribe_url = f"{_site()}/notifications/unsubscribe/{unsubscribe_token(user.id, row.kind)}"
    title = row.title or ""
    message = render_templated(
        user.email, user.locale, lambda: SUBJECTS[row.kind] % {"title": title}, "notification",
        headers=_headers(unsubscribe_url), notification=row, headline=SUBJECTS[row.kind], link=f"{_site()}/notifications/{row.id}/open",
        unsubscribe_url=unsubscribe_url, preferences_url=f"{_site()}/notifications/preferences", user=user,
    )  # fmt: skip
    delivery = EmailDelivery(
        user_id=user.id, notification_id=row.id, to=user.email, subject=message["subject"][:300],
        message=json.dumps(message),
    )  # fmt: skip
    db.session.add(delivery)
    return delivery


def queue(deliveries: list[EmailDelivery]) -> None:
    """After commit: one job per delivery."""
    for delivery in deliveries:
        jobs.enqueue("community.notifications.email.send", delivery.id)


# --- sending (jobs) ---------------------------------------------------------------------------


def _attempt(delivery: EmailDelivery) -> bool:
    delivery.attempts += 1
    try:
        deliver(json.loads(delivery.message))
    except Exception as exc:  # the mail server is down, refuses, times out...
        delivery.status = "failed"
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:500]
        wait = BACKOFF[min(delivery.attempts - 1, len(BACKOFF) - 1)]
        delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
        log.warning("e-mail delivery %s failed (attempt %s): %s", delivery.id, delivery.attempts, exc)
        return False
    delivery.status = "sent"
    delivery.sent_at = utcnow()
    delivery.last_error = ""
    delivery.next_attempt_at = None
    return True


def send(delivery_id: int) -> None:
    """Job: send one delivery. Under RQ a failure raises, so RQ retries with back-off."""
    delivery = db.session.get(EmailDelivery, delivery_id)
    if delivery is None or delivery.status == "sent":
        return
    ok = _attempt(delivery)
    db.session.commit()
    if not ok and current_app.config["JOBS_MODE"] == "rq":
        raise RuntimeError(f"e-mail delivery {delivery_id} failed: {delivery.last_error}")


def retry_failed(force: bool = False) -> tuple[int, int]:
    """Send again the failed deliveries whose back-off has passed; (sent, still failing)."""
    stmt = select(EmailDelivery).where(
        EmailDelivery.status.in_(("failed", "pending")), EmailDelivery.attempts < MAX_ATTEMPTS
    )
    if not force:
        stmt = stmt.where(
            (EmailDelivery.next_attempt_at.is_(None)) | (EmailDelivery.next_attempt_at <= utcnow())
        )
    sent = failed = 0
    for delivery in db.session.scalars(stmt.order_by(EmailDelivery.id)).all():
        if _attempt(delivery):
            sent += 1
        else:
            failed += 1
        db.session.commit()
    return sent, failed


# --- digests ----------------------------------------------------------------------------------


def send_digests() -> int:
    """One e-mail per member with the notifications waiting for the digest."""
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.email_state == "digest")
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for row in rows:
        by_user[row.user_id].append(row)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_user)))} if by_user else {}
    deliveries = []
    for user_id, items in by_user.items():
        user = users.get(user_id)
        prefs = email_preferences(settings_of(user_id))
        keep = [n for n in items if prefs.get(n.kind) == "digest"]
        for n in items:
            n.email_state = "sent"
        if user is None or not keep or not _recipient_ok(user):
            continue
        unsubscribe_url = f"{_site()}/notifications/unsubscribe/{unsubscribe_token(user.id, 'digest')}"
        message = render_templated(
            user.email, user.locale, lambda: _l("Your daily summary"), "notification_digest",
            headers=_headers(unsubscribe_url), notifications=keep, site=_site(), unsubscribe_url=unsubscribe_url,
            preferences_url=f"{_site()}/notifications/preferences", user=user,
        )  # fmt: skip
        delivery = EmailDelivery(
            user_id=user.id,
            is_digest=True,
            to=user.email,
            subject=message["subject"][:300],
            message=json.dumps(message),
        )
        db.session.add(delivery)
        deliveries.append(delivery)
    db.session.commit()
    queue(deliveries)
    return len(deliveries)
