"""Extension singletons, bound to an application by ``create_app``.

Nothing here imports the application, so any module may import these.
"""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from models import db

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "mail", "migrate"]


def _rate_limit_key() -> str:
    """Key rate limits by client address (the proxy fix sets it behind a proxy)."""
    return get_remote_address() or request.remote_addr or "unknown"


babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=_rate_limit_key)
login_manager = LoginManager()
mail = Mail()
migrate = Migrate()
