"""Moderation: flags, queue decisions (HTML and API matrix), trust levels, filters,
rate limits, scoped moderators, sanctions, account deletion/export, audit and transparency."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from community.content import services as content
from community.errors import InvalidInput, PermissionDenied, RateLimited
from community.moderation import queries, services
from models import AuditEntry, ContentItem, Flag, ModeratorScope, Sanction, User, db, utcnow
from tests.content_kinds import Note, ReviewNote
from tests.factories import UserFactory

KINDS = {"note": Note, "review": ReviewNote}


def _publish(kind: str, author: User, text: str = "Great tent, held in the storm.") -> ContentItem:
    item = content.publish(KINDS[kind](), author, f"{text} {utcnow().timestamp()}")
    db.session.commit()
    return item


def _flaggers(n: int, level: int = 1) -> list[User]:
    made = [UserFactory(trust_level=level) for _ in range(n)]
    db.session.commit()
    return made


# --- flags ------------------------------------------------------------------------------


def test_three_flags_hide_a_note_pending_review_but_not_a_review(app, users):
    note, review = _publish("note", users["member"]), _publish("review", users["member"])
    for flagger in _flaggers(3):
        services.flag(note, flagger, "abusive")
        services.flag(review, flagger, "abusive")
    db.session.commit()
    assert note.state == "hidden" and note.hidden_reason == services.SYSTEM_HIDE_REASON
    assert review.state == "published"
    assert {e.item.id for e in queries.queue(users["moderator"])} == {note.id, review.id}
    log = db.session.query(AuditEntry).filter_by(action="content.hide", target_id=note.id).one()
    assert log.actor_id is None


def test_flag_weight_depends_on_trust_level(app, users):
    note = _publish("note", users["member"])
    for flagger in _flaggers(4, level=0):  # 4 x 0.5 < 3
        services.flag(note, flagger, "spam")
    db.session.commit()
    assert note.state == "published"


def test_flag_api_one_per_member_and_reasons(app, client, login, users):
    note = _publish("note", users["staff"])
    login("member")
    bad = client.post("/api/v1/flags", json={"content_id": note.id, "reason": "boring"})
    assert bad.status_code == 422
    other = client.post("/api/v1/flags", json={"content_id": note.id, "reason": "other"})
    assert other.status_code == 422 and other.json["error"]["code"] == "note_required"
    ok = client.post("/api/v1/flags", json={"content_id": note.id, "reason": "spam"})
    assert ok.status_code == 201 and ok.json["id"]
    again = client.post("/api/v1/flags", json={"content_id": note.id, "reason": "abusive"})
    assert again.status_code == 409
    assert db.session.query(Flag).filter_by(content_id=note.id).count() == 1


def test_flag_html_form(app, client, login, users):
    note = _publish("note", users["staff"])
    login("member")
    response = client.post(f"/flag/{note.id}", data={"reason": "off_topic", "next": "/"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert db.session.query(Flag).filter_by(content_id=note.id, reason="off_topic").count() == 1


def test_authors_cannot_flag_their_own_item(app, client, login, users):
    note = _publish("note", users["member"])
    login("member")
    assert client.post("/api/v1/flags", json={"content_id": note.id, "reason": "spam"}).status_code == 403


def _forum_reply(users):
    from community.forum import services as forum

    category = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    topic = forum.open_topic(category, users["staff"], "Which stove for winter?", "Looking for advice.")
    reply = forum.reply(topic, users["staff"], "The Pyro works down to minus twenty.")
    db.session.commit()
    return f"/forum/t/{topic.slug}/{topic.id}", reply


def _bearer(user) -> dict[str, str]:
    from community.auth import services as account_services

    _token, secret = account_services.create_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_silenced_members_cannot_flag_and_are_told_why(app, client, login, users):
    path, reply = _forum_reply(users)
    headers = _bearer(users["member"])
    services.sanction(users["moderator"], users["member"], "silence", "Cool down", days=2)
    db.session.commit()
    login("member")
    page = client.get(path).get_data(as_text=True)
    assert f'action="/flag/{reply.id}"' not in page  # no flag button
    html = client.post(f"/flag/{reply.id}", data={"reason": "spam", "next": path})
    assert html.status_code == 403 and "read-only until" in html.get_data(as_text=True)
    api = client.post("/api/v1/flags", json={"content_id": reply.id, "reason": "spam"}, headers=headers)
    assert api.status_code == 403 and api.json["error"]["code"] == "account_silenced"
    assert "you cannot flag posts" in api.json["error"]["message"]
    with pytest.raises(PermissionDenied):
        services.flag(reply, users["member"], "spam")
    assert db.session.query(Flag).count() == 0


@pytest.mark.parametrize("kind", ["suspend", "ban"])
def test_suspended_and_banned_members_cannot_flag_and_are_told_why(app, client, login, users, kind):
    path, reply = _forum_reply(users)
    login("member")
    headers = _bearer(users["member"])
    services.sanction(users["moderator"], users["member"], kind, "Repeated insults", days=7)
    db.session.commit()
    # The session ends: the page form leads to sign-in, where the member reads why.
    html = client.post(f"/flag/{reply.id}", data={"reason": "spam", "next": path})
    assert html.status_code == 302 and "/login" in html.headers["Location"]
    refused = client.post("/login", data={"login": "member", "password": "correct horse battery"})
    assert "Repeated insults" in refused.get_data(as_text=True)
    # A personal access token answers with the reason instead of a bare 401.
    api = client.post("/api/v1/flags", json={"content_id": reply.id, "reason": "spam"}, headers=headers)
    assert api.status_code == 403 and api.json["error"]["code"] == "account_suspended"
    assert "Repeated insults" in api.json["error"]["message"]
    with pytest.raises(PermissionDenied, match="suspended"):
        services.flag(reply, db.session.get(User, users["member"].id), "spam")
    assert db.session.query(Flag).count() == 0


# --- the matrix: role x action x ownership x kind, HTML and API ---------------------------------

ACTION_SETUP = {"approve": "pending", "hide": "published", "restore": "hidden", "delete": "published",
                "dismiss": "published"}  # fmt: skip
EXPECTED_STATE = {"approve": "published", "hide": "hidden", "restore": "published", "delete": "deleted",
                  "dismiss": "published"}  # fmt: skip
ROLES = ["member", "staff", "moderator", "admin"]


def _matrix():
    for role in ROLES:
        for action in ACTION_SETUP:
            for own in (True, False):
                for kind in KINDS:
                    for via in ("html", "api"):
                        yield role, action, own, kind, via


@pytest.mark.parametrize(("role", "action", "own", "kind", "via"), list(_matrix()))
def test_moderation_matrix(app, client, login, users, role, action, own, kind, via):
    author = users[role] if own else users["member"] if role != "member" else UserFactory(trust_level=2)
    item = _publish(kind, author)
    content.set_state(item, None, ACTION_SETUP[action], "spam" if ACTION_SETUP[action] == "hidden" else "")
    if action == "dismiss":
        services.flag(item, _flaggers(1)[0], "spam")
    db.session.commit()
    login(role)
    allowed = role in ("moderator", "admin")
    if via == "api":
        response = client.post(
            f"/api/v1/moderation/items/{item.id}", json={"action": action, "reason": "rude"}
        )
        assert response.status_code == (200 if allowed else 403), response.json
    else:
        response = client.post(f"/moderation/items/{item.id}", data={"action": action, "reason": "rude"})
        assert response.status_code == (302 if allowed else 403 if role != "member" or not own else 403)
    db.session.expire_all()
    item = db.session.get(ContentItem, item.id)
    assert item.state == (EXPECTED_STATE[action] if allowed else ACTION_SETUP[action])


def test_staff_cannot_hide_a_review_or_a_consumers_post(app, client, login, users):
    review, note = _publish("review", users["member"]), _publish("note", users["member"])
    login("staff")
    for item in (review, note):
        assert (
            client.post(
                f"/api/v1/moderation/items/{item.id}", json={"action": "hide", "reason": "bad"}
            ).status_code
            == 403
        )
        assert (
            client.post(f"/moderation/items/{item.id}", data={"action": "hide", "reason": "x"}).status_code
            == 403
        )
    with pytest.raises(PermissionDenied):
        services.moderate(review, users["staff"], "hide", "negative")
    assert review.state == note.state == "published"


def test_hide_needs_a_reason_and_the_public_sees_it(app, client, login, users):
    note = _publish("note", users["member"])
    login("moderator")
    missing = client.post(f"/api/v1/moderation/items/{note.id}", json={"action": "hide"})
    assert missing.status_code == 422
    ok = client.post(f"/api/v1/moderation/items/{note.id}", json={"action": "hide", "reason": "insults"})
    assert ok.json == {"id": note.id, "state": "hidden", "hidden_reason": "insults"}
    html = app.jinja_env.from_string(
        '{% from "moderation/_macros.html" import hidden_placeholder %}{{ hidden_placeholder(item) }}'
    )
    with app.test_request_context():
        assert "Hidden by the moderators: insults" in html.render(item=db.session.get(ContentItem, note.id))


def test_hidden_item_is_invisible_to_members_and_visible_to_moderators(app, client, login, auth, users):
    note = _publish("note", users["staff"])
    services.moderate(note, users["moderator"], "hide", "spam")
    db.session.commit()
    login("member")
    assert client.get(f"/c/{note.id}").status_code == 404
    auth.logout()
    assert client.get(f"/c/{note.id}").status_code == 404
    login("moderator")
    assert client.get(f"/c/{note.id}").status_code == 302


def test_moderator_edit_keeps_reason_and_audit(app, client, login, users):
    note = _publish("note", users["member"])
    login("moderator")
    page = client.get(f"/moderation/items/{note.id}/edit")
    assert page.status_code == 200
    response = client.post(
        f"/moderation/items/{note.id}",
        data={"action": "edit", "source": "cleaned text", "reason": "phone number"},
    )
    assert response.status_code == 302
    assert note.body_source == "cleaned text"
    entry = db.session.query(AuditEntry).filter_by(action="content.edit").one()
    assert entry.reason == "phone number" and entry.before["body_source"].startswith("Great tent")


def test_bulk_actions_and_queue_page(app, client, login, users, count_queries):
    newcomer = UserFactory(trust_level=0)
    db.session.commit()
    items = [_publish("note", newcomer, f"hello {i}") for i in range(2)]
    assert all(i.state == "pending" for i in items)
    login("moderator")
    client.get("/moderation")
    db.session.expire_all()
    with count_queries() as small:
        assert client.get("/moderation").status_code == 200
    for i in range(6):
        other = UserFactory(trust_level=0)
        db.session.commit()
        _publish("note", other, f"more {i}")
    db.session.expire_all()
    with count_queries() as large:
        page = client.get("/moderation")
    assert large.count == small.count, "\n".join(large.statements)
    assert page.get_data(as_text=True).count('class="card mb-3 queue-item"') == 8
    response = client.post("/moderation/bulk", data={"ids": [str(i.id) for i in items], "action": "approve"})
    assert response.status_code == 302
    assert all(i.state == "published" for i in items)


def test_queue_api_is_for_moderators(app, client, login, users):
    _publish("note", UserFactory(trust_level=0))
    login("member")
    assert client.get("/api/v1/moderation/queue").status_code == 403
    assert client.get("/api/v1/moderation/log").status_code == 403
    assert client.get("/moderation").status_code == 403


# --- trust levels, limits and filters ---------------------------------------------------------


def test_new_members_first_posts_wait_and_links_are_limited(app, users):
    newcomer = UserFactory(trust_level=0)
    db.session.commit()
    assert _publish("note", newcomer).state == "pending"
    with pytest.raises(InvalidInput):
        content.publish(Note(), newcomer, "see https://a.example and https://b.example")
    assert _publish("note", users["member"]).state == "published"


def test_automatic_promotion_and_record_read(app, users):
    newcomer = UserFactory(trust_level=0)
    db.session.commit()
    note = _publish("note", newcomer)
    services.moderate(note, users["moderator"], "approve")
    assert newcomer.trust_level == 0
    assert services.touch_visit(newcomer) is True
    assert services.touch_visit(newcomer) is False  # once a day
    services.record_read(newcomer, 5)
    assert newcomer.trust_level == 1


def test_days_visited_counted_once_per_day_on_requests(app, client, login, users):
    member = login("member")
    client.get("/")
    client.get("/")
    db.session.refresh(member)
    assert member.days_visited == 1 and member.last_visit_on == utcnow().date()


def test_set_trust_cli_and_page(app, runner, client, login, users):
    result = runner.invoke(args=["users", "set-trust", "member", "3"])
    assert result.exit_code == 0 and "trust level 3" in result.output
    assert users["member"].trust_level == 3
    assert runner.invoke(args=["users", "set-trust", "nobody", "1"]).exit_code != 0
    login("moderator")
    response = client.post("/moderation/members/member", data={"what": "trust", "trust-level": "2"})
    assert response.status_code == 302
    assert users["member"].trust_level == 2


@pytest.mark.parametrize("app_config", [{"WRITE_RATE_LIMITS": {1: (2, 600)}}])
def test_rate_limit_answers_429_with_retry_after(app, client, login, users):
    from flask import Blueprint

    # The decorator, on an HTML view and a JSON endpoint.
    bp = Blueprint("rl_test", __name__)

    @bp.post("/rl-test")
    @services.write_rate_limit
    def write():
        db.session.commit()
        return "ok"

    app.register_blueprint(bp)
    member = login("member")
    _publish("note", member, "one")
    _publish("note", member, "two")
    with pytest.raises(RateLimited) as caught:
        content.publish(Note(), member, "three")
    assert caught.value.retry_after > 0
    db.session.rollback()
    assert client.post("/rl-test").status_code == 200
    assert client.post("/rl-test").status_code == 200
    html = client.post("/rl-test")
    assert html.status_code == 429 and int(html.headers["Retry-After"]) > 0
    assert "writing too fast" in html.get_data(as_text=True)
    as_json = client.post("/rl-test", headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.json["error"]["code"] == "rate_limited"
    assert "Retry-After" in as_json.headers


@pytest.mark.parametrize("app_config", [{"REPEAT_WINDOW_SECONDS": 3600}])
def test_filters_block_or_hold_and_repeats_are_refused(app, client, login, users):
    login("admin")
    assert (
        client.post("/moderation/filters", data={"pattern": "casino", "action": "block"}).status_code == 302
    )
    assert (
        client.post(
            "/moderation/filters", data={"pattern": r"free\s+gift", "action": "review", "is_regex": "y"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/moderation/filters", data={"pattern": "(", "action": "block", "is_regex": "y"}
        ).status_code
        == 422
    )
    assert client.get("/moderation/filters").status_code == 200
    with pytest.raises(InvalidInput) as caught:
        content.publish(Note(), users["member"], "Best CASINO online")
    assert "casino" in str(caught.value.message)
    db.session.rollback()
    assert content.publish(Note(), users["member"], "A free  gift for you").state == "pending"
    content.publish(Note(), users["member"], "Same words twice")
    with pytest.raises(InvalidInput):
        content.publish(Note(), users["member"], "Same words twice")


# --- scoped moderators ---------------------------------------------------------------------------


def test_scoped_moderator_sees_and_acts_only_in_scope(app, client, login, users):
    mod = users["moderator"]
    mod.moderation_scopes = [ModeratorScope(scope_type="product_line", scope_id=2)]
    db.session.commit()
    note, review = _publish("note", users["member"]), _publish("review", users["member"])
    for flagger in _flaggers(1):
        services.flag(note, flagger, "spam")
        services.flag(review, flagger, "spam")
    db.session.commit()
    login("moderator")
    assert [e["id"] for e in client.get("/api/v1/moderation/queue").json] == [review.id]
    assert (
        client.post(f"/api/v1/moderation/items/{note.id}", json={"action": "hide", "reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/moderation/items/{review.id}", json={"action": "hide", "reason": "x"}
        ).status_code
        == 200
    )


def test_admin_sets_scopes(app, client, login, users):
    login("admin")
    response = client.post(
        "/moderation/members/moderator",
        data={"what": "scopes", "scopes-scopes": "category:3, product_line:1"},
    )
    assert response.status_code == 302
    assert {(s.scope_type, s.scope_id) for s in users["moderator"].moderation_scopes} == {
        ("category", 3),
        ("product_line", 1),
    }


# --- sanctions ----------------------------------------------------------------------------------


def test_suspended_member_sees_why_and_when_then_it_ends(app, client, auth, login, users):
    login("moderator")
    response = client.post(
        "/moderation/members/member",
        data={
            "what": "sanction",
            "sanction-kind": "suspend",
            "sanction-days": "3",
            "sanction-reason": "Insults",
        },
    )
    assert response.status_code == 302
    auth.logout()
    page = auth.login("member")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "suspended until" in text and "Insults" in text
    row = db.session.query(Sanction).one()
    row.ends_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert auth.login("member").status_code == 302
    assert users["member"].is_active


def test_silenced_member_can_sign_in_but_not_write(app, auth, users):
    services.sanction(users["moderator"], users["member"], "silence", "Cool down", days=1)
    db.session.commit()
    assert auth.login("member").status_code == 302
    with pytest.raises(PermissionDenied):
        content.publish(Note(), users["member"], "hello")


def test_ban_and_expire_command(app, runner, users):
    services.sanction(users["moderator"], users["member"], "suspend", "Spam", days=1)
    services.sanction(users["moderator"], users["staff"], "ban", "Fraud")
    db.session.commit()
    db.session.query(Sanction).filter_by(kind="suspend").one().ends_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    result = runner.invoke(args=["moderation", "expire"])
    assert "1 sanction(s) ended" in result.output
    assert users["member"].is_active and not users["staff"].is_active
    with pytest.raises(PermissionDenied):
        services.sanction(users["moderator"], users["admin"], "ban", "no")


# --- own account ------------------------------------------------------------------------------------


def test_export_and_delete_account_keeping_posts(app, client, login, users):
    member = login("member")
    note = _publish("note", member)
    data = client.get("/account/export")
    assert data.status_code == 200 and json.loads(data.data)["content"][0]["id"] == note.id
    assert client.get("/account/delete").status_code == 200
    assert client.post("/account/delete", data={"password": "wrong", "posts": "keep"}).status_code == 422
    from tests.factories import PASSWORD

    assert client.post("/account/delete", data={"password": PASSWORD, "posts": "keep"}).status_code == 302
    db.session.expire_all()
    kept = db.session.get(ContentItem, note.id)
    assert kept.author_id is None and kept.state == "published"
    assert db.session.query(User).filter_by(username="member").count() == 0


def test_delete_account_and_posts(app, client, login, users):
    from tests.factories import PASSWORD

    member = login("member")
    note = _publish("note", member)
    client.post("/account/delete", data={"password": PASSWORD, "posts": "delete"})
    db.session.expire_all()
    assert db.session.get(ContentItem, note.id).state == "deleted"


# --- audit and transparency ---------------------------------------------------------------------------


def _reviews(ratings: list[int]) -> list:
    """Real product reviews, one per new member, with these star ratings."""
    from community.reviews import services as reviews

    line = reviews.create_category(f"line{utcnow().timestamp()}", "Stoves", "Réchauds")
    product = reviews.save_product(
        None, None, slug=f"pyro{utcnow().timestamp()}", name_en="Pyro", name_fr="Pyro", category_id=line.id
    )
    made = [
        reviews.write_review(product, UserFactory(trust_level=2), rating=r, title=f"{r} stars for the Pyro",
                             body=f"After a winter of use I give it {r} stars out of five, here is why.")
        for r in ratings
    ]  # fmt: skip
    db.session.commit()
    return made


def test_audit_log_filters_csv_and_transparency(app, client, login, users):
    title = "Reviews hidden, by star rating"
    note = _publish("note", users["member"])
    low, high = _reviews([1, 5])
    services.flag(note, users["staff"], "spam")
    services.moderate(note, users["moderator"], "hide", "Spam")
    services.moderate(low, users["moderator"], "hide", "Insults")
    services.sanction(users["moderator"], users["member"], "silence", "Cool down", days=2)
    db.session.commit()
    login("moderator")
    page = client.get("/moderation/log?actor=moderator&action=content.hide")
    assert page.status_code == 200 and page.get_data(as_text=True).count("<code>content.hide</code>") == 2
    csv_text = client.get("/moderation/log?format=csv").get_data(as_text=True)
    assert "user.silence" in csv_text and "Cool down" in csv_text
    api = client.get("/api/v1/moderation/log?action=user.")
    assert [e["action"] for e in api.json] == ["user.silence"]
    report = client.get("/transparency").get_data(as_text=True)
    month = utcnow().strftime("%Y-%m")
    assert month in report and "spam: 1" in report and "Upheld: 1" in report and "Silences: 1" in report
    rows = client.get("/transparency.csv").get_data(as_text=True).splitlines()
    assert f"{month},hidden_items,insults,1," in rows
    assert f'{month},"{title}",1,1,1' in rows
    assert f'{month},"{title}",5,0,1' in rows
    assert high.state == "published"


def _breakdown_in_python(model) -> list[tuple[str, str, int, int]]:
    """The figures as the page computed them before: every review scanned in Python."""
    from collections import defaultdict

    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for item in db.session.scalars(db.select(model)):
        if item.rating is None or item.state == "deleted":
            continue
        cell = counts[(item.created_at.strftime("%Y-%m"), str(item.rating))]
        cell[1] += 1
        cell[0] += item.state == "hidden"
    return [(m, k, h, t) for (m, k), (h, t) in sorted(counts.items(), reverse=True)]


def test_rating_breakdown_is_one_grouped_query_with_unchanged_figures(app, users, count_queries):
    from community.moderation.queries import rating_breakdown
    from models import Review

    made = _reviews([1, 1, 2, 3, 4, 5, 5, 5, 1, 2, 4, 3])
    now = utcnow()
    for i, review in enumerate(made):  # spread over three months, month edges included
        review.created_at = now.replace(day=1, hour=0, minute=0, second=0) - timedelta(
            days=31 * (i % 3), seconds=i % 2
        )
    db.session.commit()
    for review, action in zip(made, ["hide", "hide", "delete", "hide", "", "hide", "", "", "hide", "", "", "delete"],
                              strict=True):  # fmt: skip
        if action:
            services.moderate(review, users["moderator"], action, "Off-topic")
    db.session.commit()
    db.session.expire_all()
    expected = _breakdown_in_python(Review)
    with count_queries() as counter:
        result = rating_breakdown(Review, "by rating")
    assert counter.count == 1
    assert result.rows == expected
    assert sum(t for *_rest, t in result.rows) == 10 and sum(h for _m, _k, h, _t in result.rows) == 5


def test_transparency_page_has_fixed_queries(app, client, users, count_queries):
    client.get("/transparency")
    with count_queries() as small:
        client.get("/transparency")
    for _ in range(5):
        n = _publish("note", users["member"])
        services.moderate(n, users["moderator"], "hide", "spam")
    db.session.commit()
    with count_queries() as large:
        client.get("/transparency")
    assert small.count == large.count


def test_moderation_routes_in_openapi(app, client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in (
        "/api/v1/flags",
        "/api/v1/moderation/queue",
        "/api/v1/moderation/items/{content_id}",
        "/api/v1/moderation/log",
    ):
        assert path in paths
