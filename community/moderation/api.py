"""Moderation API: flags, the queue, decisions and the audit log."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import FlagReason, db

from ..api.auth import login_required_json, require
from ..api.blueprint import Blueprint
from ..api.schemas import CreatedSchema
from ..errors import NotFound
from ..permissions import can
from . import queries, services

blp = Blueprint("api_moderation", __name__, description="Moderation")


class FlagInSchema(Schema):
    content_id = fields.Integer(required=True)
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in FlagReason]))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class DecisionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(services.ACTIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    source = fields.String(load_default=None, allow_none=True)
    title = fields.String(load_default=None, allow_none=True)


class FlagOutSchema(Schema):
    reason = fields.String()
    note = fields.String()
    created_at = fields.DateTime()


class QueueItemSchema(Schema):
    id = fields.Integer(attribute="item.id")
    kind = fields.String(attribute="item.kind")
    state = fields.String(attribute="item.state")
    url = fields.String(allow_none=True)
    context = fields.Function(lambda e: e.context.label if e.context else None)
    author = fields.Function(lambda e: e.item.author.username if e.item.author else None)
    created_at = fields.DateTime(attribute="item.created_at")
    body_html = fields.String(attribute="item.body_html")
    flags = fields.List(fields.Nested(FlagOutSchema))


class ItemStateSchema(Schema):
    id = fields.Integer()
    state = fields.String()
    hidden_reason = fields.Function(
        lambda i: queries.public_reason(i.hidden_reason) if i.hidden_reason else None
    )


class LogEntrySchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    actor = fields.Function(lambda e: e.actor.username if e.actor else None)
    action = fields.String()
    target_type = fields.String()
    target_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)
    reason = fields.String()


class LogQuerySchema(Schema):
    action = fields.String(load_default="")
    actor = fields.String(load_default="")
    target_type = fields.String(load_default="")
    target_id = fields.Integer(load_default=None)


def _item(content_id: int):
    item = queries.get_item(content_id)
    if item is None or not can(current_user, "content.view", item):
        raise NotFound()
    return item


@blp.post("/flags")
@login_required_json
@blp.arguments(FlagInSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 404, 409, descriptions={404: "No such item", 409: "Already flagged"})
def create_flag(data: dict[str, Any]):
    """Flag a content item for the moderators."""
    item = _item(data["content_id"])
    new = services.flag(item, current_user, data["reason"], data.get("note", ""))
    db.session.commit()
    return {"id": new.id, "url": url_for("moderation.queue")}


@blp.get("/moderation/queue")
@login_required_json
@blp.response(200, QueueItemSchema(many=True))
@blp.error_responses(403, descriptions={403: "Moderators only"})
def get_queue():
    """Pending and flagged items, oldest first."""
    require("moderation.queue")
    return queries.queue(current_user)


@blp.post("/moderation/items/<int:content_id>")
@login_required_json
@blp.arguments(DecisionSchema)
@blp.response(200, ItemStateSchema)
@blp.error_responses(
    403,
    404,
    409,
    422,
    descriptions={403: "Moderators only", 404: "No such item", 409: "Not possible in this state"},
)
def decide(data: dict[str, Any], content_id: int):
    """Approve, hide, restore, delete, edit or dismiss the flags of an item."""
    require("moderation.queue")
    item = _item(content_id)
    services.moderate(
        item, current_user, data["action"], data["reason"], source=data["source"], title=data["title"]
    )
    db.session.commit()
    return item


@blp.get("/moderation/log")
@login_required_json
@blp.arguments(LogQuerySchema, location="query")
@blp.response(200, LogEntrySchema(many=True))
@blp.error_responses(403, descriptions={403: "Moderators only"})
def get_log(args: dict[str, Any]):
    """The moderation audit log, newest first."""
    require("moderation.log")
    return queries.audit_log(**args)
