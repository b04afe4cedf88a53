"""The idea board in a real browser: a member posts an idea and sees a similar one
suggested, two others vote, staff plan it with a note, it shows on the roadmap, and
a duplicate is merged with votes adding up without double counting."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community.ideas import services
from models import Idea, User, db
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


def test_idea_board_walkthrough(page: Page, live_server):
    base = live_server.url
    with live_server.app.app_context():
        UserFactory(username="voter1")
        UserFactory(username="voter2")
        db.session.flush()
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        existing = services.create_idea(admin, "Red light mode on headlamps", "Night vision at the hut.")
        db.session.commit()
        existing_id = existing.id
        db.session.remove()

    # A member posts an idea and sees a similar one suggested while typing.
    _sign_in(page, base, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ideas").click()
    expect(page.get_by_role("heading", name="Ideas", level=1)).to_be_visible()
    expect(page.get_by_text("Trending: each vote counts")).to_be_visible()
    check_accessibility(page, "ideas list")
    page.get_by_role("link", name="Suggest an idea").click()
    check_accessibility(page, "new idea form")
    page.get_by_label("Title").press_sequentially("Headlamp with a red light", delay=20)
    suggestion = page.locator("#similar-ideas").get_by_role("link", name="Red light mode on headlamps")
    expect(suggestion).to_be_visible()
    check_accessibility(page, "new idea form with suggestions")
    page.get_by_label("Describe your idea").fill("A **red** mode keeps everyone's night vision.")
    page.get_by_label("Product or category (optional)").fill("Headlamps")
    page.get_by_role("button", name="Publish my idea").click()
    expect(page.get_by_text("Your idea is published, with your vote.")).to_be_visible()
    expect(page.locator("#vote-count")).to_have_text("1")
    check_accessibility(page, "idea page")
    idea_url = page.url
    idea_id = int(idea_url.rstrip("/").rsplit("/", 1)[1])
    _sign_out(page)

    # Two others vote.
    for voter in ("voter1", "voter2"):
        _sign_in(page, base, voter)
        page.goto(idea_url)
        page.get_by_role("button", name="Vote", exact=True).click()
        expect(page.get_by_text("Thank you for your vote.")).to_be_visible()
        check_accessibility(page, f"idea page after {voter} voted")
        _sign_out(page)
    expect(page.locator("#vote-count")).to_have_count(0)  # signed-out home page
    page.goto(idea_url)
    expect(page.locator("#vote-count")).to_have_text("3")

    # Staff move it to planned with a public note; it shows on the roadmap.
    _sign_in(page, base, "staff")
    page.goto(idea_url)
    page.get_by_label("New status").select_option("planned")
    page.get_by_label("Public note").fill("We will make it for the autumn range.")
    page.get_by_role("button", name="Change the status").click()
    expect(page.get_by_text("The status is changed and the note is public.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("We will make it for the autumn range.")).to_be_visible()
    expect(timeline.get_by_text("Planned")).to_be_visible()
    check_accessibility(page, "idea page with timeline")
    page.goto(base + "/ideas/roadmap")
    planned = page.get_by_role("region", name="Planned")
    expect(planned.get_by_role("link", name="Headlamp with a red light")).to_be_visible()
    check_accessibility(page, "roadmap")

    # The older similar idea is a duplicate: voter1 and admin voted for it too.
    with live_server.app.app_context():
        voter1 = db.session.scalar(db.select(User).where(User.username == "voter1"))
        services.vote(db.session.get(Idea, existing_id), voter1)
        db.session.commit()
        db.session.remove()
    page.goto(f"{base}/ideas/{existing_id}")
    expect(page.locator("#vote-count")).to_have_text("2")
    page.get_by_label("Number of the idea to merge this one into").fill(str(idea_id))
    page.get_by_role("button", name="Merge").click()
    expect(page.get_by_text("The idea is merged; 1 vote moved.")).to_be_visible()
    # 3 votes + admin's; voter1 voted for both and counts once.
    expect(page.locator("#vote-count")).to_have_text("4")
    merged = page.get_by_role("region", name="Ideas merged into this one")
    expect(merged.get_by_role("link", name="Red light mode on headlamps")).to_be_visible()
    check_accessibility(page, "idea page with a merged duplicate")
    merged.get_by_role("link", name="Red light mode on headlamps").click()
    expect(page.get_by_text("This idea was merged into another one")).to_be_visible()
    check_accessibility(page, "merged idea")
    page.goto(f"{base}/ideas/{existing_id}")
    expect(page).to_have_url(f"{base}/ideas/{idea_id}?merged_from={existing_id}")
    page.goto(base + "/")
    expect(
        page.get_by_role("region", name="Top ideas").get_by_role("link", name="Headlamp with a red light")
    ).to_be_visible()
    check_accessibility(page, "home")
