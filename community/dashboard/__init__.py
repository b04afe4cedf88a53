"""Community dashboard, influencer radar, public profile statistics and badges (issue 10)."""

from __future__ import annotations

from flask import Flask

SEEDER = "community.dashboard.demo.seed_dashboard"


def init_app(app: Flask) -> None:
    """Register the pages and API, and connect the listeners that keep the figures."""
    from ..api import register as register_api
    from ..demo import SEEDERS
    from .api import blp
    from .listeners import connect
    from .views import bp

    app.register_blueprint(bp)
    register_api(app, blp)
    connect()
    # Last: the dashboard recomputes its figures from what every other seeder wrote.
    if SEEDER in SEEDERS:
        SEEDERS.remove(SEEDER)
    SEEDERS.append(SEEDER)
