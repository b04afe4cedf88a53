"""``GET /api/v1/search`` and ``GET /api/v1/search/similar``."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from ..api.blueprint import Blueprint
from . import queries
from .backend import Hit

blp = Blueprint("api_search", __name__, description="Search")


class SearchArgsSchema(Schema):
    q = fields.String(
        load_default="", validate=validate.Length(max=500), metadata={"description": 'Words, "phrases"'}
    )
    type = fields.String(
        load_default="", metadata={"description": "Kinds, comma-separated (review,reply,product...)"}
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1000))


class SimilarArgsSchema(Schema):
    title = fields.String(required=True, validate=validate.Length(max=300))
    type = fields.String(load_default="", metadata={"description": "Kinds, comma-separated"})


class SearchResultSchema(Schema):
    type = fields.String()
    id = fields.Integer()
    title = fields.String()
    snippet = fields.String(metadata={"description": "HTML: escaped text with <mark> highlights"})
    url = fields.String()
    score = fields.Float()


class SearchResponseSchema(Schema):
    results = fields.List(fields.Nested(SearchResultSchema))
    total = fields.Integer(
        metadata={"description": "Matches; an upper estimate for very large result sets (Whoosh backend)"}
    )
    suggestion = fields.String(allow_none=True, metadata={"description": "Did you mean"})


class SimilarResponseSchema(Schema):
    results = fields.List(fields.Nested(SearchResultSchema))


def _result(hit: Hit) -> dict:
    return {
        "type": hit.type, "id": int(hit.id.partition(":")[2]), "title": hit.title,
        "snippet": str(hit.snippet), "url": hit.url, "score": hit.score,
    }  # fmt: skip


@blp.get("/search")
@blp.arguments(SearchArgsSchema, location="query")
@blp.response(200, SearchResponseSchema)
def search(args: dict):
    """Search every published item; 20 results a page."""
    query = queries.query_from_args(request.args, per_page=20)
    if not query.text.strip():
        return {"results": [], "total": 0, "suggestion": None}
    results = queries.search(current_user, query)
    return {
        "results": [_result(h) for h in results.hits],
        "total": results.total,
        "suggestion": results.suggestion,
    }


@blp.get("/search/similar")
@blp.arguments(SimilarArgsSchema, location="query")
@blp.response(200, SimilarResponseSchema)
def similar(args: dict):
    """Items similar to a title (for "similar ideas" and "related topics")."""
    requested = [t for t in args["type"].split(",") if t]
    types = [t for t in requested if t in dict(queries.type_choices())]
    if requested and not types:
        return {"results": []}
    return {"results": [_result(h) for h in queries.similar(current_user, args["title"], types)]}
