"""``flask --app app dashboard rebuild``: recompute every figure from the database;
``flask --app app dashboard refresh``: recount the idea votes of some days."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask.cli import AppGroup

from models import db, utcnow

from . import rollups

dashboard_cli = AppGroup("dashboard", help="Community dashboard figures.")


@dashboard_cli.command("rebuild")
def rebuild_command() -> None:
    """Empty the dashboard's rollups and recompute them (after an import, or to repair)."""
    started = time.perf_counter()
    seen = rollups.rebuild(db.session)
    db.session.commit()
    click.echo(f"Dashboard rebuilt from {seen} contributions in {time.perf_counter() - started:.1f} s.")


@dashboard_cli.command("refresh")
@click.option(
    "--from", "since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day (default: yesterday)."
)
@click.option("--to", "until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last day (default: today).")
def refresh_command(since, until) -> None:  # noqa: ANN001
    """Recount the idea votes of some days (UTC) and the ideas by status: run it nightly to
    repair what events cannot see (votes removed with a deleted account)."""
    today = utcnow().date()
    first = since.date() if since else today - timedelta(days=1)
    last = until.date() if until else today
    if first > last:
        raise click.BadParameter("--from must not be after --to.")
    votes = rollups.refresh_votes(db.session, first, last)
    ideas = sum(rollups.refresh_idea_statuses(db.session).values())
    db.session.commit()
    click.echo(f"Dashboard recounted: {votes} votes from {first} to {last}, {ideas} ideas by status.")
