"""A member searches in French with a misspelling, follows "did you mean", filters by
type, opens a highlighted result; a moderator hides it and it leaves the results."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from community.content import services
from models import ContentState, User, db
from tests.browser.conftest import check_accessibility
from tests.content_kinds import Note
from tests.factories import PASSWORD
from tests.search.notes_pages import bp as notes_bp

pytestmark = pytest.mark.browser


def test_search_did_you_mean_filter_open_then_hidden(page: Page, live_server):
    app = live_server.app
    app.register_blueprint(notes_bp)
    with app.app_context():
        staff = db.session.scalar(db.select(User).filter_by(username="staff"))
        tent = services.publish(Note(), staff, "Notre **tente** quatre saisons résiste aux tempêtes", "fr")
        services.publish(Note(), staff, "Les sacs de couchage en duvet", "fr")
        db.session.commit()  # the indexer runs right after the commit (inline jobs)
        tent_id = tent.id
        db.session.remove()
    base = live_server.url

    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill("member")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    box = page.get_by_label("Search the community")
    box.fill("tentes")
    expect(page.locator("#header-suggestions a").first).to_have_attribute("href", f"/notes/{tent_id}")
    check_accessibility(page, "header suggestions")
    box.fill("tnte")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_text("Did you mean")).to_be_visible()
    check_accessibility(page, "search with a misspelling")

    page.locator(".did-you-mean a").click()
    expect(page.locator(".search-result mark").first).to_have_text("tente")
    check_accessibility(page, "search results")

    page.get_by_text("Filters and sorting").click()
    page.get_by_label("Note", exact=True).check()
    page.get_by_label("Sort by").select_option("date")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"type=test_note"))
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    check_accessibility(page, "filtered results")

    page.locator(".search-result h3 a").first.click()
    expect(page).to_have_url(f"{base}/notes/{tent_id}")
    expect(page.locator(".markup")).to_contain_text("quatre saisons")
    check_accessibility(page, "the result")

    with app.app_context():
        moderator = db.session.scalar(db.select(User).filter_by(username="moderator"))
        services.set_state(db.session.get(Note, tent_id), moderator, ContentState.HIDDEN, "hors sujet")
        db.session.commit()
        db.session.remove()
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", name="0 results")).to_be_visible()
    check_accessibility(page, "results after hiding")
