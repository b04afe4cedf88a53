"""Notifications, watching, e-mail, the brand replies feed, the staff inbox and webhooks.

- ``listeners``: connected once to the blinker signals of ``community.events``; they run
  after the commit of the change, in their own session, and decide who to notify.
- ``services``: writes (notifications, watches, settings, claims, webhooks).
- ``email``: e-mail deliveries (rows kept with status and attempts, retried by jobs).
- ``webhooks``: signed JSON deliveries to admins' endpoints.
"""

from __future__ import annotations

from flask import Flask

_connected = False
SEEDER = "community.notifications.demo.seed_notifications"


def init_app(app: Flask) -> None:
    global _connected
    from ..api import register
    from ..demo import SEEDERS
    from . import listeners
    from .api import blp
    from .cli import notifications_cli
    from .views import bp, unread_count_context

    if not _connected:
        listeners.connect()
        _connected = True
    app.register_blueprint(bp)
    register(app, blp)
    app.cli.add_command(notifications_cli)
    app.context_processor(unread_count_context)
    if SEEDER not in SEEDERS:  # after the content seeders (their views are imported first)
        SEEDERS.append(SEEDER)
