"""Staff open the dashboard, change the period, download a CSV and open an ambassador's
profile from the influencer radar."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from community.dashboard import rollups
from community.forum import services as forum
from models import User, db, utcnow
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


def _seed(app) -> None:  # noqa: ANN001
    with app.app_context():
        admin = db.session.query(User).filter_by(username="admin").one()
        staff = db.session.query(User).filter_by(username="staff").one()
        alice, bob = UserFactory(username="alice", display_name="Alice Martin"), UserFactory(username="bob")
        db.session.commit()
        cat = forum.save_category(admin, None, slug="gear", name_en="Gear", name_fr="Matériel")
        question = forum.open_topic(
            cat, bob, "Which headlamp for caving?", "I need a bright headlamp.", "question"
        )
        db.session.commit()
        answer = forum.reply(
            question, alice, "The Lumen 400 is excellent, I love it: bright and reliable.", "en"
        )
        forum.reply(question, staff, "We recommend the Lumen 400 too.", "en")
        db.session.commit()
        forum.accept_answer(question, answer, bob)
        old = forum.open_topic(
            cat, alice, "Great trip report", "Wonderful week in the Vercors, great gear.", "discussion"
        )
        db.session.commit()
        old.created_at = utcnow() - timedelta(days=50)
        db.session.commit()
        rollups.rebuild(db.session)
        db.session.commit()
        db.session.remove()


def test_dashboard_period_csv_and_ambassador_profile(page: Page, live_server):
    base = live_server.url
    _seed(live_server.app)
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill("staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()

    # The tools bar of the staff's role, reached and followed with the keyboard alone.
    tools = page.get_by_role("navigation", name="Tools for your role")
    expect(tools.get_by_role("link")).to_have_text(
        ["Staff inbox", "Questions without an official answer", "Write an article", "Community dashboard",
         "Influencer radar", "New product"]
    )  # fmt: skip
    check_accessibility(page, "home page with the tools bar")
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Community dashboard":
            break
    else:
        raise AssertionError("the tools bar's dashboard link is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Community dashboard", level=1)).to_be_visible()
    expect(tools.get_by_role("link", name="Community dashboard")).to_have_attribute("aria-current", "page")
    expect(page.locator("canvas[data-chart='chart-data-activity'][data-drawn='true']")).to_have_count(1)
    check_accessibility(page, "dashboard, last 30 days")
    expect(page.locator("#activity").locator("..").get_by_text("Topics: 1")).to_be_visible()

    today = utcnow().date()
    page.get_by_label("From", exact=True).fill((today - timedelta(days=89)).isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Figures are grouped by week")).to_be_visible()
    expect(page.locator("#activity").locator("..").get_by_text("Topics: 2")).to_be_visible()
    check_accessibility(page, "dashboard, last 90 days")

    with page.expect_download() as info:
        page.get_by_role("link", name="Download “Activity” as CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("dashboard-activity-")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Period,New members,Topics")
    assert sum(int(line.split(",")[2]) for line in text.splitlines()[1:]) == 2

    page.get_by_role("link", name="Influencer radar").first.click()
    expect(page.get_by_role("heading", name="Influencer radar", level=1)).to_be_visible()
    check_accessibility(page, "influencer radar")
    ambassadors = page.locator("section[aria-labelledby='ambassadors']")
    ambassadors.get_by_role("link", name="Alice Martin").click()
    expect(page.get_by_role("heading", name="Alice Martin", level=1)).to_be_visible()
    expect(page.locator(".profile-badges")).to_contain_text("Accepted answer")
    expect(page.get_by_role("link", name="Great trip report")).to_be_visible()
    check_accessibility(page, "ambassador's profile")
