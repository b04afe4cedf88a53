"""A member reviews a product with three stars, another marks it helpful, staff
respond in public; the product page shows the mean, the distribution and the
response, and staff find no way to hide, edit or delete the review."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community.reviews import services
from models import db
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def _login(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_review_helpful_vote_and_brand_response(page: Page, live_server):
    base = live_server.url
    with live_server.app.app_context():
        cat = services.create_category("tents", "Tents", "Tentes")
        services.save_product(None, None, slug="trail-2p", name_en="Trail 2P tent", name_fr="Tente Trail 2P",
                              category_id=cat.id, description_en="A light tent.")  # fmt: skip
        UserFactory(username="voter")
        db.session.commit()
        db.session.remove()

    _login(page, base, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Products").click()
    check_accessibility(page, "catalogue")
    page.get_by_role("link", name="Trail 2P tent").click()
    check_accessibility(page, "empty product page")
    page.get_by_role("link", name="Write a review").click()
    check_accessibility(page, "review form")
    page.get_by_label("3 stars").check()
    page.get_by_label("Title").fill("Fine but heavy")
    page.get_by_label("Your review").fill(
        "Kept me dry on the GR20, but the poles feel heavy after a long day."
    )
    page.get_by_role("button", name="Publish my review").click()
    expect(page.get_by_text("Your review is published.")).to_be_visible()
    check_accessibility(page, "product page with review")
    _logout(page)

    _login(page, base, "voter")
    page.goto(base + "/products/trail-2p")
    page.get_by_role("button", name="Helpful").click()
    expect(page.get_by_text("1 person found this helpful")).to_be_visible()
    check_accessibility(page, "after vote")
    _logout(page)

    _login(page, base, "staff")
    page.goto(base + "/products/trail-2p")
    review = page.locator("article.review")
    expect(review.get_by_role("button", name="Helpful")).to_be_visible()
    for forbidden in ("Edit my review", "Delete", "Hide"):
        expect(review.get_by_text(forbidden)).to_have_count(0)
    page.get_by_role("link", name="Respond publicly").click()
    check_accessibility(page, "response form")
    page.get_by_label("Public response").fill("Thanks! Lighter poles ship with the 2027 model.")
    page.get_by_role("button", name="Publish the response").click()
    expect(page.get_by_text("Your response is published.")).to_be_visible()
    expect(page.get_by_test_id("mean-rating")).to_contain_text("3.0")
    expect(page.get_by_test_id("star-3")).to_have_text("1")
    expect(page.get_by_test_id("star-5")).to_have_text("0")
    expect(page.get_by_text("Lighter poles ship with the 2027 model.")).to_be_visible()
    expect(page.locator(".brand-response .role-badge")).to_have_text("Staff")
    check_accessibility(page, "product page with response")
    # staff have no way to edit or delete it: the edit page refuses them
    review_id = review.get_attribute("id").removeprefix("review-")
    assert page.goto(f"{base}/reviews/{review_id}/edit").status == 403
    page.goto(base + "/reviews/how-it-works")
    check_accessibility(page, "how reviews work")
