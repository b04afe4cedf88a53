"""Notifications: who is told what, e-mail through a real SMTP server (and one that is
down), webhooks on a real local HTTP server, the staff inbox, brand replies, the API,
RQ and fixed query counts."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from community.forum import services as forum
from community.notifications import services, webhooks
from models import (
    ContentItem,
    EmailDelivery,
    ForumCategory,
    Notification,
    StaffClaim,
    User,
    Watch,
    Webhook,
    WebhookDelivery,
    db,
    utcnow,
)
from tests.factories import UserFactory


def _notes(user) -> list[Notification]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


def test_reply_notifies_the_asker_once_and_never_the_replier(question, users, mailbox):
    other = UserFactory()
    db.session.commit()
    reply = forum.reply(question, other, f"Hello @{users['member'].username}, try the Dôme 2.")
    db.session.commit()
    [note] = _notes(users["member"])  # a reply that also mentions: one notification, the specific reason
    assert note.kind == "mention" and note.content_id == reply.id and note.url == f"/c/{reply.id}"
    assert note.actor_id == other.id and note.title == "Which tent for the Alps?"
    assert _notes(other) == []  # never for one's own action
    # The asker's own reply notifies nobody (the replier watches now: they get activity).
    forum.reply(question, users["member"], "Thanks!")
    db.session.commit()
    assert len(_notes(users["member"])) == 1
    assert [n.kind for n in _notes(other)] == ["activity"]


def test_official_answer_quote_and_accept(question, users, mailbox):
    helper = UserFactory()
    db.session.commit()
    first = forum.reply(question, helper, "Look at the Dôme 2.")
    db.session.commit()
    official = forum.reply(
        question, users["staff"], f"> Look at the Dôme 2.\n>\n> — [helper](/forum/p/{first.id})\n\nYes."
    )
    db.session.commit()
    kinds = {n.content_id: n.kind for n in _notes(users["member"])}
    assert kinds[official.id] == "official_answer"
    assert [n.kind for n in _notes(helper)] == ["quote"]  # quote beats "activity" of the watched topic
    forum.accept_answer(question, first, users["member"])
    db.session.commit()
    assert [n.kind for n in _notes(helper)] == ["quote", "answer_accepted"]


def test_muted_topic_is_silent_but_watched_category_tells(question, category, users):
    fan = UserFactory()
    db.session.commit()
    services.set_watch(fan, "category", category.id, "track")
    db.session.commit()
    forum.reply(question, users["staff"], "An answer.")
    db.session.commit()
    assert [n.kind for n in _notes(fan)] == ["activity"]
    assert (
        db.session.scalar(select(EmailDelivery).where(EmailDelivery.user_id == fan.id)) is None
    )  # track: in-app only
    services.set_watch(fan, "topic", question.id, "mute")
    db.session.commit()
    forum.reply(question, users["staff"], "Another answer.")
    db.session.commit()
    assert len(_notes(fan)) == 1


def test_auto_watch_can_be_turned_off(question, users):
    quiet = UserFactory()
    db.session.commit()
    services.update_settings(quiet, auto_watch=False)
    db.session.commit()
    forum.reply(question, quiet, "Me too.")
    db.session.commit()
    assert db.session.scalar(select(Watch).where(Watch.user_id == quiet.id)) is None


def test_email_in_the_members_language_with_unsubscribe(client, question, users, mailbox):
    member = users["member"]
    member.locale = "fr"
    db.session.commit()
    forum.reply(question, users["staff"], "Voici la réponse.")
    db.session.commit()
    message = mailbox.wait_for(member.email)
    assert "La marque a répondu à votre question" in message["Subject"]
    text = mailbox.text_of(message)
    note = _notes(member)[0]
    assert f"http://community.test/notifications/{note.id}/open" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"/notifications/{note.id}/open" in html
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("http://community.test/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery = db.session.scalar(select(EmailDelivery).where(EmailDelivery.notification_id == note.id))
    assert delivery.status == "sent" and delivery.attempts == 1
    # One-click unsubscribe: a POST without session or CSRF token.
    path = unsubscribe.removeprefix("http://community.test")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    prefs = services.email_preferences(services.settings_of(member.id))
    assert prefs["official_answer"] == "never" and prefs["reply"] == "immediately"
    assert client.post("/notifications/unsubscribe/forged").status_code == 404


def test_smtp_down_records_failure_and_retry_sends_later(app, runner, question, users, mailbox):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    good_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = closed_port
    app.extensions["mail"].port = closed_port
    try:
        forum.reply(question, users["staff"], "An answer while the mail server is down.")
        db.session.commit()  # the write is not blocked
    finally:
        app.config["MAIL_PORT"] = good_port
        app.extensions["mail"].port = good_port
    [note] = _notes(users["member"])  # the notification exists
    delivery = db.session.scalar(select(EmailDelivery).where(EmailDelivery.notification_id == note.id))
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error
    assert delivery.next_attempt_at > utcnow()
    assert mailbox.messages == []
    # Too early: the back-off holds it.
    assert "0 sent" in runner.invoke(args=["notifications", "retry"]).output
    delivery.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["notifications", "retry"])
    assert "1 sent" in result.output, result.output
    assert mailbox.wait_for(users["member"].email)
    db.session.expire_all()
    assert db.session.get(EmailDelivery, delivery.id).status == "sent"
    assert db.session.get(EmailDelivery, delivery.id).attempts == 2


def test_failed_email_is_visible_to_admins(client, login, users):
    db.session.add(EmailDelivery(to="x@example.test", subject="Hello", message="{}", status="failed", attempts=3,
                                 last_error="ConnectionRefusedError"))  # fmt: skip
    db.session.commit()
    login("admin")
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "ConnectionRefusedError" in page and "x@example.test" in page


def test_digest_collects_then_sends_one_email(runner, question, users, mailbox):
    services.update_settings(users["member"], email={"official_answer": "digest", "reply": "digest"})
    db.session.commit()
    forum.reply(question, users["staff"], "One.")
    forum.reply(question, UserFactory(), "Two.")
    db.session.commit()
    assert mailbox.messages == []
    result = runner.invoke(args=["notifications", "digest"])
    assert "2 digest" in result.output, result.output  # the member's, and the staff's (watching the topic)
    message = mailbox.wait_for(users["member"].email)
    assert message["Subject"] == "Your daily summary"
    assert mailbox.text_of(message).count("/notifications/") >= 2
    assert message["List-Unsubscribe"]
    assert "0 digest" in runner.invoke(args=["notifications", "digest"]).output


def test_bell_list_open_and_mark_read(client, login, question, users):
    forum.reply(question, users["staff"], "Answer.")
    forum.reply(question, UserFactory(), "Another.")
    db.session.commit()
    login("member")
    home = client.get("/").get_data(as_text=True)
    assert 'data-unread="2"' in home
    notes = _notes(users["member"])
    page = client.get("/notifications").get_data(as_text=True)
    assert "answered your question for the brand" in page
    response = client.get(f"/notifications/{notes[0].id}/open")
    assert response.status_code == 302 and response.location == f"/c/{notes[0].content_id}"
    assert 'data-unread="1"' in client.get("/").get_data(as_text=True)
    client.post("/notifications/read")
    assert 'data-unread="0"' in client.get("/").get_data(as_text=True)
    # someone else's notification is not found
    client.post("/logout")
    login("staff")
    assert client.get(f"/notifications/{notes[0].id}/open").status_code == 404


def test_review_response_and_idea_status(app, users):
    from community.ideas import services as ideas
    from community.reviews import services as reviews
    from models import Product, ProductCategory

    cat = ProductCategory(slug="tents", name_en="Tents", name_fr="Tentes")
    db.session.add(cat)
    db.session.flush()
    product = Product(slug="dome", name_en="Dome 2", name_fr="Dôme 2", category_id=cat.id)
    db.session.add(product)
    db.session.commit()
    review = reviews.write_review(
        product, users["member"], rating=4, title="Good tent", body="Solid in the wind, dry inside."
    )
    db.session.commit()
    reviews.respond(review, users["staff"], "Thank you!")
    db.session.commit()
    assert [n.kind for n in _notes(users["member"])] == ["brand_response"]
    idea = ideas.create_idea(users["member"], "A lighter stove", "Please make it lighter.", language="en")
    voter = UserFactory()
    db.session.commit()
    ideas.vote(idea, voter)
    db.session.commit()
    ideas.change_status(idea, users["staff"], "planned", "We are on it.")
    db.session.commit()
    assert [n.kind for n in _notes(voter)] == ["idea_status"]
    assert [n.kind for n in _notes(users["member"])] == ["brand_response", "idea_status"]


# --- staff inbox and brand replies -------------------------------------------------------------------------


def test_staff_inbox_take_it_and_answer(client, login, question, users):
    assert client.get("/staff/inbox").status_code == 302  # anonymous: sign in
    login("member")
    assert client.get("/staff/inbox").status_code == 403
    client.post("/logout")
    login("staff")
    page = client.get("/staff/inbox").get_data(as_text=True)
    assert "Which tent for the Alps?" in page and "Take it" in page
    response = client.post(f"/staff/inbox/{question.id}/take")
    assert response.status_code == 302
    claim = db.session.scalar(select(StaffClaim).where(StaffClaim.content_id == question.id))
    assert claim.user_id == users["staff"].id
    client.post("/logout")
    login("admin")
    page = client.get("/staff/inbox").get_data(as_text=True)
    assert f"Taken by {users['staff'].name}" in page
    client.post(f"/staff/inbox/{question.id}/take")
    db.session.expire_all()
    assert db.session.get(StaffClaim, claim.id).user_id == users["staff"].id  # not stolen
    claim = db.session.get(StaffClaim, claim.id)
    claim.claimed_at = utcnow() - timedelta(hours=5)  # expired
    db.session.commit()
    client.post(f"/staff/inbox/{question.id}/take")
    db.session.expire_all()
    assert db.session.get(StaffClaim, claim.id).user_id == users["admin"].id
    forum.reply(question, users["staff"], "The official answer.")
    db.session.commit()
    assert "Which tent for the Alps?" not in client.get("/staff/inbox").get_data(as_text=True)


def test_brand_replies_page_and_feed(client, question, users):
    forum.reply(question, users["staff"], "Take the **Dôme 2**.")
    db.session.commit()
    page = client.get("/brand/replies").get_data(as_text=True)
    assert "Take the <strong>Dôme 2</strong>" in page and "within 24 hours" in page
    assert "Median achieved over the last 30 days: 0.0 hours" in page
    feed = client.get("/brand/replies.atom")
    assert feed.mimetype == "application/atom+xml"
    assert b"Which tent for the Alps?" in feed.data


# --- webhooks ------------------------------------------------------------------------------------------------


class _Receiver:
    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests.append((dict(self.headers), body))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = _Receiver()
    yield r
    r.close()


def test_webhook_receives_signed_delivery(client, login, category, users, receiver):
    login("admin")
    response = client.post("/admin/webhooks", data={"url": receiver.url, "events": ["question.created"]})
    assert response.status_code == 302
    forum.open_topic(category, users["member"], "Is the jacket waterproof?", "Rain test?", "question", "en")
    db.session.commit()
    [(headers, body)] = receiver.requests
    hook = db.session.scalar(select(Webhook))
    expected = "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Rassembleur-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "question.created" and payload["data"]["author_id"] == users["member"].id
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.status == "ok" and delivery.response_status == 200 and delivery.response_ms is not None
    # the "send test" button
    client.post(f"/admin/webhooks/{hook.id}/test")
    assert json.loads(receiver.requests[-1][1])["event"] == "ping"
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert "ping" in page and "question.created" in page


def test_flag_raised_is_delivered_signed_without_the_flaggers_identity(
    client, login, question, users, receiver
):
    from community.moderation import services as moderation

    login("admin")
    page = client.get("/admin/webhooks").get_data(as_text=True)
    assert 'value="flag.raised"' in page  # offered on the admin page
    assert (
        client.post("/admin/webhooks", data={"url": receiver.url, "events": ["flag.raised"]}).status_code
        == 302
    )
    flagger = UserFactory()
    db.session.commit()
    reply = forum.reply(question, users["member"], "Buy cheap tents at spam.example!")
    db.session.commit()
    assert receiver.requests == []  # a new reply is not a subscribed event
    flag = moderation.flag(reply, flagger, "spam", note="Private note to the moderators.")
    db.session.commit()
    [(headers, body)] = receiver.requests
    hook = db.session.scalar(select(Webhook))
    assert (
        headers["X-Rassembleur-Signature"]
        == "sha256=" + hmac.new(hook.secret.encode(), body, hashlib.sha256).hexdigest()
    )
    assert headers["X-Rassembleur-Event"] == "flag.raised"
    payload = json.loads(body)
    assert payload["event"] == "flag.raised"
    assert payload["data"] == {
        "flag_id": flag.id, "content_id": reply.id, "kind": "reply", "reason": "spam", "url": f"/c/{reply.id}",
    }  # fmt: skip
    assert "Private note" not in body.decode()  # neither the flagger nor their note leave the site
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.event == "flag.raised"))
    assert delivery.status == "ok" and delivery.response_status == 200
    # A refused flag (the same member again) announces nothing.
    from community.errors import Conflict

    with pytest.raises(Conflict):
        moderation.flag(reply, flagger, "spam")
    db.session.rollback()
    assert len(receiver.requests) == 1


def test_webhook_failure_is_logged_and_retried(app, runner, users, receiver):
    receiver.status = 500
    hook = webhooks.create(users["admin"], receiver.url, ["idea.created"])
    db.session.commit()
    from community.ideas import services as ideas

    ideas.create_idea(users["member"], "Solar lantern", "Please make one.", language="en")
    db.session.commit()
    delivery = db.session.scalar(select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    assert delivery.status == "failed" and delivery.last_error == "HTTP 500" and delivery.attempts == 1
    receiver.status = 200
    result = runner.invoke(args=["notifications", "retry", "--force"])
    assert "1 delivered" in result.output
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).status == "ok"
    assert len(receiver.requests) == 2


def test_webhook_urls_must_be_https(app, users):
    from community.errors import InvalidInput

    with pytest.raises(InvalidInput):
        webhooks.create(users["admin"], "http://example.com/hook", ["idea.created"])
    app.config["TESTING"] = False
    with pytest.raises(InvalidInput):
        webhooks.create(users["admin"], "http://127.0.0.1:9/hook", ["idea.created"])
    app.config["TESTING"] = True
    assert webhooks.create(users["admin"], "https://example.com/hook", ["idea.created"]).url.startswith(
        "https"
    )


# --- API -------------------------------------------------------------------------------------------------------


def test_api_notifications_and_preferences(client, login, question, users):
    assert client.get("/api/v1/notifications").status_code == 401
    forum.reply(question, users["staff"], "Answer.")
    db.session.commit()
    login("member")
    data = client.get("/api/v1/notifications").get_json()
    assert data["unread"] == 1 and data["items"][0]["kind"] == "official_answer"
    marked = client.post("/api/v1/notifications/read", json={"all": True}).get_json()
    assert marked == {"marked": 1, "unread": 0}
    prefs = client.get("/api/v1/me/preferences").get_json()
    assert prefs["email"]["reply"] == "immediately" and prefs["auto_watch"] is True
    changed = client.put("/api/v1/me/preferences", json={"email": {"reply": "digest"}, "auto_watch": False})
    assert changed.status_code == 200
    assert changed.get_json()["email"]["reply"] == "digest" and changed.get_json()["auto_watch"] is False
    assert client.put("/api/v1/me/preferences", json={"email": {"reply": "hourly"}}).status_code == 422
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/notifications" in spec["paths"] and "put" in spec["paths"]["/api/v1/me/preferences"]


# --- query counts ---------------------------------------------------------------------------------------------


def test_pages_have_fixed_query_counts(client, login, question, users, count_queries):
    def seed(n):
        for i in range(n):
            forum.reply(question, UserFactory(), f"Reply number {i} about tents.")
            topic = forum.open_topic(
                db.session.get(ForumCategory, question.category_id),
                UserFactory(),
                f"Q {i} {n}?",
                "Body text.",
                "question",
                "en",
            )
            forum.reply(topic, users["staff"], "Official.")
        db.session.commit()

    login("member")
    seed(2)
    counts = []
    for _ in range(2):
        client.get("/notifications")  # the first visit of the day records it
        with count_queries() as q1:
            client.get("/notifications")
        client.post("/logout")
        login("staff")
        client.get("/staff/inbox")
        with count_queries() as q2:
            client.get("/staff/inbox")
        with count_queries() as q3:
            client.get("/brand/replies")
        client.post("/logout")
        login("member")
        counts.append((q1.count, q2.count, q3.count))
        seed(6)
    assert counts[0] == counts[1]


# --- every kind of notification, once per event, never for one's own action -------------------------------


def test_plain_reply_notifies_the_topic_author_with_the_reply_kind(question, users):
    replier = UserFactory()
    db.session.commit()
    reply = forum.reply(question, replier, "The Dôme 2 is fine up to 2,500 m.")
    db.session.commit()
    [note] = _notes(users["member"])
    assert (note.kind, note.content_id, note.actor_id) == ("reply", reply.id, replier.id)


def test_quote_and_mention_of_the_same_person_notify_once(question, users):
    helper, other = UserFactory(), UserFactory()
    db.session.commit()
    first = forum.reply(question, helper, "Take a four-season tent.")
    db.session.commit()
    forum.reply(
        question,
        other,
        f"> Take a four-season tent.\n>\n> — [x](/forum/p/{first.id})\n\n@{helper.username} which one?",
    )
    db.session.commit()
    # Quoted, mentioned and watching the topic (auto-watch): one notification, the most specific reason.
    assert [n.kind for n in _notes(helper)] == ["mention"]


def _idea_with_voter(users):
    from community.ideas import services as ideas

    idea = ideas.create_idea(users["member"], "A lighter stove", "Please make it lighter.", language="en")
    db.session.commit()
    voter = UserFactory()
    db.session.commit()
    ideas.vote(idea, voter)
    db.session.commit()
    return idea, voter


def test_idea_status_reaches_voters_and_followers_once_each(users):
    from community.ideas import services as ideas

    idea, voter = _idea_with_voter(users)
    follower, tracker, muted_voter = UserFactory(), UserFactory(), UserFactory()
    db.session.commit()
    services.set_watch(follower, "idea", idea.id, "watch")
    services.set_watch(tracker, "idea", idea.id, "track")
    services.set_watch(voter, "idea", idea.id, "watch")  # voter and follower: still one notification
    ideas.vote(idea, muted_voter)
    services.set_watch(muted_voter, "idea", idea.id, "mute")
    db.session.commit()
    ideas.change_status(idea, users["staff"], "planned", "We are on it.")
    db.session.commit()
    for person in (voter, follower, tracker, users["member"]):
        assert [n.kind for n in _notes(person)] == ["idea_status"], person.username
    assert _notes(muted_voter) == []
    assert _notes(users["staff"]) == []  # the actor
    emailed = set(db.session.scalars(select(EmailDelivery.user_id)))
    assert follower.id in emailed and voter.id in emailed and tracker.id not in emailed  # track: in-app only


def test_own_status_change_on_an_idea_one_voted_for_notifies_nobody_else_twice(users):
    from community.ideas import services as ideas

    idea = ideas.create_idea(users["staff"], "Spare poles", "Sell spare tent poles.", language="en")
    db.session.commit()
    ideas.change_status(idea, users["staff"], "planned", "Soon in the shop.")
    db.session.commit()
    assert _notes(users["staff"]) == []  # author, voter and actor at once: nothing for one's own action


def test_comment_on_an_idea_notifies_its_author_and_followers(users):
    from community.ideas import services as ideas

    idea, voter = _idea_with_voter(users)
    commenter = UserFactory()
    db.session.commit()
    services.set_watch(voter, "idea", idea.id, "watch")
    db.session.commit()
    comment = ideas.add_comment(idea, commenter, "Titanium would do it.")
    db.session.commit()
    [note] = _notes(users["member"])
    assert (note.kind, note.content_id) == ("comment", comment.id)
    assert [n.kind for n in _notes(voter)] == ["activity"]
    assert _notes(commenter) == []
    assert (
        db.session.scalar(
            select(Watch.level).where(Watch.user_id == commenter.id, Watch.target_type == "idea")
        )
        == "watch"
    )  # commenters watch the idea
    ideas.add_comment(idea, users["member"], "Thanks, good idea.")  # the author's own comment
    db.session.commit()
    assert len(_notes(users["member"])) == 1
    assert [n.kind for n in _notes(commenter)] == ["activity"]


def test_comment_on_an_article_and_a_reply_to_a_comment(users):
    from community.blog import services as blog
    from community.blog.services import ArticleData

    article = blog.create_article(
        users["staff"], ArticleData(title="Pitching in the wind", body="Face the door downwind.",
                                    summary="Wind", status="published", language="en"),
    )  # fmt: skip
    db.session.commit()
    reader, other = UserFactory(), UserFactory()
    db.session.commit()
    first = blog.add_comment(article, reader, "Useful, thanks.")
    db.session.commit()
    [note] = _notes(users["staff"])
    assert (note.kind, note.content_id) == ("comment", first.id)
    answer = blog.add_comment(article, other, "Agreed.", parent_id=first.id)
    db.session.commit()
    assert [n.kind for n in _notes(reader)] == ["reply"]
    assert [(n.kind, n.content_id) for n in _notes(users["staff"])][-1] == ("comment", answer.id)
    blog.add_comment(article, users["staff"], "Glad it helps.")  # the author's own comment
    db.session.commit()
    assert len(_notes(users["staff"])) == 2


def test_moderation_decisions_are_notified_to_the_author(question, users):
    from community.moderation import services as moderation

    reply = forum.reply(question, users["member"], "My own follow-up.")
    db.session.commit()
    moderation.moderate(reply, users["moderator"], "hide", "Off topic")
    db.session.commit()
    [hidden] = _notes(users["member"])
    assert (
        hidden.kind == "moderation"
        and hidden.title == "Off topic"
        and hidden.actor_id == users["moderator"].id
    )
    moderation.moderate(reply, users["moderator"], "restore", "On second thought, fine")
    db.session.commit()
    moderation.moderate(reply, users["moderator"], "hide", "Off topic after all")  # the same change again
    db.session.commit()
    moderation.moderate(reply, users["moderator"], "delete", "Duplicate")
    db.session.commit()
    assert [n.kind for n in _notes(users["member"])] == ["moderation"] * 4
    assert _notes(users["moderator"]) == []
    assert "Duplicate" in [n.title for n in _notes(users["member"])]
    # A sanction is a decision about the member too.
    moderation.sanction(users["moderator"], users["member"], "silence", "Cool down", days=1)
    db.session.commit()
    assert [n.kind for n in _notes(users["member"])] == ["moderation"] * 5


def test_a_moderator_acting_on_their_own_post_or_an_author_deleting_is_not_notified(question, users):
    from community.content import services as content
    from community.moderation import services as moderation

    own = forum.reply(question, users["moderator"], "Posted by the moderator.")
    db.session.commit()
    moderation.moderate(own, users["moderator"], "hide", "Testing")
    db.session.commit()
    assert _notes(users["moderator"]) == []
    mine = forum.reply(question, users["member"], "I will delete this.")
    db.session.commit()
    content.delete_by_author(mine, users["member"])
    db.session.commit()
    assert [n.kind for n in _notes(users["member"])] == ["reply"]  # the moderator's reply, no "moderation"


def test_watching_a_category_brings_new_topics_and_muting_it_silences_them(category, users):
    fan, quiet = UserFactory(), UserFactory()
    db.session.commit()
    services.set_watch(fan, "category", category.id, "watch")
    services.set_watch(quiet, "category", category.id, "mute")
    db.session.commit()
    topic = forum.open_topic(
        category, users["member"], "Stove for winter?", "Gas or liquid fuel?", "question", "en"
    )
    db.session.commit()
    [note] = _notes(fan)
    assert (note.kind, note.content_id) == ("activity", topic.id)
    assert _notes(quiet) == [] and _notes(users["member"]) == []


def test_normal_level_is_kept_when_replying_again_and_overrides_the_category(question, category, users):
    fan = UserFactory()
    db.session.commit()
    services.set_watch(fan, "category", category.id, "watch")
    services.set_watch(fan, "topic", question.id, "normal")
    db.session.commit()
    forum.reply(question, fan, "Following this one loosely.")
    db.session.commit()
    assert (
        db.session.scalar(select(Watch.level).where(Watch.user_id == fan.id, Watch.target_type == "topic"))
        == "normal"
    )  # auto-watch does not undo a choice
    forum.reply(question, users["staff"], "An answer.")
    db.session.commit()
    assert _notes(fan) == []  # normal on the topic wins over the watched category


# --- the watch control on pages ----------------------------------------------------------------------------


@pytest.fixture
def pages(app, question, category, users):
    """A topic (the member's question), a category, an idea and a product, with their paths."""
    from community.ideas import services as ideas
    from models import Product, ProductCategory

    idea = ideas.create_idea(users["staff"], "Spare poles", "Sell spare tent poles.", language="en")
    pcat = ProductCategory(slug="tents", name_en="Tents", name_fr="Tentes")
    db.session.add(pcat)
    db.session.flush()
    product = Product(slug="dome", name_en="Dome 2", name_fr="Dôme 2", category_id=pcat.id)
    db.session.add(product)
    db.session.commit()
    return {
        "topic": (question.id, f"/forum/t/{question.slug}/{question.id}"),
        "category": (category.id, f"/forum/c/{category.slug}"),
        "idea": (idea.id, f"/ideas/{idea.id}"),
        "product": (product.id, f"/products/{product.slug}"),
    }


def _control(page: str, target_type: str, target_id: int) -> str | None:
    import re

    found = re.search(
        rf'<div class="watch-control[^"]*" id="watch-{target_type}-{target_id}" data-level="(\w+)"', page
    )
    return found.group(1) if found else None


def test_watch_control_shows_the_level_and_is_hidden_for_visitors(client, login, pages, users):
    for target_type, (_target_id, path) in pages.items():
        page = client.get(path).get_data(as_text=True)
        assert "watch-control" not in page, target_type
    login("member")
    levels = {t: _control(client.get(path).get_data(as_text=True), t, i) for t, (i, path) in pages.items()}
    # The member asked the question: they watch it by default.
    assert levels == {"topic": "watch", "category": "normal", "idea": "normal", "product": "normal"}
    page = client.get(pages["topic"][1]).get_data(as_text=True)
    assert "Notifications: <strong>Watching</strong>" in page
    assert 'value="watch" aria-pressed="true"' in page and 'value="mute" aria-pressed="false"' in page
    assert 'action="/watch/topic/' in page and 'name="csrf_token"' in page
    assert "By default, you watch what you create or reply to." in page
    users["member"].locale = "fr"
    db.session.commit()
    french = client.get(pages["topic"][1]).get_data(as_text=True)
    assert "Notifications : <strong>Surveillé</strong>" in french and "Silencieux" in french


def test_watch_control_posts_and_redirects_back_without_js(client, login, pages, users):
    login("member")
    for target_type, (target_id, path) in pages.items():
        response = client.post(f"/watch/{target_type}/{target_id}", data={"level": "mute", "next": path})
        assert response.status_code == 302 and response.location == path, target_type
        page = client.get(path).get_data(as_text=True)
        assert _control(page, target_type, target_id) == "mute"
        assert "Notifications for this page: Muted." in page  # the flash
    rows = db.session.scalars(select(Watch).where(Watch.user_id == users["member"].id)).all()
    assert {(w.target_type, w.level) for w in rows} == {(t, "mute") for t in pages}
    # An unsafe "next" falls back to the target's own page.
    topic_id = pages["topic"][0]
    response = client.post(
        f"/watch/topic/{topic_id}", data={"level": "track", "next": "https://evil.example/"}
    )
    assert response.location == f"/c/{topic_id}"


def test_watch_control_with_htmx_returns_the_control(client, login, pages):
    login("member")
    idea_id = pages["idea"][0]
    response = client.post(
        f"/watch/idea/{idea_id}",
        data={"level": "track", "next": pages["idea"][1]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _control(html, "idea", idea_id) == "track" and "<html" not in html
    assert 'role="status"' in html and "Notifications for this idea" in html
    assert f'name="next" value="{pages["idea"][1]}"' in html


def test_topic_shows_the_level_inherited_from_its_category(client, login, pages, users):
    other = UserFactory(username="other")
    db.session.commit()
    services.set_watch(other, "category", pages["category"][0], "track")
    db.session.commit()
    from tests.factories import PASSWORD

    assert client.post("/login", data={"login": "other", "password": PASSWORD}).status_code == 302
    page = client.get(pages["topic"][1]).get_data(as_text=True)
    assert _control(page, "topic", pages["topic"][0]) == "track" and "(from the category)" in page


def test_watch_refuses_bad_input_and_changes_nothing(app, client, login, pages, users):
    topic_id = pages["topic"][0]
    assert (
        client.post(f"/watch/topic/{topic_id}", data={"level": "mute"}).status_code == 302
    )  # visitor: sign in
    login("member")
    before = db.session.scalars(select(Watch.level).where(Watch.user_id == users["member"].id)).all()
    french = client.post(
        f"/watch/topic/{topic_id}", data={"level": "loud"}, headers={"Accept-Language": "fr"}
    )
    assert french.status_code == 422 and "Choisissez un niveau de notification." in french.get_data(
        as_text=True
    )
    assert client.post(f"/watch/topic/{topic_id}", data={}).status_code == 422
    assert client.post("/watch/topic/999999", data={"level": "mute"}).status_code == 404
    assert client.post(f"/watch/idea/{topic_id}", data={"level": "mute"}).status_code == 404  # not an idea
    assert client.post("/watch/user/1", data={"level": "mute"}).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/watch/topic/{topic_id}", data={"level": "mute"}).status_code == 400
    app.config["WTF_CSRF_ENABLED"] = False
    db.session.expire_all()
    assert db.session.scalars(select(Watch.level).where(Watch.user_id == users["member"].id)).all() == before


def test_what_one_cannot_see_cannot_be_watched(client, login, pages, users):
    from community.moderation import services as moderation
    from models import Product

    topic_id, idea_id = pages["topic"][0], pages["idea"][0]
    idea = db.session.get(ContentItem, idea_id)
    moderation.moderate(idea, users["moderator"], "hide", "Spam")
    db.session.get(Product, pages["product"][0]).active = False
    db.session.commit()
    login("member")
    assert client.post(f"/watch/idea/{idea_id}", data={"level": "watch"}).status_code == 404
    assert client.post(f"/watch/product/{pages['product'][0]}", data={"level": "watch"}).status_code == 404
    assert client.post(f"/watch/topic/{topic_id}", data={"level": "watch"}).status_code == 302
    client.post("/logout")
    login("staff")  # staff see inactive products, and the idea they wrote while hidden
    assert client.post(f"/watch/product/{pages['product'][0]}", data={"level": "watch"}).status_code == 302
    assert client.post(f"/watch/idea/{idea_id}", data={"level": "watch"}).status_code == 302


def test_watch_control_costs_one_query_whatever_the_data(client, login, pages, users, count_queries):
    from community.ideas import services as ideas
    from community.reviews import services as reviews
    from models import Product

    topic = db.session.get(ContentItem, pages["topic"][0])
    idea = db.session.get(ContentItem, pages["idea"][0])
    product = db.session.get(Product, pages["product"][0])
    category = db.session.get(ForumCategory, pages["category"][0])

    def seed(n):
        for i in range(n):
            someone = UserFactory()
            db.session.flush()
            forum.reply(topic, someone, f"Reply {i} {n}.")
            forum.open_topic(category, someone, f"Topic {i} {n}?", "Body.", "discussion", "en")
            ideas.add_comment(idea, someone, f"Comment {i} {n}.")
            reviews.write_review(
                product,
                someone,
                rating=3,
                title=f"Review {i} {n}",
                body="Fine tent, a bit heavy for long hikes though.",
            )
            for target_type, (target_id, _path) in pages.items():
                services.set_watch(someone, target_type, target_id, "watch")
        db.session.commit()

    def measure():
        counts = {}
        for target_type, (_target_id, path) in pages.items():
            client.get(path)  # first visits record reads
            with count_queries() as q:
                assert client.get(path).status_code == 200
            counts[target_type] = q.count
        return counts

    from community.notifications.queries import watch_state

    ids = (users["member"].id, topic.id, category.id)  # loaded before counting
    with count_queries() as q:
        state = watch_state(users["member"], "topic", ids[1], ("category", ids[2]))
    assert q.count == 1 and state.level == "watch"
    with count_queries() as q:
        assert watch_state(AnonymousUserMixin(), "topic", topic.id) is None
    assert q.count == 0
    seed(1)
    client.get("/")
    visitor = measure()
    login("member")
    member = measure()
    seed(5)
    assert measure() == member  # fixed, whatever the number of posts and watchers
    client.post("/logout")
    assert measure() == visitor


# --- demo data and the webhook switch ---------------------------------------------------------------------


def test_demo_seed_gives_the_member_a_bell_an_inbox_watches_and_a_disabled_webhook(
    app, runner, client, receiver
):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    member = db.session.scalar(select(User).where(User.username == "member"))
    notes = _notes(member)
    assert len(notes) >= 5 and {"reply", "idea_status"} <= {n.kind for n in notes}
    assert sum(n.read_at is None for n in notes) == 4
    assert all(n.actor_id != member.id and n.url == f"/c/{n.content_id}" for n in notes)
    levels = {
        (w.target_type, w.level) for w in db.session.scalars(select(Watch).where(Watch.user_id == member.id))
    }
    assert {("topic", "watch"), ("category", "watch"), ("product", "track")} <= levels
    [hook] = db.session.scalars(select(Webhook)).all()
    assert hook.active is False and hook.url.startswith("https://") and "flag.raised" in hook.event_list
    assert db.session.scalar(select(EmailDelivery)) is None  # history e-mails nobody
    from community.demo import demo_password

    assert (
        client.post("/login", data={"login": "member", "password": demo_password("member")}).status_code
        == 302
    )
    assert 'data-unread="4"' in client.get("/").get_data(as_text=True)
    page = client.get("/notifications").get_data(as_text=True)
    assert notes[-1].title in page


def test_a_disabled_webhook_receives_nothing_until_enabled(client, login, category, users, receiver):
    hook = webhooks.create(users["admin"], receiver.url, ["topic.created"])
    db.session.commit()
    login("admin")
    assert client.post(f"/admin/webhooks/{hook.id}/active", data={"active": "0"}).status_code == 302
    assert "Disabled" in client.get("/admin/webhooks").get_data(as_text=True)
    forum.open_topic(
        category, users["member"], "Trip report: GR20", "Two weeks in Corsica.", "discussion", "en"
    )
    db.session.commit()
    assert receiver.requests == [] and db.session.scalar(select(WebhookDelivery)) is None
    client.post(f"/admin/webhooks/{hook.id}/active", data={"active": "1"})
    forum.open_topic(category, users["member"], "Trip report: Vercors", "Three days.", "discussion", "en")
    db.session.commit()
    assert [json.loads(body)["event"] for _h, body in receiver.requests] == ["topic.created"]
    client.post("/logout")
    login("member")
    assert client.post(f"/admin/webhooks/{hook.id}/active", data={"active": "0"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).active is True
