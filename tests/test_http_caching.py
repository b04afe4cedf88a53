"""HTTP speed: the anonymous page cache and its invalidation, conditional GET, hashed
static URLs and compression (community/httpcache.py)."""

from __future__ import annotations

import gzip
import re

import pytest
from redis import Redis

from community import httpcache
from community.content import services as content_services
from community.forum import services
from models import ContentState, Topic, db
from tests import backends

PUBLIC_PAGES = [
    "/",
    "/forum",
    "/forum/latest",
    "/forum/c/gear",
    "/products",
    "/blog/",
    "/ideas",
    "/ideas/roadmap",
]


@pytest.fixture
def app_config():
    return {"PAGE_CACHE_SECONDS": 60, "WTF_CSRF_ENABLED": True}  # as in production


def _topic_url(topic: Topic) -> str:
    return f"/forum/t/{topic.slug}/{topic.id}"


def _anonymous(app):
    return app.test_client()


def _sign_in(app, client, name):
    from tests.factories import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = False
    assert client.post("/login", data={"login": name, "password": PASSWORD}).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _static(client, url, **kwargs):
    """GET a static file, reading and closing the response (send_file streams a file)."""
    with client.get(url, **kwargs) as response:
        response.get_data()
        return response


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_anonymous_page_served_from_cache_without_sql(app, question, count_queries, path):
    client = _anonymous(app)
    first = client.get(path)
    assert first.status_code == 200
    with count_queries() as q:
        second = client.get(path)
    assert q.count == 0, q.statements
    assert second.get_data() == first.get_data()
    assert second.headers["Cache-Control"] == f"public, max-age={app.config['PAGE_CACHE_MAX_AGE']}"
    assert {"Cookie", "Accept-Language"} <= set(second.vary)
    # Security headers are still sent on a cached page.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_topic_page_cached_and_views_still_counted(app, question, count_queries):
    client = _anonymous(app)
    url = _topic_url(question)
    client.get(url)
    with count_queries() as q:
        for _ in range(3):
            assert "Which tent for the Alps?" in client.get(url).get_data(as_text=True)
    assert q.count == 0, q.statements
    app.extensions["community.topic_views"].flush()
    db.session.expire_all()
    assert db.session.get(Topic, question.id).view_count == 4


def test_reading_a_topic_never_writes_its_view_count_in_the_request(app, question, users, count_queries):
    """Cached or not, anonymous or signed in: views go to the buffer (no write lock per
    read on SQLite) and all arrive in the database when it is flushed."""
    url = _topic_url(question)
    member = app.test_client()
    _sign_in(app, member, "member")
    with count_queries() as q:
        _anonymous(app).get(url)  # rendered (nothing cached yet)
        _anonymous(app).get(url)  # from the cache
        member.get(url)
        member.get(url + "?page=1")
    writes = [s for s in q.statements if not s.lstrip().upper().startswith("SELECT")]
    assert writes and all("forum_read" in s for s in writes), writes  # the member's read marks only
    db.session.expire_all()
    assert db.session.get(Topic, question.id).view_count == 0
    app.extensions["community.topic_views"].flush()
    db.session.expire_all()
    assert db.session.get(Topic, question.id).view_count == 4


def test_view_buffer_flushes_by_count_and_keeps_what_a_failed_flush_could_not_write():
    written: list[dict[int, int]] = []
    failures = [RuntimeError("database is locked")]

    def write(counts):
        if failures:
            raise failures.pop()
        written.append(dict(counts))

    buffer = httpcache.ViewBuffer(write, interval=3600, limit=3)
    buffer.add(1)
    buffer.add(2)
    assert written == []
    buffer.add(1)  # the third view: due, but the write fails; the views are kept
    assert written == []
    buffer.add(2)
    assert written == [{1: 2, 2: 2}]
    buffer.add(5)
    httpcache._flush_views_at_exit()  # what the process does when it exits
    assert written == [{1: 2, 2: 2}, {5: 1}]


def test_public_page_carries_no_session_token_and_sets_no_cookie(app, question):
    client = _anonymous(app)
    for path in [*PUBLIC_PAGES, _topic_url(question)]:
        response = client.get(path)
        assert "csrf_token" not in response.get_data(as_text=True), path
        assert "X-CSRFToken" not in response.get_data(as_text=True), path
        assert "Set-Cookie" not in response.headers, path
    # Pages that are not cached keep their token (the sign-in form).
    assert 'name="csrf_token"' in client.get("/login").get_data(as_text=True)


def test_anonymous_language_switch_works_without_token_but_not_cross_site(app):
    client = _anonymous(app)
    response = client.post("/language", data={"lang": "fr", "next": "/forum"})
    assert response.status_code == 302
    assert 'lang="fr"' in client.get("/forum").get_data(as_text=True)
    other = _anonymous(app)
    response = other.post(
        "/language", data={"lang": "fr", "next": "/forum"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 302
    page = other.get("/forum")
    assert 'html lang="en"' in page.get_data(as_text=True)


def test_signed_in_language_switch_still_needs_the_token(app, client, users):
    _sign_in(app, client, "member")
    client.post("/language", data={"lang": "fr", "next": "/forum"})
    assert 'html lang="en"' in client.get("/forum").get_data(as_text=True)
    page = client.get("/forum").get_data(as_text=True)
    token = _token(page)
    client.post("/language", data={"lang": "fr", "next": "/forum", "csrf_token": token})
    assert 'html lang="fr"' in client.get("/forum").get_data(as_text=True)


def test_language_is_part_of_the_key(app, category):
    client = _anonymous(app)
    english = client.get("/forum", headers={"Accept-Language": "en"}).get_data(as_text=True)
    french = client.get("/forum", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Gear talk" in english and "Parlons matériel" not in english
    assert "Parlons matériel" in french
    again = client.get("/forum", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert again == english


def test_reply_through_the_service_shows_on_the_next_anonymous_page(app, question, users):
    client = _anonymous(app)
    url = _topic_url(question)
    assert "Boréal Dôme" not in client.get(url).get_data(as_text=True)
    services.reply(question, users["moderator"], "Try the Boréal Dôme 2.")
    db.session.commit()
    assert "Boréal Dôme" in client.get(url).get_data(as_text=True)
    assert client.get("/forum/c/gear").get_data(as_text=True).count("Which tent") == 1


def test_reply_posted_by_a_member_through_the_site_invalidates(app, question, login):
    anonymous = _anonymous(app)
    url = _topic_url(question)
    before = anonymous.get(url).get_data(as_text=True)
    assert "Sleeping bags too" not in before
    member_client = app.test_client()
    _sign_in(app, member_client, "member")
    token = _token(member_client.get(url).get_data(as_text=True))
    response = member_client.post(
        f"/forum/t/{question.id}/reply",
        data={"body": "Sleeping bags too, then.", "language": "en", "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Sleeping bags too" in anonymous.get(url).get_data(as_text=True)


def test_moderation_state_change_invalidates(app, question, users):
    client = _anonymous(app)
    item = services.reply(question, users["member"], "Buy my cheap watches")
    db.session.commit()
    url = _topic_url(question)
    assert "cheap watches" in client.get(url).get_data(as_text=True)
    content_services.set_state(item, users["moderator"], ContentState.HIDDEN, "spam")
    db.session.commit()
    assert "cheap watches" not in client.get(url).get_data(as_text=True)


def test_direct_database_write_invalidates(app, category):
    client = _anonymous(app)
    assert "Renamed category" not in client.get("/forum").get_data(as_text=True)
    category.name_en = "Renamed category"
    db.session.commit()
    assert "Renamed category" in client.get("/forum").get_data(as_text=True)


def test_bookkeeping_writes_do_not_invalidate(app, question, users, count_queries):
    client = _anonymous(app)
    client.get("/forum")
    before = app.extensions["community.page_generation"].current()
    users["member"].posts_read += 3
    users["member"].last_seen_at = users["member"].created_at
    services.mark_read(question.id, users["member"], 1)
    db.session.commit()
    services.add_views({question.id: 2})
    assert app.extensions["community.page_generation"].current() == before
    with count_queries() as q:
        client.get("/forum")
    assert q.count == 0


def test_signed_in_members_never_get_a_cached_page(app, question, users, count_queries):
    anonymous = _anonymous(app)
    url = _topic_url(question)
    anonymous.get(url)
    anonymous.get(url)
    member = app.test_client()
    _sign_in(app, member, "member")
    with count_queries() as q:
        page = member.get(url)
    assert q.count > 0
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert "Sign out" in page.get_data(as_text=True)
    assert users["member"].name in page.get_data(as_text=True)
    # Another member and the anonymous visitor never see the first member's page.
    staff = app.test_client()
    _sign_in(app, staff, "staff")
    staff_page = staff.get(url).get_data(as_text=True)
    assert f">\n          {users['member'].name}</a>" not in staff_page
    assert users["staff"].name in staff_page
    anonymous_page = anonymous.get(url).get_data(as_text=True)
    assert "Sign out" not in anonymous_page
    assert "Sign in" in anonymous_page


def test_flash_messages_are_never_cached(app, category):
    visitor = _anonymous(app)
    # A cross-site language switch is refused with a flash message, then the home page.
    visitor.post(
        "/language", data={"lang": "fr", "next": "/forum"}, headers={"Origin": "https://evil.example"}
    )
    flashed = visitor.get("/forum")
    assert "Your session expired" in flashed.get_data(as_text=True)
    assert flashed.headers["Cache-Control"] == "private, no-cache"
    assert "Your session expired" not in visitor.get("/forum").get_data(as_text=True)
    assert "Your session expired" not in _anonymous(app).get("/forum").get_data(as_text=True)


def test_unknown_query_parameters_are_not_cached(app, category, count_queries):
    client = _anonymous(app)
    client.get("/forum?utm_source=x")
    with count_queries() as q:
        client.get("/forum?utm_source=x")
    assert q.count > 0
    # Known parameters are, whatever their order.
    client.get("/forum/c/gear?sort=new&page=1")
    with count_queries() as q:
        client.get("/forum/c/gear?page=1&sort=new")
    assert q.count == 0


def test_cache_can_be_turned_off(app, category, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0
    client = _anonymous(app)
    client.get("/forum")
    with count_queries() as q:
        response = client.get("/forum")
    assert q.count > 0
    assert response.headers["Cache-Control"] == "private, no-cache"


# --- conditional GET ---------------------------------------------------------------------------


def test_if_none_match_answers_304(app, category):
    client = _anonymous(app)
    first = client.get("/forum")
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    again = client.get("/forum", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert client.get("/forum", headers={"If-None-Match": 'W/"other"'}).status_code == 200
    # Once the content changes, the old ETag no longer matches.
    category.name_en = "Tents"
    db.session.commit()
    assert client.get("/forum", headers={"If-None-Match": etag}).status_code == 200


def test_signed_in_pages_are_private_with_etag(app, client, category):
    _sign_in(app, client, "member")
    response = client.get("/account")
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["ETag"].startswith('W/"')


# --- static files --------------------------------------------------------------------------------


def test_static_urls_are_hashed_and_cached_for_a_year(app):
    client = _anonymous(app)
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/community\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "the stylesheet link carries its content hash"
    assert re.search(r'src="/static/js/community\.js\?v=[0-9a-f]{12}"', page)
    hashed = _static(client, match.group(1))
    assert hashed.status_code == 200
    assert hashed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = _static(client, "/static/css/community.css")
    assert plain.headers["Cache-Control"] == "public, max-age=300"
    stale = _static(client, "/static/css/community.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "public, max-age=300"
    assert hashed.get_data() == plain.get_data()


def test_static_hash_follows_the_content(app):
    manifest = app.extensions["community.static_manifest"]
    import hashlib
    from pathlib import Path

    body = (Path(app.static_folder) / "css/community.css").read_bytes()
    assert manifest.version("css/community.css") == hashlib.sha256(body).hexdigest()[:12]
    assert manifest.version("../app.py") is None
    assert manifest.version("does/not/exist.css") is None


# --- compression ---------------------------------------------------------------------------------


def test_gzip_when_accepted_and_not_otherwise(app, question):
    client = _anonymous(app)
    plain = client.get("/forum")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.vary
    for _ in range(2):  # a miss, then a cached page
        zipped = client.get("/forum", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped.get_data()) == plain.get_data()
        assert int(zipped.headers["Content-Length"]) < len(plain.get_data())
        assert zipped.headers["ETag"] == plain.headers["ETag"]  # weak: the same page
    assert (
        client.get("/forum", headers={"Accept-Encoding": "gzip;q=0"}).headers.get("Content-Encoding") is None
    )
    # 304s are not compressed; a conditional request still matches the compressed ETag.
    not_modified = client.get(
        "/forum", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert not_modified.status_code == 304
    assert "Content-Encoding" not in not_modified.headers


def test_brotli_preferred_when_accepted(app, category):
    client = _anonymous(app)
    plain = client.get("/forum").get_data()
    response = client.get("/forum", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert httpcache.brotli.decompress(response.get_data()) == plain


def test_static_files_compressed_and_small_ones_left_alone(app):
    client = _anonymous(app)
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/vendor/bootstrap\.min\.css\?v=[0-9a-f]{12})"', page).group(1)
    plain = _static(client, css)
    zipped = _static(client, css, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert zipped.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert zipped.headers["ETag"].startswith('W/"')
    revalidated = _static(
        client, css, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    # A short text response is sent as is.
    robots = client.get("/robots.txt", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in robots.headers


# --- the Redis backend ---------------------------------------------------------------------------

REDIS_URL = backends.REDIS_URL or "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_app(tmp_path, mail_server):
    from community import create_app
    from tests.conftest import make_config

    prefix = f"{backends.REDIS_PREFIX}_pagecache_{tmp_path.name}"
    app = create_app(
        make_config(
            tmp_path, mail_server, REDIS_URL=REDIS_URL, RATELIMIT_STORAGE_URI=REDIS_URL,
            CACHE_KEY_PREFIX=f"{prefix}:", PAGE_CACHE_SECONDS=60,
        )
    )  # fmt: skip
    with app.app_context():
        if not backends.DATABASE_URL:
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    backends.clean_redis(REDIS_URL, prefix)


def test_redis_backend_serves_and_invalidates(count_queries, redis_app):
    from tests.factories import UserFactory

    app = redis_app
    assert app.config["CACHE_TYPE"] == "RedisCache"
    assert isinstance(app.extensions["community.page_generation"], httpcache.CacheGeneration)
    admin = UserFactory(role="admin")
    db.session.commit()
    services.save_category(
        admin,
        None,
        slug="gear",
        name_en="Gear talk",
        name_fr="Matériel",
        description_en="",
        description_fr="",
    )
    db.session.commit()
    client = app.test_client()
    assert "Gear talk" in client.get("/forum").get_data(as_text=True)
    with count_queries() as q:
        assert "Gear talk" in client.get("/forum").get_data(as_text=True)
    assert q.count == 0
    redis = Redis.from_url(REDIS_URL)
    assert list(redis.scan_iter(match=f"{app.config['CACHE_KEY_PREFIX']}page:*"))
    redis.close()
    services.save_category(
        admin,
        None,
        slug="tents",
        name_en="Tents only",
        name_fr="Tentes",
        description_en="",
        description_fr="",
    )
    db.session.commit()
    assert "Tents only" in client.get("/forum").get_data(as_text=True)


# --- fragments -----------------------------------------------------------------------------------


def test_home_blocks_are_cached_for_members_and_follow_writes(app, client, question, users, count_queries):
    _sign_in(app, client, "member")
    assert "Which tent for the Alps?" in client.get("/").get_data(as_text=True)
    with count_queries() as uncached:
        client.get("/")  # the fragment cache is off (tests/conftest.py)
    app.config["FRAGMENT_CACHE_SECONDS"] = 60
    client.get("/")
    with count_queries() as cached:
        page = client.get("/").get_data(as_text=True)
    assert cached.count < uncached.count - 4  # five blocks, one or two queries each
    assert users["member"].name in page  # the member's own header is not cached
    services.open_topic(
        question.category, users["staff"], "Sleeping bag ratings", "Comfort or limit?", "question", "en"
    )
    db.session.commit()
    assert "Sleeping bag ratings" in client.get("/").get_data(as_text=True)


def test_scheduled_article_appears_at_its_time(app, users):
    import time
    from datetime import timedelta

    from community.blog import services as blog_services
    from community.blog.services import ArticleData
    from models import utcnow

    client = _anonymous(app)
    when = utcnow() + timedelta(seconds=2)
    blog_services.create_article(
        users["staff"],
        ArticleData(title="Storm test", body="Text.", summary="About it", tags=["tents"], status="scheduled",
                    publish_at=when, language="en"),
    )  # fmt: skip
    db.session.commit()
    assert "Storm test" not in client.get("/blog/").get_data(as_text=True)
    assert "Storm test" not in client.get("/blog/").get_data(as_text=True)  # from the cache
    time.sleep(max(0.0, (when - utcnow()).total_seconds()) + 0.2)
    assert "Storm test" in client.get("/blog/").get_data(as_text=True)


def test_raw_sql_write_invalidates(app, category):
    from sqlalchemy import text

    client = _anonymous(app)
    assert "Raw rename" not in client.get("/forum").get_data(as_text=True)
    db.session.execute(text("UPDATE forum_category SET name_en = 'Raw rename'"))
    db.session.commit()
    assert "Raw rename" in client.get("/forum").get_data(as_text=True)


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        ("SELECT 1", False),
        ("INSERT INTO forum_reply (id) VALUES (?)", True),
        ('UPDATE "user" SET posts_read=?, last_visit_on=? WHERE "user".id = ?', False),
        ('UPDATE "user" SET display_name=? WHERE "user".id = ?', True),
        ("UPDATE forum_topic SET view_count=(forum_topic.view_count + ?) WHERE forum_topic.id = ?", False),
        ("UPDATE forum_topic SET reply_count=?, view_count=? WHERE forum_topic.id = ?", True),
        ("INSERT INTO forum_read (user_id, topic_id) VALUES (?, ?) ON CONFLICT DO UPDATE SET x=1", False),
        ("DELETE FROM notification WHERE id = ?", False),
        ("DELETE FROM idea_vote WHERE id = ?", True),
    ],
)
def test_which_statements_invalidate(statement, public):
    assert httpcache.writes_public_content(statement) is public
