"""``flask notifications digest`` and ``flask notifications retry``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from . import email, webhooks


@click.group("notifications", help="Notification e-mail and webhooks.")
def notifications_cli() -> None:
    pass


@notifications_cli.command("digest")
@with_appcontext
def digest() -> None:
    """Send the daily digests (and retry failed e-mail first)."""
    email.retry_failed()
    count = email.send_digests()
    click.echo(f"{count} digest(s) queued.")


@notifications_cli.command("retry")
@click.option("--force", is_flag=True, help="Do not wait for the back-off delay.")
@with_appcontext
def retry(force: bool) -> None:
    """Send again the failed e-mails and webhook deliveries."""
    sent, failed = email.retry_failed(force=force)
    ok, still = webhooks.retry_failed(force=force)
    click.echo(f"e-mail: {sent} sent, {failed} failing; webhooks: {ok} delivered, {still} failing.")
