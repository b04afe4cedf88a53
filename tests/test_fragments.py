"""Per-item fragments (community/fragments.py) and the fragment cache with the page cache off.

Every test runs with the fragment cache on and the anonymous page cache off (members and
anonymous visitors alike get rendered pages): each change to what an item shows must
appear on the next request, and nothing of one viewer may reach another."""

from __future__ import annotations

import re

import pytest

from community import fragments
from community.auth import services as account_services
from community.forum import services as forum
from community.moderation import services as moderation
from community.reviews import services as reviews
from models import Review, db
from tests.factories import PASSWORD, UserFactory

REVIEW_BODY = "Solid tent, easy to pitch, dry after a night of rain in the Vosges."


@pytest.fixture
def app_config():
    return {"FRAGMENT_CACHE_SECONDS": 60, "PAGE_CACHE_SECONDS": 0}


@pytest.fixture
def thread(question, users):
    """The question with two replies (the second by staff: an official answer)."""
    first = forum.reply(question, users["moderator"], "Look at **tunnel** tents.", "en")
    second = forum.reply(question, users["staff"], "Our Ridge 2 weighs 1.4 kg.", "en")
    db.session.commit()
    return question, first, second


@pytest.fixture
def review(product, users) -> Review:
    r = reviews.write_review(product, users["member"], rating=4, title="Dry and light", body=REVIEW_BODY)
    db.session.commit()
    return r


def _page(client, path, **kwargs) -> str:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _liked(page: str, post_id: int) -> bool:
    """Whether the like button of this post is pressed."""
    form = re.search(rf'action="/p/{post_id}/like">.*?</form>', page, re.DOTALL)
    assert form is not None, post_id
    return 'aria-pressed="true"' in form.group(0)


def _url(topic) -> str:
    return f"/forum/t/{topic.slug}/{topic.id}"


def _sign_in(client, username: str) -> None:
    response = client.post("/login", data={"login": username, "password": PASSWORD})
    assert response.status_code == 302
    client.get("/forum")  # shows (and drops) the welcome message


_TIMES = re.compile(r"<time [^>]*>[^<]*</time>")
_TOKENS = re.compile(r"[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}")  # CSRF tokens: signed with the time


def _without_times(html: str) -> str:
    """Relative dates ("3 seconds ago") and CSRF tokens change between two requests (and
    are never cached)."""
    return _TOKENS.sub("token", _TIMES.sub("<time>", html))


# --- the same page, cached or not ----------------------------------------------------------------


@pytest.mark.parametrize("who", [None, "member", "moderator", "staff"])
def test_pages_read_the_same_with_fragments_cached(app, client, thread, review, product, users, who):
    """Each page's HTML with fragments cached is the HTML rendered without the cache,
    for every kind of viewer, and it runs the same queries."""
    question = thread[0]
    if who:
        _sign_in(client, who)
    paths = [_url(question), "/forum/c/gear", "/forum/latest", f"/products/{product.slug}",
             f"/reviews/{review.id}"]  # fmt: skip
    app.config["FRAGMENT_CACHE_SECONDS"] = 0
    plain = {path: _without_times(_page(client, path)) for path in paths}
    app.config["FRAGMENT_CACHE_SECONDS"] = 60
    for path in paths:
        _page(client, path)  # fills the cache
    assert fragments.size() > 0
    for path in paths:
        assert _without_times(_page(client, path)) == plain[path], path


def test_cached_fragments_run_no_more_queries(app, client, thread, count_queries):
    path = _url(thread[0])
    app.config["FRAGMENT_CACHE_SECONDS"] = 0
    _page(client, path)
    with count_queries() as plain:
        _page(client, path)
    app.config["FRAGMENT_CACHE_SECONDS"] = 60
    _page(client, path)
    with count_queries() as cached:
        _page(client, path)
    assert cached.count == plain.count


# --- changes appear at once ------------------------------------------------------------------------


def test_post_edit_hide_and_delete_show_at_once(app, client, thread, users):
    question, first, second = thread
    page = _page(client, _url(question))
    assert "tunnel" in page and "(edited" not in page
    forum.edit_post(first, users["moderator"], "Look at **dome** tents instead.")
    db.session.commit()
    page = _page(client, _url(question))
    assert "<strong>dome</strong>" in page and "tunnel" not in page and "(edited" in page
    moderation.moderate(second, users["admin"], "hide", "off_topic")
    db.session.commit()
    page = _page(client, _url(question))
    assert "Ridge 2" not in page and "Hidden by the moderators" in page
    forum.delete_post(first, users["moderator"])
    db.session.commit()
    page = _page(client, _url(question))
    assert "<strong>dome</strong>" not in page and f'id="post-{first.id}"' not in page


def test_author_rename_and_role_show_at_once(app, client, thread, review, product, users):
    question = thread[0]
    member = users["member"]
    paths = [_url(question), "/forum/c/gear", f"/products/{product.slug}"]
    for path in paths:
        assert member.name in _page(client, path)
    account_services.update_profile(member, display_name="Alpine Anna", bio="", locale=None)
    db.session.commit()
    for path in paths:
        page = _page(client, path)
        assert "Alpine Anna" in page, path
    assert 'class="badge role-badge role-moderator author-label"' not in _page(
        client, f"/products/{product.slug}"
    )
    account_services.set_role(None, member, "moderator")
    db.session.commit()
    for path in paths:
        assert "role-moderator author-label" in _page(client, path), path


def test_new_reply_and_accepted_answer_show_at_once(app, client, thread, users):
    question, first, _second = thread
    assert "Accepted answer" not in _page(client, _url(question))
    assert "<td>2</td>" in _page(client, "/forum/c/gear")
    forum.reply(question, users["admin"], "A third opinion on tents.", "en")
    db.session.commit()
    assert "A third opinion" in _page(client, _url(question))
    assert "<td>3</td>" in _page(client, "/forum/c/gear")
    forum.accept_answer(question, first, users["member"])
    db.session.commit()
    page = _page(client, _url(question))
    assert page.count('<span class="badge text-bg-success">Accepted answer</span>') == 2  # above and in place
    assert "Solved" in _page(client, "/forum/c/gear")


def test_topic_rows_follow_pins_and_title_edits(app, client, thread, users):
    question = thread[0]
    assert "Pinned" not in _page(client, "/forum/c/gear")
    forum.pin_topic(question, True, users["admin"])
    db.session.commit()
    assert "Pinned" in _page(client, "/forum/c/gear")
    forum.edit_post(
        question, users["member"], "I need a light **tent**.", title="Which tent for the Pyrenees?"
    )
    db.session.commit()
    page = _page(client, "/forum/c/gear")
    assert "Which tent for the Pyrenees?" in page and "Alps" not in page


def test_review_changes_show_at_once(app, client, review, product, users):
    path = f"/products/{product.slug}"
    page = _page(client, path)
    assert "Dry and light" in page and "0 people found this helpful" in page
    reviews.edit_review(review, users["member"], title="Dry, light and roomy")
    db.session.commit()
    assert "Dry, light and roomy" in _page(client, path)
    reviews.set_helpful(review, users["admin"], True)
    db.session.commit()
    assert "1 person found this helpful" in _page(client, path)
    reviews.respond(review, users["staff"], "Thank you for the kind words about the tent!")
    db.session.commit()
    assert "Thank you for the kind words" in _page(client, path)
    assert "Thank you for the kind words" in _page(client, f"/reviews/{review.id}")
    reviews.hide_review(review, users["admin"], "off_topic")
    db.session.commit()
    assert "Dry, light and roomy" not in _page(client, path)


def test_each_language_has_its_own_fragments(app, client, thread, review, product):
    question = thread[0]
    english = _page(client, _url(question), headers={"Accept-Language": "en"})
    french = _page(client, _url(question), headers={"Accept-Language": "fr"})
    assert "Official answer from" in english and "Official answer from" not in french
    assert "Official answer from" in _page(client, _url(question), headers={"Accept-Language": "en"})
    english = _page(client, f"/products/{product.slug}", headers={"Accept-Language": "en"})
    french = _page(client, f"/products/{product.slug}", headers={"Accept-Language": "fr"})
    assert "Would recommend this product" in english and "Would recommend this product" not in french
    assert "Would recommend this product" in _page(
        client, f"/products/{product.slug}", headers={"Accept-Language": "en"}
    )


# --- nothing of one viewer reaches another ------------------------------------------------------------


def test_viewer_parts_never_leak(app, thread, review, product, users):
    question, first, _second = thread
    other = UserFactory(username="other_member")
    db.session.commit()
    forum.like(first, users["member"])
    db.session.commit()

    moderator = app.test_client()
    _sign_in(moderator, "moderator")
    page = _page(moderator, _url(question))
    assert f'action="/p/{first.id}/edit"' in page or f"/p/{first.id}/edit" in page  # own reply
    assert "Moderator tools" in page

    member = app.test_client()
    _sign_in(member, "member")
    page = _page(member, _url(question))
    assert _liked(page, first.id)  # the reply the member liked
    assert f"/p/{first.id}/edit" not in page and "Moderator tools" not in page
    assert f"/p/{question.id}/edit" in page  # the member's own question
    assert f"/reviews/{review.id}/edit" in _page(member, f"/products/{product.slug}")

    stranger = app.test_client()
    _sign_in(stranger, other.username)
    page = _page(stranger, _url(question))
    assert not _liked(page, first.id)
    assert f"/p/{question.id}/edit" not in page and f"/p/{first.id}/edit" not in page
    assert "Moderator tools" not in page
    assert f"/reviews/{review.id}/edit" not in _page(stranger, f"/products/{product.slug}")

    anonymous = app.test_client()
    page = _page(anonymous, _url(question))
    assert f"/p/{first.id}/like" not in page and "/edit" not in page and "Moderator tools" not in page
    assert "Sign in to reply" in page
    assert "other_member" not in page and users["moderator"].name in page
    page = _page(anonymous, f"/products/{product.slug}")
    assert f"/reviews/{review.id}/edit" not in page and "Respond publicly" not in page


def test_unread_marks_stay_with_their_reader(app, thread, users):
    question = thread[0]
    member = app.test_client()
    _sign_in(member, "member")
    _page(member, _url(question))  # read up to here
    forum.reply(question, users["admin"], "Something new about tents.", "en")
    db.session.commit()
    assert "New replies" in _page(member, "/forum/c/gear")
    assert '<span class="badge text-bg-warning">New</span>' in _page(member, _url(question))
    stranger = app.test_client()
    page = _page(stranger, _url(question))
    assert '<span class="badge text-bg-warning">New</span>' not in page
    assert "New replies" not in _page(stranger, "/forum/c/gear")


# --- home blocks with the page cache off -----------------------------------------------------------


def test_home_blocks_cached_with_page_cache_off_and_follow_writes(
    app, client, question, users, count_queries
):
    _sign_in(client, "member")
    assert "Which tent for the Alps?" in _page(client, "/")
    with count_queries() as cached:
        _page(client, "/")
    app.config["FRAGMENT_CACHE_SECONDS"] = 0
    with count_queries() as plain:
        _page(client, "/")
    app.config["FRAGMENT_CACHE_SECONDS"] = 60
    assert cached.count < plain.count - 4
    forum.open_topic(
        question.category, users["staff"], "Sleeping bag ratings", "Comfort or limit?", "question", "en"
    )
    db.session.commit()
    assert "Sleeping bag ratings" in _page(client, "/")
    moderation.moderate(question, users["admin"], "hide", "off_topic")
    db.session.commit()
    assert "Which tent for the Alps?" not in _page(client, "/")


def test_flag_forms_carry_each_viewers_token_and_page(app, thread, users):
    """The flag form's HTML is kept once per language; each item's id and address and each
    viewer's CSRF token and page are filled in on each request."""
    app.config["WTF_CSRF_ENABLED"] = True
    question, first, second = thread
    tokens = {}
    for name in ("member", "admin"):
        viewer = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        _sign_in(viewer, name)
        app.config["WTF_CSRF_ENABLED"] = True
        page = _page(viewer, _url(question) + "?page=1")
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(found) == 1, found  # the flag forms carry the page's own token
        tokens[name] = found.pop()
        for post in (first, second):
            assert f'id="flag-{post.id}-note"' in page
            assert f'action="/flag/{post.id}"' in page
        assert f'name="next" value="{_url(question)}?page=1"' in page
    assert tokens["member"] != tokens["admin"]
