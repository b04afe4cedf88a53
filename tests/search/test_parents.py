"""A parent's fate reaches its children in the index: a hidden topic takes its
replies out of search, a moved topic files them under its new category."""

from __future__ import annotations

from community.content import services as content
from community.forum import services as forum
from community.search.backend import SearchQuery
from community.search.queries import search
from models import ContentState, db


def test_hidden_or_moved_topics_carry_their_replies(app, users):
    gear = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    trips = forum.save_category(users["admin"], None, slug="trips", name_en="Trips", name_fr="Sorties")
    topic = forum.open_topic(gear, users["member"], "Where to camp near Chamonix", "Looking for a spot.")
    forum.reply(topic, users["staff"], "The Montenvers campsite is quiet in June.")
    db.session.commit()
    assert [h.scope for h in search(users["member"], SearchQuery(text="Montenvers")).hits] == [
        f"category:{gear.id}"
    ]

    forum.move_topic(topic, trips, users["moderator"])
    db.session.commit()
    assert [h.scope for h in search(users["member"], SearchQuery(text="Montenvers")).hits] == [
        f"category:{trips.id}"
    ]

    content.set_state(topic, users["moderator"], ContentState.HIDDEN, "personal data")
    db.session.commit()
    assert search(users["member"], SearchQuery(text="Montenvers")).hits == []
    assert search(users["member"], SearchQuery(text="Chamonix")).hits == []


def test_huge_page_numbers_are_past_the_end_not_an_overflow(client):
    # 2**66 would overflow an SQL OFFSET; the blog answers "no such page" instead.
    assert client.get("/blog/?page=99999999999999999999").status_code == 404
