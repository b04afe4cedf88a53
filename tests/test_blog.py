"""The blog: articles by staff (draft, scheduled, published), tags, comments with
one level of replies, feeds, sitemap, home block, API, and bad input."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage

from community.blog import services
from community.blog.services import ArticleData
from community.content import services as content
from community.errors import Conflict, InvalidInput, PermissionDenied
from models import Article, ArticleComment, ContentState, Tag, db, utcnow

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _png(size=(60, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def write(users):
    """``write("Title", status=..., tags=[...])`` stores an article by staff and commits."""

    def _write(title: str, *, status: str = "published", tags=("tents",), body: str = "Some **text**.",
               publish_at=None, author: str = "staff", language: str = "en", **extra) -> Article:  # fmt: skip
        article = services.create_article(
            users[author],
            ArticleData(title=title, body=body, summary=f"About {title}", tags=list(tags), status=status,
                        publish_at=publish_at, language=language, **extra),
        )  # fmt: skip
        db.session.commit()
        return article

    return _write


def _make_public_now(article: Article) -> None:
    """Time passes: the scheduled moment is now behind us (no job runs)."""
    article.publish_at = utcnow() - timedelta(seconds=1)
    db.session.commit()


# --- visibility and scheduling ----------------------------------------------------------------


def test_only_public_articles_are_listed(client, write, users):
    write("Live one")
    write("A draft", status="draft")
    write("Later", status="scheduled", publish_at=utcnow() + timedelta(days=2))
    hidden = write("Hidden one")
    content.set_state(hidden, users["moderator"], ContentState.HIDDEN, "spam")
    db.session.commit()

    page = client.get("/blog/").get_data(as_text=True)
    assert "Live one" in page
    assert "A draft" not in page and "Later" not in page and "Hidden one" not in page
    assert client.get("/blog/a-draft").status_code == 404
    assert client.get("/blog/later").status_code == 404
    assert client.get("/blog/hidden-one").status_code == 404


def test_scheduled_article_appears_by_itself_when_its_time_passes(client, write):
    later = write("Winter tents", status="scheduled", publish_at=utcnow() + timedelta(hours=1))
    assert "Winter tents" not in client.get("/blog/").get_data(as_text=True)
    assert client.get("/blog/winter-tents").status_code == 404
    _make_public_now(later)
    assert "Winter tents" in client.get("/blog/").get_data(as_text=True)
    assert client.get("/blog/winter-tents").status_code == 200
    assert "Winter tents" in client.get("/blog/feed.atom").get_data(as_text=True)


def test_staff_preview_drafts_and_scheduled(client, login, write):
    write("Secret draft", status="draft")
    write("Coming soon", status="scheduled", publish_at=utcnow() + timedelta(days=1))
    login("staff")
    index = client.get("/blog/").get_data(as_text=True)
    assert "Drafts and scheduled articles" in index and "Secret draft" in index and "Coming soon" in index
    draft = client.get("/blog/secret-draft")
    assert draft.status_code == 200
    assert "Preview: this article is a draft" in draft.get_data(as_text=True)
    assert 'name="robots" content="noindex"' in draft.get_data(as_text=True)
    assert "is scheduled and appears by itself" in client.get("/blog/coming-soon").get_data(as_text=True)


def test_members_do_not_see_drafts(client, login, write):
    write("Secret draft", status="draft")
    login("member")
    assert client.get("/blog/secret-draft").status_code == 404
    assert "Secret draft" not in client.get("/blog/").get_data(as_text=True)


# --- writing through the pages ---------------------------------------------------------------


def _form(**overrides):
    data = {"title": "Choosing a tent", "slug": "", "summary": "Three seasons or four?",
            "body": "A long text " * 50, "tags": "tents, guides", "language": "en", "status": "draft",
            "publish_at": ""}  # fmt: skip
    data.update(overrides)
    return data


def test_staff_write_a_draft_then_schedule_it(client, login):
    login("staff")
    response = client.post("/blog/new", data=_form())
    assert response.status_code == 302 and response.location == "/blog/choosing-a-tent"
    article = db.session.scalar(db.select(Article))
    assert article.status == "draft" and article.author_role == "staff" and article.reading_minutes == 1
    assert [t.slug for t in db.session.scalars(db.select(Tag).order_by(Tag.slug))] == ["guides", "tents"]

    when = (utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S")
    response = client.post("/blog/choosing-a-tent/edit", data=_form(status="scheduled", publish_at=when))
    assert response.status_code == 302
    db.session.expire_all()
    article = db.session.scalar(db.select(Article))
    assert article.status == "scheduled" and article.publish_at.strftime("%Y-%m-%dT%H:%M:%S") == when


def test_byline_shows_the_staff_label(client, write):
    write("Meet the team")
    page = client.get("/blog/meet-the-team").get_data(as_text=True)
    assert "role-staff" in page and "Staff" in page


def test_member_may_not_write_or_edit(client, login, write):
    write("Official")
    login("member")
    assert client.get("/blog/new").status_code == 403
    assert client.post("/blog/new", data=_form()).status_code == 403
    assert client.post("/blog/official/edit", data=_form(title="Hacked")).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 1
    db.session.expire_all()
    assert db.session.scalar(db.select(Article.title)) == "Official"
    with pytest.raises(PermissionDenied):
        services.create_article(_user("member"), ArticleData(title="x", body="y"))


def _user(username):
    from models import User

    return db.session.scalar(db.select(User).where(User.username == username))


def test_duplicate_slug_is_refused(client, login, write):
    write("Choosing a tent")
    login("staff")
    response = client.post("/blog/new", data=_form())
    assert response.status_code == 422
    assert "Another article already uses this address." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 1
    with pytest.raises(Conflict):
        services.create_article(_user("staff"), ArticleData(title="Other", slug="choosing-a-tent", body="x"))


def test_scheduled_date_in_the_past_is_refused(client, login):
    login("staff")
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/blog/new", data=_form(status="scheduled", publish_at=past))
    assert response.status_code == 422
    assert "The publication date must be in the future." in response.get_data(as_text=True)
    response = client.post("/blog/new", data=_form(status="scheduled"))
    assert response.status_code == 422 and "Give the date and time of publication." in response.get_data(
        as_text=True
    )
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 0


def test_cover_image_is_checked(app, client, login):
    login("staff")
    fake = client.post("/blog/new", data=_form(cover=(io.BytesIO(b"just text"), "cover.png")),
                       content_type="multipart/form-data")  # fmt: skip
    assert fake.status_code == 422 and "not an image we accept" in fake.get_data(as_text=True)
    app.config["UPLOAD_MAX_BYTES"] = 100
    big = client.post("/blog/new", data=_form(cover=(io.BytesIO(_png((300, 300))), "big.png")),
                      content_type="multipart/form-data")  # fmt: skip
    assert big.status_code == 422 and "too large" in big.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 0
    app.config["UPLOAD_MAX_BYTES"] = 5 * 1024 * 1024
    good = client.post("/blog/new", data=_form(status="published", cover=(io.BytesIO(_png()), "c.png")),
                       content_type="multipart/form-data")  # fmt: skip
    assert good.status_code == 302
    article = db.session.scalar(db.select(Article))
    assert article.cover_image and article.cover_image.endswith(".png")
    page = client.get(good.location).get_data(as_text=True)
    assert (
        f"/media/{article.cover_image}" in page
        and 'name="twitter:card" content="summary_large_image"' in page
    )


# --- reading -----------------------------------------------------------------------------------


def test_article_page_has_reading_time_meta_and_json_ld(client, write):
    write("Headlamps explained", body="word " * 450, tags=["light"])
    page = client.get("/blog/headlamps-explained").get_data(as_text=True)
    assert "3 min read" in page
    assert '<meta property="og:title" content="Headlamps explained">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["@type"] == "BlogPosting" and data["headline"] == "Headlamps explained"
    assert data["url"] == "http://localhost/blog/headlamps-explained" and data["keywords"] == "light"


def test_related_articles_share_tags(client, write):
    write("Main", tags=["tents", "winter"])
    write("Both tags", tags=["tents", "winter"])
    write("One tag", tags=["winter"])
    write("Unrelated", tags=["stoves"])
    write("Draft related", tags=["tents", "winter"], status="draft")
    page = client.get("/blog/main").get_data(as_text=True)
    related = page[page.index("Related articles") :]
    assert related.index("Both tags") < related.index("One tag")
    assert "Unrelated" not in related and "Draft related" not in related


def test_tag_page_lists_only_that_tag(client, write):
    write("Tent story", tags=["tents"])
    write("Stove story", tags=["stoves"])
    page = client.get("/blog/tag/tents").get_data(as_text=True)
    assert "Tent story" in page and "Stove story" not in page
    assert client.get("/blog/tag/nope").status_code == 404


def test_index_pages_by_twelve(client, write):
    for i in range(14):
        write(f"Article number {i:02d}")
    first = client.get("/blog/").get_data(as_text=True)
    assert first.count('class="card h-100 article-card"') == 12 and "Page 1 of 2" in first
    second = client.get("/blog/?page=2").get_data(as_text=True)
    assert second.count('class="card h-100 article-card"') == 2
    assert client.get("/blog/?page=3").status_code == 404


# --- comments -------------------------------------------------------------------------------------


def test_member_comments_and_another_replies(client, login, write, auth):
    write("Open to comments")
    login("member")
    response = client.post("/blog/open-to-comments/comments", data={"body": "Great article!"})
    assert response.status_code == 302
    first = db.session.scalar(db.select(ArticleComment))
    assert response.location.endswith(f"#comment-{first.id}")
    auth.logout()
    login("staff")
    response = client.post("/blog/open-to-comments/comments", data={"body": "Thanks!", "parent_id": first.id})
    assert response.status_code == 302
    reply = db.session.scalar(db.select(ArticleComment).where(ArticleComment.parent_id == first.id))
    # A reply to a reply joins the same thread: one level only.
    client.post("/blog/open-to-comments/comments", data={"body": "Nested?", "parent_id": reply.id})
    nested = db.session.scalar(db.select(ArticleComment).order_by(ArticleComment.id.desc()))
    assert nested.parent_id == first.id
    page = client.get("/blog/open-to-comments").get_data(as_text=True)
    assert "3 comments" in page and "Great article!" in page and "Thanks!" in page


def test_hidden_comment_shows_the_reason_and_leaves_the_count(client, write, users):
    article = write("Moderated")
    comment = services.add_comment(article, users["member"], "Rude words")
    db.session.commit()
    assert db.session.get(Article, article.id).comment_count == 1
    content.set_state(comment, users["moderator"], ContentState.HIDDEN, "insults")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Article, article.id).comment_count == 0
    page = client.get("/blog/moderated").get_data(as_text=True)
    assert "Rude words" not in page and "Hidden by the moderators: insults" in page


def test_comment_on_a_draft_is_refused(client, login, write, users):
    draft = write("Not yet", status="draft")
    with pytest.raises(InvalidInput, match="Comments open once"):
        services.add_comment(draft, users["member"], "First!")
    login("member")
    assert client.post("/blog/not-yet/comments", data={"body": "First!"}).status_code == 404
    assert db.session.scalar(db.select(db.func.count(ArticleComment.id))) == 0


def test_empty_comment_re_renders_with_a_message(client, login, write):
    write("Open")
    login("member")
    response = client.post("/blog/open/comments", data={"body": "   "})
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ArticleComment.id))) == 0


def test_visitors_are_invited_to_sign_in_to_comment(client, write):
    write("Open")
    page = client.get("/blog/open").get_data(as_text=True)
    assert "Sign in to comment" in page and "Publish the comment" not in page
    assert client.post("/blog/open/comments", data={"body": "hi"}).status_code == 302  # to the sign-in page
    assert db.session.scalar(db.select(db.func.count(ArticleComment.id))) == 0


def test_comment_permalink_goes_to_the_article(client, write, users):
    article = write("Linked")
    comment = services.add_comment(article, users["member"], "Hello")
    db.session.commit()
    response = client.get(f"/c/{comment.id}")
    assert response.status_code == 302 and response.location == f"/blog/linked#comment-{comment.id}"
    assert client.get(f"/c/{article.id}").location == "/blog/linked"


# --- feeds, sitemap, robots, home -------------------------------------------------------------------


def _feed_setup(write):
    write("Tent news", tags=["tents"])
    write("Stove news", tags=["stoves"])
    write("Draft news", tags=["tents"], status="draft")
    write("Future news", tags=["tents"], status="scheduled", publish_at=utcnow() + timedelta(days=1))


def test_atom_feeds(client, write):
    _feed_setup(write)
    response = client.get("/blog/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Stove news", "Tent news"]
    tent = entries[1]
    assert tent.find(f"{ATOM}link").get("href") == "http://localhost/blog/tent-news"
    assert "<strong>text</strong>" in tent.find(f"{ATOM}content").text
    assert tent.find(f"{ATOM}author/{ATOM}name").text == "Staff"
    assert tent.find(f"{ATOM}category").get("term") == "tents"

    tagged = ET.fromstring(client.get("/blog/tag/tents/feed.atom").data)
    assert [e.find(f"{ATOM}title").text for e in tagged.findall(f"{ATOM}entry")] == ["Tent news"]
    assert client.get("/blog/tag/nope/feed.atom").status_code == 404


def test_rss_feeds(client, write):
    _feed_setup(write)
    response = client.get("/blog/feed.rss")
    assert response.status_code == 200 and response.mimetype == "application/rss+xml"
    channel = ET.fromstring(response.data).find("channel")
    items = channel.findall("item")
    assert [i.find("title").text for i in items] == ["Stove news", "Tent news"]
    assert items[1].find("link").text == "http://localhost/blog/tent-news"
    assert items[1].find("description").text == "About Tent news"
    tagged = ET.fromstring(client.get("/blog/tag/stoves/feed.rss").data).find("channel")
    assert [i.find("title").text for i in tagged.findall("item")] == ["Stove news"]


def test_sitemap_lists_only_public_pages(client, write):
    _feed_setup(write)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{SITEMAP}urlset"
    locs = [u.find(f"{SITEMAP}loc").text for u in root.findall(f"{SITEMAP}url")]
    assert "http://community.test/" in locs and "http://community.test/blog/" in locs
    assert "http://community.test/blog/tent-news" in locs
    assert not any("draft-news" in loc or "future-news" in loc for loc in locs)
    for url in root.findall(f"{SITEMAP}url"):
        lastmod = url.find(f"{SITEMAP}lastmod")
        assert lastmod is None or re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$", lastmod.text)


def test_robots_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert "Sitemap: http://community.test/sitemap.xml" in body and "Disallow: /api/" in body


def test_home_page_shows_latest_articles_and_invites_visitors(client, write, login):
    empty = client.get("/").get_data(as_text=True)
    assert "From the blog" not in empty and "Join the conversation" in empty
    for title in ("First", "Second", "Third", "Fourth"):
        write(f"{title} article")
    write("Draft article", status="draft")
    page = client.get("/").get_data(as_text=True)
    assert "From the blog" in page
    assert "Fourth article" in page and "Second article" in page and "First article" not in page
    assert "Draft article" not in page
    login("member")
    assert "Join the conversation" not in client.get("/").get_data(as_text=True)


def test_nav_has_the_blog(client):
    assert '<a class="nav-link header-link' in client.get("/").get_data(as_text=True)
    assert 'href="/blog/"' in client.get("/").get_data(as_text=True)


# --- fixed query counts --------------------------------------------------------------------------


def _seed(write, users, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        article = write(f"Seeded {i}", tags=["tents", f"tag{i % 3}"])
        for _ in range(2):
            services.add_comment(article, users["member"], f"Comment on {i}")
        db.session.commit()


@pytest.mark.parametrize("path", ["/blog/", "/blog/tag/tents", "/blog/seeded-0", "/", "/blog/feed.atom"])
def test_pages_issue_a_fixed_number_of_queries(client, write, users, count_queries, path):
    _seed(write, users, 2)
    client.get(path)  # warm-up
    with count_queries() as small:
        assert client.get(path).status_code == 200
    _seed(write, users, 12, start=2)
    db.session.expire_all()
    with count_queries() as large:
        assert client.get(path).status_code == 200
    assert small.count == large.count, (small.statements, large.statements)
    # The home page gathers every feature's block (blog, forum, ideas, reviews): a bigger budget.
    assert large.count <= (12 if path == "/" else 8)


# --- API ---------------------------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    from community.auth import services as account_services

    _token, secret = account_services.create_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_api_documents_the_blog(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/articles/{article_id}/comments",
    } <= set(paths)
    assert {"get", "post"} <= set(paths["/api/v1/articles"]) and "patch" in paths[
        "/api/v1/articles/{article_id}"
    ]


def test_api_articles_lifecycle(client, users):
    staff = _bearer(users["staff"])
    created = client.post("/api/v1/articles", headers=staff, json={
        "title": "From the API", "body": "Hello **world**", "tags": ["api", "news"], "status": "draft"})  # fmt: skip
    assert created.status_code == 201
    body = created.get_json()
    assert body["url"] == "/blog/from-the-api" and isinstance(body["id"], int)
    article_id = body["id"]
    assert client.get(f"/api/v1/articles/{article_id}").status_code == 404  # a draft, for the public
    assert client.get(f"/api/v1/articles/{article_id}", headers=staff).get_json()["status"] == "draft"
    assert client.get("/api/v1/articles").get_json() == []

    patched = client.patch(f"/api/v1/articles/{article_id}", headers=staff, json={"status": "published"})
    assert patched.status_code == 200 and patched.get_json()["status"] == "published"
    listed = client.get("/api/v1/articles").get_json()
    assert [a["title"] for a in listed] == ["From the API"]
    assert listed[0]["author"]["role"] == "staff" and [t["slug"] for t in listed[0]["tags"]] == [
        "api",
        "news",
    ]

    member = _bearer(users["member"])
    comment = client.post(f"/api/v1/articles/{article_id}/comments", headers=member, json={"body": "Nice"})
    assert comment.status_code == 201
    comment_id = comment.get_json()["id"]
    assert comment.get_json()["url"] == f"/blog/from-the-api#comment-{comment_id}"
    reply = client.post(f"/api/v1/articles/{article_id}/comments", headers=staff,
                        json={"body": "Thanks", "parent_id": comment_id})  # fmt: skip
    assert reply.status_code == 201
    comments = client.get(f"/api/v1/articles/{article_id}/comments").get_json()
    assert [(c["parent_id"], c["author"]["username"]) for c in comments] == [
        (None, "member"),
        (comment_id, "staff"),
    ]


def test_api_bad_input(client, users):
    staff, member = _bearer(users["staff"]), _bearer(users["member"])
    assert client.post("/api/v1/articles", json={"title": "x", "body": "y"}).status_code == 401
    refused = client.post("/api/v1/articles", headers=member, json={"title": "x", "body": "y"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    first = client.post(
        "/api/v1/articles", headers=staff, json={"title": "Same", "body": "y", "status": "published"}
    )
    dup = client.post("/api/v1/articles", headers=staff, json={"title": "Same", "body": "z"})
    assert dup.status_code == 409 and dup.get_json()["error"]["code"] == "duplicate_slug"
    past = (utcnow() - timedelta(hours=1)).isoformat()
    sched = client.post("/api/v1/articles", headers=staff,
                        json={"title": "Old", "body": "z", "status": "scheduled", "publish_at": past})  # fmt: skip
    assert sched.status_code == 422 and sched.get_json()["error"]["code"] == "publish_at_past"
    missing = client.post("/api/v1/articles", headers=staff, json={"title": "No body"})
    assert missing.status_code == 422 and "body" in missing.get_json()["error"]["details"]["fields"]
    article_id = first.get_json()["id"]
    edit = client.patch(f"/api/v1/articles/{article_id}", headers=member, json={"title": "Hacked"})
    assert edit.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 1
    assert db.session.scalar(db.select(Article.title)) == "Same"
    draft = client.post("/api/v1/articles", headers=staff, json={"title": "Draft", "body": "z"}).get_json()
    assert client.post(f"/api/v1/articles/{draft['id']}/comments", headers=member,
                       json={"body": "hi"}).status_code == 404  # fmt: skip
    on_draft = client.post(f"/api/v1/articles/{draft['id']}/comments", headers=staff, json={"body": "hi"})
    assert on_draft.status_code == 422 and on_draft.get_json()["error"]["code"] == "article_not_published"
    assert db.session.scalar(db.select(db.func.count(ArticleComment.id))) == 0


def test_cover_upload_via_service_refuses_fake_image(users):
    with pytest.raises(InvalidInput):
        services.create_article(users["staff"], ArticleData(
            title="Fake", body="x", cover=FileStorage(io.BytesIO(b"text"), filename="a.png")))  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Article.id))) == 0


# --- the site-wide home page and sitemap, with other features' registrations ---------------------


@pytest.fixture
def other_feature():
    """A stand-in for a feature built in another branch (forum, ideas...)."""
    from datetime import datetime

    from community.core import registry

    saved_home, saved_sitemap = dict(registry._HOME), dict(registry._SITEMAP)
    registry.home_block(registry.HomeBlock("test.ideas", template="test_block.html", order=30,
                                           load=lambda user: {"ideas": ["Bigger vestibule"]}))  # fmt: skip
    registry.home_block(registry.HomeBlock("test.empty", template="test_block.html", load=lambda user: None))
    registry.sitemap_source("test", lambda: [("/stand-in/1", datetime(2026, 1, 2, 3, 4, 5))])  # naive: UTC
    yield
    registry._HOME.clear()
    registry._HOME.update(saved_home)
    registry._SITEMAP.clear()
    registry._SITEMAP.update(saved_sitemap)


def test_home_lays_out_other_blocks_and_leaves_empty_ones_out(app, client, write, other_feature):
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_loader = ChoiceLoader([app.jinja_loader, DictLoader({"test_block.html": (
        '<section><h2>Stand-in block</h2>{% for i in ctx.ideas %}<p>{{ i }}</p>{% endfor %}</section>')})])  # fmt: skip
    app.jinja_env.loader = app.jinja_loader
    write("Blog first")
    page = client.get("/").get_data(as_text=True)
    assert page.index("From the blog") < page.index("Stand-in block")
    assert page.count("Stand-in block") == 1 and "Bigger vestibule" in page
    assert '<div class="col-12 col-lg-6">\n      <section><h2>Stand-in block</h2>' in page


def test_sitemap_merges_every_source(client, write, other_feature):
    write("Listed")
    root = ET.fromstring(client.get("/sitemap.xml").data)
    urls = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert urls["http://community.test/stand-in/1"].text == "2026-01-02T03:04:05+00:00"
    assert "http://community.test/blog/listed" in urls
