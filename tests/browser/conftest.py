"""Browser tests: Playwright drives Debian's Chromium against a live server.

The site's Content-Security-Policy stays on in the browser: axe-core is served by the
live server itself (``/_test/axe.min.js``, a script from 'self'), and any CSP violation
that Chromium reports on a page fails the test.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` from apt. A
screenshot and a trace are kept in ``test-results/`` when a test fails
(``--screenshot=only-on-failure --tracing=retain-on-failure`` in pyproject.toml).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from flask import send_file
from werkzeug.serving import make_server

from community import create_app
from models import Role, db
from tests.conftest import make_config
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/_test/axe.min.js"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }  # fmt: skip


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Reduced motion: Bootstrap then drops its transitions, so axe never measures a button's
    # colours halfway through a hover transition (a colour-contrast failure seen after a click).
    return {
        **browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900},
        "reduced_motion": "reduce",
    }  # fmt: skip


class LiveServer:
    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app
        # axe-core is served by the app itself, so the page's CSP ('self') admits it.
        app.add_url_rule(AXE_PATH, "test_axe", lambda: send_file(AXE, mimetype="text/javascript"))
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(tmp_path, mail_server) -> Iterator[LiveServer]:
    """A real HTTP server on a free port, with CSRF, the anonymous page cache and the
    fragment cache on (as in production), and one user per role."""
    app = create_app(
        make_config(
            tmp_path, mail_server, WTF_CSRF_ENABLED=True, PAGE_CACHE_SECONDS=60, FRAGMENT_CACHE_SECONDS=60
        )
    )
    with app.app_context():
        db.create_all()
        for role in Role:
            UserFactory(username=role.value, role=role.value)
        db.session.commit()
        db.session.remove()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(page):  # noqa: ANN001
    """Playwright's page, recording Content-Security-Policy violations; the test fails on any."""
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    page.csp_violations = violations
    yield page
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def check_accessibility(page, context: str = "") -> None:  # noqa: ANN001
    """Run axe-core on the current page: no serious or critical violation (and no CSP
    violation so far)."""
    assert not getattr(page, "csp_violations", []), f"CSP violations on {page.url}: {page.csp_violations}"
    page.add_script_tag(url=urljoin(page.url, AXE_PATH))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility violations on {context or page.url}:\n" + "\n".join(bad)
