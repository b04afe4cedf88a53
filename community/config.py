"""Settings: embedded defaults, overridden by environment variables.

Every variable read here is listed in the README's configuration table. Reading
happens in :func:`load_config`, called by the factory, never at import time.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "production", "testing")


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str) -> int:
    return int(value.strip())


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


# (environment variable, config key, parser, default). A default of None means
# "computed by load_config" or "unset".
SETTINGS: list[tuple[str, str, Any, Any]] = [
    ("COMMUNITY_ENV", "ENV_NAME", str, "development"),
    ("SECRET_KEY", "SECRET_KEY", str, None),
    ("DATABASE_URL", "SQLALCHEMY_DATABASE_URI", str, None),
    ("REDIS_URL", "REDIS_URL", str, ""),
    ("BRAND_NAME", "BRAND_NAME", str, "Rassembleur"),
    ("BRAND_COLOR", "BRAND_COLOR", str, "#1f5f8b"),
    ("DEFAULT_LOCALE", "BABEL_DEFAULT_LOCALE", str, "en"),
    ("DEFAULT_TIMEZONE", "BABEL_DEFAULT_TIMEZONE", str, "Europe/Paris"),
    ("MAX_CONTENT_LENGTH", "MAX_CONTENT_LENGTH", _int, 2 * 1024 * 1024),
    ("MAIL_BACKEND", "MAIL_BACKEND", str, None),
    ("MAIL_SERVER", "MAIL_SERVER", str, "127.0.0.1"),
    ("MAIL_PORT", "MAIL_PORT", _int, 25),
    ("MAIL_USE_TLS", "MAIL_USE_TLS", _bool, False),
    ("MAIL_USE_SSL", "MAIL_USE_SSL", _bool, False),
    ("MAIL_USERNAME", "MAIL_USERNAME", str, None),
    ("MAIL_PASSWORD", "MAIL_PASSWORD", str, None),
    ("MAIL_DEFAULT_SENDER", "MAIL_DEFAULT_SENDER", str, "Rassembleur <community@localhost>"),
    ("JOBS_MODE", "JOBS_MODE", str, None),
    ("SEARCH_BACKEND", "SEARCH_BACKEND", str, "whoosh"),
    # A relevance-sorted query ranks at most this many matching documents, the newest
    # (bounds the cost of very common words; Whoosh then estimates the total, PostgreSQL counts).
    ("SEARCH_MAX_MATCHES", "SEARCH_MAX_MATCHES", _int, 2000),
    # ... and stops matching after this many milliseconds (once it has 20 matches).
    ("SEARCH_TIME_BUDGET_MS", "SEARCH_TIME_BUDGET_MS", _int, 25),
    # Whoosh rebuild: postings kept in memory before spilling sorted runs to disk (whoosh's
    # estimate of their size). 1024 keeps a 117,000-document rebuild in memory: 7 % less
    # CPU, 1.4 GB peak instead of about 0.5 GB (benchmarks/RESULTS.md).
    ("SEARCH_REBUILD_MEMORY_MB", "SEARCH_REBUILD_MEMORY_MB", _int, 256),
    # Whoosh rebuild: processes building parts of the index side by side (0: one per CPU).
    ("SEARCH_REBUILD_PROCESSES", "SEARCH_REBUILD_PROCESSES", _int, 0),
    ("RATELIMIT_LOGIN", "RATELIMIT_LOGIN", str, "10 per minute;60 per hour"),
    ("RATELIMIT_REGISTER", "RATELIMIT_REGISTER", str, "5 per minute;20 per hour"),
    ("RATELIMIT_ENABLED", "RATELIMIT_ENABLED", _bool, True),
    ("PASSWORD_MIN_LENGTH", "PASSWORD_MIN_LENGTH", _int, 10),
    # Dashboard: the brand aims to answer questions and reviews within this many hours.
    ("BRAND_RESPONSE_TARGET_HOURS", "BRAND_RESPONSE_TARGET_HOURS", _int, 24),
    ("CONFIRM_TOKEN_MAX_AGE", "CONFIRM_TOKEN_MAX_AGE", _int, 7 * 24 * 3600),
    ("RESET_TOKEN_MAX_AGE", "RESET_TOKEN_MAX_AGE", _int, 3600),
    ("SITE_URL", "SITE_URL", str, "http://127.0.0.1:5000"),
    ("PROXY_COUNT", "PROXY_COUNT", _int, 0),
    # Host names the site answers to (comma-separated; Flask's TRUSTED_HOSTS): any other
    # Host header gets a 400 before it can reach links, e-mails or the page cache's keys.
    ("TRUSTED_HOSTS", "TRUSTED_HOSTS", _names, None),
    ("COOKIE_SECURE", "COOKIE_SECURE", _bool, None),
    ("HSTS_MAX_AGE", "HSTS_MAX_AGE", _int, 365 * 24 * 3600),
    ("LOG_LEVEL", "LOG_LEVEL", str, "INFO"),
    ("IDEA_VOTE_BUDGET", "IDEA_VOTE_BUDGET", _int, 0),
    ("WEBHOOKS_ALLOW_LOCAL_HTTP", "WEBHOOKS_ALLOW_LOCAL_HTTP", _bool, False),
    # Anonymous page cache (community/httpcache.py): server-side lifetime (0 turns it
    # off) and the max-age browsers and proxies are told (0: they revalidate each time,
    # a 304 when nothing changed; more: they may show a page that old after a write).
    ("PAGE_CACHE_SECONDS", "PAGE_CACHE_SECONDS", _int, 60),
    ("PAGE_CACHE_MAX_AGE", "PAGE_CACHE_MAX_AGE", _int, 0),
    # Fragment cache (community/fragments.py): parts of pages that are the same for every
    # visitor (home blocks, post and review headers, topic rows), kept this many seconds
    # for members and anonymous visitors alike, also when the page cache is off; 0: off.
    ("FRAGMENT_CACHE_SECONDS", "FRAGMENT_CACHE_SECONDS", _int, 60),
    ("COMPRESS_RESPONSES", "COMPRESS_RESPONSES", _bool, True),
]


class Config:
    """Defaults that are not read from the environment."""

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # Topic views are counted in memory and written every so many seconds or views
    # (community/httpcache.py ViewBuffer), and when a worker stops.
    VIEW_COUNT_FLUSH_SECONDS = 10
    VIEW_COUNT_FLUSH_VIEWS = 200
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    LANGUAGES = ("en", "fr")
    BABEL_TRANSLATION_DIRECTORIES = str(Path(__file__).parent.parent / "translations")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # RQ: queue name and the delays (seconds) before each retry of a failed job.
    JOBS_QUEUE = "community"
    JOBS_RETRY_INTERVALS = (10, 60, 300, 1800)
    # argon2id parameters (RFC 9106 "second recommended option" is the library default).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # flask-smorest / OpenAPI
    API_TITLE = "Rassembleur API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # Moderation (community/moderation): flags from members weigh by trust level;
    # when the open flags on an item weigh FLAG_HIDE_THRESHOLD it is hidden pending review.
    FLAG_HIDE_THRESHOLD = 3.0
    FLAG_WEIGHTS = {0: 0.5, 1: 1.0, 2: 1.0, 3: 1.5, 4: 2.0}
    # Level-0 members' first N posts wait for approval.
    PREMODERATION_FIRST_POSTS = 2
    # Most links a post may hold, by trust level (levels not listed: no limit).
    LINK_LIMITS = {0: 1, 1: 5}
    # Writes allowed per window (count, seconds), by trust level.
    WRITE_RATE_LIMITS = {0: (5, 600), 1: (15, 600), 2: (40, 600), 3: (80, 600), 4: (200, 600)}
    # Automatic promotion: every threshold of a level must be reached. Level 4 is by hand.
    TRUST_PROMOTION = {
        1: {"days_visited": 1, "posts_read": 5, "approved": 1, "account_days": 0},
        2: {"days_visited": 10, "posts_read": 100, "approved": 10, "account_days": 14},
        3: {"days_visited": 50, "posts_read": 500, "approved": 50, "account_days": 90},
    }
    # Default word filters, besides those admins add: (pattern, "block"|"review", is_regex).
    MODERATION_FILTERS: list[tuple[str, str, bool]] = []
    # The same text posted again by the same member within this many seconds is refused.
    REPEAT_WINDOW_SECONDS = 3600
    # Notifications: a staff member's "take it" on an inbox item lasts this long.
    STAFF_CLAIM_HOURS = 4
    # Demo accounts (printed by `make run`); the seeder uses them.
    DEMO_PASSWORD_SUFFIX = "-demo-2026"


def load_config(app: Any, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from defaults, the environment and ``overrides``.

    :raises RuntimeError: when ``SECRET_KEY`` is missing outside development.
    """
    app.config.from_object(Config)
    for env_name, key, parse, default in SETTINGS:
        raw = os.environ.get(env_name)
        app.config[key] = parse(raw) if raw not in (None, "") else default
    app.config.from_pyfile("config.py", silent=True)
    if overrides:
        app.config.update(overrides)
    _derive(app)


def _derive(app: Any) -> None:
    cfg = app.config
    env = cfg["ENV_NAME"]
    if env not in ENVIRONMENTS:
        raise RuntimeError(f"COMMUNITY_ENV must be one of {ENVIRONMENTS}, not {env!r}")
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'community.db'}"
    uri = cfg["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        cfg["SQLALCHEMY_DATABASE_URI"] = uri = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        cfg["SQLALCHEMY_DATABASE_URI"] = uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    if not cfg.get("SECRET_KEY"):
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set in production (COMMUNITY_ENV=production).")
        cfg["SECRET_KEY"] = _development_secret(instance)
    if cfg["MAIL_BACKEND"] is None:
        cfg["MAIL_BACKEND"] = "console" if env == "development" else "smtp"
    if cfg["JOBS_MODE"] is None:
        cfg["JOBS_MODE"] = "rq" if cfg["REDIS_URL"] and env == "production" else "inline"
    if cfg["REDIS_URL"] and cfg.get("RATELIMIT_STORAGE_URI") == "memory://":
        cfg["RATELIMIT_STORAGE_URI"] = cfg["REDIS_URL"]
    # Cookies only over HTTPS in production (Flask's own default for the session
    # cookie is False, so it is set here, not merely defaulted).
    secure = cfg["COOKIE_SECURE"] if cfg["COOKIE_SECURE"] is not None else env == "production"
    cfg["SESSION_COOKIE_SECURE"] = cfg["REMEMBER_COOKIE_SECURE"] = secure
    cfg.setdefault("SEARCH_INDEX_DIR", str(instance / "search-index"))


def _development_secret(instance: Path) -> str:
    """Return the development secret kept in the instance folder, creating it once."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
