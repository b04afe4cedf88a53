"""The Content-Security-Policy, as Chromium enforces it: the site's own scripts and
styles work, injected inline script and style do not."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_accessibility

pytestmark = pytest.mark.browser


def test_csp_blocks_injected_inline_script_and_style(page: Page, live_server):
    page.goto(live_server.url + "/")
    check_accessibility(page, "home")
    # The site's own assets load: htmx and the brand colours from /brand.css.
    assert page.evaluate("typeof window.htmx") == "object"
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
    assert brand == "#1f5f8b"
    expect(page.locator("header.site-header")).to_be_visible()
    # What an attacker could inject does not run.
    page.evaluate(
        """() => {
            const s = document.createElement('script');
            s.textContent = 'window.pwned = true';
            document.body.appendChild(s);
            const st = document.createElement('style');
            st.textContent = 'body { display: none }';
            document.head.appendChild(st);
        }"""
    )
    assert page.evaluate("window.pwned === undefined")
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(100)  # let the console report both violations
    assert any("script-src" in v for v in page.csp_violations), page.csp_violations
    assert any("style-src" in v for v in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # expected here: the page fixture must not fail the test
