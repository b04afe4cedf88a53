"""Fixtures: an app on a temporary SQLite database, clients, one user per role,
a log-in helper, a real SMTP server and a query counter.

With ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` set (``make test-scaled``), every
test runs on PostgreSQL and Redis instead: see ``tests/backends.py``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import event

from community import create_app
from models import Role, User, db
from tests import backends
from tests.factories import PASSWORD, UserFactory
from tests.mailserver import MailServer

pytest_plugins = ["tests.forum_fixtures", "tests.review_fixtures"]


@pytest.fixture(scope="session", autouse=True)
def scaled_backends() -> Iterator[None]:
    """The run's own PostgreSQL database and Redis key prefix, when asked for."""
    if backends.DATABASE_URL:
        backends.postgres.start(db.metadata)
    try:
        yield
    finally:
        if backends.DATABASE_URL:
            backends.postgres.stop()
        if backends.REDIS_URL:
            backends.clean_redis(backends.REDIS_URL)


@pytest.fixture(autouse=True)
def _empty_tables_after_test() -> Iterator[None]:
    """PostgreSQL: data is committed for real, so empty what a test wrote (runs
    after every other fixture's teardown, once their connections are closed)."""
    yield
    if backends.DATABASE_URL:
        backends.postgres.clean()


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


def make_config(tmp_path, mail_server: MailServer, **extra: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path),
        "ENV_NAME": "testing",
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": backends.database_uri(f"sqlite:///{tmp_path / 'test.db'}"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "MAIL_BACKEND": "smtp",
        "MAIL_SUPPRESS_SEND": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": mail_server.port,
        "JOBS_MODE": "inline",
        "SITE_URL": "http://community.test",
        # Anti-spam policies (tests/test_moderation.py sets its own): other features' tests
        # write many similar items quickly, as no member would.
        "REPEAT_WINDOW_SECONDS": 0,
        "WRITE_RATE_LIMITS": {},
        # Page tests count the view's own queries: the anonymous page cache is off, except
        # in tests/test_http_caching.py.
        "PAGE_CACHE_SECONDS": 0,
        # And the fragment cache (tests/test_fragments.py turns it on): a page renders
        # everything it shows on each request.
        "FRAGMENT_CACHE_SECONDS": 0,
        # Buffered topic views are written when a test flushes them (or at exit), never by a
        # timer in the middle of a request whose queries a test counts.
        "VIEW_COUNT_FLUSH_SECONDS": 10**9,
        "VIEW_COUNT_FLUSH_VIEWS": 10**9,
        **backends.redis_config(),
    }
    config.update(extra)
    return config


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Override in a test module to change the app's settings."""
    return {}


def _fresh_globals(sender: Flask, **_extra: Any) -> None:
    """Tests keep one app context pushed, and Flask reuses it for each request, so
    ``g`` (the signed-in user, the locale, deferred jobs) would leak from one request
    to the next. Start every request with an empty ``g``, as in production."""
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def app(tmp_path, mail_server: MailServer, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(make_config(tmp_path, mail_server, **app_config))
    request_started.connect(_fresh_globals, app)
    with app.app_context():
        if backends.DATABASE_URL and "SQLALCHEMY_DATABASE_URI" not in app_config:
            db.engine.connect().close()  # the run's schema exists; connect before any count
        else:  # SQLite, or a test module's own database (search's PostgreSQL backend tests)
            db.create_all()
        yield app
        app.extensions["community.topic_views"].flush()  # as a stopping worker does
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(tmp_path, mail_server: MailServer) -> Iterator[Any]:
    """``make_app(**settings)``: an app of its own for a test, on the test database. Its
    engine is disposed at the end: a pooled PostgreSQL connection left to the garbage
    collector warns ("deleted while still open") in whichever test runs then."""
    made: list[Flask] = []

    def _make(**settings: Any) -> Flask:
        made.append(create_app(make_config(tmp_path, mail_server, **settings)))
        return made[-1]

    yield _make
    for each in made:
        with each.app_context():
            each.extensions["community.topic_views"].flush()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def mailbox(mail_server: MailServer) -> MailServer:
    mail_server.clear()
    return mail_server


@pytest.fixture
def users(app: Flask) -> dict[str, User]:
    """One confirmed account per role, committed; all use ``PASSWORD``."""
    made = {role.value: UserFactory(username=role.value, role=role.value) for role in Role}
    db.session.commit()
    return made


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, login: str, password: str = PASSWORD, **kwargs: Any):
        return self.client.post("/login", data={"login": login, "password": password}, **kwargs)

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login(client: FlaskClient, auth: AuthActions, users: dict[str, User]):
    """``login("staff")`` signs the test client in as that role's user."""

    def _login(role: str) -> User:
        response = auth.login(role)
        assert response.status_code == 302, response.get_data(as_text=True)
        return users[role]

    return _login


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def _before(conn, cursor, statement, *args: Any) -> None:  # noqa: ANN001
            counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", _before)

    return _count
