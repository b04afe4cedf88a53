"""The issue's walk with real content: a member searches in French with a misspelling,
follows "did you mean", filters to reviews, opens a highlighted result; a moderator
hides that review (from the moderation queue, after the member reported it) and it is
gone from the member's results. Then the new-topic form suggests related topics as the
title is typed (htmx)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from community.forum import services as forum
from community.reviews import services as reviews
from models import User, db
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_search_review_did_you_mean_filter_open_then_hidden(page: Page, live_server):
    app = live_server.app
    with app.app_context():
        admin = db.session.scalar(db.select(User).filter_by(username="admin"))
        camper = UserFactory(username="camper")
        line = reviews.create_category("abris", "Shelter", "Abris")
        product = reviews.save_product(None, None, slug="trail-2p", name_en="Trail 2P tent",
                                       name_fr="Tente Trail 2P", category_id=line.id,
                                       description_en="A light tent.")  # fmt: skip
        review = reviews.write_review(product, camper, rating=4, title="Une tente qui tient la tempête",
                                      body="Trois nuits d'orage dans le Vercors : la tente est restée "
                                           "parfaitement imperméable.", language="fr")  # fmt: skip
        gear = forum.save_category(admin, None, slug="materiel", name_en="Gear", name_fr="Matériel")
        forum.open_topic(gear, camper, "Quelle tente pour l'hiver ?", "Une tente quatre saisons ?",
                         language="fr")  # fmt: skip
        db.session.commit()  # the indexer runs right after the commit (inline jobs)
        review_id = review.id
        db.session.remove()
    base = live_server.url

    _sign_in(page, base, "member")
    box = page.get_by_label("Search the community")
    box.fill("tentes")
    expect(page.locator("#header-suggestions a").first).to_be_visible()
    check_accessibility(page, "header suggestions")
    box.fill("tnte")
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_text("Did you mean")).to_be_visible()
    check_accessibility(page, "search with a misspelling")

    page.locator(".did-you-mean a").click()
    expect(
        page.get_by_role("heading", name="3 results")
    ).to_be_visible()  # the product, the topic, the review
    expect(page.locator(".search-result mark").first).to_have_text(re.compile("tente", re.I))
    check_accessibility(page, "search results")

    page.get_by_text("Filters and sorting").click()
    page.get_by_label("Review", exact=True).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"type=review"))
    expect(page.get_by_role("heading", name="1 result")).to_be_visible()
    result = page.locator(".search-result").first
    expect(result.locator("mark").first).to_have_text(re.compile("tente", re.I))
    check_accessibility(page, "filtered results")
    results_url = page.url

    result.locator("h3 a").click()
    expect(page).to_have_url(f"{base}/reviews/{review_id}")
    expect(page.get_by_text("parfaitement imperméable")).to_be_visible()
    check_accessibility(page, "the review")
    page.get_by_text("Flag", exact=True).click()  # the member reports it
    page.get_by_label("Spam or advertising").check()
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_text("Thank you: the moderators will look at it.")).to_be_visible()
    _sign_out(page)

    _sign_in(page, base, "moderator")
    page.goto(base + "/moderation")
    item = page.locator(".queue-item").filter(has_text="parfaitement imperméable")
    item.get_by_label("Reason (required to hide)").fill("spam")
    item.get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_text("Nothing to review. Well done!")).to_be_visible()
    _sign_out(page)

    _sign_in(page, base, "member")
    page.goto(results_url)
    expect(page.get_by_role("heading", name="0 results")).to_be_visible()
    page.goto(base + "/search?q=tente")
    expect(page.get_by_role("heading", name="2 results")).to_be_visible()
    expect(page.locator(".search-results")).not_to_contain_text("Vercors")
    check_accessibility(page, "results after hiding")

    # Related topics as a new topic's title is typed.
    page.goto(base + "/forum/c/materiel/new")
    page.get_by_label("Title").press_sequentially("Tentes d'hiver", delay=20)
    related = page.locator("#related-topics")
    expect(related.get_by_role("link", name="Quelle tente pour l'hiver ?")).to_be_visible()
    check_accessibility(page, "new topic with related topics")
