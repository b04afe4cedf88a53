"""A member asks a question, staff see it in the inbox and answer, the member sees
the bell count rise, opens the notification at the right post and finds the e-mail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from community.forum import services
from models import User, db
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def server(live_server):
    with live_server.app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        services.save_category(
            admin, None, slug="tents", name_en="Tents and shelters", name_fr="Tentes et abris"
        )
        db.session.commit()
        db.session.remove()
    return live_server


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_question_inbox_answer_bell_and_email(page: Page, server, mailbox):
    base = server.url
    sign_in(page, base, "member")
    expect(page.locator(".notification-bell")).to_have_attribute("data-unread", "0")
    page.goto(base + "/forum/c/tents/new")
    page.get_by_label("A question").check()
    page.get_by_label("Title").fill("Does the Dôme 2 survive a Vosges storm?")
    page.get_by_label("Your message (Markdown)").fill("Gusts of 80 km/h are forecast.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your topic is published.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "staff")
    page.get_by_role("link", name="Staff inbox").click()
    expect(page.get_by_role("heading", name="Staff inbox")).to_be_visible()
    row = page.locator("tr", has_text="Does the Dôme 2 survive a Vosges storm?")
    expect(row.get_by_text("Question")).to_be_visible()
    check_accessibility(page, "staff inbox")
    row.get_by_role("button", name=re.compile("Take it")).click()
    expect(page.get_by_text("It is yours")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Does the Dôme 2 survive a Vosges storm?")
    page.get_by_label("Your message (Markdown)").fill("Yes, with all twelve guy lines pegged.")
    page.get_by_role("button", name="Post my reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    page.goto(base + "/staff/inbox")
    expect(page.get_by_text("Nothing waits for an answer.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "member")
    bell = page.locator(".notification-bell")
    expect(bell).to_have_attribute("data-unread", "1")
    expect(page.locator("#bell-count")).to_contain_text("1")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    check_accessibility(page, "notifications")
    page.get_by_role("link", name=re.compile("answered your question for the brand")).click()
    expect(page).to_have_url(re.compile(r"#post-\d+$|#p\d+$|#\w+"))
    anchor = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_contain_text("Yes, with all twelve guy lines pegged.")
    check_accessibility(page, "topic at the answer")
    expect(page.locator(".notification-bell")).to_have_attribute("data-unread", "0")

    message = mailbox.wait_for("member@")
    assert "The brand answered your question" in message["Subject"]
    assert message["List-Unsubscribe"]
    assert "/notifications/" in mailbox.text_of(message)

    page.goto(base + "/brand/replies")
    expect(page.get_by_text("Yes, with all twelve guy lines pegged.")).to_be_visible()
    check_accessibility(page, "brand replies")
    page.goto(base + "/notifications/preferences")
    check_accessibility(page, "preferences")


def _open_watch_menu(page: Page) -> None:
    page.locator(".watch-control summary").click()
    expect(page.locator(".watch-menu")).to_be_visible()


def test_muted_topic_is_silent_and_watched_category_tells(page: Page, server, browser):
    base = server.url
    sign_in(page, base, "member")
    page.goto(base + "/forum/c/tents/new")
    page.get_by_label("A discussion").check()
    page.get_by_label("Title").fill("Sand pegs: worth it?")
    page.get_by_label("Your message (Markdown)").fill("Thinking of a beach trip in Brittany.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your topic is published.")).to_be_visible()
    topic_url = page.url
    # One's own topic is watched by default, and the control says so.
    control = page.locator(".watch-control")
    expect(control.locator("summary")).to_have_text(re.compile(r"Notifications:\s*Watching"))
    _open_watch_menu(page)
    expect(page.get_by_role("button", name=re.compile("^Watching"))).to_have_attribute("aria-pressed", "true")
    check_accessibility(page, "topic with the watch menu open")
    page.get_by_role("button", name=re.compile("^Muted")).click()  # htmx: the control replaces itself
    expect(control.locator("summary")).to_have_text(re.compile(r"Notifications:\s*Muted"))
    expect(control.locator("summary")).to_be_focused()
    page.reload()
    expect(page.locator(".watch-control summary")).to_have_text(re.compile(r"Notifications:\s*Muted"))

    page.goto(base + "/forum/c/tents")
    expect(page.locator(".watch-control summary")).to_have_text(re.compile(r"Notifications:\s*Normal"))
    _open_watch_menu(page)
    check_accessibility(page, "category with the watch menu open")
    page.get_by_role("button", name=re.compile("^Watching")).click()
    expect(page.locator(".watch-control summary")).to_have_text(re.compile(r"Notifications:\s*Watching"))
    sign_out(page)

    sign_in(page, base, "moderator")
    page.goto(topic_url)
    page.get_by_label("Your message (Markdown)").fill("Yes, the wide ones hold in dry sand.")
    page.get_by_role("button", name="Post my reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    page.goto(base + "/forum/c/tents/new")
    page.get_by_label("A discussion").check()
    page.get_by_label("Title").fill("Tent footprint: cut your own")
    page.get_by_label("Your message (Markdown)").fill("Tyvek from a building site works fine.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your topic is published.")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "member")
    expect(page.locator(".notification-bell")).to_have_attribute(
        "data-unread", "1"
    )  # the topic, not the reply
    page.locator(".notification-bell").click()
    link = page.get_by_role("link", name=re.compile("posted in something you watch"))
    expect(link).to_have_count(1)
    expect(link).to_contain_text("Tent footprint: cut your own")
    expect(page.get_by_text("Sand pegs: worth it?")).to_have_count(0)

    # Without JavaScript the same control is a plain form that redirects back.
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        plain = context.new_page()
        sign_in(plain, base, "member")
        plain.goto(topic_url)
        plain.locator(".watch-control summary").click()
        plain.get_by_role("button", name=re.compile("^Tracking")).click()
        expect(plain.get_by_text("Notifications for this page: Tracking.")).to_be_visible()
        assert plain.url == topic_url
        expect(plain.locator(".watch-control summary")).to_have_text(re.compile(r"Notifications:\s*Tracking"))
    finally:
        context.close()
