"""``flask --app app backup`` and ``flask --app app restore``.

SQLite (the embedded setup): SQLite's online backup API copies a consistent snapshot
while the site keeps serving; the copy is checked with ``PRAGMA integrity_check``.
PostgreSQL: ``pg_dump --format=custom`` (restored with ``pg_restore``), which must be
on the PATH (Debian: ``apt-get install postgresql-client``, the same major version as
the server or newer).

Uploaded images and the search index live in the instance folder: back up
``instance/uploads`` with the database (the search index can be rebuilt).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from .extensions import db


def _database() -> tuple[str, str]:
    """(``sqlite`` or ``postgresql``, the file path or a libpq URL)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise click.ClickException("An in-memory SQLite database cannot be backed up.")
        return "sqlite", url.database
    if url.get_backend_name() == "postgresql":
        return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)
    raise click.ClickException(f"No backup method for {url.get_backend_name()} databases.")


def _default_target(kind: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "db" if kind == "sqlite" else "dump"
    return Path(current_app.instance_path) / "backups" / f"community-{stamp}.{suffix}"


def backup_sqlite(source: str, target: Path) -> None:
    """Copy the live database ``source`` into ``target`` (online, consistent)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        status = dst.execute("PRAGMA integrity_check").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()
    if status != "ok":
        raise click.ClickException(f"The backup failed its integrity check: {status}")


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(
            f"{name} is not installed. Install the PostgreSQL client tools (Debian: "
            f"apt-get install postgresql-client) or run {name} on the database server; "
            "see the README's 'Backups and restore'."
        )
    return path


@click.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path | None) -> None:
    """Back up the database to TARGET (default: instance/backups/community-<UTC time>)."""
    kind, location = _database()
    target = target or _default_target(kind)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise click.ClickException(f"{target} already exists.")
    if kind == "sqlite":
        backup_sqlite(location, target)
    else:
        subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), location],
            check=True,
        )
    target.chmod(0o600)
    click.echo(f"Backed up the database to {target}")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database's contents with the backup SOURCE. Stop the web
    processes and workers first."""
    kind, location = _database()
    if not yes:
        click.confirm(f"Replace every row of the database with {source}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(location)
        try:
            with live:
                backup.backup(live)
        finally:
            backup.close()
            live.close()
    else:
        subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--dbname", location, str(source)],
            check=True,
        )  # fmt: skip
    click.echo(f"Restored the database from {source}")
