"""Core API endpoints: the signed-in member."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from ..auth import services as account_services
from ..extensions import db
from .auth import login_required_json
from .blueprint import Blueprint
from .schemas import MeSchema, MeUpdateSchema

blp = Blueprint("api_core", __name__, description="Accounts")


@blp.get("/me")
@login_required_json
@blp.response(200, MeSchema)
@blp.error_responses(401)
def me():
    """The signed-in member."""
    return current_user


@blp.patch("/me")
@login_required_json
@blp.arguments(MeUpdateSchema)
@blp.response(200, MeSchema)
@blp.error_responses(401, 422)
def update_me(changes: dict[str, Any]):
    """Update the signed-in member's profile."""
    account_services.update_profile(
        current_user,
        display_name=changes.get("display_name", current_user.display_name),
        bio=changes.get("bio", current_user.bio),
        locale=changes.get("locale", current_user.locale),
    )
    db.session.commit()
    return current_user
