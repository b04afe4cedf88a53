"""Forum API: categories, topics, posts (opening posts and replies), likes, accepted answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import ForumCategory, Reply, Topic

from ..api.auth import login_required_json, require
from ..api.blueprint import Blueprint
from ..api.schemas import CreatedSchema, UserRefSchema
from ..errors import NotFound
from ..extensions import db
from ..permissions import can
from . import queries, services, topic_tools

blp = Blueprint("api_forum", __name__, description="Forum")


class CategorySchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name_en = fields.String()
    name_fr = fields.String()
    description_en = fields.String()
    description_fr = fields.String()
    colour = fields.String()
    post_role = fields.String()
    topic_count = fields.Integer()
    post_count = fields.Integer()
    last_activity_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda c: url_for("forum.category", slug=c.slug))


class PostSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    position = fields.Integer()
    author = fields.Nested(UserRefSchema, allow_none=True)
    author_role = fields.String()
    official = fields.Function(lambda p: p.author_role in services.OFFICIAL_ROLES)
    body = fields.String(attribute="body_source")
    body_html = fields.String()
    language = fields.String()
    state = fields.String()
    like_count = fields.Integer()
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    url = fields.Function(lambda p: url_for("forum.permalink", post_id=p.id))


class TopicSchema(Schema):
    id = fields.Integer()
    category_id = fields.Integer()
    title = fields.String()
    kind = fields.String(attribute="topic_kind")
    language = fields.String()
    author = fields.Nested(UserRefSchema, allow_none=True)
    is_locked = fields.Boolean()
    is_pinned = fields.Boolean()
    solved = fields.Boolean(attribute="is_solved")
    accepted_reply_id = fields.Integer(allow_none=True)
    has_official_answer = fields.Boolean()
    reply_count = fields.Integer()
    view_count = fields.Integer()
    like_count = fields.Integer()
    created_at = fields.DateTime()
    last_activity_at = fields.DateTime()
    url = fields.Function(lambda t: url_for("forum.topic", slug=t.slug or "topic", topic_id=t.id))


class TopicDetailSchema(TopicSchema):
    body = fields.String(attribute="body_source")
    body_html = fields.String()


class TopicListArgs(Schema):
    category_id = fields.Integer()
    sort = fields.String(load_default="activity", validate=validate.OneOf(queries.SORTS))
    filter = fields.String(load_default="", validate=validate.OneOf(queries.FILTERS))
    language = fields.String(load_default="", validate=validate.OneOf(["", "en", "fr"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class TopicListSchema(Schema):
    items = fields.List(fields.Nested(TopicSchema))
    page = fields.Integer()
    pages = fields.Integer()
    total = fields.Integer()


class TopicCreateSchema(Schema):
    category_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=services.TITLE_MAX))
    body = fields.String(required=True, validate=validate.Length(min=1, max=services.BODY_MAX))
    kind = fields.String(load_default="discussion", validate=validate.OneOf(["discussion", "question"]))
    language = fields.String(validate=validate.OneOf(["en", "fr"]))


class PostCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=services.BODY_MAX))
    language = fields.String(validate=validate.OneOf(["en", "fr"]))


class PostUpdateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=services.BODY_MAX))
    title = fields.String(validate=validate.Length(min=1, max=services.TITLE_MAX))


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class PostPageSchema(Schema):
    items = fields.List(fields.Nested(PostSchema))
    page = fields.Integer()
    pages = fields.Integer()


class AcceptSchema(Schema):
    post_id = fields.Integer(required=True)


class ReactionSchema(Schema):
    post_id = fields.Integer()
    like_count = fields.Integer()
    liked = fields.Boolean()


def _topic_or_404(topic_id: int) -> Topic:
    topic = queries.topic(topic_id)
    if topic is None or not can(current_user, "content.view", topic):
        raise NotFound()
    return topic


def _post_or_404(post_id: int) -> Topic | Reply:
    item = queries.post(post_id)
    if item is None or not can(current_user, "content.view", item):
        raise NotFound()
    return item


@blp.get("/categories")
@blp.response(200, CategorySchema(many=True))
def list_categories():
    """Forum categories, in order."""
    return queries.categories()


@blp.get("/topics")
@blp.arguments(TopicListArgs, location="query")
@blp.response(200, TopicListSchema)
def list_topics(args: dict[str, Any]):
    """Published topics, pinned first, 30 a page."""
    filter_ = args["filter"]
    if filter_ == "unofficial" and not can(current_user, "forum.staff_filters"):
        filter_ = ""
    return queries.topic_list(
        args.get("category_id"),
        sort=args["sort"],
        filter_=filter_,
        language=args["language"],
        page=args["page"],
    )


@blp.post("/topics")
@login_required_json
@blp.arguments(TopicCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 404, 422)
def create_topic(data: dict[str, Any]):
    """Open a topic (a discussion or a question)."""
    category = queries.category(data["category_id"])
    if category is None:
        raise NotFound()
    topic = services.open_topic(
        category, current_user, data["title"], data["body"], data["kind"], data.get("language")
    )
    db.session.commit()
    return {"id": topic.id, "url": url_for("forum.topic", slug=topic.slug, topic_id=topic.id)}


@blp.get("/topics/<int:topic_id>")
@blp.response(200, TopicDetailSchema)
@blp.alt_response(
    301,
    description="Merged into another topic: ``Location`` is that topic's address here",
    headers={"Location": {"description": "The topic that holds this post now", "schema": {"type": "string"}}},
)
@blp.error_responses(404)
def get_topic(topic_id: int):
    """A topic with its opening post.

    A topic merged into another is gone: its opening post is a reply there, and its
    address answers ``301 Moved Permanently`` with the other topic's address in
    ``Location`` (as its page does). A client that follows redirects receives the
    other topic: its ``id`` differs from the one asked for. The id of any reply
    answers the same way, with the topic that holds it."""
    topic = queries.topic(topic_id)
    if topic is None:
        _redirect_to_holder(topic_id, "api_forum.get_topic")
    if topic is None or not can(current_user, "content.view", topic):
        raise NotFound()
    return topic


def _redirect_to_holder(post_id: int, endpoint: str) -> None:
    """Abort with ``301`` to ``endpoint`` of the topic that holds the post ``post_id``
    (a merged topic's opening post, or any reply), when the reader may see both."""
    found = queries.visible_reply_and_topic(post_id, current_user)
    if found is not None:
        abort(Response(status=301, headers={"Location": url_for(endpoint, topic_id=found[1].id)}))


@blp.get("/topics/<int:topic_id>/posts")
@blp.arguments(PageArgs, location="query")
@blp.response(200, PostPageSchema)
@blp.alt_response(
    301,
    description="Merged into another topic: ``Location`` is that topic's posts (page 1)",
    headers={
        "Location": {"description": "The posts of the topic that holds it now", "schema": {"type": "string"}}
    },
)
@blp.error_responses(404)
def list_posts(args: dict[str, Any], topic_id: int):
    """The topic's published replies, 20 posts a page (the opening post counts on page 1).
    A merged topic answers ``301`` with the posts of the topic it went into."""
    topic = queries.topic(topic_id)
    if topic is None:
        _redirect_to_holder(topic_id, "api_forum.list_posts")
    if topic is None or not can(current_user, "content.view", topic):
        raise NotFound()
    pages = queries.page_count(topic)
    page = min(args["page"], pages)
    replies = [r for r in queries.replies_on_page(topic, page) if r.is_published]
    return {"items": replies, "page": page, "pages": pages}


@blp.post("/topics/<int:topic_id>/posts")
@login_required_json
@blp.arguments(PostCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 404, 409, 422)
def create_post(data: dict[str, Any], topic_id: int):
    """Reply to a topic."""
    topic = queries.topic(topic_id)
    if topic is not None and not can(current_user, "content.view", topic):
        topic = None
    item = services.reply(topic, current_user, data["body"], data.get("language"))
    db.session.commit()
    return {"id": item.id, "url": url_for("forum.permalink", post_id=item.id)}


@blp.patch("/posts/<int:post_id>")
@login_required_json
@blp.arguments(PostUpdateSchema)
@blp.response(200, PostSchema)
@blp.error_responses(401, 403, 404, 422)
def update_post(data: dict[str, Any], post_id: int):
    """Edit your post (a topic's opening post or a reply)."""
    item = _post_or_404(post_id)
    services.edit_post(item, current_user, data["body"], data.get("title"))
    db.session.commit()
    return queries.topic(item.id) if isinstance(item, Topic) else queries.reply(item.id)


@blp.delete("/posts/<int:post_id>")
@login_required_json
@blp.response(204)
@blp.error_responses(401, 403, 404)
def delete_post(post_id: int):
    """Delete your post (soft: its state becomes ``deleted``)."""
    item = _post_or_404(post_id)
    services.delete_post(item, current_user)
    db.session.commit()


@blp.post("/posts/<int:post_id>/reactions")
@login_required_json
@blp.response(201, ReactionSchema)
@blp.error_responses(401, 403, 404, 409, 422)
def add_reaction(post_id: int):
    """Like a post (once)."""
    item = _post_or_404(post_id)
    services.like(item, current_user)
    db.session.commit()
    return {"post_id": item.id, "like_count": item.like_count, "liked": True}


@blp.delete("/posts/<int:post_id>/reactions")
@login_required_json
@blp.response(200, ReactionSchema)
@blp.error_responses(401, 404, 409)
def remove_reaction(post_id: int):
    """Take your like back."""
    item = _post_or_404(post_id)
    services.unlike(item, current_user)
    db.session.commit()
    return {"post_id": item.id, "like_count": item.like_count, "liked": False}


@blp.post("/topics/<int:topic_id>/accept")
@login_required_json
@blp.arguments(AcceptSchema)
@blp.response(200, TopicSchema)
@blp.error_responses(401, 403, 404, 422)
def accept(data: dict[str, Any], topic_id: int):
    """Mark a reply as the question's accepted answer (its author or staff)."""
    topic = _topic_or_404(topic_id)
    require("content.view", topic)
    services.accept_answer(topic, queries.reply(data["post_id"]), current_user)
    db.session.commit()
    return queries.topic(topic.id)


class LockSchema(Schema):
    locked = fields.Boolean(load_default=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class PinSchema(Schema):
    pinned = fields.Boolean(load_default=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class MoveSchema(Schema):
    category_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


def tool_endpoint(tool: str, schema: type[Schema], status: int = 200) -> Callable:
    """A moderator's tool: ``POST /topics/{topic_id}/<tool>`` with a ``schema`` body,
    answering a topic. The view is called with the body and the topic once the caller is
    signed in (else 401), the body valid (422), the topic visible to them (404) and theirs
    to moderate (403)."""

    def decorate(view: Callable[[dict[str, Any], Topic], Any]) -> Callable:
        @wraps(view)
        def endpoint(data: dict[str, Any], topic_id: int) -> Any:
            topic = _topic_or_404(topic_id)
            require("forum.moderate_topic", topic)
            return view(data, topic)

        for decorator in (
            blp.error_responses(401, 403, 404, 422),
            blp.response(status, TopicSchema),
            blp.arguments(schema),
            login_required_json,
            blp.post(f"/topics/<int:topic_id>/{tool}"),
        ):
            endpoint = decorator(endpoint)
        return endpoint

    return decorate


@tool_endpoint("lock", LockSchema)
def lock(data: dict[str, Any], topic: Topic):
    """Lock (or with ``locked: false`` unlock) a topic: moderators of its category."""
    services.lock_topic(topic, data["locked"], current_user, data["reason"])
    db.session.commit()
    return queries.topic(topic.id)


@tool_endpoint("pin", PinSchema)
def pin(data: dict[str, Any], topic: Topic):
    """Pin (or with ``pinned: false`` unpin) a topic: moderators of its category."""
    services.pin_topic(topic, data["pinned"], current_user, data["reason"])
    db.session.commit()
    return queries.topic(topic.id)


@tool_endpoint("move", MoveSchema)
def move(data: dict[str, Any], topic: Topic):
    """Move a topic to another category: moderators of both categories."""
    services.move_topic(
        topic, db.session.get(ForumCategory, data["category_id"]), current_user, data["reason"]
    )
    db.session.commit()
    return queries.topic(topic.id)


class TopicMergeSchema(Schema):
    target_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class TopicSplitSchema(Schema):
    post_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        required=True,
        validate=validate.Length(min=1, max=topic_tools.SPLIT_MAX),
    )
    title = fields.String(required=True, validate=validate.Length(max=services.TITLE_MAX))
    category_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


@tool_endpoint("merge", TopicMergeSchema)
def merge(data: dict[str, Any], topic: Topic):
    """Merge a topic into ``target_id``: its posts (the opening post too) move there in
    date order and its address redirects there. Moderators of both categories."""
    target = topic_tools.merge_topics(topic, queries.topic(data["target_id"]), current_user, data["reason"])
    db.session.commit()
    return queries.topic(target.id)


@tool_endpoint("split", TopicSplitSchema, status=201)
def split(data: dict[str, Any], topic: Topic):
    """Move replies (``post_ids``) to a new topic in ``category_id``; the first of them
    becomes its opening post. Moderators of the topic's and the new category."""
    created = topic_tools.split_topic(
        topic, data["post_ids"], data["title"], db.session.get(ForumCategory, data["category_id"]),
        current_user, data["reason"],
    )  # fmt: skip
    db.session.commit()
    return queries.topic(created.id)
