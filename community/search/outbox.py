"""Writing the outbox: every change reaches the index through a row committed with it.

``on_content_change`` is registered in ``community.content.services.CHANGE_HOOKS``:
creation, edit and every state change add a row in the same transaction. The row
says "look again at this document"; the indexer reads the item's state when it
applies it (published: index it; anything else: remove it).

Features with documents that are not content items call :func:`queue_reindex`
(``queue_reindex("product", product.id)``) in the transaction that changes them.

After a commit that wrote outbox rows, the indexer is scheduled once: after the
request in inline job mode (development, tests; immediately outside a request),
or left to ``flask --app app search worker`` otherwise.
"""

from __future__ import annotations

import logging

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from models import ContentItem, ContentState, SearchOutbox, db

from .. import jobs

log = logging.getLogger(__name__)
_DIRTY = "community.search.dirty"
DRAIN_JOB = "community.search.indexer.drain"


def queue_reindex(source: str, ident: int, op: str = "upsert") -> None:
    """Ask the indexer to look again at document ``"<source>:<ident>"``."""
    session = db.session()
    session.add(SearchOutbox(doc_id=f"{source}:{int(ident)}", op=op))
    session.info[_DIRTY] = True


def on_content_change(item: ContentItem, change: str) -> None:
    op = "upsert" if item.state == ContentState.PUBLISHED.value else "delete"
    queue_reindex("content", item.id, op)


def _after_commit(session: Session) -> None:
    if not session.info.pop(_DIRTY, False) or not has_app_context():
        return
    if (
        current_app.config["JOBS_MODE"] != "inline"
        or current_app.config.get("SEARCH_DRAIN_AFTER_COMMIT") is False
    ):
        return  # the search worker drains
    if has_request_context():
        if not g.get("search_drain_queued"):
            g.search_drain_queued = True
            jobs.enqueue(DRAIN_JOB)  # runs after the response
        return
    try:  # outside a request (CLI, scripts): now, but a failure never undoes the commit
        from .indexer import drain

        drain(blocking=False)
    except Exception:
        log.exception("search: draining the outbox failed; the worker or the next change retries")


def _after_rollback(session: Session, _previous: object) -> None:
    session.info.pop(_DIRTY, None)


def init_app() -> None:
    from ..content.services import CHANGE_HOOKS

    if on_content_change not in CHANGE_HOOKS:
        CHANGE_HOOKS.append(on_content_change)
    if not sa_event.contains(Session, "after_commit", _after_commit):
        sa_event.listen(Session, "after_commit", _after_commit)
        sa_event.listen(Session, "after_soft_rollback", _after_rollback)
