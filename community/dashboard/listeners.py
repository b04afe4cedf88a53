"""Listeners on the domain events that keep the dashboard's figures and badges.

Events are delivered after the commit that caused them; each listener works in a
session of its own and commits it (a failure is logged by ``community.events`` and
never undoes the change; ``flask dashboard rebuild`` recomputes everything).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from models import ContentItem, User, db

from .. import events
from . import rollups

log = logging.getLogger(__name__)


@contextmanager
def _session() -> Iterator[Session]:
    session = Session(bind=db.engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def _sync(content_id: int) -> None:
    with _session() as session:
        item = session.get(ContentItem, content_id)
        if item is None:
            return
        deltas = rollups.Deltas()
        rollups.sync_item(session, item, deltas)
        deltas.flush(session)
        rollups.badges_for_item(session, item)
        if item.kind == "idea":
            rollups.refresh_idea_statuses(session)


def on_content_created(_sender: Any, content_id: int, **_payload: Any) -> None:
    _sync(content_id)


def on_state_changed(_sender: Any, content_id: int, **_payload: Any) -> None:
    _sync(content_id)


def on_answer_accepted(_sender: Any, reply_id: int, **_payload: Any) -> None:
    with _session() as session:
        rollups.accepted(session, reply_id)


def on_review_responded(_sender: Any, review_id: int, **_payload: Any) -> None:
    _sync(review_id)


def on_idea_status_changed(_sender: Any, idea_id: int, status: str, **_payload: Any) -> None:
    with _session() as session:
        rollups.idea_status(session, idea_id, status)
        rollups.refresh_idea_statuses(session)


def on_idea_merged(_sender: Any, **_payload: Any) -> None:
    with _session() as session:
        rollups.refresh_idea_statuses(session)


def on_user_registered(_sender: Any, user_id: int, **_payload: Any) -> None:
    with _session() as session:
        user = session.get(User, user_id)
        if user is not None:
            deltas = rollups.Deltas()
            rollups.new_member(session, user, deltas)
            deltas.flush(session)


CONNECTIONS: tuple[tuple[Any, Callable[..., None]], ...] = (
    (events.content_created, on_content_created),
    (events.content_state_changed, on_state_changed),
    (events.answer_accepted, on_answer_accepted),
    (events.review_responded, on_review_responded),
    (events.idea_status_changed, on_idea_status_changed),
    (events.user_registered, on_user_registered),
    (events.idea_merged, on_idea_merged),
    (events.idea_unmerged, on_idea_merged),
)


def connect() -> None:
    for signal, listener in CONNECTIONS:
        signal.connect(listener, weak=False)
