"""Review fixtures shared by the test modules (a pytest plugin: ``pytest_plugins`` in
tests/conftest.py): a product in a tents category. A module that needs other data
defines its own fixture of the same name, which takes precedence."""

from __future__ import annotations

import pytest

from community.reviews import services
from models import Product, db


@pytest.fixture
def product(app) -> Product:  # noqa: ANN001
    cat = services.create_category("tents", "Tents", "Tentes")
    p = services.save_product(None, None, slug="tent-2p", name_en="Trail 2P tent", name_fr="Tente Trail 2P",
                              category_id=cat.id)  # fmt: skip
    db.session.commit()
    return p
