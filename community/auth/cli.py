"""Operator commands: ``flask --app app users ...`` and ``tokens ...``."""

from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext

from models import Role, db

from ..errors import DomainError
from . import queries, services

ROLE_CHOICE = click.Choice([r.value for r in Role])


@click.group("users", help="Manage member accounts.")
def users_cli() -> None:
    pass


@users_cli.command("create")
@click.argument("username")
@click.option("--email", required=True)
@click.option("--role", type=ROLE_CHOICE, default=Role.MEMBER.value, show_default=True)
@click.option("--password", help="Generated and printed when omitted.")
@with_appcontext
def create_user(username: str, email: str, role: str, password: str | None) -> None:
    """Create a confirmed account."""
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(username, email, password, role=Role(role), confirmed=True)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({user.role}).")
    if generated:
        click.echo(f"Password: {password}")


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@with_appcontext
def set_role(username: str, role: str) -> None:
    """Give USERNAME the role ROLE."""
    user = queries.user_by_username(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    services.set_role(None, user, role)
    db.session.commit()
    click.echo(f"{user.username} is now {user.role}.")


@click.group("tokens", help="Personal access tokens for the API.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True)
@with_appcontext
def create_token(username: str, name: str) -> None:
    """Create a token for USERNAME; its secret is the last line printed."""
    user = queries.user_by_username(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    _token, secret = services.create_token(user, name)
    db.session.commit()
    click.echo(f"Token {name!r} for {user.username} (shown once):")
    click.echo(secret)
