"""Moderators lock, pin and move topics (pages and API); each action is audited;
scoped moderators act only in their categories; everyone else is refused."""

from __future__ import annotations

import pytest

from community.auth import services as account_services
from community.forum import services as forum
from models import AuditEntry, ForumCategory, ModeratorScope, Topic, db


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
