"""API: the signed-in member's notifications and preferences."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import db

from ..api.auth import login_required_json
from ..api.blueprint import Blueprint
from . import queries, services

blp = Blueprint("api_notifications", __name__, description="Notifications")


class NotificationSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    title = fields.Str()
    url = fields.Str()
    content_id = fields.Int(allow_none=True)
    actor = fields.Function(lambda n: n.actor.username if n.actor else None, allow_none=True)
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationListSchema(Schema):
    unread = fields.Int()
    items = fields.List(fields.Nested(NotificationSchema))


class NotificationListArgs(Schema):
    before = fields.Int(load_default=None, validate=validate.Range(min=1))
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=100))


class MarkReadSchema(Schema):
    ids = fields.List(fields.Int(), load_default=None, validate=validate.Length(max=500))
    all = fields.Bool(load_default=False)


class MarkedSchema(Schema):
    marked = fields.Int()
    unread = fields.Int()


_DELIVERY = validate.OneOf(services.DELIVERY)


# One optional property per notification kind (not a free-form dict), so the document
# says which keys exist: unknown keys are refused (additionalProperties: false).
EmailPreferencesSchema = Schema.from_dict(
    {kind: fields.Str(validate=_DELIVERY) for kind in services.KINDS}, name="EmailPreferences"
)


class PreferencesSchema(Schema):
    email = fields.Nested(EmailPreferencesSchema)
    auto_watch = fields.Bool()


@blp.get("/notifications")
@login_required_json
@blp.arguments(NotificationListArgs, location="query")
@blp.response(200, NotificationListSchema)
@blp.error_responses(401)
def list_notifications(args: dict[str, Any]):
    """The signed-in member's notifications, newest first."""
    rows = queries.notifications_of(current_user.id, limit=args["limit"], before_id=args["before"])
    return {"unread": queries.unread_count(current_user.id), "items": rows}


@blp.post("/notifications/read")
@login_required_json
@blp.arguments(MarkReadSchema)
@blp.response(200, MarkedSchema)
@blp.error_responses(401)
def mark_read(args: dict[str, Any]):
    """Mark the listed notifications (``ids``) or all of them (``all``) as read."""
    ids = None if args.get("all") else (args.get("ids") or [])
    marked = services.mark_read(current_user, ids)
    db.session.commit()
    return {"marked": marked, "unread": queries.unread_count(current_user.id)}


def _prefs() -> dict[str, Any]:
    row = services.settings_of(current_user.id)
    return {"email": services.email_preferences(row), "auto_watch": row.auto_watch}


@blp.get("/me/preferences")
@login_required_json
@blp.response(200, PreferencesSchema)
@blp.error_responses(401)
def get_preferences():
    """E-mail delivery by notification kind, and whether to watch what one writes in."""
    return _prefs()


@blp.put("/me/preferences")
@login_required_json
@blp.arguments(PreferencesSchema)
@blp.response(200, PreferencesSchema)
@blp.error_responses(401, 422)
def put_preferences(data: dict[str, Any]):
    """Change some or all preferences (kinds not sent keep their value)."""
    services.update_settings(current_user, email=data.get("email"), auto_watch=data.get("auto_watch"))
    db.session.commit()
    return _prefs()
