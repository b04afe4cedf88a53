"""``flask --app app dashboard rebuild``: recompute every figure from the database."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from models import db

from . import rollups

dashboard_cli = AppGroup("dashboard", help="Community dashboard figures.")


@dashboard_cli.command("rebuild")
def rebuild_command() -> None:
    """Empty the dashboard's rollups and recompute them (after an import, or to repair)."""
    started = time.perf_counter()
    seen = rollups.rebuild(db.session)
    db.session.commit()
    click.echo(f"Dashboard rebuilt from {seen} contributions in {time.perf_counter() - started:.1f} s.")
