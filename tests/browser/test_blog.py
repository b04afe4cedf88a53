"""Staff write a draft, preview it and schedule it a few seconds ahead; it appears by
itself when its time passes (no job runs); a member comments, another replies; the
Atom feed carries it. Every page passes axe-core."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from models import db, utcnow
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Testing the Refuge tent in a storm"


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_draft_preview_schedule_appear_comment_reply_feed(page: Page, live_server):
    base = live_server.url
    with live_server.app.app_context():
        UserFactory(username="second", display_name="Second Member")
        db.session.commit()
        db.session.remove()

    # Staff write a draft and preview it.
    _sign_in(page, base, "staff")
    page.get_by_role("navigation").get_by_role("link", name="Blog").click()
    expect(page.get_by_role("heading", level=1, name="Blog")).to_be_visible()
    check_accessibility(page, "blog index (staff, empty)")
    page.locator("#main").get_by_role("link", name="Write an article").click()
    check_accessibility(page, "article form")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Three nights on the plateau, one storm.")
    page.get_by_label("Text (Markdown)").fill("We pitched it at **2,000 m** and waited for the wind.")
    page.get_by_label("Tags").fill("tents, field tests")
    page.get_by_label("Publication", exact=True).select_option("draft")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Preview: this article is a draft. Only staff can see it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    check_accessibility(page, "draft preview")

    # Schedule it a few seconds ahead.
    page.get_by_role("link", name="Edit the article").click()
    check_accessibility(page, "edit form")
    page.get_by_label("Publication", exact=True).select_option("scheduled")
    when = utcnow().replace(microsecond=0) + timedelta(seconds=10)
    page.get_by_label("Publication date and time (UTC)").fill(when.strftime("%Y-%m-%dT%H:%M:%S"))
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("The article is scheduled; it will appear by itself at its date.")
    ).to_be_visible()
    check_accessibility(page, "scheduled preview")
    _sign_out(page)

    # Visitors do not see it yet...
    page.goto(base + "/blog/")
    expect(page.get_by_text("No articles yet.")).to_be_visible()
    check_accessibility(page, "blog index (visitor, empty)")
    assert page.goto(base + "/blog/testing-the-refuge-tent-in-a-storm").status == 404

    # ...and it appears by itself when its time passes.
    time.sleep(max(0.0, (when - utcnow()).total_seconds()) + 0.5)
    page.goto(base + "/")
    expect(page.get_by_role("heading", name="From the blog")).to_be_visible()
    expect(page.get_by_role("link", name="Join the community")).to_be_visible()
    check_accessibility(page, "home with the article")
    page.goto(base + "/blog/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.get_by_text("Sign in to comment")).to_be_visible()
    check_accessibility(page, "article (visitor)")
    page.get_by_role("link", name="#tents").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Articles tagged tents")
    check_accessibility(page, "tag page")

    # A member comments.
    _sign_in(page, base, "member")
    page.goto(base + "/blog/testing-the-refuge-tent-in-a-storm")
    page.get_by_label("Your comment").fill("Did the poles hold in the gusts?")
    page.get_by_role("button", name="Publish the comment").click()
    expect(page.get_by_text("Your comment is published.")).to_be_visible()
    expect(page.get_by_text("Did the poles hold in the gusts?")).to_be_visible()
    check_accessibility(page, "article with a comment")
    _sign_out(page)

    # Another member replies.
    _sign_in(page, base, "second")
    page.goto(base + "/blog/testing-the-refuge-tent-in-a-storm")
    page.get_by_text("Reply", exact=True).click()
    page.get_by_label("Your reply to Member").fill("Mine did, at 80 km/h.")
    check_accessibility(page, "reply form open")
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.get_by_text("Your comment is published.")).to_be_visible()
    expect(page.locator(".replies").get_by_text("Mine did, at 80 km/h.")).to_be_visible()
    expect(page.get_by_role("heading", name="2 comments")).to_be_visible()
    check_accessibility(page, "article with a reply")

    # The Atom feed contains it.
    feed = page.request.get(base + "/blog/feed.atom")
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    entries = ET.fromstring(feed.body()).findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == [TITLE]
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/blog/testing-the-refuge-tent-in-a-storm")


def test_member_cannot_open_the_editor(page: Page, live_server):
    _sign_in(page, live_server.url, "member")
    response = page.goto(live_server.url + "/blog/new")
    assert response.status == 403
    check_accessibility(page, "403 on the editor")
