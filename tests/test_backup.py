"""``flask backup`` and ``flask restore``: SQLite's online backup (always), and
pg_dump / pg_restore when the run has PostgreSQL."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from community import create_app
from models import User, db
from tests import backends
from tests.conftest import make_config
from tests.factories import UserFactory

BACKENDS = ["sqlite"] + (["postgresql"] if backends.DATABASE_URL else [])


@pytest.fixture(params=BACKENDS)
def backup_app(request, tmp_path, mail_server):
    with contextlib.ExitStack() as stack:
        if request.param == "postgresql":
            uri = stack.enter_context(backends.temporary_database("backup"))
        else:
            uri = f"sqlite:///{tmp_path / 'live.db'}"
        app = create_app(make_config(tmp_path, mail_server, SQLALCHEMY_DATABASE_URI=uri))
        with app.app_context():
            db.create_all()
            yield app
            db.session.remove()
            db.engine.dispose()


def _names() -> list[str]:
    db.session.remove()
    return sorted(db.session.scalars(db.select(User.username)))


def test_backup_then_restore(backup_app, tmp_path):
    for name in ("ana", "bob", "chloé"):
        UserFactory(username=name)
    db.session.commit()
    runner = backup_app.test_cli_runner()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [backup] = list((tmp_path / "backups").iterdir())
    assert backup.name.startswith("community-") and str(backup) in result.output
    assert backup.stat().st_mode & 0o077 == 0
    if backup.suffix == ".db":  # a valid SQLite database with the same rows
        copy = sqlite3.connect(backup)
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(r[0] for r in copy.execute('SELECT username FROM "user"')) == ["ana", "bob", "chloé"]
        copy.close()
    # Later changes are undone by a restore.
    db.session.execute(db.delete(User).where(User.username == "bob"))
    UserFactory(username="dora")
    db.session.commit()
    assert _names() == ["ana", "chloé", "dora"]
    assert runner.invoke(args=["restore", str(backup)], input="n\n").exit_code != 0  # asks first
    assert _names() == ["ana", "chloé", "dora"]
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert _names() == ["ana", "bob", "chloé"]


def test_backup_to_a_given_path_never_overwrites(backup_app, tmp_path):
    runner = backup_app.test_cli_runner()
    target = tmp_path / "elsewhere" / "nightly.bak"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert target.exists()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
