"""Applying the outbox to the index.

:func:`drain` takes the backend's cross-process write lock (a file lock for
Whoosh, an advisory lock for PostgreSQL), then repeats: read a batch of outbox rows
(oldest first), load the *current* documents of the ids they name, apply upserts
and deletions to the index, and delete exactly the rows it applied. Rows written
meanwhile stay for the next batch, and since the document is read from the database
when applied, an older row applied late never overwrites a newer text. A crash
between the index commit and the row deletion only means applying a row twice.

It runs in its own database session, so it may be called right after another
session's commit (inline jobs) without touching that session.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import SearchOutbox, db

from .backend import get_backend
from .documents import load_documents

log = logging.getLogger(__name__)
BATCH = 200


@contextmanager
def _own_session() -> Iterator[Session]:
    """Swap ``db.session``'s registry for a fresh session while draining, so document
    builders using ``db.session`` read through it."""
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


@contextmanager
def url_context() -> Iterator[None]:
    """Documents carry page URLs: outside a request (worker, CLI, after a commit in a
    script) build them against SITE_URL."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        yield


def drain(max_batches: int | None = None, *, blocking: bool = True) -> int:
    """Apply the outbox; returns the number of rows applied.

    With ``blocking=False`` (right after a commit) a drain already running elsewhere
    is left to do the work: it re-checks the outbox after releasing the lock, so rows
    committed while it held the lock are never stranded.
    """
    backend = get_backend()
    applied = 0
    while True:
        with backend.lock(blocking=blocking) as acquired:
            if not acquired:
                return applied
            applied += _drain_locked(max_batches)
        if max_batches is not None or not backlog_after_release():
            return applied


def _drain_locked(max_batches: int | None) -> int:
    applied = 0
    with url_context(), _own_session() as session:
        batches = 0
        while max_batches is None or batches < max_batches:
            rows = session.execute(
                select(SearchOutbox.id, SearchOutbox.doc_id).order_by(SearchOutbox.id).limit(BATCH)
            ).all()
            if not rows:
                break
            doc_ids = list(dict.fromkeys(doc_id for _, doc_id in rows))
            docs = load_documents(doc_ids)
            session.rollback()  # end the read snapshot before writing
            upserts = [doc for doc in docs.values() if doc is not None]
            deletes = [doc_id for doc_id, doc in docs.items() if doc is None]
            get_backend().apply(upserts, deletes)
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row_id for row_id, _ in rows])))
            session.commit()
            applied += len(rows)
            batches += 1
    return applied


def backlog_after_release() -> bool:
    """Whether rows arrived while the lock was held (their drains were skipped)."""
    with _own_session() as session:
        return session.scalar(select(SearchOutbox.id).limit(1)) is not None


def backlog() -> int:
    return int(db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0)


def run_worker(interval: float, once: bool = False) -> None:
    """Drain forever, sleeping ``interval`` seconds when the outbox is empty."""
    log.info("search worker: backend %s, polling every %.1fs", current_app.config["SEARCH_BACKEND"], interval)
    while True:
        try:
            count = drain()
        except Exception:
            log.exception("search worker: drain failed; retrying")
            count = 0
        if once:
            return
        if not count:
            time.sleep(interval)
