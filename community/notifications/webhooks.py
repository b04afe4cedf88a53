"""Webhooks: admins' HTTPS endpoints receive signed JSON about chosen events.

Body: ``{"event": ..., "id": <delivery id>, "created_at": ..., "data": {...ids}}``;
header ``X-Rassembleur-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>``.
A delivery row records status, HTTP status, response time and the last error; jobs
retry with back-off (RQ Retry, or ``flask notifications retry`` in inline mode).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from models import ContentItem, User, Webhook, WebhookDelivery, db, utcnow

from .. import events, jobs
from ..errors import InvalidInput, PermissionDenied
from ..permissions import can

log = logging.getLogger(__name__)
EVENTS = (
    "review.created", "question.created", "topic.created", "idea.created", "idea.status_changed",
    "review.responded", "content.hidden", "flag.raised", "ping",
)  # fmt: skip
BACKOFF = (30, 120, 600, 3600, 21600)
MAX_ATTEMPTS = 6
TIMEOUT = 10


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    local_ok = current_app.config.get("TESTING") or current_app.config.get("WEBHOOKS_ALLOW_LOCAL_HTTP")
    if local_ok and parts.scheme == "http" and parts.hostname == "127.0.0.1":
        return url
    raise InvalidInput(_l("The endpoint must be an https:// address."), field="url")


def create(actor: User, url: str, event_names: list[str]) -> Webhook:
    if not can(actor, "notifications.admin"):
        raise PermissionDenied()
    url = check_url(url)
    chosen = [e for e in event_names if e in EVENTS and e != "ping"]
    if not chosen:
        raise InvalidInput(_l("Choose at least one event."), field="events")
    hook = Webhook(url=url, secret=secrets.token_hex(24), events=",".join(chosen), created_by_id=actor.id)
    db.session.add(hook)
    return hook


def set_active(actor: User, hook: Webhook, active: bool) -> None:
    """Pause or resume deliveries to an endpoint (a paused one receives nothing)."""
    if not can(actor, "notifications.admin"):
        raise PermissionDenied()
    hook.active = bool(active)


def remove(actor: User, hook: Webhook) -> None:
    if not can(actor, "notifications.admin"):
        raise PermissionDenied()
    db.session.delete(hook)


def dispatch(event: str, data: dict[str, Any], only: Webhook | None = None) -> list[WebhookDelivery]:
    """Create delivery rows for every active hook on ``event``; caller commits, then :func:`queue`."""
    hooks = [only] if only is not None else [
        h for h in db.session.scalars(select(Webhook).where(Webhook.active.is_(True))) if event in h.event_list
    ]  # fmt: skip
    rows = []
    for hook in hooks:
        row = WebhookDelivery(webhook_id=hook.id, event=event, payload=json.dumps(data, sort_keys=True))
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def queue(rows: list[WebhookDelivery]) -> None:
    for row in rows:
        jobs.enqueue("community.notifications.webhooks.send", row.id)


def send_test(actor: User, hook: Webhook) -> WebhookDelivery:
    if not can(actor, "notifications.admin"):
        raise PermissionDenied()
    return dispatch("ping", {"webhook_id": hook.id, "message": "test"}, only=hook)[0]


def _body(row: WebhookDelivery) -> bytes:
    envelope = {
        "event": row.event, "id": row.id, "created_at": row.created_at.isoformat(), "data": json.loads(row.payload),
    }  # fmt: skip
    return json.dumps(envelope, sort_keys=True).encode()


def _attempt(row: WebhookDelivery, hook: Webhook) -> bool:
    body = _body(row)
    request = urllib.request.Request(
        hook.url, data=body, method="POST",
        headers={
            "Content-Type": "application/json", "User-Agent": "Rassembleur-Webhooks/1",
            "X-Rassembleur-Event": row.event, "X-Rassembleur-Delivery": str(row.id),
            "X-Rassembleur-Signature": sign(hook.secret, body),
        },
    )  # fmt: skip
    row.attempts += 1
    started = time.monotonic()
    error = ""
    status = None
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https or local test)
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        error = f"HTTP {exc.code}"
    except Exception as exc:  # refused, timeout, TLS...
        error = f"{type(exc).__name__}: {exc}"
    row.response_ms = int((time.monotonic() - started) * 1000)
    row.response_status = status
    if status is not None and 200 <= status < 300:
        row.status = "ok"
        row.last_error = ""
        row.delivered_at = utcnow()
        row.next_attempt_at = None
        return True
    row.status = "failed"
    row.last_error = error[:500]
    row.next_attempt_at = utcnow() + timedelta(seconds=BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)])
    return False


def send(delivery_id: int) -> None:
    """Job: post one delivery. Under RQ a failure raises so RQ retries later."""
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None or row.status == "ok":
        return
    hook = db.session.get(Webhook, row.webhook_id)
    if hook is None:
        return
    ok = _attempt(row, hook)
    db.session.commit()
    if not ok and current_app.config["JOBS_MODE"] == "rq":
        raise RuntimeError(f"webhook delivery {delivery_id} failed: {row.last_error}")


def retry_failed(force: bool = False) -> tuple[int, int]:
    stmt = select(WebhookDelivery).where(
        WebhookDelivery.status.in_(("failed", "pending")), WebhookDelivery.attempts < MAX_ATTEMPTS
    )
    if not force:
        stmt = stmt.where(
            (WebhookDelivery.next_attempt_at.is_(None)) | (WebhookDelivery.next_attempt_at <= utcnow())
        )
    ok = failed = 0
    for row in db.session.scalars(stmt.order_by(WebhookDelivery.id)).all():
        hook = db.session.get(Webhook, row.webhook_id)
        if hook is None:
            continue
        if _attempt(row, hook):
            ok += 1
        else:
            failed += 1
        db.session.commit()
    return ok, failed


# --- event listeners ----------------------------------------------------------------------


def _emit(event: str, data: dict[str, Any]) -> None:
    from .services import own_session

    with own_session():
        if db.session.scalar(select(Webhook.id).where(Webhook.active.is_(True)).limit(1)) is None:
            return
        rows = dispatch(event, data)
        db.session.commit()
        queue(rows)


def _on_created(_sender: Any, content_id: int, kind: str, author_id: int | None = None, **_: Any) -> None:
    if kind not in ("review", "topic", "idea"):
        return
    event = f"{kind}.created"
    if kind == "topic":
        from models import Topic

        from .services import own_session

        with own_session():
            topic = db.session.get(Topic, content_id)
            if topic is None:
                return
            event = "question.created" if topic.is_question else "topic.created"
    _emit(event, {"content_id": content_id, "kind": kind, "author_id": author_id, "url": f"/c/{content_id}"})


def _on_status(
    _sender: Any, idea_id: int, change_id: int, previous: str = "", status: str = "", **_: Any
) -> None:
    _emit(
        "idea.status_changed",
        {
            "idea_id": idea_id,
            "change_id": change_id,
            "previous": previous,
            "status": status,
            "url": f"/c/{idea_id}",
        },
    )


def _on_responded(_sender: Any, review_id: int, response_id: int, **_: Any) -> None:
    _emit("review.responded", {"review_id": review_id, "response_id": response_id, "url": f"/c/{review_id}"})


def _on_state(_sender: Any, content_id: int, kind: str, state: str = "", **_: Any) -> None:
    if state == "hidden":
        _emit("content.hidden", {"content_id": content_id, "kind": kind})


def _on_flag(_sender: Any, flag_id: int, content_id: int, kind: str = "", reason: str = "", **_: Any) -> None:
    # Who flagged and their note stay with the moderators: the endpoint gets the item and the reason.
    _emit(
        "flag.raised",
        {
            "flag_id": flag_id,
            "content_id": content_id,
            "kind": kind,
            "reason": reason,
            "url": f"/c/{content_id}",
        },
    )


def connect() -> None:
    events.content_created.connect(_on_created, weak=False)
    events.flag_raised.connect(_on_flag, weak=False)
    events.idea_status_changed.connect(_on_status, weak=False)
    events.review_responded.connect(_on_responded, weak=False)
    events.content_state_changed.connect(_on_state, weak=False)


__all__ = ["ContentItem", "EVENTS", "create", "dispatch", "send", "send_test", "sign"]
