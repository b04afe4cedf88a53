"""Members flag content from the page where they read it, whatever its kind."""

from __future__ import annotations

import re

import pytest

from community.blog import services as blog
from community.forum import services as forum
from community.ideas import services as ideas
from community.reviews import services as reviews
from models import Flag, db
from tests.factories import UserFactory


def _forum(users):
    category = forum.save_category(users["admin"], None, slug="gear", name_en="Gear", name_fr="Matériel")
    topic = forum.open_topic(
        category, users["staff"], "Which stove for winter?", "Looking for advice on stoves."
    )
    reply = forum.reply(topic, users["staff"], "The Boréal Pyro works down to minus twenty.")
    return f"/p/{reply.id}", reply


def _review(users):
    line = reviews.create_category("cooking", "Cooking", "Cuisine")
    product = reviews.save_product(users["staff"], None, slug="pyro", name_en="Pyro stove", name_fr="Réchaud Pyro",
                                   category_id=line.id)  # fmt: skip
    review = reviews.write_review(product, UserFactory(), rating=3, title="Loud but strong",
                                  body="It roars like a jet engine but boils water in three minutes.")  # fmt: skip
    return f"/products/{product.slug}", review


def _idea(users):
    idea = ideas.create_idea(
        UserFactory(), "A windscreen for the Pyro", "Something to keep the flame steady."
    )
    return f"/ideas/{idea.id}", idea


def _comment(users):
    article = blog.create_article(users["staff"], blog.ArticleData(
        title="Winter cooking", summary="How we test stoves.", body="We test every stove in the cold.",
        tags=["stoves"], status="published",
    ))  # fmt: skip
    comment = blog.add_comment(article, UserFactory(), "Which temperature do you test at?")
    return f"/blog/{article.slug}", comment


@pytest.mark.parametrize(
    "make", [_forum, _review, _idea, _comment], ids=["reply", "review", "idea", "comment"]
)
def test_flag_from_the_page(client, login, users, make):
    path, item = make(users)
    db.session.commit()
    login("member")
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    assert re.search(rf'action="/flag/{item.id}"', page), "no flag form for this item"
    response = client.post(f"/flag/{item.id}", data={"reason": "off_topic", "next": path})
    assert response.status_code in (302, 303)
    assert db.session.query(Flag).filter_by(content_id=item.id).count() == 1
