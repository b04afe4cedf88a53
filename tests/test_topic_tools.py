"""Moderators lock, pin, move, merge and split topics (pages and API); each action is
audited; scoped moderators act only in their categories (both of them for a merge or a
split); everyone else is refused and nothing changes.

Merge and split: positions are renumbered (pages read replies by position range), read
marks, counters, watches and the search outbox follow, the old addresses redirect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.auth import services as account_services
from community.content import services as content_services
from community.forum import services as forum
from community.forum import topic_tools
from community.moderation import services as moderation
from models import (
    AuditEntry,
    ContentItem,
    ContentState,
    ForumCategory,
    ForumRead,
    ModeratorScope,
    Reply,
    SearchOutbox,
    Topic,
    Watch,
    db,
    utcnow,
)
from tests.factories import UserFactory


@pytest.fixture
def topic(users) -> Topic:
    gear = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    forum.save_category(users["admin"], None, slug="trips", name_en="Trips", name_fr="Sorties")
    made = forum.open_topic(gear, users["member"], "Best stove for snow?", "Melting snow takes ages.")
    db.session.commit()
    return made


def _bearer(user) -> dict[str, str]:
    _token, secret = account_services.create_token(user, "t")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_moderator_locks_pins_and_moves_from_the_page(client, login, users, topic):
    login("moderator")
    page = client.get(f"/forum/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert "Moderator tools" in page
    url = f"/forum/t/{topic.id}/tools"
    assert client.post(url, data={"action": "lock", "reason": "Answered"}).status_code == 302
    assert client.post(url, data={"action": "pin"}).status_code == 302
    trips = db.session.query(ForumCategory).filter_by(slug="trips").one()
    assert client.post(url, data={"action": "move", "category_id": trips.id}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(Topic, topic.id)
    assert moved.is_locked and moved.is_pinned and moved.category_id == trips.id
    assert (
        trips.topic_count == 1
        and db.session.query(ForumCategory).filter_by(slug="gear").one().topic_count == 0
    )
    actions = [e.action for e in db.session.query(AuditEntry).order_by(AuditEntry.id)]
    assert ["topic.lock", "topic.pin", "topic.move"] == [a for a in actions if a.startswith("topic.")]
    login_member = client.application.test_client()
    login_member.post("/login", data={"login": "member", "password": "correct horse battery"})
    refused = login_member.post(f"/forum/t/{topic.id}/reply", data={"body": "Still need help?"})
    assert refused.status_code in (403, 409, 422)


@pytest.mark.parametrize("role", ["member", "staff"])
def test_others_are_refused_and_nothing_changes(client, login, users, topic, role):
    login(role)
    assert "Moderator tools" not in client.get(f"/forum/t/{topic.slug}/{topic.id}").get_data(as_text=True)
    assert client.post(f"/forum/t/{topic.id}/tools", data={"action": "lock"}).status_code == 403
    api = client.post(f"/api/v1/topics/{topic.id}/pin", json={"pinned": True}, headers=_bearer(users[role]))
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "forbidden"
    db.session.expire_all()
    assert not db.session.get(Topic, topic.id).is_locked and not db.session.get(Topic, topic.id).is_pinned


def test_api_tools_and_bad_input(client, users, topic):
    headers = _bearer(users["moderator"])
    assert (
        client.post(f"/api/v1/topics/{topic.id}/lock", json={}, headers=headers).get_json()["is_locked"]
        is True
    )
    unlocked = client.post(f"/api/v1/topics/{topic.id}/lock", json={"locked": False}, headers=headers)
    assert unlocked.status_code == 200 and unlocked.get_json()["is_locked"] is False
    assert client.post(f"/api/v1/topics/{topic.id}/move", json={}, headers=headers).status_code == 422
    missing = client.post(f"/api/v1/topics/{topic.id}/move", json={"category_id": 999}, headers=headers)
    assert missing.status_code == 422 and missing.get_json()["error"]["code"] == "bad_category"
    same = client.post(
        f"/api/v1/topics/{topic.id}/move", json={"category_id": topic.category_id}, headers=headers
    )
    assert same.status_code == 422
    assert client.post("/api/v1/topics/999999/lock", json={}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/topics/{topic.id}/lock", json={}).status_code == 401


def test_scoped_moderator_acts_only_in_scope(client, users, topic):
    moderator = users["moderator"]
    trips = db.session.query(ForumCategory).filter_by(slug="trips").one()
    db.session.add(ModeratorScope(user_id=moderator.id, scope_type="category", scope_id=trips.id))
    db.session.commit()
    headers = _bearer(moderator)
    assert client.post(f"/api/v1/topics/{topic.id}/lock", json={}, headers=headers).status_code == 403
    db.session.query(ModeratorScope).delete()
    gear_id = topic.category_id
    db.session.add(ModeratorScope(user_id=moderator.id, scope_type="category", scope_id=gear_id))
    db.session.commit()
    assert client.post(f"/api/v1/topics/{topic.id}/lock", json={}, headers=headers).status_code == 200
    moved = client.post(f"/api/v1/topics/{topic.id}/move", json={"category_id": trips.id}, headers=headers)
    assert moved.status_code == 403  # it may not take the topic out of its scope
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).category_id == gear_id


# --- merge and split -----------------------------------------------------------------------

T0 = utcnow() - timedelta(days=10)


def _at(item, hours: int):
    item.created_at = T0 + timedelta(hours=hours)
    return item


@pytest.fixture
def cats(users) -> dict[str, ForumCategory]:
    made = {
        "gear": forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel"),
        "trips": forum.save_category(users["admin"], None, slug="trips", name_en="Trips", name_fr="Sorties"),
    }
    db.session.commit()
    return made


@pytest.fixture
def pair(cats, users):
    """Target A (gear): opening at 0h, replies at 1h and 3h. Source B (trips): opening at
    2h, one reply at 4h. In date order: A0, a1, B0, a2, b1."""
    a = _at(forum.open_topic(cats["gear"], users["member"], "Stove for melting snow", "Which stove?"), 0)
    a1 = _at(forum.reply(a, users["staff"], "The Pyro works well."), 1)
    a2 = _at(forum.reply(a, users["member"], "Thanks, ordered one."), 3)
    b = _at(forum.open_topic(cats["trips"], users["staff"], "Melting snow on a trek", "Any tips?"), 2)
    b1 = _at(forum.reply(b, users["member"], "Bring a windscreen."), 4)
    db.session.commit()
    forum.refresh_topic(a)
    forum.refresh_topic(b)
    db.session.commit()
    return {"a": a, "a1": a1, "a2": a2, "b": b, "b1": b1}


def _ids(pair) -> dict[str, int]:
    return {k: v.id for k, v in pair.items()}


def _positions(topic_id: int) -> list[tuple[int, int]]:
    return db.session.execute(
        db.select(Reply.id, Reply.position).where(Reply.topic_id == topic_id).order_by(Reply.position)
    ).all()


def _snapshot():
    """Everything a refused merge or split must leave as it was."""
    db.session.expire_all()
    return (
        db.session.execute(db.select(Reply.id, Reply.topic_id, Reply.position).order_by(Reply.id)).all(),
        db.session.execute(
            db.select(Topic.id, Topic.reply_count, Topic.last_position).order_by(Topic.id)
        ).all(),
        db.session.execute(db.select(ContentItem.id, ContentItem.kind).order_by(ContentItem.id)).all(),
        db.session.query(AuditEntry).count(),
        db.session.execute(
            db.select(ForumRead.user_id, ForumRead.topic_id, ForumRead.last_read_position)
        ).all(),
    )


# --- merge ---------------------------------------------------------------------------------


def test_merge_from_the_page_interleaves_posts_by_date_and_redirects(client, login, users, pair):
    ids = _ids(pair)
    db.session.query(SearchOutbox).delete()
    db.session.commit()
    login("moderator")
    page = client.get(f"/forum/t/{pair['b'].slug}/{ids['b']}").get_data(as_text=True)
    assert "Merge this topic into another one" in page
    response = client.post(
        f"/forum/t/{ids['b']}/merge",
        data={"target": f"http://x.test/forum/t/stove/{ids['a']}", "reason": "Same"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{ids['a']}")
    db.session.expire_all()
    assert _positions(ids["a"]) == [(ids["a1"], 1), (ids["b"], 2), (ids["a2"], 3), (ids["b1"], 4)]
    target = db.session.get(Topic, ids["a"])
    assert (target.reply_count, target.last_position, target.last_reply_id) == (4, 4, ids["b1"])
    assert target.last_activity_at == T0 + timedelta(hours=4)
    assert db.session.get(ContentItem, ids["b"]).kind == "reply"
    assert db.session.get(Topic, ids["b"]) is None
    gear, trips = (db.session.query(ForumCategory).filter_by(slug=s).one() for s in ("gear", "trips"))
    assert (gear.topic_count, gear.post_count, trips.topic_count, trips.post_count) == (1, 5, 0, 0)
    # The source's addresses lead to its opening post, now in the target, for good.
    old = client.get(f"/forum/t/{pair['b'].slug}/{ids['b']}")
    assert old.status_code == 301 and old.headers["Location"].endswith(f"/{ids['a']}#post-{ids['b']}")
    assert client.get(f"/forum/t/{ids['b']}").status_code == 301
    assert client.get(f"/p/{ids['b']}").headers["Location"].endswith(f"/{ids['a']}#post-{ids['b']}")
    entry = db.session.query(AuditEntry).filter_by(action="topic.merge").one()
    assert entry.actor_id == users["moderator"].id and entry.reason == "Same"
    assert entry.before["title"] == "Melting snow on a trek" and entry.after["merged_into"] == ids["a"]
    assert entry.after["post_ids"] == [ids["b"], ids["b1"]]
    page = client.get(f"/forum/t/{target.slug}/{ids['a']}").get_data(as_text=True)
    assert (
        page.index("The Pyro")
        < page.index("Any tips?")
        < page.index("ordered one")
        < page.index("windscreen")
    )


def test_merge_reindexes_both_topics_posts(app, users, pair):
    ids = _ids(pair)
    app.config["SEARCH_DRAIN_AFTER_COMMIT"] = False
    db.session.query(SearchOutbox).delete()
    topic_tools.merge_topics(pair["b"], pair["a"], users["moderator"])
    db.session.commit()
    queued = {row.doc_id for row in db.session.query(SearchOutbox)}
    assert {f"content:{ids[k]}" for k in ("a", "a1", "a2", "b", "b1")} <= queued


def test_merge_remaps_read_marks_watches_and_sends_no_notification(users, pair):
    from models import Notification

    ids = _ids(pair)
    both, target_only, source_only = (UserFactory() for _ in range(3))
    db.session.flush()
    db.session.add_all([
        ForumRead(user_id=both.id, topic_id=ids["a"], last_read_position=2),  # A0 a1 a2
        ForumRead(user_id=both.id, topic_id=ids["b"], last_read_position=0),  # B0
        ForumRead(user_id=target_only.id, topic_id=ids["a"], last_read_position=1),  # A0 a1
        ForumRead(user_id=source_only.id, topic_id=ids["b"], last_read_position=1),  # B0 b1
        Watch(user_id=source_only.id, target_type="topic", target_id=ids["b"], level="watch"),
        Watch(user_id=both.id, target_type="topic", target_id=ids["b"], level="watch"),
        Watch(user_id=both.id, target_type="topic", target_id=ids["a"], level="mute"),
    ])  # fmt: skip
    db.session.commit()
    notifications = db.session.query(Notification).count()
    topic_tools.merge_topics(pair["b"], pair["a"], users["moderator"], "Duplicate")
    db.session.commit()
    marks = dict(
        db.session.execute(db.select(ForumRead.user_id, ForumRead.last_read_position).where(ForumRead.topic_id == ids["a"])).all()
    )  # fmt: skip
    # New order: A0 0, a1 1, B0 2, a2 3, b1 4; the mark stops before the first unread post.
    assert marks == {both.id: 3, target_only.id: 1, source_only.id: 0}
    assert db.session.query(ForumRead).filter_by(topic_id=ids["b"]).count() == 0
    mine = Watch.user_id.in_([both.id, source_only.id])
    watches = dict(
        db.session.execute(
            db.select(Watch.user_id, Watch.level).where(Watch.target_id == ids["a"], mine)
        ).all()
    )
    assert watches == {source_only.id: "watch", both.id: "mute"}
    assert db.session.query(Watch).filter_by(target_type="topic", target_id=ids["b"]).count() == 0
    assert db.session.query(Notification).count() == notifications


def test_merge_keeps_flags_likes_and_carries_the_accepted_answer(users, cats):
    question = forum.open_topic(
        cats["gear"], users["member"], "Which tent pegs?", "For sand.", kind="question"
    )
    dup = forum.open_topic(cats["gear"], users["staff"], "Pegs for sand?", "Same question.", kind="question")
    answer = forum.reply(dup, users["admin"], "Use wide snow pegs.")
    forum.like(dup, users["moderator"])
    db.session.commit()
    forum.accept_answer(dup, answer, users["staff"])
    moderation.flag(dup, users["member"], "off_topic")
    db.session.commit()
    dup_id, answer_id = dup.id, answer.id
    target = topic_tools.merge_topics(dup, question, users["moderator"])
    db.session.commit()
    moved = db.session.get(Reply, dup_id)
    assert moved.like_count == 1 and moved.topic_id == target.id
    assert target.accepted_reply_id == answer_id and target.has_official_answer
    from models import Flag

    assert db.session.query(Flag).filter_by(content_id=dup_id).count() == 1


@pytest.mark.parametrize(
    ("target", "code"),
    [("self", "same_topic"), ("deleted", "target_deleted"), ("missing", "bad_target")],
)
def test_bad_merges_answer_422_and_change_nothing(client, login, users, pair, target, code):
    ids = _ids(pair)
    if target == "deleted":
        forum.delete_post(pair["a"], users["member"])
        db.session.commit()
    target_id = {"self": ids["b"], "deleted": ids["a"], "missing": 999999}[target]
    before = _snapshot()
    login("moderator")
    page = client.post(f"/forum/t/{ids['b']}/merge", data={"target": str(target_id)})
    assert page.status_code == 422
    api = client.post(
        f"/api/v1/topics/{ids['b']}/merge", json={"target_id": target_id}, headers=_bearer(users["moderator"])
    )
    assert api.status_code == 422 and api.get_json()["error"]["code"] == code
    assert _snapshot() == before


@pytest.mark.parametrize("state", ["hidden", "pending"])
def test_a_hidden_or_pending_topic_merges_only_into_one_in_the_same_state(client, login, users, pair, state):
    """Merged posts take the target's visibility: a topic out of sight may not be merged
    into a public one (nothing changes), only into a topic in its own state."""
    ids = _ids(pair)

    def out_of_sight(topic: Topic) -> None:
        if state == "hidden":
            moderation.moderate(topic, users["moderator"], "hide", "Spam")
        else:
            content_services.set_state(topic, None, ContentState.PENDING)
        db.session.commit()

    out_of_sight(pair["b"])
    before = _snapshot()
    login("moderator")
    page = client.post(f"/forum/t/{ids['b']}/merge", data={"target_id": ids["a"]})
    assert page.status_code == 422 and "make it public first" in page.get_data(as_text=True)
    api = client.post(
        f"/api/v1/topics/{ids['b']}/merge", json={"target_id": ids["a"]}, headers=_bearer(users["moderator"])
    )
    assert api.status_code == 422 and api.get_json()["error"]["code"] == "source_not_published"
    assert _snapshot() == before
    out_of_sight(pair["a"])
    merged = client.post(
        f"/api/v1/topics/{ids['b']}/merge", json={"target_id": ids["a"]}, headers=_bearer(users["moderator"])
    )
    assert merged.status_code == 200
    db.session.expire_all()
    assert db.session.get(Reply, ids["b"]).topic_id == ids["a"]
    assert client.application.test_client().get(f"/api/v1/topics/{ids['a']}").status_code == 404


def test_merge_target_by_search_on_the_page(client, login, users, pair):
    ids = _ids(pair)
    login("moderator")
    page = client.get(f"/forum/t/{pair['b'].slug}/{ids['b']}?merge_q=stove").get_data(as_text=True)
    assert f'value="{ids["a"]}"' in page and "Stove for melting snow" in page
    assert client.post(f"/forum/t/{ids['b']}/merge", data={"target_id": ids["a"]}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Reply, ids["b"]).topic_id == ids["a"]
    assert client.post(f"/forum/t/{ids['a']}/merge", data={"target": "no such thing"}).status_code == 422


# --- split -----------------------------------------------------------------------------------


@pytest.fixture
def thread(cats, users):
    """A question with five replies r1..r5 (positions 1..5); r3 is hidden."""
    topic = forum.open_topic(
        cats["gear"], users["member"], "Winter sleeping bags", "Which one?", kind="question"
    )
    replies = [_at(forum.reply(topic, users["staff"], f"Reply number {i}."), i) for i in range(1, 6)]
    db.session.commit()
    moderation.moderate(replies[2], users["moderator"], "hide", "Rude")
    db.session.commit()
    return topic, replies


def test_split_from_the_page_first_selected_opens_the_new_topic(client, login, users, cats, thread):
    topic, replies = thread
    r1, r2, r3, r4, r5 = (r.id for r in replies)
    topic_id = topic.id
    forum.accept_answer(topic, replies[3], users["member"])
    reader = UserFactory()
    db.session.flush()
    db.session.add(ForumRead(user_id=reader.id, topic_id=topic_id, last_read_position=3))  # r1 r2 r3
    db.session.commit()
    login("moderator")
    page = client.get(f"/forum/t/{topic.slug}/{topic_id}").get_data(as_text=True)
    assert 'form="split-form"' in page and f'id="split-{r2}"' in page
    response = client.post(
        f"/forum/t/{topic_id}/split",
        data={"post_ids": [r4, r2, r3], "title": "Sleeping bag liners", "category_id": cats["trips"].id,
              "reason": "Another subject"},
    )  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/{r2}")
    db.session.expire_all()
    new = db.session.get(Topic, r2)
    assert (new.title, new.category_id, new.topic_kind) == (
        "Sleeping bag liners",
        cats["trips"].id,
        "discussion",
    )
    assert _positions(r2) == [(r3, 1), (r4, 2)]
    assert (new.reply_count, new.last_position) == (1, 2)  # r3 is hidden
    assert _positions(topic_id) == [(r1, 1), (r5, 2)]
    old = db.session.get(Topic, topic_id)
    assert (old.reply_count, old.last_position, old.accepted_reply_id) == (2, 2, None)
    assert db.session.get(ContentItem, r2).kind == "topic"
    marks = dict(
        db.session.execute(db.select(ForumRead.topic_id, ForumRead.last_read_position).where(ForumRead.user_id == reader.id)).all()
    )  # fmt: skip
    assert marks == {topic_id: 1, r2: 1}  # r5 and r4 are unread
    trips = db.session.get(ForumCategory, cats["trips"].id)
    assert (trips.topic_count, trips.post_count) == (1, 2)
    entry = db.session.query(AuditEntry).filter_by(action="topic.split").one()
    assert entry.before["post_ids"] == [r2, r3, r4] and entry.after["topic_id"] == r2
    assert entry.reason == "Another subject"
    assert client.get(f"/p/{r4}").headers["Location"].endswith(f"/{r2}#post-{r4}")


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("opening post", "opening_post"), ("nothing", "no_posts"), ("other topic", "bad_posts"),
        ("deleted", "deleted_post"), ("first hidden", "first_not_published"), ("short title", "invalid_input"),
        ("missing category", "bad_category"),
    ],
)  # fmt: skip
def test_bad_splits_answer_422_and_change_nothing(client, users, cats, thread, pair, case, code):
    topic, replies = thread
    ids = [r.id for r in replies]
    if case == "deleted":
        forum.delete_post(replies[1], users["staff"])
        db.session.commit()
    body = {"post_ids": [ids[1], ids[3]], "title": "A new topic", "category_id": cats["gear"].id}
    body.update({
        "opening post": {"post_ids": [topic.id]}, "nothing": {"post_ids": []},
        "other topic": {"post_ids": [ids[1], pair["a1"].id]}, "deleted": {}, "first hidden": {"post_ids": [ids[2], ids[3]]},
        "short title": {"title": "Hi"}, "missing category": {"category_id": 99999},
    }[case])  # fmt: skip
    before = _snapshot()
    api = client.post(f"/api/v1/topics/{topic.id}/split", json=body, headers=_bearer(users["moderator"]))
    assert api.status_code == 422, api.get_json()
    if case != "nothing":  # an empty list is refused by the schema, before the service
        assert api.get_json()["error"]["code"] == code
    assert _snapshot() == before
    with pytest.raises(Exception) as refused:
        topic_tools.split_topic(topic, body["post_ids"], body["title"],
                                db.session.get(ForumCategory, body["category_id"]), users["moderator"])  # fmt: skip
    assert getattr(refused.value, "status", None) == 422
    db.session.rollback()
    assert _snapshot() == before


def test_split_form_with_a_bad_title_answers_422(client, login, users, cats, thread):
    topic, replies = thread
    login("moderator")
    response = client.post(
        f"/forum/t/{topic.id}/split",
        data={"post_ids": [replies[0].id], "title": "", "category_id": cats["gear"].id},
    )
    assert response.status_code == 422 and "title" in response.get_data(as_text=True)


@pytest.mark.parametrize("via", ["html", "api"])
@pytest.mark.parametrize(
    ("state", "reason", "message"),
    [
        ("hidden", "Spam thread", "hidden like the topic"),
        ("pending", None, "awaiting approval like the topic"),
    ],
)
def test_split_out_of_a_hidden_or_pending_topic_publishes_nothing(
    client, login, users, cats, thread, via, state, reason, message
):
    """Replies of a hidden or pending topic were out of sight: the new topic takes the
    source's moderation state (and public reason), so the split shows nobody anything new."""
    topic, replies = thread
    topic_id, r1, r2 = topic.id, replies[0].id, replies[1].id
    if state == "hidden":
        moderation.moderate(topic, users["moderator"], "hide", reason)
    else:
        content_services.set_state(topic, None, ContentState.PENDING)
    db.session.commit()
    body = {"post_ids": [r1, r2], "title": "Sleeping bag liners", "category_id": cats["trips"].id}
    if via == "api":
        response = client.post(
            f"/api/v1/topics/{topic_id}/split", json=body, headers=_bearer(users["moderator"])
        )
        assert response.status_code == 201 and response.get_json()["id"] == r1
    else:
        login("moderator")
        response = client.post(f"/forum/t/{topic_id}/split", data=body)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/{r1}")
        page = client.get(response.headers["Location"])
        assert page.status_code == 200 and message in page.get_data(as_text=True)
    db.session.expire_all()
    new = db.session.get(Topic, r1)
    assert (new.state, new.hidden_reason) == (state, reason)
    assert db.session.get(Topic, topic_id).state == state
    assert db.session.get(Reply, r2).state == ContentState.PUBLISHED  # a reply keeps its own state
    trips = db.session.get(ForumCategory, cats["trips"].id)
    assert (trips.topic_count, trips.post_count) == (0, 0)
    assert db.session.query(AuditEntry).filter_by(action="topic.split").one().after["state"] == state
    visitor = client.application.test_client()
    assert visitor.get(f"/forum/t/{new.slug}/{r1}").status_code == 404
    assert visitor.get(f"/api/v1/topics/{r1}").status_code == 404
    assert "Sleeping bag liners" not in visitor.get("/forum/c/trips").get_data(as_text=True)
    assert r1 not in [t["id"] for t in visitor.get("/api/v1/topics").get_json()["items"]]


def test_api_merge_and_split(client, users, cats, thread, pair):
    headers = _bearer(users["moderator"])
    topic, replies = thread
    r4, r5, target = replies[3].id, replies[4].id, pair["a"].id
    created = client.post(
        f"/api/v1/topics/{topic.id}/split",
        json={"post_ids": [r4, r5], "title": "Liners and pillows", "category_id": cats["trips"].id},
        headers=headers,
    )  # fmt: skip
    assert created.status_code == 201 and created.get_json()["id"] == r4
    assert created.get_json()["reply_count"] == 1
    merged = client.post(
        f"/api/v1/topics/{r4}/merge", json={"target_id": target, "reason": "x"}, headers=headers
    )
    assert merged.status_code == 200 and merged.get_json()["id"] == target
    assert merged.get_json()["reply_count"] == 4
    gone = client.get(f"/api/v1/topics/{r4}")
    assert gone.status_code == 301 and gone.headers["Location"] == f"/api/v1/topics/{target}"
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/topics/{topic_id}/merge" in paths and "/api/v1/topics/{topic_id}/split" in paths


def test_api_merged_topic_answers_301_to_the_target_like_its_page(client, users, pair):
    ids = _ids(pair)
    topic_tools.merge_topics(pair["b"], pair["a"], users["moderator"])
    db.session.commit()
    for who in (None, users["member"]):
        headers = _bearer(who) if who else {}
        page = client.get(f"/forum/t/melting-snow-on-a-trek/{ids['b']}", headers=headers)
        api = client.get(f"/api/v1/topics/{ids['b']}", headers=headers)
        assert (page.status_code, api.status_code) == (301, 301)
        assert page.headers["Location"].endswith(f"#post-{ids['b']}")
        assert api.headers["Location"] == f"/api/v1/topics/{ids['a']}" and not api.get_data()
        followed = client.get(f"/api/v1/topics/{ids['b']}", headers=headers, follow_redirects=True)
        assert followed.status_code == 200 and followed.get_json()["id"] == ids["a"]
        posts = client.get(f"/api/v1/topics/{ids['b']}/posts?page=2", headers=headers)
        assert posts.status_code == 301 and posts.headers["Location"] == f"/api/v1/topics/{ids['a']}/posts"
        followed = client.get(f"/api/v1/topics/{ids['b']}/posts", headers=headers, follow_redirects=True)
        assert ids["b"] in [post["id"] for post in followed.get_json()["items"]]
    doc = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/topics/{topic_id}"]["get"]
    assert "Location" in doc["responses"]["301"]["headers"] and "merged" in doc["description"]
    doc = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/topics/{topic_id}/posts"]["get"]
    assert "Location" in doc["responses"]["301"]["headers"]
    # What visitors may not see stays 404: the merged post hidden, or the target hidden.
    moderation.moderate(db.session.get(Reply, ids["b"]), users["moderator"], "hide", "Spam")
    db.session.commit()
    assert client.get(f"/api/v1/topics/{ids['b']}").status_code == 404
    moderation.moderate(db.session.get(Reply, ids["b"]), users["moderator"], "restore")
    moderation.moderate(db.session.get(Topic, ids["a"]), users["moderator"], "hide", "Spam")
    db.session.commit()
    hidden_target = client.get(f"/api/v1/topics/{ids['b']}")  # no redirect that would name it
    assert hidden_target.status_code == 404 and "Location" not in hidden_target.headers
    assert client.get("/api/v1/topics/999999").status_code == 404


def test_merged_into_a_hidden_topic_its_address_reveals_nothing(client, login, users, pair):
    """A public topic may be merged into a hidden one: its old address (page and API) then
    answers 404 to those who may not see the target, not a redirect carrying the hidden
    topic's id and title; its moderators are still redirected."""
    ids = _ids(pair)
    moderation.moderate(pair["a"], users["moderator"], "hide", "Spam")
    db.session.commit()
    topic_tools.merge_topics(
        db.session.get(Topic, ids["b"]), db.session.get(Topic, ids["a"]), users["moderator"]
    )
    db.session.commit()
    assert db.session.get(Reply, ids["b"]).state == ContentState.PUBLISHED  # the post itself is public
    reader = UserFactory()  # not the member: they wrote the hidden topic, so they see it
    db.session.commit()
    for who in (None, reader):
        headers = _bearer(who) if who else {}
        for url in (f"/api/v1/topics/{ids['b']}", f"/forum/t/melting-snow-on-a-trek/{ids['b']}",
                    f"/forum/t/{ids['b']}", f"/api/v1/topics/{ids['b1']}", f"/forum/t/{ids['b1']}",
                    f"/p/{ids['b']}", f"/p/{ids['b1']}", f"/api/v1/topics/{ids['b']}/posts"):  # fmt: skip
            response = client.get(url, headers=headers)
            assert response.status_code == 404, (who, url, response.headers.get("Location"))
    api = client.get(f"/api/v1/topics/{ids['b']}", headers=_bearer(users["moderator"]))
    assert api.status_code == 301 and api.headers["Location"] == f"/api/v1/topics/{ids['a']}"
    login("moderator")
    assert client.get(f"/forum/t/{ids['b']}").status_code == 301
    assert client.get(f"/p/{ids['b1']}").status_code == 302


# --- who may ------------------------------------------------------------------------------


def _scope(user, *categories) -> None:
    db.session.query(ModeratorScope).filter_by(user_id=user.id).delete()
    for category in categories:
        db.session.add(ModeratorScope(user_id=user.id, scope_type="category", scope_id=category.id))
    db.session.commit()


# (role, scoped to) -> may merge B (trips) into A (gear) / split A's reply into trips
MATRIX = [
    ("member", None, False), ("staff", None, False), ("moderator", None, True), ("admin", None, True),
    ("moderator", ("trips",), False), ("moderator", ("gear",), False), ("moderator", ("gear", "trips"), True),
]  # fmt: skip


@pytest.mark.parametrize(("role", "scopes", "allowed"), MATRIX)
@pytest.mark.parametrize("via", ["html", "api"])
@pytest.mark.parametrize("tool", ["merge", "split"])
def test_who_may_merge_and_split(client, login, users, cats, pair, role, scopes, allowed, via, tool):
    if scopes:
        _scope(users[role], *(cats[s] for s in scopes))
    ids = _ids(pair)
    if tool == "merge":
        url, data = f"/forum/t/{ids['b']}/merge", {"target_id": ids["a"]}
        api_url, body = f"/api/v1/topics/{ids['b']}/merge", {"target_id": ids["a"]}
    else:
        url, data = f"/forum/t/{ids['a']}/split", {"post_ids": [ids["a2"]], "title": "Ordering stoves",
                                                   "category_id": cats["trips"].id}  # fmt: skip
        api_url, body = f"/api/v1/topics/{ids['a']}/split", data
    before = _snapshot()
    if via == "html":
        login(role)
        status = client.post(url, data=data).status_code
        assert status == (302 if allowed else 403)
    else:
        status = client.post(api_url, json=body, headers=_bearer(users[role])).status_code
        assert status == ({"merge": 200, "split": 201}[tool] if allowed else 403)
    if not allowed:
        assert _snapshot()[:4] == before[:4]


@pytest.mark.parametrize("state", ["hidden", "pending"])
def test_a_moderator_of_the_source_only_learns_nothing_of_the_target(client, users, cats, pair, state):
    """Merging a hidden or pending topic of their category into a topic of a category
    they do not moderate: 403 whatever the target's state, never the 422 that would
    tell the target is not in the source's state."""
    ids = _ids(pair)
    if state == "hidden":
        moderation.moderate(pair["b"], users["moderator"], "hide", "Spam")
    else:
        content_services.set_state(pair["b"], None, ContentState.PENDING)
    db.session.commit()
    _scope(users["moderator"], cats["trips"])
    response = client.post(
        f"/api/v1/topics/{ids['b']}/merge", json={"target_id": ids["a"]}, headers=_bearer(users["moderator"])
    )
    assert response.status_code == 403, response.get_json()


def test_visitors_are_refused(client, pair):
    assert (
        client.post(f"/api/v1/topics/{pair['b'].id}/merge", json={"target_id": pair["a"].id}).status_code
        == 401
    )
    assert client.post(f"/forum/t/{pair['b'].id}/merge", data={"target_id": pair["a"].id}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, pair["b"].id) is not None


def test_members_see_no_tools(client, login, users, pair):
    login("member")
    page = client.get(f"/forum/t/{pair['a'].slug}/{pair['a'].id}").get_data(as_text=True)
    assert "Merge this topic" not in page and 'form="split-form"' not in page


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_topic_pages_keep_their_query_count_after_merge_and_split(
    client, login, users, cats, pair, role, count_queries
):
    ids = _ids(pair)
    login(role)

    def measure(topic_id: int, page: int = 1) -> int:
        topic = db.session.get(Topic, topic_id)
        url = f"/forum/t/{topic.slug}/{topic_id}" + (f"?page={page}" if page > 1 else "")
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    measure(ids["a"])  # warm up
    small = measure(ids["a"])
    big = forum.open_topic(cats["trips"], users["staff"], "Snow melting, part two", "More tips.")
    for i in range(45):
        forum.reply(big, users["staff"] if i % 2 else users["admin"], f"Tip number {i}.")
    db.session.commit()
    topic_tools.merge_topics(big, db.session.get(Topic, ids["a"]), users["moderator"])
    db.session.commit()
    assert measure(ids["a"]) == measure(ids["a"], 3) == small
    first = db.session.scalars(
        db.select(Reply.id).where(Reply.topic_id == ids["a"]).order_by(Reply.position.desc()).limit(25)
    ).all()
    created = topic_tools.split_topic(db.session.get(Topic, ids["a"]), first, "Tips, the second half",
                                      db.session.get(ForumCategory, cats["gear"].id), users["moderator"])  # fmt: skip
    db.session.commit()
    assert measure(created.id) == measure(created.id, 2) == measure(ids["a"]) == small


def test_search_follows_merge_and_split(app, users, cats, pair):
    from community.search.backend import SearchQuery
    from community.search.queries import search

    def found(text: str) -> list[tuple[str, str, str]]:
        return [(h.type, h.title, h.scope) for h in search(users["member"], SearchQuery(text=text)).hits]

    gear, trips = cats["gear"].id, cats["trips"].id
    assert found("windscreen") == [("reply", "Melting snow on a trek", f"category:{trips}")]
    topic_tools.merge_topics(pair["b"], pair["a"], users["moderator"])
    db.session.commit()
    assert found("windscreen") == [("reply", "Stove for melting snow", f"category:{gear}")]
    assert found("tips") == [
        ("reply", "Stove for melting snow", f"category:{gear}")
    ]  # the source's opening post
    split_off = db.session.get(Reply, pair["a2"].id)
    topic_tools.split_topic(
        db.session.get(Topic, pair["a"].id), [split_off.id], "Ordering stoves online", db.session.get(ForumCategory, trips),
        users["moderator"],
    )  # fmt: skip
    db.session.commit()
    assert found("ordered") == [("topic", "Ordering stoves online", f"category:{trips}")]


def test_a_non_ascii_digit_as_merge_target_is_422(client, login, users, pair):
    ids = _ids(pair)
    before = _snapshot()
    login("moderator")
    assert client.post(f"/forum/t/{ids['b']}/merge", data={"target": "²"}).status_code == 422
    assert _snapshot() == before


def test_a_non_ascii_digit_as_split_post_id_is_422(client, login, users, cats, thread):
    topic, replies = thread
    login("moderator")
    response = client.post(
        f"/forum/t/{topic.id}/split",
        data={"post_ids": ["²"], "title": "A new topic", "category_id": cats["gear"].id},
    )
    assert response.status_code == 422
