"""Similar content from the search index, on both backends: the idea form's similar
ideas and the new-topic form's related topics (as the title is typed, htmx)."""

from __future__ import annotations

import shutil

import pytest

from community.content import services as content
from community.forum import services as forum
from community.ideas import queries as idea_queries
from community.ideas import services as ideas
from community.search.backend import get_backend
from models import ContentState, db


def test_similar_ideas_come_from_the_index(app, client, users, login):
    lamp = ideas.create_idea(users["admin"], "Headlamp with a red light mode", "For map reading at night.")
    ideas.create_idea(users["admin"], "Réchaud plus léger", "Moins de 300 g.")
    db.session.commit()
    login("member")
    # Stemming and accent folding: the LIKE fallback finds neither.
    fragment = client.get("/ideas/similar?title=red+headlamps").get_data(as_text=True)
    assert "Headlamp with a red light mode" in fragment and f"/ideas/{lamp.id}" in fragment
    assert "Réchaud plus léger" in client.get("/ideas/similar?title=rechauds").get_data(as_text=True)
    assert "Headlamp" not in client.get("/ideas/similar?title=sleeping+bag").get_data(as_text=True)
    assert client.get("/ideas/similar?title=ab").get_data(as_text=True).strip() == ""
    page = client.post("/ideas/new", data={"title": "Red headlamps please", "body": ""})
    assert page.status_code == 422 and "Headlamp with a red light mode" in page.get_data(as_text=True)

    content.set_state(lamp, users["moderator"], ContentState.HIDDEN, "spam")
    db.session.commit()
    assert "Headlamp" not in client.get("/ideas/similar?title=red+headlamps").get_data(as_text=True)


def test_related_topics_on_the_new_topic_form(app, client, users, login):
    gear = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    topic = forum.open_topic(gear, users["member"], "Condensation inside my tent", "Wet walls every morning.")
    forum.open_topic(gear, users["member"], "Best stove for winter", "Gas or liquid fuel?")
    forum.reply(topic, users["staff"], "Open the vents: the condensation stops.")
    db.session.commit()
    login("member")
    form = client.get("/forum/c/gear/new").get_data(as_text=True)
    assert 'hx-get="/search/similar?type=topic"' in form and 'id="related-topics"' in form
    fragment = client.get("/search/similar?type=topic&title=tents+condensation").get_data(as_text=True)
    assert "Condensation inside my tent" in fragment and "stove" not in fragment
    assert fragment.count("<li>") == 1  # the reply (same title) is not a topic
    page = client.post("/forum/c/gear/new", data={"title": "Condensation again", "body": "", "kind": "question",
                                                   "language": "en"})  # fmt: skip
    assert page.status_code == 422 and "Condensation inside my tent" in page.get_data(as_text=True)


@pytest.mark.parametrize("backend_name", ["whoosh"])
def test_similar_ideas_fall_back_without_an_index(app, client, users):
    ideas.create_idea(users["admin"], "Headlamp with a red light mode", "For map reading at night.")
    db.session.commit()
    backend = get_backend()
    backend.close()
    shutil.rmtree(backend.dir)  # never built (or lost): search cannot answer
    assert not backend.available()
    found = idea_queries.similar_ideas_for(users["member"], "red headlamp")
    assert [idea.title for idea in found] == ["Headlamp with a red light mode"]
