"""Idea board API: ideas, votes, statuses, merges and comments."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import ContentState, Idea, IdeaStatus, db

from ..api.auth import require
from ..api.blueprint import Blueprint
from ..api.schemas import CreatedSchema, UserRefSchema
from ..errors import NotFound
from ..i18n import current_language
from ..permissions import can
from . import queries, services

blp = Blueprint("api_ideas", __name__, description="Ideas: suggestions, votes, statuses, merges")
STATUSES = [s.value for s in IdeaStatus]


class IdeaSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    body_html = fields.String()
    status = fields.String(metadata={"enum": STATUSES})
    vote_count = fields.Integer()
    comment_count = fields.Integer()
    product_ref = fields.String(allow_none=True)
    merged_into_id = fields.Integer(allow_none=True)
    language = fields.String()
    created_at = fields.DateTime()
    author = fields.Nested(UserRefSchema, allow_none=True)
    url = fields.Method("get_url")

    def get_url(self, idea: Idea) -> str:
        return url_for("ideas.show", idea_id=idea.id)


class IdeaListSchema(Schema):
    items = fields.List(fields.Nested(IdeaSchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class IdeaQuerySchema(Schema):
    sort = fields.String(load_default="trending", validate=validate.OneOf(queries.SORTS))
    status = fields.String(validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class IdeaCreateSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(min=5, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=20000))
    product_ref = fields.String(allow_none=True, validate=validate.Length(max=80))
    language = fields.String(validate=validate.OneOf(["en", "fr"]))


class VoteStateSchema(Schema):
    voted = fields.Boolean()
    vote_count = fields.Integer()


class StatusChangeSchema(Schema):
    status = fields.String(required=True, metadata={"enum": STATUSES})
    note = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class MergeSchema(Schema):
    into_id = fields.Integer(required=True)


class MergedSchema(Schema):
    id = fields.Integer()
    into_id = fields.Integer()
    url = fields.String()
    moved_voter_count = fields.Integer()


class IdeaCommentSchema(Schema):
    id = fields.Integer()
    body_html = fields.String()
    language = fields.String()
    state = fields.String()
    created_at = fields.DateTime()
    author = fields.Nested(UserRefSchema, allow_none=True)


class IdeaCommentCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10000))
    language = fields.String(validate=validate.OneOf(["en", "fr"]))


def _idea(idea_id: int) -> Idea:
    idea = queries.get_idea(idea_id)
    if idea is None or not can(current_user, "content.view", idea):
        raise NotFound()
    return idea


def _vote_state(idea_id: int) -> dict[str, Any]:
    db.session.expire_all()
    idea = _idea(idea_id)
    return {"voted": idea.id in queries.voted_ids(current_user, [idea.id]), "vote_count": idea.vote_count}


@blp.get("/ideas")
@blp.arguments(IdeaQuerySchema, location="query")
@blp.response(200, IdeaListSchema)
def list_ideas(args: dict[str, Any]):
    """Ideas that are published and not merged: trending, top or newest, by status."""
    result = queries.list_ideas(sort=args["sort"], status=args.get("status"), page=args["page"])
    return {"items": result.ideas, "total": result.total, "page": result.page, "pages": result.pages}


@blp.post("/ideas")
@blp.arguments(IdeaCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, descriptions={403: "Not allowed to write"})
def create_idea(data: dict[str, Any]):
    """Suggest an idea; the author's vote is counted."""
    require("content.create")
    idea = services.create_idea(
        current_user, data["title"], data["body"], product_ref=data.get("product_ref"),
        language=data.get("language") or current_language(),
    )  # fmt: skip
    db.session.commit()
    return {"id": idea.id, "url": url_for("ideas.show", idea_id=idea.id)}


@blp.get("/ideas/<int:idea_id>")
@blp.response(200, IdeaSchema)
@blp.error_responses(404, descriptions={404: "No such idea"})
def get_idea(idea_id: int):
    """One idea (a merged idea tells where it went in ``merged_into_id``)."""
    return _idea(idea_id)


@blp.post("/ideas/<int:idea_id>/vote")
@blp.response(200, VoteStateSchema)
@blp.error_responses(401, 409, descriptions={409: "Already voted, voting closed, merged, budget spent"})
def vote(idea_id: int):
    """Vote for an idea. Refused (409) twice, on merged ideas and on done or declined ideas."""
    idea = _idea(idea_id)
    require("idea.vote", idea)
    services.vote(idea, current_user)
    db.session.commit()
    return _vote_state(idea_id)


@blp.delete("/ideas/<int:idea_id>/vote")
@blp.response(200, VoteStateSchema)
@blp.error_responses(401, 409, descriptions={409: "No vote to withdraw, voting closed, merged"})
def unvote(idea_id: int):
    """Withdraw a vote."""
    idea = _idea(idea_id)
    require("idea.vote", idea)
    services.unvote(idea, current_user)
    db.session.commit()
    return _vote_state(idea_id)


@blp.post("/ideas/<int:idea_id>/status")
@blp.arguments(StatusChangeSchema)
@blp.response(200, IdeaSchema)
@blp.error_responses(403, 422, descriptions={403: "Only staff", 422: "Unknown status or missing note"})
def change_status(data: dict[str, Any], idea_id: int):
    """Change the public status, with a public note (staff)."""
    idea = _idea(idea_id)
    require("idea.status", idea)
    services.change_status(idea, current_user, data["status"], data["note"])
    db.session.commit()
    return _idea(idea_id)


@blp.post("/ideas/<int:idea_id>/merge")
@blp.arguments(MergeSchema)
@blp.response(200, MergedSchema)
@blp.error_responses(
    403,
    409,
    422,
    descriptions={
        403: "Only staff and moderators",
        409: "Already merged, or the target is merged",
        422: "Merging into itself",
    },
)
def merge(data: dict[str, Any], idea_id: int):
    """Merge this idea into ``into_id``: its voters become voters there, without double votes."""
    idea = _idea(idea_id)
    require("idea.merge", idea)
    target = queries.get_idea(data["into_id"])
    if target is None or target.state == ContentState.DELETED:
        raise NotFound()
    moved = services.merge(idea, target, current_user)
    db.session.commit()
    return {"id": idea_id, "into_id": target.id, "url": url_for("ideas.show", idea_id=target.id),
            "moved_voter_count": len(moved)}  # fmt: skip


@blp.delete("/ideas/<int:idea_id>/merge")
@blp.response(200, IdeaSchema)
@blp.error_responses(403, 409, descriptions={403: "Only staff and moderators", 409: "Not merged"})
def unmerge(idea_id: int):
    """Undo a merge: every moved vote goes back to the idea it was cast for."""
    idea = _idea(idea_id)
    require("idea.merge", idea)
    services.unmerge(idea, current_user)
    db.session.commit()
    return _idea(idea_id)


@blp.get("/ideas/<int:idea_id>/comments")
@blp.response(200, IdeaCommentSchema(many=True))
def list_comments(idea_id: int):
    """Published comments on an idea (hidden ones say so, without their text)."""
    idea = _idea(idea_id)
    items = []
    for comment in queries.comments(idea.id):
        if comment.state != ContentState.PUBLISHED and not can(current_user, "content.view", comment):
            comment = {"id": comment.id, "state": comment.state, "body_html": "", "language": comment.language,
                       "created_at": comment.created_at, "author": None}  # fmt: skip
        items.append(comment)
    return items


@blp.post("/ideas/<int:idea_id>/comments")
@blp.arguments(IdeaCommentCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 409, descriptions={409: "The idea was merged"})
def add_comment(data: dict[str, Any], idea_id: int):
    """Comment on an idea."""
    idea = _idea(idea_id)
    require("content.create")
    comment = services.add_comment(
        idea, current_user, data["body"], data.get("language") or current_language()
    )
    db.session.commit()
    return {"id": comment.id, "url": url_for("ideas.comment_permalink", comment_id=comment.id)}
