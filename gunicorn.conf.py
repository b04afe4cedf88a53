"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py app:app``.

Every value can be changed with an environment variable (below) or on the command
line. Threads suit this app: requests wait on the database and SMTP far more than
they compute, and the ORM releases the GIL while waiting.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, "") or default)


# Where to listen: behind a reverse proxy on the same machine, loopback is enough.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
# Two processes per core (at least 2), each with a few threads.
workers = _int("GUNICORN_WORKERS", max(2, multiprocessing.cpu_count() * 2))
threads = _int("GUNICORN_THREADS", 4)
# A request that takes longer than this is stuck: its worker is restarted.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (with jitter, so they never restart all at once). Not
# too often: a new worker starts with an empty page cache (in process without Redis);
# at 2,000 requests, cached pages served at ~500 req/s restarted each worker every few
# seconds, and the restarts gave cached pages a p99 of seconds (benchmarks/RESULTS.md).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Load the app once in the master, then fork: less memory, faster worker restarts.
# Database connections are opened lazily in each worker, never in the master.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}


def when_ready(server) -> None:  # noqa: ANN001 - gunicorn's Arbiter
    """With ``preload_app``, compile the templates and load the locale data once in the
    master: every worker forked from it (and re-forked after ``max_requests``) starts
    warm instead of spending about a second of CPU on its first pages."""
    if not preload_app:
        return
    warm_up = getattr(server.app.wsgi(), "extensions", {}).get("community.warm_up")
    if warm_up is not None:  # this app (this file also serves benchmarks' bare Flask app)
        try:
            warm_up()
        except Exception:  # slower first pages, not a server that does not start
            server.log.exception("warm-up failed")


# Bounded request lines and headers (bodies are bounded by MAX_CONTENT_LENGTH).
limit_request_line = 8190
limit_request_fields = 100
# The reverse proxy's address(es) whose X-Forwarded-* gunicorn itself trusts; the app
# trusts PROXY_COUNT hops (werkzeug's ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
