"""Page cache hits answered before Flask (``httpcache.CachedPages``): the same bytes and
headers as Flask's own hit path, and Flask for every request the middleware cannot be
sure about."""

from __future__ import annotations

import contextlib
import gzip

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.test import Client

from community import httpcache
from models import Topic, db
from tests.factories import PASSWORD

PAGES = ["/", "/forum", "/forum/latest", "/forum/c/gear", "/forum/c/gear?sort=new&page=1", "/products", "/blog/",
         "/ideas", "/ideas/roadmap"]  # fmt: skip


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_SECONDS": 60, "WTF_CSRF_ENABLED": True}  # as in production


@pytest.fixture
def topic(question):  # the shared forum fixture (tests/forum_fixtures.py)
    return question


class Paths:
    """Two clients of one app: ``fast`` through the middleware (as gunicorn calls the
    app), ``flask`` straight to Flask; ``flask_calls`` counts the requests the
    middleware passed on to Flask."""

    def __init__(self, app, wrap=lambda wsgi: wsgi) -> None:
        self.middleware = app.extensions["community.cached_pages"]
        inner = self.middleware.wsgi_app
        self.flask_calls = 0

        def counting(environ, start_response):
            self.flask_calls += 1
            return inner(environ, start_response)

        self.middleware.wsgi_app = counting
        self.fast = app.test_client()
        self.flask = Client(wrap(inner), app.response_class)

    def set_cookie(self, name: str, value: str) -> None:
        for client in (self.fast, self.flask):
            client.set_cookie(name, value)

    def served_before_flask(self, client, *args, **kwargs):
        before = self.flask_calls
        response = client.open(*args, **kwargs)
        assert self.flask_calls == before, "Flask answered a request the middleware should have"
        return response

    def passed_to_flask(self, client, *args, **kwargs):
        before = self.flask_calls
        response = client.open(*args, **kwargs)
        assert self.flask_calls == before + 1, "the middleware answered a request meant for Flask"
        return response


@pytest.fixture
def paths(app):
    return Paths(app)


def _headers(response) -> list[tuple[str, str]]:
    assert response.headers.get("Date")
    return [(k, v) for k, v in response.headers.items() if k != "Date"]


def _same(fast, flask) -> None:
    assert fast.status_code == flask.status_code
    assert _headers(fast) == _headers(flask)
    assert fast.get_data() == flask.get_data()


def _set_session(app, paths, data: dict) -> None:
    """Give both clients the session cookie Flask would have set with ``data``."""
    value = app.session_interface.get_signing_serializer(app).dumps(data)
    paths.set_cookie(app.config["SESSION_COOKIE_NAME"], value)


VARIANTS = {
    "plain": {},
    "head": {"method": "HEAD"},
    "gzip": {"headers": {"Accept-Encoding": "gzip"}},
    "br": {"headers": {"Accept-Encoding": "gzip, deflate, br"}},
    "french": {"headers": {"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}},
    "https": {"base_url": "https://community.test"},
    "other host": {"base_url": "http://other.test"},
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_hit_is_the_same_before_flask_and_in_flask(app, topic, paths, variant):
    options = VARIANTS[variant]
    for path in [*PAGES, f"/forum/t/{topic.slug}/{topic.id}"]:
        paths.passed_to_flask(paths.fast, path, **options)  # a miss: Flask renders and stores it
        fast = paths.served_before_flask(paths.fast, path, **options)
        flask = paths.flask.open(path, **options)  # Flask's own hit path (_serve_from_cache)
        assert fast.status_code == 200, path
        _same(fast, flask)
        assert fast.headers["Cache-Control"] == "public, max-age=0"
    if variant == "https":
        assert fast.headers["Strict-Transport-Security"].startswith("max-age=")
    if variant == "head":
        assert fast.get_data() == b"" and int(fast.headers["Content-Length"]) > 0
    if variant == "gzip":
        assert b"Which tent" in gzip.decompress(fast.get_data())
    if variant == "br":
        assert b"Which tent" in httpcache.brotli.decompress(fast.get_data())
    if variant == "french":
        assert 'lang="fr"' in fast.get_data(as_text=True)


@pytest.mark.parametrize("encoding", ["", "gzip", "br"])
def test_if_none_match_answers_304_before_flask_as_in_flask(app, category, paths, encoding):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = paths.fast.get("/forum", headers=headers)
    headers["If-None-Match"] = first.headers["ETag"]
    fast = paths.served_before_flask(paths.fast, "/forum", headers=headers)
    assert fast.status_code == 304
    _same(fast, paths.flask.get("/forum", headers=headers))
    headers["If-None-Match"] = 'W/"something else"'
    fast = paths.served_before_flask(paths.fast, "/forum", headers=headers)
    assert fast.status_code == 200
    _same(fast, paths.flask.get("/forum", headers=headers))


def test_a_chosen_language_is_served_before_flask_once_the_session_is_settled(app, category, paths):
    paths.fast.get("/forum", headers={"Accept-Language": "fr"})
    paths.fast.get("/forum")
    # The session as the language switch leaves it: Flask-Login marks it not fresh on
    # the next request (a new cookie), so that request goes to Flask.
    _set_session(app, paths, {"lang": "fr"})
    response = paths.passed_to_flask(paths.fast, "/forum")
    assert "Set-Cookie" in response.headers
    assert "Parlons matériel" in response.get_data(as_text=True)
    _set_session(app, paths, {"lang": "fr", "_fresh": False})
    english = {"Accept-Language": "en"}
    fast = paths.served_before_flask(paths.fast, "/forum", headers=english)
    assert "Parlons matériel" in fast.get_data(as_text=True)
    _same(fast, paths.flask.get("/forum", headers=english))
    # A CSRF token from a form page changes nothing either.
    _set_session(app, paths, {"lang": "fr", "_fresh": False, "csrf_token": "abc"})
    _same(paths.served_before_flask(paths.fast, "/forum"), paths.flask.get("/forum"))
    # A cookie that is not the app's (forged, or signed with an old key) is an empty session.
    paths.set_cookie(app.config["SESSION_COOKIE_NAME"], "forged.value.sig")
    fast = paths.served_before_flask(paths.fast, "/forum")
    assert "Gear talk" in fast.get_data(as_text=True)
    _same(fast, paths.flask.get("/forum"))
    # Other keys (a permanent session, a remember-me to clear...) go to Flask.
    _set_session(app, paths, {"lang": "fr", "_fresh": False, "_remember": "clear"})
    paths.passed_to_flask(paths.fast, "/forum")


def test_topic_views_are_counted_on_hits_before_flask(app, topic, paths):
    url = f"/forum/t/{topic.slug}/{topic.id}"
    paths.fast.get(url)
    for _ in range(3):
        paths.served_before_flask(paths.fast, url)
    app.extensions["community.topic_views"].flush()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).view_count == 4


def test_behind_a_proxy_the_middleware_sees_the_client_host_and_scheme(tmp_path, mail_server):
    from community import create_app
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, mail_server, PAGE_CACHE_SECONDS=60, PROXY_COUNT=1))
    with app.app_context():
        db.create_all()
        assert isinstance(app.wsgi_app, ProxyFix)
        assert app.wsgi_app.app is app.extensions["community.cached_pages"]
        paths = Paths(app, wrap=lambda wsgi: ProxyFix(wsgi, x_for=1, x_proto=1, x_host=1))
        forwarded = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "forum.example",
            "X-Forwarded-For": "1.2.3.4",
        }
        paths.passed_to_flask(paths.fast, "/forum", headers=forwarded)
        fast = paths.served_before_flask(paths.fast, "/forum", headers=forwarded)
        assert "Strict-Transport-Security" in fast.headers  # the client's scheme: https
        _same(fast, paths.flask.get("/forum", headers=forwarded))
        # Another forwarded host is another page (its links name that host).
        paths.passed_to_flask(paths.fast, "/forum", headers={**forwarded, "X-Forwarded-Host": "b.example"})
        db.session.remove()
        db.engine.dispose()


# --- what goes to Flask ---------------------------------------------------------------------------


def test_members_go_to_flask(app, category, paths):
    paths.fast.get("/forum")
    app.config["WTF_CSRF_ENABLED"] = False
    assert paths.fast.post("/login", data={"login": "member", "password": PASSWORD}).status_code == 302
    page = paths.passed_to_flask(paths.fast, "/forum")
    assert "Sign out" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_credentials_go_to_flask(app, category, paths):
    paths.fast.get("/forum")
    paths.passed_to_flask(paths.fast, "/forum", headers={"Authorization": "Bearer abc"})
    paths.fast.set_cookie("remember_token", "1|abc")
    paths.passed_to_flask(paths.fast, "/forum")


def test_a_flash_message_goes_to_flask(app, category, paths):
    paths.fast.get("/forum")
    # A cross-site language switch is refused with a flash message.
    paths.fast.post(
        "/language", data={"lang": "fr", "next": "/forum"}, headers={"Origin": "https://evil.example"}
    )
    flashed = paths.passed_to_flask(paths.fast, "/forum")
    assert "Your session expired" in flashed.get_data(as_text=True)
    assert flashed.headers["Cache-Control"] == "private, no-cache"
    # Shown once; the session Flask-Login then marked is left alone by a hit.
    again = paths.served_before_flask(paths.fast, "/forum")
    assert "Your session expired" not in again.get_data(as_text=True)
    # A flash in that settled session goes to Flask too.
    paths.fast.post("/language", data={"lang": "fr"}, headers={"Origin": "https://evil.example"})
    flashed = paths.passed_to_flask(paths.fast, "/forum")
    assert "Your session expired" in flashed.get_data(as_text=True)


@pytest.mark.parametrize("query", ["?utm_source=x", "?page=1%00", "?page=1&utm_source=x"])
def test_unknown_or_odd_query_parameters_go_to_flask(app, category, paths, query):
    paths.fast.get("/forum/c/gear" + query)
    paths.passed_to_flask(paths.fast, "/forum/c/gear" + query)


def test_other_methods_go_to_flask(app, category, paths):
    paths.fast.get("/forum")
    assert paths.passed_to_flask(paths.fast, "/forum", method="POST").status_code in (400, 405)
    paths.passed_to_flask(paths.fast, "/forum", method="OPTIONS")


def test_a_write_sends_the_next_request_to_flask_for_a_fresh_page(app, category, paths):
    paths.fast.get("/forum")
    assert "Gear talk" in paths.served_before_flask(paths.fast, "/forum").get_data(as_text=True)
    category.name_en = "Renamed category"
    db.session.commit()
    fresh = paths.passed_to_flask(paths.fast, "/forum")
    assert "Renamed category" in fresh.get_data(as_text=True)
    assert "Renamed category" in paths.served_before_flask(paths.fast, "/forum").get_data(as_text=True)


def test_pages_not_cached_and_the_cache_turned_off_go_to_flask(app, category, paths):
    for path in ("/login", "/search?q=tent", "/no/such/page"):
        paths.fast.get(path)
        paths.passed_to_flask(paths.fast, path)
    paths.fast.get("/forum")
    app.config["PAGE_CACHE_SECONDS"] = 0
    paths.passed_to_flask(paths.fast, "/forum")


@pytest.mark.parametrize(
    "config",
    [{"TRUSTED_HOSTS": ["community.test"]}, {"RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "1000/minute"}],
)
def test_untrusted_hosts_and_site_wide_rate_limits_go_to_flask(tmp_path, mail_server, config):
    from community import create_app
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, mail_server, PAGE_CACHE_SECONDS=60, **config))
    with app.app_context():
        db.create_all()
        paths = Paths(app)
        base = "http://community.test"
        paths.fast.get("/forum", base_url=base)
        if "TRUSTED_HOSTS" in config:
            paths.served_before_flask(paths.fast, "/forum", base_url=base)
            before = paths.flask_calls
            # Flask refuses the host (a SecurityError; its error page then fails to build
            # URLs without a URL adapter: a separate problem, not the cache's).
            with contextlib.suppress(Exception):
                paths.fast.get("/forum", base_url="http://evil.test")
            assert paths.flask_calls == before + 1
        else:
            assert "X-RateLimit-Limit" in paths.passed_to_flask(paths.fast, "/forum", base_url=base).headers
        db.session.remove()
        db.engine.dispose()


# --- workers start warm -------------------------------------------------------------------------


def test_warm_up_compiles_templates_and_loads_languages_without_sql(app, count_queries):
    from babel import localedata

    with count_queries() as q:
        app.extensions["community.warm_up"]()  # what gunicorn.conf.py calls
    assert q.count == 0  # it runs in gunicorn's master, which never connects
    names = {key[1] for key in app.jinja_env.cache.keys()}
    assert {"base.html", "forum/category.html", "forum/topic.html", "core/home.html"} <= names
    assert {"en", "fr"} <= set(localedata._cache)


# --- one render per page at a time ----------------------------------------------------------------


def test_concurrent_misses_of_one_page_render_it_once(app, category):
    import threading

    endpoint = "forum.index"
    view = app.view_functions[endpoint]
    renders, started, proceed = [], threading.Event(), threading.Event()

    def slow_view(**kwargs):  # the real view, held until the second request is waiting
        renders.append(threading.get_ident())
        started.set()
        proceed.wait(5)
        return view(**kwargs)

    app.view_functions[endpoint] = slow_view
    responses = []

    def visit():
        responses.append(app.test_client().get("/forum"))

    first = threading.Thread(target=visit)
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=visit)
    second.start()
    second.join(0.5)  # the second request waits for the first render
    assert second.is_alive() and len(renders) == 1
    proceed.set()
    first.join(10)
    second.join(10)
    assert len(renders) == 1
    assert [r.status_code for r in responses] == [200, 200]
    assert responses[0].get_data() == responses[1].get_data()
    assert httpcache._rendering == {}


def test_a_failed_render_wakes_the_waiting_requests(app, category):
    endpoint = "forum.index"
    view = app.view_functions[endpoint]

    def failing_view(**kwargs):
        raise RuntimeError("boom")

    app.view_functions[endpoint] = failing_view
    assert app.test_client().get("/forum").status_code == 500
    assert httpcache._rendering == {}
    app.view_functions[endpoint] = view
    assert app.test_client().get("/forum").status_code == 200
