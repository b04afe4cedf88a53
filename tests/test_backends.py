"""The run really uses the backends it was asked for (``make test-scaled``)."""

from __future__ import annotations

from models import db
from tests import backends


def test_database_backend_is_the_one_asked_for(app):
    dialect = db.engine.dialect.name
    if backends.DATABASE_URL:
        assert dialect == "postgresql"
        assert db.engine.url.database == backends.postgres.name != "test"
    else:
        assert dialect == "sqlite"


def test_rate_limits_use_redis_when_asked(app):
    storage = app.config["RATELIMIT_STORAGE_URI"]
    if backends.REDIS_URL:
        assert storage == backends.REDIS_URL == app.config["REDIS_URL"]
        assert app.config["RATELIMIT_KEY_PREFIX"].startswith(backends.REDIS_PREFIX)
    else:
        assert storage == "memory://" and app.config["REDIS_URL"] == ""


def test_each_test_starts_with_empty_tables(app, users):
    """Together with the next test: what one test commits is gone in the next."""
    assert db.session.query(type(users["member"])).count() == len(users)


def test_each_test_starts_with_empty_tables_again(app, users):
    assert db.session.query(type(users["member"])).count() == len(users)
    assert min(u.id for u in users.values()) == 1  # identities restart
