"""The Rassembleur application factory."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application. Runs no query, migration or network call."""
    overrides = dict(test_config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=str(Path(instance_path or ROOT / "instance").resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from .config import load_config

    load_config(app, overrides)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=str(app.config["LOG_LEVEL"]).upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    _init_extensions(app)
    _register_converters(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_handlers(app)
    _register_cli(app)
    if app.config["PROXY_COUNT"]:
        # Outermost, so that the page cache's middleware (httpcache) sees the client's
        # host and scheme as Flask does.
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    return app


def _init_extensions(app: Flask) -> None:
    from . import database, events, fragments, httpcache, jobs
    from .auth.session import init_login
    from .extensions import csrf, db, limiter, mail, migrate
    from .i18n import init_babel
    from .security import init_security

    db.init_app(app)
    database.init_sqlite_pragmas(app)
    migrate.init_app(
        app,
        db,
        render_as_batch=True,
        directory=str(ROOT / "migrations"),
        include_object=database.include_object,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    init_babel(app)
    init_login(app)
    events.init_app(app)
    jobs.init_app(app)
    init_security(app)
    httpcache.init_app(app)
    fragments.init_app(app)


class _DatabaseInt(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds: a larger number is a
    404, not an overflow inside the database driver."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001
        kwargs.setdefault("max", 2**31 - 1)  # PostgreSQL INTEGER; SQLite holds more
        super().__init__(map, *args, **kwargs)


def _register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = _DatabaseInt


def _register_blueprints(app: Flask) -> None:
    from .api import init_api
    from .api import register as register_api
    from .auth.views import bp as auth_bp
    from .blog.api import blp as blog_api
    from .blog.views import bp as blog_bp
    from .core.views import bp as core_bp
    from .dashboard import init_app as init_dashboard
    from .forum.api import blp as forum_api
    from .forum.views import bp as forum_bp
    from .ideas.api import blp as ideas_api
    from .ideas.views import bp as ideas_bp
    from .moderation.api import blp as moderation_api
    from .moderation.views import bp as moderation_bp
    from .notifications import init_app as init_notifications
    from .reviews.api import blp as reviews_api
    from .reviews.views import bp as reviews_bp
    from .search import init_app as init_search
    from .uploads import bp as uploads_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(uploads_bp)
    init_api(app)
    features = (
        (forum_bp, forum_api), (moderation_bp, moderation_api), (reviews_bp, reviews_api),
        (ideas_bp, ideas_api), (blog_bp, blog_api),
    )  # fmt: skip
    for pages, api in features:
        app.register_blueprint(pages)
        register_api(app, api)
    init_search(app)
    init_notifications(app)
    init_dashboard(app)


def _register_template_helpers(app: Flask) -> None:
    from .templating import init_templating

    init_templating(app)


def _register_error_handlers(app: Flask) -> None:
    from .errors import init_error_handlers

    init_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from .auth.cli import tokens_cli, users_cli
    from .backup import backup_command, restore_command
    from .dashboard.cli import dashboard_cli
    from .database import analyze_command
    from .demo import demo_cli
    from .jobs import jobs_cli
    from .moderation.cli import moderation_cli

    for group in (
        users_cli,
        tokens_cli,
        demo_cli,
        jobs_cli,
        moderation_cli,
        backup_command,
        restore_command,
        dashboard_cli,
        analyze_command,
    ):
        app.cli.add_command(group)
