"""Forum fixtures shared by the test modules (a pytest plugin: ``pytest_plugins`` in
tests/conftest.py): a category and a question in it. A module that needs other data
defines its own fixture of the same name, which takes precedence."""

from __future__ import annotations

import pytest

from community.forum import services
from models import ForumCategory, Topic, User, db


@pytest.fixture
def category(app, users: dict[str, User]) -> ForumCategory:  # noqa: ANN001
    cat = services.save_category(
        users["admin"], None, slug="gear", name_en="Gear talk", name_fr="Parlons matériel",
        description_en="Tents and jackets", description_fr="Tentes et vestes",
    )  # fmt: skip
    db.session.commit()
    return cat


@pytest.fixture
def question(category: ForumCategory, users: dict[str, User]) -> Topic:
    topic = services.open_topic(
        category, users["member"], "Which tent for the Alps?", "I need a light **tent**.", "question", "en"
    )
    db.session.commit()
    return topic
