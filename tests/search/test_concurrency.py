"""Several OS processes write content and drain the outbox at once (SQLite file
database, one Whoosh index): nothing fails on the index lock and nothing is lost."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import select

from community.markup import html_to_text
from community.search.backend import get_backend
from community.search.indexer import backlog
from models import ContentItem, db
from tests.search.concurrent_writer import write_notes


@pytest.fixture
def backend_name() -> str:
    return "whoosh"


def test_concurrent_writers_lose_nothing(app, users):
    config = {k: v for k, v in app.config.items() if k in _KEYS}
    config["INSTANCE_PATH"] = app.instance_path
    author_id = users["member"].id
    db.session.remove()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=write_notes, args=(config, author_id, w, 15)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]

    assert backlog() == 0
    items = db.session.scalars(select(ContentItem)).all()
    expected = {f"content:{i.id}": html_to_text(i.body_html) for i in items if i.state == "published"}
    assert len(items) > 25 and 0 < len(expected) < len(items)
    backend = get_backend()
    backend.close()
    with backend._searcher() as searcher:
        indexed = {doc["id"]: doc["text"] for doc in searcher.documents()}
    assert indexed == expected


_KEYS = {
    "TESTING", "ENV_NAME", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "SEARCH_BACKEND",
    "JOBS_MODE", "MAIL_BACKEND", "MAIL_SUPPRESS_SEND", "RATELIMIT_ENABLED", "SITE_URL",
    "REPEAT_WINDOW_SECONDS", "WRITE_RATE_LIMITS",
}  # fmt: skip
