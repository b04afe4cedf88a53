"""Search fixtures: every test using ``app`` here runs once per backend.

The PostgreSQL runs use their own database (``search_test_<pid>_<random>``, created
from a connection to ``test`` on 127.0.0.1:5432 and dropped at the end), emptied
before each test.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from community.content import services
from community.search import indexer
from models import db
from tests.content_kinds import Note

PG_ADMIN = os.environ.get("SEARCH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    name = f"search_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")


@pytest.fixture(params=["whoosh", "postgres"])
def backend_name(request) -> str:
    return request.param


@pytest.fixture
def app_config(backend_name: str, request) -> dict[str, Any]:
    if backend_name == "postgres":
        url = request.getfixturevalue("pg_database")
        _empty(url)
        return {
            "SEARCH_BACKEND": "postgres",
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://"),
        }
    return {"SEARCH_BACKEND": "whoosh"}


@pytest.fixture
def note(app, users):
    """``note("text", lang="fr", author=...)``: a published, committed, indexed note."""

    def _note(text: str, lang: str = "en", author=None, state: str | None = None) -> Note:
        item = services.publish(Note(), author or users["member"], text, lang)
        db.session.commit()
        if state:
            services.set_state(item, None, state, "reason")
            db.session.commit()
        indexer.drain()
        return item

    return _note
