"""The forum API: categories, topics, posts, likes and accepted answers, with errors."""

from __future__ import annotations

from community.forum import services
from models import ContentState, Reply, Topic, db
from tests.factories import UserFactory


def test_openapi_lists_forum_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/categories", "/api/v1/topics", "/api/v1/topics/{topic_id}",
                 "/api/v1/topics/{topic_id}/posts", "/api/v1/posts/{post_id}",
                 "/api/v1/posts/{post_id}/reactions", "/api/v1/topics/{topic_id}/accept"):  # fmt: skip
        assert path in paths


def test_full_question_flow(client, login, category, users):
    assert client.get("/api/v1/categories").get_json()[0]["slug"] == "gear"
    login("member")
    response = client.post(
        "/api/v1/topics",
        json={
            "category_id": category.id,
            "title": "Stove in winter?",
            "body": "Does it work at -10?",
            "kind": "question",
        },
    )
    assert response.status_code == 201
    topic_id = response.get_json()["id"]
    assert response.get_json()["url"] == f"/forum/t/stove-in-winter/{topic_id}"
    client.post("/logout")
    login("staff")
    response = client.post(f"/api/v1/topics/{topic_id}/posts", json={"body": "Yes, down to -20."})
    assert response.status_code == 201
    post_id = response.get_json()["id"]
    assert response.get_json()["url"] == f"/p/{post_id}"
    posts = client.get(f"/api/v1/topics/{topic_id}/posts").get_json()
    assert posts["items"][0]["official"] is True
    # staff cannot like twice
    assert client.post(f"/api/v1/posts/{topic_id}/reactions").status_code == 201
    again = client.post(f"/api/v1/posts/{topic_id}/reactions")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_liked"
    assert client.delete(f"/api/v1/posts/{topic_id}/reactions").get_json()["like_count"] == 0
    client.post("/logout")
    login("member")
    accepted = client.post(f"/api/v1/topics/{topic_id}/accept", json={"post_id": post_id})
    assert accepted.status_code == 200 and accepted.get_json()["solved"] is True
    topic = client.get(f"/api/v1/topics/{topic_id}").get_json()
    assert topic["accepted_reply_id"] == post_id and topic["has_official_answer"]


def test_errors(client, login, category, users):
    topic = services.open_topic(category, users["staff"], "A discussion", "hello", "discussion")
    reply = services.reply(topic, users["staff"], "mine")
    db.session.commit()
    assert client.post("/api/v1/topics", json={}).status_code == 401
    login("member")
    bad = client.post("/api/v1/topics", json={"category_id": category.id, "title": "", "body": "x"})
    assert bad.status_code == 422
    long = client.post("/api/v1/topics", json={"category_id": category.id, "title": "x" * 201, "body": "x"})
    assert long.status_code == 422
    assert (
        client.post(
            "/api/v1/topics", json={"category_id": 999, "title": "Hello there", "body": "x"}
        ).status_code
        == 404
    )
    assert client.post("/api/v1/topics/999/posts", json={"body": "x"}).status_code == 404
    assert client.patch(f"/api/v1/posts/{reply.id}", json={"body": "hacked"}).status_code == 403
    assert client.delete(f"/api/v1/posts/{reply.id}").status_code == 403
    not_question = client.post(f"/api/v1/topics/{topic.id}/accept", json={"post_id": reply.id})
    assert not_question.status_code == 422
    services.lock_topic(topic)
    db.session.commit()
    locked = client.post(f"/api/v1/topics/{topic.id}/posts", json={"body": "x"})
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "topic_locked"
    assert db.session.query(Reply).count() == 1
    assert db.session.query(Topic).count() == 1


def test_edit_and_delete_own_post(client, login, category, users):
    login("member")
    topic_id = client.post(
        "/api/v1/topics", json={"category_id": category.id, "title": "My boots leak", "body": "Help"}
    ).get_json()["id"]
    response = client.patch(
        f"/api/v1/posts/{topic_id}", json={"body": "Help please", "title": "My boots leak!"}
    )
    assert response.status_code == 200
    assert response.get_json()["edited_at"] is not None
    reply_id = client.post(f"/api/v1/topics/{topic_id}/posts", json={"body": "Fixed it"}).get_json()["id"]
    assert client.delete(f"/api/v1/posts/{reply_id}").status_code == 204
    assert db.session.get(Reply, reply_id).state == ContentState.DELETED
    assert client.get(f"/api/v1/topics/{topic_id}").get_json()["reply_count"] == 0
    other = UserFactory(username="someone")
    db.session.commit()
    assert other.id
