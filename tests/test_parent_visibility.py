"""An item is seen only by those who see what it belongs to: a published reply in a
hidden topic, a comment on a hidden idea, are hidden with their parent (the
``content.view`` rule, through each kind's ``parent_attr``), for the API, permalinks,
flags and search alike; the parent's author and its moderators still see them."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from community.content import services as content
from community.forum import services as forum
from community.ideas import services as ideas
from community.permissions import can
from models import ContentState, db

ANON = AnonymousUserMixin()


@pytest.fixture
def hidden_thread(question, users):  # noqa: ANN001, ANN201
    """A question with a published reply by another member, then the question hidden."""
    reply = forum.reply(question, users["staff"], "Take the four-season **tent**.", "en")
    db.session.commit()
    content.set_state(question, users["moderator"], ContentState.HIDDEN, "off-topic")
    db.session.commit()
    return question, reply


def test_a_published_reply_in_a_hidden_topic_is_hidden_with_it(client, login, users, hidden_thread):
    topic, reply = hidden_thread
    assert reply.state == ContentState.PUBLISHED.value
    assert not can(ANON, "content.view", reply)
    assert not can(users["staff"], "content.view", reply)  # the reply's own author
    assert can(users["member"], "content.view", reply)  # the topic's author sees their topic
    assert can(users["moderator"], "content.view", reply)

    assert client.get(f"/p/{reply.id}").status_code == 404
    assert client.get(f"/api/v1/topics/{topic.id}/posts").status_code == 404
    login("staff")
    assert client.patch(f"/api/v1/posts/{reply.id}", json={"body": "Edited in the dark"}).status_code == 404
    assert client.post(f"/api/v1/posts/{reply.id}/reactions").status_code == 404
    assert client.post("/api/v1/flags", json={"content_id": reply.id, "reason": "spam"}).status_code == 404
    db.session.expire_all()
    assert "Edited in the dark" not in db.session.get(type(reply), reply.id).body_source


def test_a_reply_shows_again_when_its_topic_is_restored(client, users, hidden_thread):
    topic, reply = hidden_thread
    content.set_state(topic, users["moderator"], ContentState.PUBLISHED, "")
    db.session.commit()
    assert can(ANON, "content.view", reply)
    assert client.get(f"/p/{reply.id}").status_code in (301, 302)


def test_a_comment_on_a_hidden_idea_is_hidden_with_it(users):
    idea = ideas.create_idea(users["member"], "A lantern hook", "On the tent roof.")
    comment = ideas.add_comment(idea, users["staff"], "We are looking at it.", "en")
    db.session.commit()
    assert can(ANON, "content.view", comment)
    content.set_state(idea, users["moderator"], ContentState.HIDDEN, "spam")
    db.session.commit()
    assert comment.state == ContentState.PUBLISHED.value
    assert not can(ANON, "content.view", comment) and not can(users["staff"], "content.view", comment)
    assert can(users["moderator"], "content.view", comment)


def test_search_leaves_out_replies_of_hidden_topics_even_while_the_index_lags(app, users, question):
    from community.search import queries as search
    from community.search.backend import Hit

    reply = forum.reply(question, users["staff"], "Lantern advice", "en")
    db.session.commit()
    hit = Hit(
        id=f"content:{reply.id}",
        type="reply",
        title="Lantern advice",
        snippet="",
        url=f"/p/{reply.id}",
        score=1.0,
    )
    assert [h.id for h in search.visible_hits(ANON, [hit])] == [hit.id]
    content.set_state(question, users["moderator"], ContentState.HIDDEN, "off-topic")
    db.session.commit()
    assert search.visible_hits(ANON, [hit]) == []
    assert [h.id for h in search.visible_hits(users["moderator"], [hit])] == [hit.id]
