"""The scaled-out backends for the test suite: PostgreSQL and Redis.

``TEST_DATABASE_URL`` (e.g. ``postgresql://postgres@127.0.0.1:5432/test``) runs every
test on PostgreSQL; ``TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379/0``) puts rate
limits and jobs on Redis. Several runs may share the servers (engineers, xdist
workers), so each run works in its own database, created from a connection to the
given one and dropped at the end, and under its own Redis key prefix, deleted at the
end. Tests are isolated inside the run's database by emptying the tables that a test
wrote to (one ``TRUNCATE ... RESTART IDENTITY CASCADE``), so data is really committed
and a live server thread sees it.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import NullPool

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("TEST_REDIS_URL", "").strip()
RUN_ID = f"{os.getpid()}_{secrets.token_hex(4)}"
REDIS_PREFIX = f"rsbtest_{RUN_ID}"
_counter = itertools.count()

# Statements that leave the tables as they were; anything else marks the run's
# database dirty, and the tables are emptied after the test.
_READ_ONLY = ("SELECT", "SHOW", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET", "WITH")


def sqlalchemy_url(url: str | URL, database: str | None = None) -> URL:
    """``url`` for SQLAlchemy with psycopg 3, optionally on another database."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.set(database=database) if database else parsed


def _admin_engine() -> Engine:
    return create_engine(sqlalchemy_url(DATABASE_URL), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def create_database(name: str) -> str:
    """Create the database ``name`` beside ``TEST_DATABASE_URL``'s; return its URL."""
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return sqlalchemy_url(DATABASE_URL, name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    engine = _admin_engine()
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@contextmanager
def temporary_database(suffix: str) -> Iterator[str]:
    """A second empty database of this run (e.g. for migrations), dropped after use."""
    name = f"test_{RUN_ID}_{suffix}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


class PostgresRun:
    """The run's database: schema created once, tables emptied after each test that wrote."""

    def __init__(self) -> None:
        self.name = f"test_{RUN_ID}"
        self.url = ""
        self.engine: Engine | None = None
        self.dirty = False

    def start(self, metadata: Any) -> None:
        self.url = create_database(self.name)
        self.engine = create_engine(self.url)
        metadata.create_all(self.engine)
        self.tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        event.listen(Engine, "before_cursor_execute", self._watch)

    def _watch(self, conn, cursor, statement: str, *_args: Any) -> None:  # noqa: ANN001
        if not self.dirty and conn.engine.url.database == self.name:
            if not statement.lstrip().upper().startswith(_READ_ONLY):
                self.dirty = True

    def clean(self) -> None:
        """Empty every table if the test wrote anything (ids restart at 1)."""
        if not self.dirty or self.engine is None:
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")  # fail loudly, never hang
            conn.exec_driver_sql(f"TRUNCATE {self.tables} RESTART IDENTITY CASCADE")
        self.dirty = False

    def stop(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._watch)
        if self.engine is not None:
            self.engine.dispose()
        drop_database(self.name)


postgres = PostgresRun()


def database_uri(default: str) -> str:
    """The database for a test app: the run's PostgreSQL database, or ``default``."""
    return postgres.url or default


def redis_config() -> dict[str, Any]:
    """Settings that put an app's rate limits on the run's Redis, each app with its own
    key prefix (so a test's counters never leak into the next)."""
    if not REDIS_URL:
        return {}
    n = next(_counter)
    return {
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"{REDIS_PREFIX}_{n}",
        "CACHE_KEY_PREFIX": f"{REDIS_PREFIX}_{n}_cache:",  # the page cache (community/httpcache.py)
        "JOBS_QUEUE": REDIS_PREFIX,
    }


def clean_redis(url: str, prefix: str = REDIS_PREFIX) -> int:
    """Delete every key of the run; return how many."""
    from redis import Redis

    connection = Redis.from_url(url)
    keys = list(connection.scan_iter(match=f"*{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        connection.delete(*keys[start : start + 500])
    connection.close()
    return len(keys)
