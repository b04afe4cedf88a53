"""The search page, the header box's suggestions and "similar content"."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user

from ..content.registry import all_kinds
from . import queries

bp = Blueprint("search", __name__)


def _url_with(**changes) -> str:
    """The current search's URL with some arguments changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    if "page" not in changes:
        args.pop("page", None)
    return url_for("search.index", **args)


@bp.get("/search")
def index():
    """Search everything published, with filters, sorting and pages."""
    query = queries.query_from_args(request.args)
    results = queries.search(current_user, query) if query.text.strip() else None
    labels = dict(queries.type_choices())
    authors = queries.hit_authors(results.hits) if results else {}
    return render_template(
        "search/index.html", query=query, results=results, type_choices=queries.type_choices(),
        labels=labels, url_with=_url_with, authors=authors,
    )  # fmt: skip


@bp.get("/search/suggest")
def suggest():
    """Titles matching what is typed in the header box (htmx fragment)."""
    text = (request.args.get("q") or "")[:200]
    hits = queries.suggest(current_user, text) if len(text.strip()) >= 2 else []
    return render_template(
        "search/_suggestions.html", hits=hits, text=text, labels=dict(queries.type_choices())
    )


@bp.get("/search/similar")
def similar():
    """Items of a kind similar to a title being written (idea form, new-topic form)."""
    title = (request.args.get("title") or "")[:300]
    kinds = {kind.name for kind in all_kinds()}
    requested = [t for t in request.args.get("type", "").split(",") if t]
    types = [t for t in requested if t in kinds]
    wanted = len(title.strip()) >= 3 and (types or not requested)
    hits = queries.similar(current_user, title, types) if wanted else []
    return render_template("search/_similar.html", hits=hits)
