"""Catalogue and review writes, and the rules that keep reviews honest.

- Only the author changes a review (text, rating); staff answer it in public.
- Every published review counts in the product's aggregates, kept on the product
  row by atomic increments: :func:`sync_aggregates` runs as a content change hook, so
  moderation (``content.services.set_state``) keeps them exact too.
- Moderators hide a review only for one of :data:`HIDE_REASONS`.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from models import (
    BrandResponse,
    ContentItem,
    ContentState,
    HelpfulVote,
    Product,
    ProductCategory,
    Review,
    User,
    db,
    utcnow,
)

from .. import events
from ..content import services as content
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..permissions import can
from ..search.outbox import queue_reindex
from ..uploads import delete_image, save_image

MIN_BODY = 30
MAX_BODY = 10_000

# The only reasons for which a review may be hidden (code -> public label).
HIDE_REASONS = {
    "spam": _l("Spam or advertising"),
    "abusive": _l("Abusive or hateful"),
    "off_topic": _l("Off-topic"),
    "personal_data": _l("Personal data"),
    "not_genuine": _l("Not a genuine experience"),
}


# --- catalogue ---------------------------------------------------------------


# Counter updates target the review table itself (see community/ideas/services.py IDEA).
REVIEW = Review.__table__


def create_category(slug: str, name_en: str, name_fr: str, position: int = 0) -> ProductCategory:
    category = ProductCategory(slug=slug, name_en=name_en, name_fr=name_fr, position=position)
    db.session.add(category)
    db.session.flush()
    return category


def save_product(
    actor: User | None,
    product: Product | None,
    *,
    slug: str,
    name_en: str,
    name_fr: str,
    category_id: int,
    description_en: str = "",
    description_fr: str = "",
    active: bool = True,
    image: FileStorage | None = None,
) -> Product:
    """Create (``product`` None) or update a product; staff and admins only."""
    if actor is not None and not can(actor, "reviews.manage_catalogue"):
        raise PermissionDenied()
    if db.session.get(ProductCategory, category_id) is None:
        raise InvalidInput(_l("Choose a product category."), code="bad_category")
    clash = db.session.scalar(select(Product.id).where(Product.slug == slug))
    if clash is not None and (product is None or clash != product.id):
        raise Conflict(_l("Another product already uses this address."), code="slug_taken")
    if product is None:
        product = Product()
        db.session.add(product)
    product.slug, product.name_en, product.name_fr = slug, name_en.strip(), name_fr.strip()
    product.description_en, product.description_fr = description_en.strip(), description_fr.strip()
    product.category_id, product.active = category_id, active
    if image is not None and image.filename:
        old = product.image
        product.image = save_image(image)
        if old and old != product.image:
            delete_image(old)
    db.session.flush()
    queue_reindex("product", product.id)  # the search index follows in the same transaction
    return product


# --- reviews --------------------------------------------------------------------


def existing_review(product_id: int, user_id: int) -> Review | None:
    """The member's current (not deleted) review of this product."""
    stmt = select(Review).where(Review.product_id == product_id, Review.reviewer_id == user_id)
    return db.session.scalars(stmt).first()


def _check_fields(rating: object, title: str, body: str) -> None:
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidInput(_l("Give a rating from 1 to 5 stars."), code="bad_rating")
    if not title.strip():
        raise InvalidInput(_l("Give your review a title."), code="missing_title")
    if len(body.strip()) < MIN_BODY:
        raise InvalidInput(
            _l("Tell a little more: at least %(n)d characters.", n=MIN_BODY), code="body_too_short"
        )
    if len(body) > MAX_BODY:
        raise InvalidInput(_l("At most %(n)d characters.", n=MAX_BODY), code="body_too_long")


def write_review(
    product: Product | None,
    author: User,
    *,
    rating: int,
    title: str,
    body: str,
    pros: str = "",
    cons: str = "",
    would_recommend: bool = True,
    experienced_on: date | None = None,
    incentivized: bool = False,
    incentive_note: str = "",
    language: str | None = None,
) -> Review:
    """Publish ``author``'s review of ``product``.

    :raises NotFound: missing or inactive product.
    :raises Conflict: the author already reviewed it (``details["review_id"]``).
    :raises InvalidInput: a bad rating or too short a text.
    """
    if product is None or not product.active:
        raise NotFound(_l("This product does not exist or can no longer be reviewed."))
    if not can(author, "reviews.write", product):
        raise PermissionDenied(_l("Confirm your e-mail address before writing."))
    previous = existing_review(product.id, author.id)
    if previous is not None:
        raise Conflict(
            _l("You have already reviewed this product: you can edit your review."),
            code="already_reviewed",
            review_id=previous.id,
        )
    _check_fields(rating, title, body)
    if experienced_on is not None and experienced_on > utcnow().date():
        raise InvalidInput(_l("The date of your experience cannot be in the future."), code="bad_date")
    review = Review(
        product_id=product.id, reviewer_id=author.id, title=title.strip()[:200], rating=rating,
        pros=pros.strip()[:2000], cons=cons.strip()[:2000], would_recommend=bool(would_recommend),
        experienced_on=experienced_on, incentivized=bool(incentivized),
        incentive_note=incentive_note.strip()[:300] if incentivized else "",
    )  # fmt: skip
    content.publish(review, author, body, language)
    return review


def edit_review(review: Review, editor: User, *, reason: str = "", **changes: object) -> Review:
    """Change a review; only its author may, and every edit keeps the old text."""
    if not can(editor, "reviews.edit", review):
        raise PermissionDenied(_l("Only the author of a review can change it."))
    rating = changes.get("rating", review.rating)
    title = str(changes.get("title", review.title) or "")
    body = str(changes.get("body", review.body_source) or "")
    _check_fields(rating, title, body)
    experienced_on = changes.get("experienced_on", review.experienced_on)
    if isinstance(experienced_on, date) and experienced_on > utcnow().date():
        raise InvalidInput(_l("The date of your experience cannot be in the future."), code="bad_date")
    review.rating = rating  # type: ignore[assignment]
    for name in ("pros", "cons"):
        if name in changes:
            setattr(review, name, str(changes[name] or "").strip()[:2000])
    for name in ("would_recommend", "incentivized"):
        if name in changes:
            setattr(review, name, bool(changes[name]))
    if "incentive_note" in changes or "incentivized" in changes:
        note = str(changes.get("incentive_note", review.incentive_note) or "")
        review.incentive_note = note.strip()[:300] if review.incentivized else ""
    review.experienced_on = experienced_on  # type: ignore[assignment]
    content.edit(review, editor, body, title=title.strip()[:200], reason=reason)
    return review


def delete_review(review: Review, actor: User) -> Review:
    """The author withdraws a review; it leaves the aggregates."""
    if not can(actor, "reviews.delete", review):
        raise PermissionDenied(_l("Only the author of a review can delete it."))
    return content.delete_by_author(review, actor)


def hide_review(review: Review, moderator: User, reason: str) -> Review:
    """Hide a review for one of :data:`HIDE_REASONS`; the label is the public reason."""
    if not can(moderator, "content.hide", review):
        raise PermissionDenied()
    if reason not in HIDE_REASONS:
        raise InvalidInput(_l("Choose one of the listed reasons."), code="bad_reason")
    return content.set_state(review, moderator, ContentState.HIDDEN, reason=reason)


def hide_reason_label(code: str | None) -> str:
    return str(HIDE_REASONS.get(code or "", code or ""))


def sync_aggregates(item: ContentItem, change: str) -> None:
    """Content change hook: move the product's counters by exactly what changed."""
    if not isinstance(item, Review):
        return
    if item.state == ContentState.DELETED:
        item.reviewer_id = None
    elif item.reviewer_id is None and item.author_id is not None:
        if existing_review(item.product_id, item.author_id) is None:
            item.reviewer_id = item.author_id
    new = item.rating if item.state == ContentState.PUBLISHED else None
    old = item.counted_rating
    if new == old:
        return
    values: dict[str, object] = {}
    count_delta = (new is not None) - (old is not None)
    if count_delta:
        values["review_count"] = Product.review_count + count_delta
    values["rating_sum"] = Product.rating_sum + ((new or 0) - (old or 0))
    if old is not None:
        values[f"star_{old}"] = getattr(Product, f"star_{old}") - 1
    if new is not None:
        values[f"star_{new}"] = getattr(Product, f"star_{new}") + 1
        if change == "created":
            values["last_review_at"] = item.created_at or utcnow()
    db.session.execute(
        update(Product).where(Product.id == item.product_id).values(**values),
        execution_options={"synchronize_session": False},
    )
    item.counted_rating = new
    _expire_product(item.product_id)


def _expire_product(product_id: int) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Product) and obj.id == product_id:
            db.session.expire(obj)


def recompute_aggregates(product_id: int) -> dict[str, int]:
    """The aggregates from scratch (tests and repairs compare with the stored ones)."""
    rows = db.session.execute(
        select(Review.rating).where(Review.product_id == product_id, Review.state == ContentState.PUBLISHED)
    ).scalars()
    result = {"review_count": 0, "rating_sum": 0, **{f"star_{s}": 0 for s in range(1, 6)}}
    for rating in rows:
        result["review_count"] += 1
        result["rating_sum"] += rating
        result[f"star_{rating}"] += 1
    return result


# --- helpful votes ------------------------------------------------------------------


def set_helpful(review: Review, user: User, helpful: bool) -> bool:
    """Add (``helpful``) or remove the member's vote; returns whether a vote now exists."""
    if not can(user, "reviews.vote", review):
        if review.author_id == getattr(user, "id", None):
            raise InvalidInput(_l("You cannot vote for your own review."), code="own_review")
        raise PermissionDenied()
    vote = db.session.scalar(
        select(HelpfulVote).where(HelpfulVote.review_id == review.id, HelpfulVote.user_id == user.id)
    )
    if helpful and vote is None:
        db.session.add(HelpfulVote(review_id=review.id, user_id=user.id))
        delta = 1
    elif not helpful and vote is not None:
        db.session.delete(vote)
        delta = -1
    else:
        return helpful
    db.session.flush()
    db.session.execute(
        update(REVIEW).where(REVIEW.c.id == review.id).values(helpful_count=REVIEW.c.helpful_count + delta),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(review, ["helpful_count"])
    return helpful


# --- brand responses ---------------------------------------------------------------------


def respond(review: Review, staff: User, body: str) -> BrandResponse:
    """Write or change the brand's public response to a review (staff only)."""
    if not can(staff, "reviews.respond", review):
        if review.state != ContentState.PUBLISHED:
            raise Conflict(_l("Only a published review can be answered."), code="review_not_published")
        raise PermissionDenied(_l("Only brand staff can respond to reviews."))
    if len(body.strip()) < 2:
        raise InvalidInput(_l("Write the response."), code="missing_body")
    if len(body) > MAX_BODY:
        raise InvalidInput(_l("At most %(n)d characters.", n=MAX_BODY), code="body_too_long")
    response = db.session.scalar(select(BrandResponse).where(BrandResponse.review_id == review.id))
    if response is not None:
        if response.state == ContentState.DELETED:
            content.set_state(response, staff, ContentState.PUBLISHED)
        content.edit(response, staff, body, reason="")
        return response
    response = BrandResponse(review_id=review.id)
    content.publish(response, staff, body, review.language)
    if review.responded_at is None:
        now = utcnow()
        review.responded_at = now
        review.response_seconds = max(0, int((now - review.created_at).total_seconds()))
    events.announce(
        events.review_responded, review_id=review.id, response_id=response.id,
        reviewer_id=review.author_id, staff_id=staff.id,
    )  # fmt: skip
    return response


def product_or_404(product_id: int) -> Product:
    product = db.session.get(Product, product_id)
    if product is None:
        raise NotFound()
    return product


def _hidden_by_rating():  # noqa: ANN202
    from ..moderation.queries import rating_breakdown

    return rating_breakdown(Review, _l("Reviews hidden, by star rating"))


def register_hooks() -> None:
    if sync_aggregates not in content.CHANGE_HOOKS:
        content.CHANGE_HOOKS.append(sync_aggregates)
    # The transparency page shows whether low ratings are hidden more often than high ones.
    from ..moderation.queries import TRANSPARENCY_BREAKDOWNS

    if _hidden_by_rating not in TRANSPARENCY_BREAKDOWNS:
        TRANSPARENCY_BREAKDOWNS.append(_hidden_by_rating)
