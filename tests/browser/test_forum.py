"""A member asks a question with a preview, staff answers (labelled official), the
member accepts the answer and the topic shows as solved; another member quotes and
likes the reply. Every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from community.forum import services
from models import User, db
from tests.browser.conftest import check_accessibility
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def forum_server(live_server):
    with live_server.app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        services.save_category(
            admin, None, slug="tents", name_en="Tents and shelters", name_fr="Tentes et abris",
            description_en="Pitching, choosing, repairing.", description_fr="Monter, choisir, réparer.",
        )  # fmt: skip
        UserFactory(username="camille", display_name="Camille Martin")
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


def test_question_answered_accepted_quoted_and_liked(page: Page, forum_server):
    base = forum_server.url
    sign_in(page, base, "member")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Forum").click()
    expect(page.get_by_role("heading", name="Forum", level=1)).to_be_visible()
    check_accessibility(page, "forum home")

    page.get_by_role("link", name="Tents and shelters").click()
    check_accessibility(page, "empty category")
    page.get_by_role("link", name="New topic").click()
    check_accessibility(page, "new topic form")
    page.get_by_label("A question").check()
    page.get_by_label("Title").fill("Is the Dôme 2 tent warm enough in March?")
    page.get_by_label("Your message (Markdown)").fill("I plan a **spring** trip in the Vosges.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.locator("strong")).to_have_text("spring")
    check_accessibility(page, "new topic with preview")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your topic is published.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Is the Dôme 2 tent warm enough in March?")
    check_accessibility(page, "topic")
    topic_url = page.url
    sign_out(page)

    sign_in(page, base, "staff")
    page.goto(topic_url)
    page.get_by_label("Your message (Markdown)").fill("Yes: pair it with the Boréal -5 °C sleeping bag.")
    page.get_by_role("button", name="Post my reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    expect(page.locator(".official-answer")).to_contain_text("Official answer from")
    check_accessibility(page, "topic with the official answer")
    sign_out(page)

    sign_in(page, base, "member")
    page.goto(topic_url)
    page.get_by_role("button", name="Accept this answer").click()
    expect(page.get_by_text("This reply is now the accepted answer.")).to_be_visible()
    expect(page.get_by_role("heading", name="Accepted answer")).to_be_visible()
    check_accessibility(page, "topic with the accepted answer")
    page.get_by_role("link", name="Tents and shelters").click()
    row = page.locator("tr.topic-row", has_text="Is the Dôme 2 tent warm enough in March?")
    expect(row.get_by_text("Solved")).to_be_visible()
    check_accessibility(page, "category with a solved topic")
    sign_out(page)

    sign_in(page, base, "camille")
    page.goto(topic_url)
    official = page.locator("article.post", has=page.locator(".official-answer")).last
    official.get_by_role("link", name="Quote").click()
    body = page.get_by_label("Your message (Markdown)")
    expect(body).to_have_value(re.compile(r"^> Yes: pair it with the Boréal"))
    check_accessibility(page, "reply form with a quote")
    body.press("End")
    body.press_sequentially("Thanks, exactly what I needed!")
    page.get_by_role("button", name="Post my reply").click()
    expect(page.get_by_text("Your reply is published.")).to_be_visible()
    expect(page.locator("blockquote").last).to_contain_text("Yes: pair it with the Boréal")
    official = page.locator("article.post", has=page.locator(".official-answer")).last
    official.get_by_role("button", name="Like").click()
    expect(page.get_by_text("You like this post.")).to_be_visible()
    official = page.locator("article.post", has=page.locator(".official-answer")).last
    like = official.get_by_role("button", name="Like")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".like-count")).to_have_text("1")
    check_accessibility(page, "topic after quote and like")
