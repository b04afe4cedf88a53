"""A visitor joins, confirms the address from the e-mail, signs in, switches
language and signs out, in a real browser; every page passes axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser
LINK = re.compile(r"https?://[^/\s]+(/confirm/\S+)")


def test_register_confirm_login_language_logout(page: Page, live_server, mailbox):
    base = live_server.url
    page.goto(base + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome to the")
    check_accessibility(page, "home")

    page.get_by_role("link", name="Join", exact=True).click()
    expect(page).to_have_url(base + "/register")
    check_accessibility(page, "register")
    page.get_by_label("Username").fill("zoe")
    page.get_by_label("E-mail address").fill("zoe@example.test")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    check_accessibility(page, "register with errors")

    page.get_by_label("Password", exact=True).fill("a long and good password")
    page.get_by_label("Repeat the password").fill("a long and good password")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_text("Almost done")).to_be_visible()
    check_accessibility(page, "login after registration")

    message = mailbox.wait_for("zoe@example.test")
    path = LINK.search(mailbox.text_of(message)).group(1)
    page.goto(base + path)
    expect(page.get_by_text("Your e-mail address is confirmed")).to_be_visible()

    page.get_by_label("Username or e-mail").fill("zoe@example.test")
    page.get_by_label("Password").fill("a long and good password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Welcome back, zoe.")).to_be_visible()

    page.get_by_role("link", name="zoe").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    check_accessibility(page, "account")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Votre compte")).to_be_visible()
    check_accessibility(page, "account in French")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Sign in")).to_be_visible()


def test_error_page_is_accessible(page: Page, live_server):
    response = page.goto(live_server.url + "/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check_accessibility(page, "404")
