"""Migrations: upgrade from empty to head matches the models; downgrade goes back."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from community import create_app
from models import db
from tests.conftest import make_config


@pytest.fixture
def empty_app(tmp_path, mail_server):
    app = create_app(
        make_config(tmp_path, mail_server, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.db'}")
    )
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
                MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata
            )
            if not (d[0] == "add_index" and d[1].name.endswith("_lower"))  # expression indexes: not reflected
        ]
    assert diff == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"user", "api_token", "content_item", "content_revision", "alembic_version"} <= tables
    with db.engine.begin() as conn:  # the case-insensitive unique indexes exist and bite
        insert = text(
            "INSERT INTO user (username, email, password_hash, display_name, bio, role, trust_level,"
            " session_version, is_active, created_at) VALUES (:u, :e, 'x', '', '', 'member', 0, 1, 1, '2026-01-01')"
        )
        conn.execute(insert, {"u": "Ana", "e": "ana@example.test"})
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                conn.execute(insert, {"u": "ANA", "e": "other@example.test"})
        with pytest.raises(IntegrityError):
            with conn.begin_nested():
                conn.execute(insert, {"u": "bob", "e": "ANA@example.test"})
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}


def test_sqlite_runs_in_wal_mode(app):
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    engine.dispose()
