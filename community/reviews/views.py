"""Catalogue, product pages, reviews and brand responses: thin views."""

from __future__ import annotations

import json
from datetime import date
from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from models import Review, db

from .. import fragments
from ..content.registry import ContentContext, ContentKind, register
from ..core.registry import HomeBlock, home_block, nav_item, sitemap_source, tool_link
from ..demo import SEEDERS
from ..errors import Conflict, DomainError, NotFound, PermissionDenied
from ..forms import EmptyForm
from ..i18n import current_language
from ..notifications.queries import watch_state
from ..permissions import can
from ..templating import format_datetime
from . import queries, services
from .forms import PageArgs, ProductForm, ResponseForm, ReviewForm

bp = Blueprint("reviews", __name__)


class ResponseCard(NamedTuple):
    id: int
    author: fragments.Author | None
    author_role: str | None
    published: str
    is_edited: bool
    body_html: str


class ReviewCard(NamedTuple):
    """Everything reviews/_card.html shows of a review (its cache key)."""

    id: int
    language: str
    rating: int
    title: str
    author: fragments.Author | None
    author_role: str | None
    published: str
    experienced_on: date | None
    is_edited: bool
    incentivized: bool
    incentive_note: str
    body_html: str
    pros: str
    cons: str
    would_recommend: bool
    helpful_count: int
    response: ResponseCard | None
    brand: str


def card_pieces(reviews: list[Review | None]) -> dict[int, tuple]:
    """Each review card's pieces that every viewer sees alike (cached while the review,
    its brand response and their authors stay as they are)."""
    brand = current_app.config["BRAND_NAME"]

    def snapshot(r: Review) -> ReviewCard:
        response = r.response
        if response is not None and response.state == "published":
            shown = ResponseCard(
                response.id, fragments.author(response.author), response.author_role,
                format_datetime(response.created_at, "medium"), response.is_edited, response.body_html,
            )  # fmt: skip
        else:
            shown = None
        return ReviewCard(
            r.id, r.language, r.rating, r.title, fragments.author(r.author), r.author_role,
            format_datetime(r.created_at, "medium"), r.experienced_on, r.is_edited, r.incentivized,
            r.incentive_note, r.body_html, r.pros, r.cons, r.would_recommend, r.helpful_count, shown, brand,
        )  # fmt: skip

    return fragments.render_many(
        "reviews/_card.html", "review_pieces", fragments.snapshots(reviews, snapshot)
    )


def _review_url(item: Review) -> str:
    return url_for("reviews.review", review_id=item.id)


register(
    ContentKind(
        name="review", label=_l("Review"), model=Review, url=_review_url,
        context=lambda item: ContentContext(
            label=item.product.name(current_language()) if "product" in item.__dict__ else str(item.product_id),
            url=url_for("reviews.product_by_id", product_id=item.product_id),
            scope=("product_line", _category_of(item)),
        ),
        flags_can_hide=False,
        extras={"hide_reasons": services.HIDE_REASONS},
    )
)  # fmt: skip


def _category_of(item: Review) -> int:
    from models import Product

    return db.session.get(Product, item.product_id).category_id


def _response_url(item) -> str:  # noqa: ANN001
    return url_for("reviews.review", review_id=item.review_id) + f"#response-{item.id}"


def _response_context(item) -> ContentContext:  # noqa: ANN001
    review = db.session.get(Review, item.review_id)
    return ContentContext(
        label=review.title, url=url_for("reviews.review", review_id=review.id),
        scope=("product_line", _category_of(review)),
    )  # fmt: skip


from models import BrandResponse  # noqa: E402

register(
    ContentKind(
        name="brand_response", label=_l("Brand response"), model=BrandResponse, url=_response_url,
        context=_response_context, parent_attr="review_id",
    )
)  # fmt: skip
services.register_hooks()
if "community.reviews.demo.seed_reviews" not in SEEDERS:
    SEEDERS.append("community.reviews.demo.seed_reviews")

nav_item("reviews", "reviews.catalogue", _l("Products"), order=20)
tool_link("reviews.new_product", "reviews.manage", _l("New product"), "reviews.manage_catalogue", "admin", 20)
home_block(
    HomeBlock(
        "reviews.recent", order=30, template="reviews/_home.html",
        load=lambda user: {"reviews": queries.recent_reviews(limit=5)}, shared=True,
    )
)  # fmt: skip
sitemap_source(
    "products",
    lambda: [(url_for("reviews.product", slug=slug), last) for slug, last in queries.sitemap_products()],
)


# --- catalogue -----------------------------------------------------------------------


@bp.get("/products")
def catalogue():
    category = None
    if slug := request.args.get("category"):
        category = queries.category_by_slug(slug)
        if category is None:
            raise NotFound()
    products = queries.catalogue(category.id if category else None)
    return render_template(
        "reviews/catalogue.html", products=products, categories=queries.categories(), category=category
    )


@bp.get("/products/id/<int:product_id>")
def product_by_id(product_id: int):
    product = queries.product_by_id(product_id)
    if product is None:
        raise NotFound()
    return redirect(url_for("reviews.product", slug=product.slug))


@bp.get("/products/<slug>")
def product(slug: str):
    product = queries.product_by_slug(slug)
    if product is None or (not product.active and not can(current_user, "reviews.manage_catalogue")):
        raise NotFound()
    args = PageArgs(request.args)
    page = queries.product_reviews(
        product.id, sort=args.sort, stars=args.stars, language=args.language, page=args.page,
        known_total=product.star_count(args.stars) if args.stars else product.review_count,
    )  # fmt: skip
    user_id = current_user.id if current_user.is_authenticated else None
    own = queries.own_review(product.id, user_id)
    voted = queries.voted_ids(user_id, [r.id for r in page.items])
    removed = queries.removed_reasons(product.id)
    return render_template(
        "reviews/product.html", product=product, page=page, args=args, own=own, voted=voted,
        cards=card_pieces([*page.items, own]),
        removed=removed, reason_label=services.hide_reason_label, empty_form=EmptyForm(),
        json_ld=_json_ld(product, page.items), watch=watch_state(current_user, "product", product.id),
    )  # fmt: skip


def _json_ld(product, reviews) -> Markup:  # noqa: ANN001
    lang = current_language()
    data: dict = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name(lang),
        "description": product.description(lang),
        "brand": {"@type": "Brand", "name": "Boréal"},
    }  # fmt: skip
    if product.review_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating", "ratingValue": product.mean_rating,
            "reviewCount": product.review_count, "bestRating": 5, "worstRating": 1,
        }  # fmt: skip
        data["review"] = [
            {
                "@type": "Review", "name": r.title, "datePublished": r.created_at.date().isoformat(),
                "author": {"@type": "Person", "name": r.author.name if r.author else "?"},
                "reviewRating": {"@type": "Rating", "ratingValue": r.rating, "bestRating": 5, "worstRating": 1},
                "reviewBody": r.body_source[:1000], "inLanguage": r.language,
            }
            for r in reviews
        ]  # fmt: skip
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


@bp.get("/reviews/how-it-works")
def how_it_works():
    return render_template("reviews/how_it_works.html", reasons=services.HIDE_REASONS)


# --- reviews ---------------------------------------------------------------------------


def _review_or_404(review_id: int) -> Review:
    review = queries.review_by_id(review_id)
    if review is None or not can(current_user, "content.view", review):
        raise NotFound()
    return review


@bp.get("/reviews/<int:review_id>")
def review(review_id: int):
    review = _review_or_404(review_id)
    user_id = current_user.id if current_user.is_authenticated else None
    return render_template(
        "reviews/review.html", review=review, product=review.product, empty_form=EmptyForm(),
        cards=card_pieces([review]),
        voted=queries.voted_ids(user_id, [review.id]), reason_label=services.hide_reason_label,
    )  # fmt: skip


def _fields(form: ReviewForm) -> dict:
    return {
        "rating": form.rating.data, "title": form.title.data or "", "body": form.body.data or "",
        "pros": form.pros.data or "", "cons": form.cons.data or "",
        "would_recommend": form.would_recommend.data, "experienced_on": form.experienced_on.data,
        "incentivized": form.incentivized.data, "incentive_note": form.incentive_note.data or "",
    }  # fmt: skip


@bp.route("/products/<slug>/review", methods=["GET", "POST"])
@login_required
def write(slug: str):
    product = queries.product_by_slug(slug)
    if product is None or not product.active:
        raise NotFound(_l("This product does not exist or can no longer be reviewed."))
    existing = services.existing_review(product.id, current_user.id)
    if existing is not None:
        flash(_("You have already reviewed this product: you can edit your review."), "info")
        return redirect(url_for("reviews.edit", review_id=existing.id))
    if not can(current_user, "reviews.write", product):
        raise PermissionDenied(_l("Confirm your e-mail address before writing."))
    form = ReviewForm()
    if request.method == "GET":
        form.language.data = current_language()
    if form.validate_on_submit():
        try:
            review = services.write_review(
                product, current_user, language=form.language.data, **_fields(form)
            )
        except Conflict:
            db.session.rollback()
            return redirect(url_for("reviews.write", slug=slug))
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Thank you! Your review is published."), "success")
            return redirect(url_for("reviews.product", slug=slug) + f"#review-{review.id}")
    return render_template("reviews/write.html", form=form, product=product, review=None), (
        422 if form.errors else 200
    )


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@login_required
def edit(review_id: int):
    review = _review_or_404(review_id)
    slug = review.product.slug
    if not can(current_user, "reviews.edit", review):
        raise PermissionDenied(_l("Only the author of a review can change it."))
    form = ReviewForm(obj=review) if request.method == "GET" else ReviewForm()
    if request.method == "GET":
        form.body.data = review.body_source
        form.language.data = review.language
    if form.validate_on_submit():
        try:
            services.edit_review(review, current_user, reason=form.reason.data or "", **_fields(form))
        except DomainError as exc:
            db.session.rollback()
            form.body.errors = [*form.body.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("Your review is updated."), "success")
            return redirect(url_for("reviews.product", slug=slug) + f"#review-{review.id}")
    return render_template("reviews/write.html", form=form, product=review.product, review=review), (
        422 if form.errors else 200
    )


@bp.post("/reviews/<int:review_id>/delete")
@login_required
def delete(review_id: int):
    review = _review_or_404(review_id)
    slug = review.product.slug
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.delete_review(review, current_user)
    db.session.commit()
    flash(_("Your review is deleted."), "info")
    return redirect(url_for("reviews.product", slug=slug))


@bp.post("/reviews/<int:review_id>/helpful")
@login_required
def helpful(review_id: int):
    review = _review_or_404(review_id)
    slug = review.product.slug
    if not EmptyForm().validate_on_submit():
        abort(400)
    voted = bool(queries.voted_ids(current_user.id, [review.id]))
    services.set_helpful(review, current_user, not voted)
    db.session.commit()
    flash(_("Thank you for your vote.") if not voted else _("Your vote is removed."), "success")
    return redirect(url_for("reviews.product", slug=slug) + f"#review-{review.id}")


@bp.route("/reviews/<int:review_id>/response", methods=["GET", "POST"])
@login_required
def respond(review_id: int):
    review = _review_or_404(review_id)
    slug = review.product.slug
    if not can(current_user, "brand.answer"):
        raise PermissionDenied(_l("Only brand staff can respond to reviews."))
    form = ResponseForm()
    if request.method == "GET" and review.response is not None:
        form.body.data = review.response.body_source
    if form.validate_on_submit():
        services.respond(review, current_user, form.body.data)
        db.session.commit()
        flash(_("Your response is published."), "success")
        return redirect(url_for("reviews.product", slug=slug) + f"#review-{review.id}")
    return render_template("reviews/respond.html", form=form, review=review, product=review.product), (
        422 if form.errors else 200
    )


# --- catalogue management (staff) ------------------------------------------------------------


def _product_form(product=None) -> ProductForm:  # noqa: ANN001
    form = ProductForm(obj=product) if request.method == "GET" and product else ProductForm()
    form.category_id.choices = [SelectChoice(c.id, c.name(current_language())) for c in queries.categories()]
    return form


@bp.route("/products/new", methods=["GET", "POST"])
@bp.route("/products/<slug>/manage", methods=["GET", "POST"])
@login_required
def manage(slug: str | None = None):
    if not can(current_user, "reviews.manage_catalogue"):
        raise PermissionDenied()
    product = None
    if slug is not None:
        product = queries.product_by_slug(slug)
        if product is None:
            raise NotFound()
    form = _product_form(product)
    if form.validate_on_submit():
        try:
            product = services.save_product(
                current_user, product, slug=form.slug.data, name_en=form.name_en.data,
                name_fr=form.name_fr.data, category_id=form.category_id.data,
                description_en=form.description_en.data or "", description_fr=form.description_fr.data or "",
                active=form.active.data, image=form.image.data or None,
            )  # fmt: skip
        except DomainError as exc:
            db.session.rollback()
            form.slug.errors = [*form.slug.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(_("The product is saved."), "success")
            return redirect(url_for("reviews.product", slug=product.slug))
    return render_template("reviews/manage.html", form=form, product=product), 422 if form.errors else 200
