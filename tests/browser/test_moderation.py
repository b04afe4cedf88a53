"""A moderator works the queue in a real browser: approves a newcomer's first post,
hides a post that members flagged (the public then sees the reason), the transparency
page counts it, and a suspended member sees why at sign-in. Every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community import create_app
from community.content import services as content
from community.moderation import services
from models import Role, User, db
from tests.browser.conftest import LiveServer, check_accessibility
from tests.conftest import make_config
from tests.content_kinds import Note
from tests.factories import PASSWORD, UserFactory
from tests.notes_pages import bp as notes_bp

pytestmark = pytest.mark.browser


@pytest.fixture
def moderation_server(tmp_path, mail_server):
    app = create_app(make_config(tmp_path, mail_server, WTF_CSRF_ENABLED=True))
    app.register_blueprint(notes_bp)
    with app.app_context():
        db.create_all()
        users = {role.value: UserFactory(username=role.value, role=role.value) for role in Role}
        newcomer = UserFactory(username="newbie", trust_level=0)
        flaggers = [UserFactory(username=f"flagger{i}") for i in range(3)]
        suspended = UserFactory(username="bob")
        db.session.flush()
        content.publish(Note(), newcomer, "My very first post about the Boréal stove.")
        rude = content.publish(Note(), users["member"], "Buy cheap watches at my shop!!!")
        for flagger in flaggers:
            services.flag(rude, flagger, "spam")
        services.sanction(users["moderator"], suspended, "suspend", "Repeated insults", days=7)
        db.session.commit()
        assert rude.state == "hidden"
        db.session.remove()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username or e-mail").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_queue_transparency_and_suspension(page: Page, moderation_server):
    base = moderation_server.url
    _sign_in(page, base, "moderator")
    page.goto(base + "/moderation")
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    items = page.locator(".queue-item")
    expect(items).to_have_count(2)
    check_accessibility(page, "moderation queue")

    first = items.filter(has_text="very first post")
    first.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Done: approved.")).to_be_visible()
    expect(page.locator(".queue-item")).to_have_count(1)

    flagged = page.locator(".queue-item").first
    expect(flagged).to_contain_text("spam × 3")
    expect(flagged).to_contain_text("hidden pending review after reports")
    flagged.get_by_label("Reason (required to hide)").fill("Advertising")
    flagged.get_by_role("button", name="Hide").click()
    expect(page.get_by_text("Nothing to review. Well done!")).to_be_visible()
    check_accessibility(page, "empty queue")

    page.get_by_role("button", name="Sign out").click()
    page.goto(base + "/notes")
    expect(page.get_by_text("Hidden by the moderators: Advertising")).to_be_visible()
    expect(page.get_by_text("My very first post")).to_be_visible()
    check_accessibility(page, "notes with a hidden one")

    page.get_by_role("link", name="Transparency").click()
    expect(page.get_by_role("heading", name="Transparency report")).to_be_visible()
    expect(page.get_by_text("advertising: 1")).to_be_visible()
    expect(page.get_by_text("Upheld: 3")).to_be_visible()
    expect(page.get_by_text("Suspensions: 1")).to_be_visible()
    check_accessibility(page, "transparency")

    _sign_in(page, base, "bob")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your account is suspended until")
    expect(alert).to_contain_text("Repeated insults")
    check_accessibility(page, "suspended sign-in")


def test_member_flags_from_a_page(page: Page, moderation_server):
    base = moderation_server.url
    with moderation_server.app.app_context():
        author = db.session.query(User).filter_by(username="staff").one()
        note = content.publish(Note(), author, "Our new headlamp is out.")
        db.session.commit()
        note_id = note.id
    _sign_in(page, base, "member")
    page.goto(f"{base}/notes/{note_id}")
    page.get_by_text("Flag", exact=True).click()
    page.get_by_label("Off-topic").check()
    check_accessibility(page, "flag form")
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_text("Thank you: the moderators will look at it.")).to_be_visible()
