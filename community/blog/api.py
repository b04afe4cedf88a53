"""Blog API: articles (written by staff) and their comments."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import Article, db

from ..api.auth import require
from ..api.blueprint import Blueprint
from ..api.schemas import CreatedSchema, UserRefSchema
from ..errors import NotFound
from ..permissions import can
from . import queries, services

blp = Blueprint("api_blog", __name__, description="Blog")


class TagSchema(Schema):
    name = fields.String()
    slug = fields.String()


class ArticleSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    slug = fields.String()
    summary = fields.String()
    language = fields.String()
    status = fields.String(attribute="effective_status")
    publish_at = fields.DateTime(allow_none=True)
    state = fields.String()
    reading_minutes = fields.Integer()
    comment_count = fields.Integer()
    body_html = fields.String()
    tags = fields.List(fields.Nested(TagSchema))
    author = fields.Nested(UserRefSchema, allow_none=True)
    author_role = fields.String()
    url = fields.Function(lambda a: url_for("blog.article", slug=a.slug))


class ArticleListArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class ArticleWriteSchema(Schema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    slug = fields.String(validate=validate.Length(max=120))
    summary = fields.String(validate=validate.Length(max=500))
    body = fields.String(validate=validate.Length(min=1, max=100_000))
    language = fields.String(validate=validate.OneOf(["en", "fr"]))
    tags = fields.List(fields.String(validate=validate.Length(max=60)), validate=validate.Length(max=8))
    status = fields.String(validate=validate.OneOf(["draft", "scheduled", "published"]))
    publish_at = fields.AwareDateTime(default_timezone=None, allow_none=True)


class ArticleCreateSchema(ArticleWriteSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=100_000))


class ArticleCommentSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    body_html = fields.String()
    language = fields.String()
    author = fields.Nested(UserRefSchema, allow_none=True)
    author_role = fields.String()
    created_at = fields.DateTime()


class ArticleCommentCreateSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=10_000))
    parent_id = fields.Integer(allow_none=True)


def _readable(article_id: int) -> Article:
    article = queries.article_by_id(article_id)
    if article is None or not can(current_user, "content.view", article):
        raise NotFound()
    if article.state == "published" and not article.is_public() and not can(current_user, "blog.preview"):
        raise NotFound()
    return article


def _data(body: dict[str, Any]) -> services.ArticleData:
    from datetime import UTC

    publish_at = body.get("publish_at")
    if publish_at is not None and publish_at.tzinfo is None:
        publish_at = publish_at.replace(tzinfo=UTC)
    return services.ArticleData(
        title=body.get("title"), slug=body.get("slug"), summary=body.get("summary"), body=body.get("body"),
        language=body.get("language"), tags=body.get("tags"), status=body.get("status"), publish_at=publish_at,
    )  # fmt: skip


@blp.get("/articles")
@blp.arguments(ArticleListArgs, location="query")
@blp.response(200, ArticleSchema(many=True))
def list_articles(args: dict[str, Any]):
    """Published articles, newest first, 12 a page."""
    return queries.public_articles(args["page"]).items


@blp.post("/articles")
@blp.arguments(ArticleCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 409, 422, descriptions={403: "Not staff", 409: "Slug already used"})
def create_article(body: dict[str, Any]):
    """Write an article (staff): a draft, scheduled (``publish_at`` in the future) or published."""
    require("brand.publish")
    article = services.create_article(current_user, _data(body))
    db.session.commit()
    return {"id": article.id, "url": url_for("blog.article", slug=article.slug)}


@blp.get("/articles/<int:article_id>")
@blp.response(200, ArticleSchema)
@blp.error_responses(404, descriptions={404: "No such public article"})
def get_article(article_id: int):
    """One article; drafts and scheduled articles only for staff."""
    return _readable(article_id)


@blp.patch("/articles/<int:article_id>")
@blp.arguments(ArticleWriteSchema)
@blp.response(200, ArticleSchema)
@blp.error_responses(401, 403, 404, 409, 422, descriptions={404: "No such article", 409: "Slug already used"})
def update_article(body: dict[str, Any], article_id: int):
    """Change an article (its author among staff, or an admin)."""
    article = _readable(article_id)
    require("blog.edit", article)
    services.update_article(article, current_user, _data(body))
    db.session.commit()
    return queries.article_by_id(article_id)


@blp.get("/articles/<int:article_id>/comments")
@blp.response(200, ArticleCommentSchema(many=True))
@blp.error_responses(404, descriptions={404: "No such public article"})
def list_comments(article_id: int):
    """Published comments of an article, oldest first (replies carry ``parent_id``)."""
    article = _readable(article_id)
    return [c for c in queries.comments_for(article) if c.state == "published"]


@blp.post("/articles/<int:article_id>/comments")
@blp.arguments(ArticleCommentCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(
    401,
    403,
    404,
    422,
    descriptions={
        403: "Not allowed to write",
        404: "No such public article",
        422: "Invalid data, or the article is not published",
    },
)
def create_comment(body: dict[str, Any], article_id: int):
    """Comment on a published article, or reply to a comment (``parent_id``)."""
    require("content.create")
    article = _readable(article_id)
    comment = services.add_comment(article, current_user, body["body"], body.get("parent_id"))
    db.session.commit()
    return {"id": comment.id, "url": url_for("blog.article", slug=article.slug) + f"#comment-{comment.id}"}
