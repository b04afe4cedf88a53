"""A scheduled blog article enters search at its publication time, by itself (no
edit, no rebuild, no job): indexed with its date, shown once the date has come."""

from __future__ import annotations

import time
from datetime import timedelta

from community.blog import services as blog
from community.blog.services import ArticleData
from models import db, utcnow


def _article(users, title: str, status: str, publish_at=None):  # noqa: ANN001, ANN202
    article = blog.create_article(users["staff"], ArticleData(
        title=title, body=f"{title}: glide wax for cold snow.", summary="", tags=[], status=status,
        publish_at=publish_at, language="en"))  # fmt: skip
    db.session.commit()
    return article


def test_scheduled_articles_appear_in_search_at_their_time(app, client, users, login):
    _article(users, "Waxing boots", "scheduled", utcnow() + timedelta(days=1))
    _article(users, "Waxing draft", "draft")
    _article(users, "Waxing poles", "published")
    login("member")
    # Written last, so that only the three requests below run before its time; 5 s leaves
    # room for a loaded machine (2 s was once too short while the whole suite ran).
    soon = _article(users, "Waxing skis", "scheduled", utcnow() + timedelta(seconds=5))
    page = client.get("/search?q=waxing").get_data(as_text=True)
    assert "1 result" in page and "Waxing poles" in page and "Waxing skis" not in page
    assert [r["title"] for r in client.get("/api/v1/search?q=glide").get_json()["results"]] == [
        "Waxing poles"
    ]
    assert "Waxing skis" not in client.get("/search/suggest?q=waxing").get_data(as_text=True)

    time.sleep(max(0.0, (soon.publish_at - utcnow()).total_seconds()) + 0.3)  # its time comes
    page = client.get("/search?q=waxing&sort=date").get_data(as_text=True)
    assert "2 results" in page and "Waxing skis" in page
    assert "Waxing boots" not in page and "Waxing draft" not in page
    assert page.index("Waxing skis") < page.index("Waxing poles")  # dated at its publication
    assert "Waxing skis" in client.get("/search/suggest?q=waxing").get_data(as_text=True)
    login("staff")
    assert "Waxing boots" not in client.get("/search?q=waxing").get_data(as_text=True)
