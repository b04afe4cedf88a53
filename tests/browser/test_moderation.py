"""The moderation walk of issue 7's "Done when", in a real browser, on real forum content:
a new member's first forum topic waits in the queue and a moderator approves it; three
members flag a reply and it is hidden pending review; the moderator hides it with a
reason that the public then reads on the topic page; the transparency page counts it;
a suspended member sees why on signing in. Every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from community import create_app
from community.forum import services as forum
from community.moderation import services
from models import Role, db
from tests.browser.conftest import LiveServer, check_accessibility
from tests.conftest import make_config
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.browser

RUDE = "Buy cheap watches at my shop!!!"


@pytest.fixture
def moderation_server(tmp_path, mail_server):
    app = create_app(make_config(tmp_path, mail_server, WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
        users = {role.value: UserFactory(username=role.value, role=role.value) for role in Role}
        UserFactory(username="newbie", trust_level=0)
        for i in range(3):
            UserFactory(username=f"flagger{i}", trust_level=1)
        suspended = UserFactory(username="bob")
        db.session.flush()
        stoves = forum.save_category(
            users["admin"], None, slug="stoves", name_en="Stoves", name_fr="Réchauds"
        )
        topic = forum.open_topic(stoves, users["staff"], "Which stove for winter?", "Tell us what you use.")
        forum.reply(topic, users["member"], RUDE)
        services.sanction(users["moderator"], suspended, "suspend", "Repeated insults", days=7)
        db.session.commit()
        app.config["TOPIC_PATH"] = f"/forum/t/{topic.slug}/{topic.id}"
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


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def _rude_reply(page: Page):
    return page.locator("article.post", has_text=RUDE)


def test_forum_moderation_walk(page: Page, moderation_server):
    base = moderation_server.url
    topic_url = base + moderation_server.app.config["TOPIC_PATH"]

    # A new member's first topic waits for approval.
    _sign_in(page, base, "newbie")
    page.goto(base + "/forum/c/stoves")
    page.get_by_role("link", name="New topic").click()
    page.get_by_label("A discussion").check()
    page.get_by_label("Title").fill("My first trip with the Boréal stove")
    page.get_by_label("Your message (Markdown)").fill("It boiled snow in four minutes at 2,000 m.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Your topic waits for a moderator's approval")).to_be_visible()
    expect(page.get_by_text("Awaiting moderation.")).to_be_visible()
    check_accessibility(page, "a newcomer's pending topic")
    _sign_out(page)
    page.goto(base + "/forum/c/stoves")
    expect(page.get_by_text("My first trip with the Boréal stove")).to_have_count(0)

    # Three members flag a reply: it is hidden pending review.
    for i in range(3):
        _sign_in(page, base, f"flagger{i}")
        page.goto(topic_url)
        reply = _rude_reply(page)
        reply.get_by_text("Flag", exact=True).click()
        reply.get_by_label("Spam").check()
        if i == 0:
            check_accessibility(page, "flag form on a reply")
        reply.get_by_role("button", name="Send to the moderators").click()
        expect(page.get_by_text("Thank you: the moderators will look at it.")).to_be_visible()
        _sign_out(page)
    page.goto(topic_url)
    expect(
        page.get_by_text("Hidden by the moderators: pending review after reports from members")
    ).to_be_visible()
    expect(page.get_by_text(RUDE)).to_have_count(0)

    # The moderator approves the newcomer's topic and hides the reply with a reason.
    _sign_in(page, base, "moderator")
    page.goto(base + "/moderation")
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    items = page.locator(".queue-item")
    expect(items).to_have_count(2)
    check_accessibility(page, "moderation queue")
    items.filter(has_text="boiled snow").get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Done: approved.")).to_be_visible()
    flagged = page.locator(".queue-item")
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text("spam × 3")
    expect(flagged).to_contain_text("hidden pending review after reports")
    expect(flagged).to_contain_text("Which stove for winter?")
    flagged.get_by_label("Reason (required to hide)").fill("Advertising")
    flagged.get_by_role("button", name="Hide").click()
    expect(page.get_by_text("Nothing to review. Well done!")).to_be_visible()
    check_accessibility(page, "empty queue")
    _sign_out(page)

    # The public reads the reason in the reply's place, and sees the approved topic.
    page.goto(topic_url)
    expect(page.get_by_text("Hidden by the moderators: Advertising")).to_be_visible()
    expect(page.get_by_text(RUDE)).to_have_count(0)
    check_accessibility(page, "topic with a hidden reply")
    page.goto(base + "/forum/c/stoves")
    page.get_by_role("link", name="My first trip with the Boréal stove").click()
    expect(page.get_by_text("It boiled snow in four minutes")).to_be_visible()

    # The transparency page counts it.
    page.get_by_role("link", name="Transparency").click()
    expect(page.get_by_role("heading", name="Transparency report")).to_be_visible()
    expect(page.get_by_text("advertising: 1")).to_be_visible()
    expect(page.get_by_text("Upheld: 3")).to_be_visible()
    expect(page.get_by_text("Suspensions: 1")).to_be_visible()
    check_accessibility(page, "transparency")

    # A suspended member sees why on signing in.
    _sign_in(page, base, "bob")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your account is suspended until")
    expect(alert).to_contain_text("Repeated insults")
    check_accessibility(page, "suspended sign-in")


def test_moderator_splits_and_merges_from_the_topic_page(page: Page, moderation_server):
    base = moderation_server.url
    topic_url = base + moderation_server.app.config["TOPIC_PATH"]
    _sign_in(page, base, "moderator")
    page.goto(topic_url)
    page.get_by_text("Moderator tools").click()
    check_accessibility(page, "topic with the moderator tools open")
    _rude_reply(page).get_by_label("Move to a new topic").check()
    page.get_by_label("Title of the new topic").fill("Watches for sale")
    page.get_by_role("button", name="Split", exact=True).click()
    expect(page.get_by_text("The selected replies are now a new topic.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Watches for sale")
    expect(page.get_by_text(RUDE)).to_be_visible()
    check_accessibility(page, "topic split off")

    page.get_by_text("Moderator tools").click()
    page.get_by_label("Find a topic by its title").fill("winter")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label("Which stove for winter?").check()
    check_accessibility(page, "merge search results")
    page.get_by_label("Reason (kept in the audit log)").nth(1).fill("Belongs to the stove thread")
    page.get_by_role("button", name="Merge", exact=True).click()
    expect(page.get_by_text("The topics are merged.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which stove for winter?")
    expect(page.get_by_text(RUDE)).to_be_visible()
    check_accessibility(page, "merged topic")
