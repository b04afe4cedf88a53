"""Migrations: upgrade from empty to head matches the models; downgrade goes back.

Always on SQLite; also on PostgreSQL (a database of its own) when TEST_DATABASE_URL is set."""

from __future__ import annotations

import contextlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import insert, inspect
from sqlalchemy.exc import IntegrityError

from community import create_app
from community.database import include_object
from models import User, db
from tests import backends
from tests.conftest import make_config

BACKENDS = ["sqlite"] + (["postgresql"] if backends.DATABASE_URL else [])


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path, mail_server):
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            uri = stack.enter_context(backends.temporary_database("migrations"))
        else:
            uri = f"sqlite:///{tmp_path / 'm.db'}"
        app = create_app(make_config(tmp_path, mail_server, SQLALCHEMY_DATABASE_URI=uri))
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_matches_models_then_downgrade(empty_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = [
            d
            for d in compare_metadata(
                MigrationContext.configure(
                    conn, opts={"render_as_batch": True, "include_object": include_object}
                ),
                db.metadata,
            )
            if not (d[0] == "add_index" and d[1].name.endswith("_lower"))  # expression indexes: not reflected
        ]
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "api_token", "content_item", "content_revision", "alembic_version"} <= tables
    if db.engine.dialect.name == "postgresql":  # the search backend's tables, by migration 0012
        assert {"search_document", "search_word"} <= tables
    with db.engine.begin() as conn:  # the case-insensitive unique indexes exist and bite
        add_user = insert(User.__table__).values(password_hash="x")
        conn.execute(add_user, {"username": "Ana", "email": "ana@example.test"})
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                conn.execute(add_user, {"username": "ANA", "email": "other@example.test"})
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                conn.execute(add_user, {"username": "bob", "email": "ANA@example.test"})
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_sqlite_runs_in_wal_mode(tmp_path, mail_server):
    """The embedded configuration's pragmas (on SQLite whatever the run's backend)."""
    uri = f"sqlite:///{tmp_path / 'wal.db'}"
    app = create_app(make_config(tmp_path, mail_server, SQLALCHEMY_DATABASE_URI=uri))
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    with app.app_context():
        db.engine.dispose()
