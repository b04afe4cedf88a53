"""Operator commands: ``flask --app app users set-trust`` and ``moderation expire``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from models import db

from ..auth import queries as auth_queries
from ..auth.cli import users_cli
from ..errors import DomainError
from . import services


@users_cli.command("set-trust")
@click.argument("username")
@click.argument("level", type=click.IntRange(0, 4))
@with_appcontext
def set_trust(username: str, level: int) -> None:
    """Give USERNAME the trust level LEVEL (0 to 4)."""
    user = auth_queries.user_by_username(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    try:
        services.set_trust(None, user, level)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"{user.username} is now at trust level {user.trust_level}.")


@click.group("moderation", help="Moderation upkeep.")
def moderation_cli() -> None:
    pass


@moderation_cli.command("expire")
@with_appcontext
def expire() -> None:
    """End suspensions and silences whose time is over (run it from cron)."""
    count = services.expire_sanctions()
    db.session.commit()
    click.echo(f"{count} sanction(s) ended.")
