"""Domain events, announced once the transaction that caused them has committed.

Services call :func:`announce` while they work; nothing is delivered until the
session commits, and a rollback drops the pending events. Listeners (notifications,
webhooks, dashboards) connect to the blinker signals below::

    from community import events

    @events.content_created.connect
    def on_created(sender, **payload): ...

Payloads carry ids, never ORM objects: listeners load what they need.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from blinker import Namespace, Signal
from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)
_signals = Namespace()

content_created = _signals.signal("content-created")
content_edited = _signals.signal("content-edited")
content_state_changed = _signals.signal("content-state-changed")
answer_accepted = _signals.signal("answer-accepted")
review_responded = _signals.signal("review-responded")
idea_status_changed = _signals.signal("idea-status-changed")
idea_merged = _signals.signal("idea-merged")
idea_unmerged = _signals.signal("idea-unmerged")
member_sanctioned = _signals.signal("member-sanctioned")
user_registered = _signals.signal("user-registered")
# Payload: content_id, user_ids (members named with @username in that content).
member_mentioned = _signals.signal("member-mentioned")
# Payload: flag_id, content_id, kind, reason (a member reported an item to the moderators).
flag_raised = _signals.signal("flag-raised")

_PENDING = "community.pending_events"


_muted: ContextVar[bool] = ContextVar("community_events_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Announce nothing while importing history (the demo seeder): no notifications,
    webhooks or per-event counters for it; rebuild commands derive those instead."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def announce(signal: Signal, **payload: Any) -> None:
    """Queue ``signal`` to be sent with ``payload`` after the current commit."""
    if _muted.get():
        return
    session = db.session()
    session.info.setdefault(_PENDING, []).append((signal, payload))


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    for signal, payload in pending:
        try:
            signal.send(None, **payload)
        except Exception:  # a listener must never undo a committed change
            log.exception("event listener failed for %s", signal.name)


def _after_rollback(session: Session, _previous_transaction: object) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Flask) -> None:
    # Listen on the Session class once; the handlers only touch session.info.
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
