"""Products and reviews API."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user
from marshmallow import Schema, fields, validate

from models import Review, db

from ..api.auth import require
from ..api.blueprint import Blueprint
from ..api.schemas import CreatedSchema, UserRefSchema
from ..errors import NotFound
from ..i18n import current_language
from ..permissions import can
from . import queries, services

blp = Blueprint("api_reviews", __name__, description="Products and reviews")


class ProductSchema(Schema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.Method("get_name")
    name_en = fields.String()
    name_fr = fields.String()
    description_en = fields.String()
    description_fr = fields.String()
    category_id = fields.Integer()
    active = fields.Boolean()
    review_count = fields.Integer()
    mean_rating = fields.Float(allow_none=True)
    distribution = fields.Method("get_distribution")
    url = fields.Method("get_url")

    def get_name(self, obj) -> str:  # noqa: ANN001
        return obj.name(current_language())

    def get_distribution(self, obj) -> dict[str, int]:  # noqa: ANN001
        return {str(s): obj.star_count(s) for s in (5, 4, 3, 2, 1)}

    def get_url(self, obj) -> str:  # noqa: ANN001
        return url_for("reviews.product", slug=obj.slug)


class ProductCreateSchema(Schema):
    slug = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_fr = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category_id = fields.Integer(required=True)
    description_en = fields.String(load_default="", validate=validate.Length(max=5000))
    description_fr = fields.String(load_default="", validate=validate.Length(max=5000))
    active = fields.Boolean(load_default=True)


class ResponseSchema(Schema):
    id = fields.Integer()
    body_html = fields.String()
    author = fields.Nested(UserRefSchema)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)


class ReviewSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    rating = fields.Integer()
    title = fields.String()
    body = fields.String(attribute="body_source")
    body_html = fields.String()
    pros = fields.String()
    cons = fields.String()
    would_recommend = fields.Boolean()
    experienced_on = fields.Date(allow_none=True)
    incentivized = fields.Boolean()
    language = fields.String()
    helpful_count = fields.Integer()
    author = fields.Nested(UserRefSchema, allow_none=True)
    created_at = fields.DateTime()
    edited_at = fields.DateTime(allow_none=True)
    response = fields.Method("get_response")

    def get_response(self, obj) -> dict | None:  # noqa: ANN001
        r = obj.response
        return ResponseSchema().dump(r) if r is not None and r.state == "published" else None


class ReviewListSchema(Schema):
    items = fields.List(fields.Nested(ReviewSchema))
    total = fields.Integer()
    page = fields.Integer()
    pages = fields.Integer()


class ReviewQuerySchema(Schema):
    sort = fields.String(load_default="helpful", validate=validate.OneOf(queries.SORTS))
    stars = fields.Integer(load_default=None, validate=validate.Range(1, 5))
    lang = fields.String(load_default=None, validate=validate.OneOf(["en", "fr"]))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))


class ReviewCreateSchema(Schema):
    rating = fields.Integer(required=True, validate=validate.Range(1, 5))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(
        required=True, validate=validate.Length(min=services.MIN_BODY, max=services.MAX_BODY)
    )
    pros = fields.String(load_default="", validate=validate.Length(max=2000))
    cons = fields.String(load_default="", validate=validate.Length(max=2000))
    would_recommend = fields.Boolean(load_default=True)
    experienced_on = fields.Date(load_default=None, allow_none=True)
    incentivized = fields.Boolean(load_default=False)
    incentive_note = fields.String(load_default="", validate=validate.Length(max=300))
    language = fields.String(load_default=None, validate=validate.OneOf(["en", "fr"]))


class ReviewUpdateSchema(Schema):
    rating = fields.Integer(validate=validate.Range(1, 5))
    title = fields.String(validate=validate.Length(min=1, max=200))
    body = fields.String(validate=validate.Length(min=services.MIN_BODY, max=services.MAX_BODY))
    pros = fields.String(validate=validate.Length(max=2000))
    cons = fields.String(validate=validate.Length(max=2000))
    would_recommend = fields.Boolean()
    experienced_on = fields.Date(allow_none=True)
    incentivized = fields.Boolean()
    incentive_note = fields.String(validate=validate.Length(max=300))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class HelpfulSchema(Schema):
    helpful = fields.Boolean()
    helpful_count = fields.Integer()


class ResponseInSchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=2, max=services.MAX_BODY))


def _product(product_id: int):  # noqa: ANN202
    product = queries.product_by_id(product_id)
    if product is None or (not product.active and not can(current_user, "reviews.manage_catalogue")):
        raise NotFound()
    return product


def _review(review_id: int) -> Review:
    review = queries.review_by_id(review_id)
    if review is None or not can(current_user, "content.view", review):
        raise NotFound()
    return review


@blp.get("/products")
@blp.response(200, ProductSchema(many=True))
def list_products():
    """The active products with their rating and review count."""
    return queries.catalogue()


@blp.post("/products")
@blp.arguments(ProductCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 409, 422)
def create_product(data: dict[str, Any]):
    """Add a product (staff)."""
    require("reviews.manage_catalogue")
    product = services.save_product(current_user, None, **data)
    db.session.commit()
    return {"id": product.id, "url": url_for("reviews.product", slug=product.slug)}


@blp.get("/products/<int:product_id>")
@blp.response(200, ProductSchema)
@blp.error_responses(404)
def get_product(product_id: int):
    """One product, with its rating distribution."""
    return _product(product_id)


@blp.get("/products/<int:product_id>/reviews")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200, ReviewListSchema)
@blp.error_responses(404)
def list_reviews(args: dict[str, Any], product_id: int):
    """Published reviews of a product, 10 a page."""
    product = _product(product_id)
    stars = args["stars"]
    page = queries.product_reviews(
        product.id, sort=args["sort"], stars=stars, language=args["lang"], page=args["page"],
        known_total=product.star_count(stars) if stars else product.review_count,
    )  # fmt: skip
    return page


@blp.post("/products/<int:product_id>/reviews")
@blp.arguments(ReviewCreateSchema)
@blp.response(201, CreatedSchema)
@blp.error_responses(401, 403, 404, 409, 422)
def create_review(data: dict[str, Any], product_id: int):
    """Review a product (once per member)."""
    require("content.create")
    product = queries.product_by_id(product_id)
    review = services.write_review(product, current_user, **data)
    db.session.commit()
    return {"id": review.id, "url": url_for("reviews.review", review_id=review.id)}


@blp.patch("/reviews/<int:review_id>")
@blp.arguments(ReviewUpdateSchema)
@blp.response(200, ReviewSchema)
@blp.error_responses(401, 403, 404, 422)
def update_review(data: dict[str, Any], review_id: int):
    """Change your review (author only; the old version is kept)."""
    review = _review(review_id)
    require("reviews.edit", review)
    reason = data.pop("reason", "")
    services.edit_review(review, current_user, reason=reason, **data)
    db.session.commit()
    return queries.review_by_id(review_id)


@blp.delete("/reviews/<int:review_id>")
@blp.response(204)
@blp.error_responses(401, 403, 404)
def delete_review(review_id: int):
    """Delete your review (author only)."""
    review = _review(review_id)
    require("reviews.delete", review)
    services.delete_review(review, current_user)
    db.session.commit()


def _vote(review_id: int, helpful: bool) -> dict[str, Any]:
    review = _review(review_id)
    if not current_user.is_authenticated:
        require("reviews.vote", review)
    services.set_helpful(review, current_user, helpful)
    db.session.commit()
    return {"helpful": helpful, "helpful_count": review.helpful_count}


@blp.post("/reviews/<int:review_id>/helpful")
@blp.response(200, HelpfulSchema)
@blp.error_responses(401, 403, 404, 422)
def vote_helpful(review_id: int):
    """Mark a review helpful (not your own)."""
    return _vote(review_id, True)


@blp.delete("/reviews/<int:review_id>/helpful")
@blp.response(200, HelpfulSchema)
@blp.error_responses(401, 403, 404, 422)
def unvote_helpful(review_id: int):
    """Remove your helpful vote."""
    return _vote(review_id, False)


@blp.route("/reviews/<int:review_id>/response", methods=["PUT", "POST", "PATCH"])
@blp.arguments(ResponseInSchema)
@blp.response(200, CreatedSchema)
@blp.error_responses(401, 403, 404, 409, 422)
def put_response(data: dict[str, Any], review_id: int):
    """Write or replace the brand's public response (staff only)."""
    review = _review(review_id)
    require("brand.answer")
    response = services.respond(review, current_user, data["body"])
    db.session.commit()
    return {
        "id": response.id,
        "url": url_for("reviews.review", review_id=review.id) + f"#response-{response.id}",
    }
