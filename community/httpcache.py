"""HTTP speed: the anonymous page cache, conditional GET, hashed static URLs, compression.

**Page cache.** Anonymous ``GET`` requests of the public pages (``PUBLIC_ENDPOINTS``) are
answered from the cache (Flask-Caching: in-process ``SimpleCache`` in the embedded setup,
Redis with ``REDIS_URL``) without running the view or any SQL. The key is the host, the
path, the query (sorted, known parameters only; a request with any other parameter is
not cached) and the interface language. A page is stored only when it is safe to share:
status 200, HTML or a feed, not streamed, no cookie set, the session untouched (no flash
message was shown) and no CSRF token generated while rendering it. Public pages leave
out the session's CSRF token (``public_page`` in templates); a template that still asks
for one makes its page uncacheable rather than leak a token.

**Hits before Flask.** :class:`CachedPages`, a WSGI middleware in front of Flask (inside
ProxyFix), answers a hit without running Flask's request pipeline when the request is
certainly anonymous; it uses the same key, language, header and compression functions
as the Flask path, and passes every doubtful request (and every miss) to Flask, whose
``_serve_from_cache`` still answers the hits the middleware leaves to it.

**Invalidation.** Each entry records the *content generation* it was rendered under; a
lookup accepts it only if the generation is still current. Every committed transaction
whose SQL wrote to a table other than the per-visitor bookkeeping ones (``NEUTRAL_TABLES``,
``NEUTRAL_COLUMNS``: read marks, notifications, view counts...) bumps the generation
after its commit, whatever wrote it (services, moderation, the API, commands, raw SQL
through a session), so a write makes every older entry unreachable at once. Content
that changes by itself at a known time (a scheduled article) registers
:func:`expire_pages_at`; the generation is bumped when that time comes. The generation is read before the
view reads the database and bumped after the commit, so a page rendered from data older
than a write is never stored under a generation that is current after that write.
Entries also expire after ``PAGE_CACHE_SECONDS`` (relative dates age). The generation
lives in Redis when the cache does, else in the modification time of a file in the
instance folder, shared by every process on the machine.

**Headers.** HTML responses get a weak ``ETag`` (a hash of the body) and answer
``304`` to a matching ``If-None-Match``; cached pages are ``public, max-age=
PAGE_CACHE_MAX_AGE``, every other page ``private, no-cache``; pages vary on ``Cookie``
and ``Accept-Language``.

**Static files.** ``url_for('static', filename=...)`` adds ``?v=<content hash>`` from a
manifest built at start-up; a request with the current hash is cached for a year
(``immutable``), any other for five minutes.

**Compression.** Text responses of 500 bytes or more are sent with brotli (when the
``brotli`` module is installed) or gzip, as ``Accept-Encoding`` allows; compressing makes
the ETag weak. Streamed responses, 304s and partial content are left alone; static
files are compressed once per process and kept in memory.
"""

from __future__ import annotations

import atexit
import functools
import gzip
import hashlib
import logging
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, Request, Response, current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_caching import Cache
from markupsafe import Markup
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from werkzeug.exceptions import SecurityError

from .extensions import login_manager
from .i18n import anonymous_language
from .security import add_security_headers

try:  # optional: brotli compresses pages ~15% smaller than gzip at a similar speed
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

log = logging.getLogger(__name__)

cache = Cache()

# The pages any visitor sees alike, cached for anonymous visitors.
PUBLIC_ENDPOINTS = frozenset(
    {
        "core.home",
        "forum.index",
        "forum.latest",
        "forum.category",
        "forum.topic",
        "reviews.catalogue",
        "reviews.product",
        "reviews.review",
        "reviews.how_it_works",
        "blog.index",
        "blog.tag",
        "blog.article",
        "blog.feed",
        "blog.tag_feed",
        "ideas.index",
        "ideas.roadmap",
        "ideas.show",
    }
)
# Query parameters those pages read; a request with any other one is served, not cached.
PUBLIC_ARGS = frozenset({"page", "sort", "filter", "lang", "status", "stars", "category"})
CACHEABLE_TYPES = frozenset({"text/html", "application/atom+xml", "application/rss+xml"})

# Writes to these tables (or only to these columns) never change a public page.
NEUTRAL_TABLES = frozenset(
    {
        "forum_read",
        "forum_preference",
        "notification",
        "notification_watch",
        "notification_settings",
        "email_delivery",
        "staff_claim",
        "webhook",
        "webhook_delivery",
        "api_token",
        "search_outbox",
        "moderation_write_event",
        "moderation_audit",
        "dashboard_daily",
        "dashboard_response",
        "dashboard_tone",
        "dashboard_engagement",
        "search_document",
        "search_word",
    }
)
NEUTRAL_COLUMNS = {
    "user": frozenset(
        {"last_seen_at", "days_visited", "posts_read", "last_visit_on", "password_hash", "locale"}
    ),
    "forum_topic": frozenset({"view_count"}),
}

COMPRESSIBLE_TYPES = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/xml",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/xml",
        "application/atom+xml",
        "application/rss+xml",
        "application/manifest+json",
        "image/svg+xml",
    }
)
COMPRESS_MIN_SIZE = 500
STATIC_IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_SHORT = "public, max-age=300"
_GEN_KEY = "page-generation"
_WAKE_KEY = "page-wake"
UNKNOWN = 1  # the wake-up time is to be computed (0 is avoided: some file systems refuse it)
NEVER = 2**62  # nothing scheduled
NO_TOKEN = "no-session-token-on-public-pages"


# --- the content generation -------------------------------------------------------------------


class FileGeneration:
    """The generation as a file's modification time (ns): shared by every process of
    one machine, one ``stat`` to read, one ``utime`` to bump."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.wake_path = path.with_name(path.name + "-wake")  # its time: the next scheduled change
        path.touch(exist_ok=True)
        self.set_wake(UNKNOWN)

    def current(self) -> int:
        try:
            return os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            self.path.touch(exist_ok=True)
            return os.stat(self.path).st_mtime_ns

    def bump(self) -> None:
        ns = max(time.time_ns(), self.current() + 1)
        os.utime(self.path, ns=(ns, ns))
        self.set_wake(UNKNOWN)

    def lookup(self, key: str, backend: Any) -> tuple[int, int, Any]:
        return self.current(), self._stat(self.wake_path), backend.get(key)

    def _stat(self, path: Path) -> int:
        try:
            return os.stat(path).st_mtime_ns
        except FileNotFoundError:
            return UNKNOWN

    def set_wake(self, ns: int) -> None:
        self.wake_path.touch(exist_ok=True)
        os.utime(self.wake_path, ns=(ns, ns))


class CacheGeneration:
    """The generation as a counter in the cache itself (Redis): read with the entry in
    one round trip (MGET), bumped with INCR."""

    def current(self) -> int:
        return int(cache.get(_GEN_KEY) or 0)

    def bump(self) -> None:
        if not cache.cache.inc(_GEN_KEY):  # a backend without atomic increments
            cache.set(_GEN_KEY, self.current() + 1, timeout=0)
        self.set_wake(UNKNOWN)

    def set_wake(self, ns: int) -> None:
        cache.set(_WAKE_KEY, ns, timeout=0)

    def lookup(self, key: str, backend: Any) -> tuple[int, int, Any]:
        generation, wake, entry = backend.get_many(_GEN_KEY, _WAKE_KEY, key)
        return int(generation or 0), int(wake or UNKNOWN), entry


def _generation(app: Flask | None = None) -> FileGeneration | CacheGeneration:
    return (app or current_app).extensions["community.page_generation"]


# Callables returning when public content next changes by itself (a scheduled article).
_SCHEDULES: list[Any] = []


def expire_pages_at(next_change: Any) -> None:
    """Register ``next_change() -> datetime | None``: cached pages expire at that time.
    It is asked (one query) after each write and each time that time is reached."""
    if next_change not in _SCHEDULES:
        _SCHEDULES.append(next_change)


def _next_wake() -> int:
    times = [t for t in (fn() for fn in _SCHEDULES) if t is not None]
    return int(min(times).timestamp() * 1e9) if times else NEVER


def _lookup(key: str) -> tuple[int, Any]:
    """The current generation and the entry under ``key``; bumps the generation when a
    scheduled change has come."""
    store = _generation()
    generation, wake, entry = store.lookup(key, cache.cache)
    if wake != UNKNOWN and time.time_ns() < wake:
        return generation, entry
    if wake != UNKNOWN:  # a scheduled change has come: every page may show it
        store.bump()
        generation, entry = store.current(), None
    store.set_wake(_next_wake())
    return generation, entry


def bump_generation(app: Flask | None = None) -> None:
    """Make every cached page unreachable (called after each committed write)."""
    try:
        _generation(app).bump()
    except Exception:  # the write is committed; a cache outage must not turn it into a 500
        log.exception("could not bump the page cache generation")


# --- invalidation: watch what each transaction writes ------------------------------------------

_MARKERS = "community.page_cache_markers"
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE
)
_SET = re.compile(r"\bSET\s+(.*?)(?:\bWHERE\b|\bRETURNING\b|$)", re.IGNORECASE | re.DOTALL)
_ASSIGNED = re.compile(r'"?(\w+)"?\s*=')


def writes_public_content(statement: str) -> bool:
    """Whether this SQL statement may change a public page (any write outside the
    per-visitor bookkeeping tables and columns)."""
    match = _WRITE.match(statement)
    if match is None:
        return False
    table = match.group(1).lower()
    if table in NEUTRAL_TABLES:
        return False
    neutral = NEUTRAL_COLUMNS.get(table)
    if neutral is None or not statement.lstrip()[:6].upper() == "UPDATE":
        return True
    assignments = _SET.search(statement)
    columns = set(_ASSIGNED.findall(assignments.group(1))) if assignments else {"?"}
    return not columns <= neutral


def _after_begin(session: Session, _transaction: object, connection: Any) -> None:
    """Give the connection a marker that its writes set; the session checks it after commit."""
    marker: dict[str, bool] = {}
    connection.info["community.page_cache_marker"] = marker
    session.info.setdefault(_MARKERS, []).append(marker)


def _before_cursor_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement[:6].upper() in ("SELECT", "PRAGMA", "SAVEPO", "RELEAS"):
        return
    marker = conn.info.get("community.page_cache_marker")
    if marker is not None and not marker.get("dirty") and writes_public_content(statement):
        marker["dirty"] = True


def _after_commit(session: Session) -> None:
    markers = session.info.pop(_MARKERS, [])
    if any(m.get("dirty") for m in markers):
        if has_app_context() and "community.page_generation" in current_app.extensions:
            bump_generation()


def _after_rollback(session: Session, _previous: object) -> None:
    if not session.in_transaction():  # the whole transaction, not a savepoint
        session.info.pop(_MARKERS, None)


def _listen_once() -> None:
    for target, name, fn in (
        (Session, "after_begin", _after_begin),
        (Session, "after_commit", _after_commit),
        (Session, "after_soft_rollback", _after_rollback),
        (Engine, "before_cursor_execute", _before_cursor_execute),
    ):
        if not sa_event.contains(target, name, fn):
            sa_event.listen(target, name, fn)


# --- the page cache ---------------------------------------------------------------------------


def page_cache_enabled() -> bool:
    return current_app.config["PAGE_CACHE_SECONDS"] > 0


def anonymous_request(req: Request, sess: Any, config: Any) -> bool:
    """True without loading anything: no signed-in session, no remember-me cookie, no token."""
    if sess.get("_user_id") is not None:
        return False
    if config.get("REMEMBER_COOKIE_NAME", "remember_token") in req.cookies:
        return False
    return "Authorization" not in req.headers


def page_key(req: Request, language: str) -> str:
    """The cache key of a page: host, path, sorted query and interface language (one
    function for the Flask path and the middleware, so that they cannot disagree)."""
    query = urlencode(sorted(req.args.items(multi=True)))
    raw = f"{req.scheme}://{req.host}{req.root_path}|{req.path}|{query}|{language}"
    return "page:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _page_key() -> str:
    return page_key(request, str(get_locale()))


def _cached_response(entry: tuple) -> Response:
    """The response of a cache hit, before the headers every page gets."""
    _, etag, headers, body, _endpoint, _view_args = entry
    response = Response(body, headers=headers)
    response.set_etag(etag, weak=True)
    return response


def _serve_from_cache() -> Response | None:
    """before_request: answer an anonymous public page from the cache (the hits the
    middleware, :class:`CachedPages`, left to Flask: a fresh session, a due schedule)."""
    for name in ("page_cache_candidate", "page_cache_hit", "page_cache_key", "page_cache_generation"):
        g.pop(name, None)  # an app context reused by several requests (tests, scripts)
    _release_render()
    if request.method not in ("GET", "HEAD") or request.endpoint not in PUBLIC_ENDPOINTS:
        return None
    if not page_cache_enabled() or not request.args.keys() <= PUBLIC_ARGS:
        return None
    if not anonymous_request(request, session, current_app.config) or session.get("_flashes"):
        return None
    g.page_cache_candidate = True  # templates leave out the session's CSRF token
    g.page_cache_session = dict(session)
    key = _page_key()
    try:
        generation, entry = _lookup(key)
    except Exception:  # the cache is down: serve the page without it
        log.exception("page cache lookup failed")
        g.page_cache_candidate = False
        return None
    g.page_cache_key, g.page_cache_generation = key, generation
    # Forms a view builds for members only must not give an anonymous visitor a session
    # (a cookie on a shared page): Flask-WTF reuses a token already in ``g``.
    setattr(g, current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), NO_TOKEN)
    if not entry or entry[0] != generation:
        rendering = _claim_render(key)
        if rendering is None:
            return None  # this request renders the page (and stores it)
        # Another thread of this process is rendering it: wait, then look again.
        rendering.wait(RENDER_WAIT_SECONDS)
        try:
            generation, entry = _lookup(key)
        except Exception:
            log.exception("page cache lookup failed")
            return None
        g.page_cache_generation = generation  # the page is rendered here if still missing
        if not entry or entry[0] != generation:
            return None
    g.page_cache_hit = True
    _run_hit_hooks(current_app._get_current_object(), request.endpoint, request.view_args or {})
    return _cached_response(entry)


# Pages being rendered by a thread of this process: others asking for the same page wait
# for it (up to RENDER_WAIT_SECONDS) instead of rendering it at the same time, e.g. after
# a write or in a new worker, when every thread misses the same popular page at once.
RENDER_WAIT_SECONDS = 10.0
_rendering: dict[str, threading.Event] = {}
_rendering_lock = threading.Lock()


def _claim_render(key: str) -> threading.Event | None:
    """None if this request is to render the page under ``key``; else the event that the
    request rendering it sets when done."""
    with _rendering_lock:
        other = _rendering.get(key)
        if other is None:
            _rendering[key] = threading.Event()
            g.page_cache_rendering = key
        return other


def _release_render(_exc: BaseException | None = None) -> None:
    """After the page is stored (or the request failed): wake the requests waiting for it."""
    key = g.pop("page_cache_rendering", None)
    if key is not None:
        with _rendering_lock:
            event = _rendering.pop(key, None)
        if event is not None:
            event.set()


def _store(response: Response) -> bool:
    """after_request: keep an anonymous public page if it is safe to share."""
    if not g.get("page_cache_candidate") or g.get("page_cache_hit") or "page_cache_key" not in g:
        return False
    if (
        response.status_code != 200
        or response.mimetype not in CACHEABLE_TYPES
        or response.is_streamed
        or response.direct_passthrough
        or "Set-Cookie" in response.headers
        or session.get("_user_id") is not None
    ):
        return False
    body = response.get_data()
    if NO_TOKEN.encode() in body:  # a form for anonymous visitors on a public page
        log.warning("%s shows a form with a CSRF token to anonymous visitors: not cached", request.endpoint)
        return False
    if dict(session) != g.get("page_cache_session"):  # a flash message shown, a choice remembered
        return False
    etag = _hash(body)
    headers = [
        (k, v)
        for k, v in response.headers.items()
        if k.lower() not in ("set-cookie", "vary", "cache-control", "etag", "content-length")
    ]
    try:
        cache.set(
            g.page_cache_key,
            (g.page_cache_generation, etag, headers, body, request.endpoint, dict(request.view_args or {})),
            timeout=current_app.config["PAGE_CACHE_SECONDS"],
        )
    except Exception:
        log.exception("page cache store failed")
        return False
    response.set_etag(etag, weak=True)
    return True


# --- cache hits before Flask ------------------------------------------------------------------

# Session keys an anonymous visitor may carry that leave a cached page as it is: the
# chosen language (part of the key), a CSRF token from a form page, Flask-Login's mark.
_SHARED_SESSION_KEYS = frozenset({"lang", "csrf_token", "_fresh"})


class CachedPages:
    """WSGI middleware in front of Flask: answers a page cache hit without running
    Flask's request pipeline (request and app contexts, session, Flask-Login, the
    before/after request functions), which costs several times the hit itself.

    It answers only when it is certain that Flask would send the same bytes: a GET or
    HEAD with known query parameters, no ``Authorization`` header, no remember-me
    cookie, no site-wide rate limit, a trusted host, and a session that is empty or holds only keys that change nothing
    (:func:`_session_leaves_page_alone`); the key comes from :func:`page_key` and the
    language from :func:`community.i18n.anonymous_language`, as in Flask; the headers
    from the same functions as Flask's after_request steps. Every other request, a
    miss, an outdated entry, a scheduled change that is due and any error go to Flask,
    whose :func:`_serve_from_cache` handles them as before. The hit hooks (topic view
    counts) run here too.
    """

    def __init__(self, app: Flask, wsgi_app: Any) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self._skip = (f"{app.static_url_path}/", "/api/")

    def __call__(self, environ: dict, start_response: Any) -> Any:
        try:
            response = self.hit(environ)
        except Exception:  # serve the page through Flask rather than fail here
            log.exception("page cache middleware failed")
            response = None
        if response is None:
            return self.wsgi_app(environ, start_response)
        return response(environ, start_response)

    def hit(self, environ: dict) -> Response | None:
        """The response for a cache hit, or None to let Flask answer."""
        app, config = self.app, self.app.config
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or config["PAGE_CACHE_SECONDS"] <= 0:
            return None
        if environ.get("PATH_INFO", "").startswith(self._skip) or "HTTP_AUTHORIZATION" in environ:
            return None
        if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
            return None  # site-wide rate limits: Flask-Limiter counts every page
        req = app.request_class(environ)
        if config["TRUSTED_HOSTS"] is not None:
            req.trusted_hosts = config["TRUSTED_HOSTS"]
            try:
                req.host  # noqa: B018 - validated here as Flask does (a 400 there)
            except SecurityError:
                return None
        args = req.args
        if not args.keys() <= PUBLIC_ARGS or any("\x00" in v for vs in args.listvalues() for v in vs):
            return None  # not cached, or cleaned by security.strip_nul_characters first
        sess = app.session_interface.open_session(app, req) if "HTTP_COOKIE" in environ else {}
        if (
            sess is None
            or not anonymous_request(req, sess, config)
            or not _session_leaves_page_alone(sess, config)
        ):
            return None
        language = _locale_name(anonymous_language(sess.get("lang"), req.accept_languages, config))
        generation, wake, entry = _generation(app).lookup(
            page_key(req, language), app.extensions["cache"][cache]
        )
        if wake == UNKNOWN or time.time_ns() >= wake:
            return None  # a scheduled change may be due: Flask checks it (a query)
        if not entry or entry[0] != generation or entry[4] not in PUBLIC_ENDPOINTS:
            return None
        _run_hit_hooks(app, entry[4], entry[5])
        response = _cached_response(entry)
        add_security_headers(response.headers, config, req.is_secure)
        _page_headers(response, req, config, public=True)
        return _compress(response, req, config)


def _session_leaves_page_alone(sess: Any, config: Any) -> bool:
    """Whether Flask would neither change this anonymous session on a hit (a cookie)
    nor show something of it (a flash message): Flask-Login's "basic" session
    protection marks a non-empty session as not fresh once, a permanent session is
    sent again on every request, and other keys are not known here."""
    if not sess:
        return True
    if getattr(sess, "permanent", False) or not sess.keys() <= _SHARED_SESSION_KEYS:
        return False
    mode = config.get("SESSION_PROTECTION", login_manager.session_protection)
    return not mode or (mode == "basic" and sess.get("_fresh") is False)


@functools.lru_cache(maxsize=64)
def _locale_name(language: str) -> str:
    """The language as Flask-Babel's ``get_locale()`` spells it (the Flask path's key)."""
    return str(Locale.parse(language))


def cached_fragment(name: str, render: Any) -> Any:
    """``render()`` (HTML, or None), cached per language under the content generation
    for ``FRAGMENT_CACHE_SECONDS`` (also when the page cache is off): for parts of pages
    that are the same for every visitor, members included. Any write makes it stale at
    once, as it does cached pages; per-item fragments are in :mod:`community.fragments`."""
    seconds = current_app.config["FRAGMENT_CACHE_SECONDS"]
    if seconds <= 0:
        return render()
    key = f"fragment:{name}:{get_locale()}"
    try:
        generation, entry = _lookup(key)
    except Exception:
        log.exception("fragment cache lookup failed")
        return render()
    if entry is not None and entry[0] == generation:
        return None if entry[1] is None else Markup(entry[1])
    html = render()
    try:
        cache.set(
            key,
            (generation, None if html is None else str(html)),
            timeout=seconds,
        )
    except Exception:
        log.exception("fragment cache store failed")
    return html


def _hash(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


# Endpoint -> callables run when a page is served from the cache (e.g. view counts).
_HIT_HOOKS: dict[str, list] = {}


def on_cached_hit(endpoint: str, hook: Any) -> None:
    """Run ``hook(app, view_args)`` each time ``endpoint`` is served from the cache
    (before Flask, in no context: the hook pushes an app context if it needs one)."""
    hooks = _HIT_HOOKS.setdefault(endpoint, [])
    if hook not in hooks:
        hooks.append(hook)


def _run_hit_hooks(app: Flask, endpoint: str, view_args: dict[str, Any]) -> None:
    for hook in _HIT_HOOKS.get(endpoint, ()):
        hook(app, view_args)


class ViewBuffer:
    """Counts (topic views) kept in memory and added to the database in one transaction
    every ``interval`` seconds or ``limit`` counts, so that reading a page never writes.
    A flush that fails keeps its counts for the next one; what is left is flushed when
    the process exits normally (a gunicorn worker's restart or shutdown). A process
    killed outright loses at most ``limit`` counts, or those of ``interval`` seconds."""

    def __init__(self, flush: Any, interval: float = 10.0, limit: int = 200) -> None:
        self._flush, self.interval, self.limit = flush, interval, limit
        self._lock = threading.Lock()
        self._counts: dict[int, int] = {}
        self._pending = 0
        self._since = time.monotonic()
        _VIEW_BUFFERS.add(self)

    def add(self, key: int) -> None:
        with self._lock:
            if not self._counts:
                self._since = time.monotonic()
            self._counts[key] = self._counts.get(key, 0) + 1
            self._pending += 1
            due = self._pending >= self.limit or time.monotonic() - self._since >= self.interval
        if due:
            try:
                self.flush()
            except Exception:
                log.exception("could not record %d views (kept for the next flush)", self._pending)

    def flush(self) -> None:
        with self._lock:
            counts, self._counts, self._pending = self._counts, {}, 0
        if not counts:
            return
        try:
            self._flush(counts)
        except Exception:
            with self._lock:
                for key, n in counts.items():
                    self._counts[key] = self._counts.get(key, 0) + n
                self._pending += sum(counts.values())
            raise


_VIEW_BUFFERS: weakref.WeakSet[ViewBuffer] = weakref.WeakSet()


@atexit.register
def _flush_views_at_exit() -> None:
    for buffer in list(_VIEW_BUFFERS):
        try:
            buffer.flush()
        except Exception:
            log.exception("views lost at exit")


# --- headers, conditional GET and compression -------------------------------------------------


def _finalize(response: Response) -> Response:
    """The last after_request step: cache, headers, ETag/304, then compression."""
    config = current_app.config
    if request.endpoint == "static":
        _static_headers(response)
        return _compress(response, request, config, static=True)
    if request.method in ("GET", "HEAD") and response.mimetype in CACHEABLE_TYPES:
        public = bool(g.get("page_cache_hit")) or _store(response)
        _release_render()
        # A response that sets a cookie stays private.
        _page_headers(response, request, config, public=public and not session.modified)
    return _compress(response, request, config)


def _page_headers(response: Response, req: Request, config: Any, public: bool) -> None:
    """Cache-Control, Vary and the ETag of a page; 304 when ``If-None-Match`` matches
    (for Flask's pages and the middleware's hits alike)."""
    if "Cache-Control" not in response.headers:
        if public:
            response.headers["Cache-Control"] = f"public, max-age={config['PAGE_CACHE_MAX_AGE']}"
        else:
            response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    response.vary.add("Accept-Language")
    if response.status_code == 200 and not response.is_streamed and not response.direct_passthrough:
        if not response.get_etag()[0]:
            response.set_etag(_hash(response.get_data()), weak=True)
        response.make_conditional(req)


def _choose_encoding(req: Request) -> str | None:
    accepted = req.accept_encodings
    if brotli is not None and accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def _encode(body: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=5)
    return gzip.compress(body, compresslevel=6, mtime=0)


_compressed: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_compressed_lock = threading.Lock()
_COMPRESSED_MAX = 512


def _compressed_body(tag: str | None, body: bytes, encoding: str) -> bytes:
    """Compress ``body``; remember the result under its ETag (bodies are content-addressed)."""
    if not tag:
        return _encode(body, encoding)
    key = (f"{tag}:{len(body)}", encoding)
    with _compressed_lock:
        found = _compressed.get(key)
        if found is not None:
            _compressed.move_to_end(key)
            return found
    data = _encode(body, encoding)
    with _compressed_lock:
        _compressed[key] = data
        while len(_compressed) > _COMPRESSED_MAX:
            _compressed.popitem(last=False)
    return data


def _compress(response: Response, req: Request, config: Any, static: bool = False) -> Response:
    if not config["COMPRESS_RESPONSES"]:
        return response
    if response.status_code != 200 and (static or response.status_code < 400):
        return response  # 304, 206, 204, redirects
    if response.mimetype not in COMPRESSIBLE_TYPES or "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    encoding = _choose_encoding(req)
    if encoding is None:
        return response
    if static:
        body = _static_body(response)
        if body is None:
            return response
    elif response.is_streamed or response.direct_passthrough:
        return response
    else:
        body = response.get_data()
    if len(body) < COMPRESS_MIN_SIZE:
        return response
    tag, weak = response.get_etag()
    reusable = tag if (weak or static) else None
    data = _compressed_body(reusable, body, encoding)
    response.direct_passthrough = False
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    if tag:
        response.set_etag(tag, weak=True)  # the same resource, another representation
    return response


# --- static files: hashed URLs and lifetimes --------------------------------------------------

_file_hashes: dict[tuple[str, int, int], str] = {}


class StaticManifest:
    """Content hashes of the static files, computed once at start-up (and again for a
    file whose size or time changed, in development)."""

    def __init__(self, folder: str | None, check_changes: bool) -> None:
        self.folder = Path(folder) if folder else None
        self.check_changes = check_changes
        self.versions: dict[str, str] = {}
        if self.folder and self.folder.is_dir():
            for path in self.folder.rglob("*"):
                if path.is_file():
                    self._add(path.relative_to(self.folder).as_posix(), path)

    def _add(self, name: str, path: Path) -> str | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        digest = _file_hashes.get(key)
        if digest is None:
            digest = _file_hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self.versions[name] = digest
        return digest

    def version(self, filename: str | None) -> str | None:
        if not filename:
            return None
        found = self.versions.get(filename)
        if (found is None or self.check_changes) and self.folder:
            path = (self.folder / filename).resolve()
            if path.is_file() and path.is_relative_to(self.folder.resolve()):
                return self._add(filename, path)
        return found

    def path(self, filename: str) -> Path | None:
        if not self.folder or filename not in self.versions:
            return None
        return self.folder / filename


def _manifest() -> StaticManifest:
    return current_app.extensions["community.static_manifest"]


def _static_headers(response: Response) -> None:
    if response.status_code not in (200, 304):
        return
    filename = (request.view_args or {}).get("filename")
    version = request.args.get("v")
    current = _manifest().version(filename)
    response.headers["Cache-Control"] = STATIC_IMMUTABLE if version and version == current else STATIC_SHORT
    response.expires = None


_static_bodies: dict[tuple[str, str], bytes] = {}


def _static_body(response: Response) -> bytes | None:
    """A static file's bytes, to compress once (send_file streams it otherwise)."""
    filename = (request.view_args or {}).get("filename")
    manifest = _manifest()
    version = manifest.version(filename)
    path = manifest.path(filename) if filename else None
    if version is None or path is None:
        return None
    key = (filename, version)
    body = _static_bodies.get(key)
    if body is None:
        try:
            body = path.read_bytes()
        except OSError:
            return None
        if len(body) > 4 * 1024 * 1024:
            return None
        _static_bodies[key] = body
    response.close()  # the file send_file opened
    return body


def _static_url_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "v" not in values:
        version = _manifest().version(values.get("filename"))
        if version:
            values["v"] = version


def _count_topic_view(app: Flask, view_args: dict[str, Any]) -> None:
    app.extensions["community.topic_views"].add(view_args["topic_id"])


def _topic_view_flusher(app: Flask) -> Any:
    def flush(counts: dict[int, int]) -> None:
        from .forum.services import add_views

        with app.app_context():  # also at exit, outside any request
            add_views(counts)

    return flush


def _template_context() -> dict[str, Any]:
    return {"public_page": bool(g.get("page_cache_candidate"))}


# --- wiring -----------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    cfg = app.config
    if cfg["REDIS_URL"] and cfg.get("CACHE_TYPE", "RedisCache") == "RedisCache":
        cfg.setdefault("CACHE_TYPE", "RedisCache")
        cfg.setdefault("CACHE_REDIS_URL", cfg["REDIS_URL"])
    else:
        cfg.setdefault("CACHE_TYPE", "SimpleCache")
    cfg.setdefault("CACHE_KEY_PREFIX", "rsb:")
    cfg.setdefault("CACHE_THRESHOLD", 2000)  # SimpleCache: entries per process
    cfg.setdefault("CACHE_DEFAULT_TIMEOUT", max(cfg["PAGE_CACHE_SECONDS"], 60))
    cache.init_app(app)
    shared = cfg["CACHE_TYPE"] in ("RedisCache", "redis", "flask_caching.backends.RedisCache")
    app.extensions["community.page_generation"] = (
        CacheGeneration() if shared else FileGeneration(Path(app.instance_path) / "page-cache-generation")
    )
    app.extensions["community.static_manifest"] = StaticManifest(
        app.static_folder, check_changes=cfg["ENV_NAME"] == "development" or app.debug
    )
    _listen_once()
    app.extensions["community.topic_views"] = ViewBuffer(
        _topic_view_flusher(app),
        interval=cfg["VIEW_COUNT_FLUSH_SECONDS"],
        limit=cfg["VIEW_COUNT_FLUSH_VIEWS"],
    )
    on_cached_hit("forum.topic", _count_topic_view)
    app.url_defaults(_static_url_version)
    app.context_processor(_template_context)
    app.before_request(_serve_from_cache)
    app.teardown_request(_release_render)  # a view that failed: nothing stored, wake the others
    # In front of Flask (and inside ProxyFix, which create_app adds afterwards).
    app.wsgi_app = app.extensions["community.cached_pages"] = CachedPages(app, app.wsgi_app)  # type: ignore[method-assign]
    # Registered first, so it runs last among the after_request functions.
    app.after_request_funcs.setdefault(None, []).insert(0, _finalize)
