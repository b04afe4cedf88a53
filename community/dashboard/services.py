"""Dashboard writes: the admin-set brand relationship label."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from models import User

from ..errors import InvalidInput, PermissionDenied
from ..permissions import can

RELATIONSHIPS = ("ambassador", "partner", "employee")
RELATIONSHIP_LABELS = {"ambassador": _l("Brand ambassador"), "partner": _l("Brand partner"),
                       "employee": _l("Brand employee")}  # fmt: skip


def set_relationship(user: User, actor: User, relationship: str) -> User:
    """Declare (or clear, with "") a member's relationship with the brand; admins only."""
    if not can(actor, "dashboard.disclose", user):
        raise PermissionDenied()
    relationship = (relationship or "").strip()
    if relationship and relationship not in RELATIONSHIPS:
        raise InvalidInput(
            _l("Choose a relationship from the list."), field="relationship", code="bad_relationship"
        )
    user.brand_relationship = relationship or None
    return user
