"""Search documents for every kind of content, and for products.

Each builder gets a published item (see :mod:`community.search.documents`) and
returns what the index should hold: a title people recognise (a reply shows its
topic's title), the place it lives (category or product) for filtering, and the
item's own score (votes, rating). Installed by :func:`install` once the features
have registered their kinds.
"""

from __future__ import annotations

from flask import url_for

from models import (
    Article,
    ArticleComment,
    ArticleStatus,
    BrandResponse,
    ForumCategory,
    Idea,
    IdeaComment,
    Product,
    Reply,
    Review,
    Topic,
    db,
)  # fmt: skip

from ..content.registry import _KINDS
from ..markup import html_to_text
from .documents import SearchDoc, register_source
from .outbox import queue_reindex


def _text(item) -> str:  # noqa: ANN001
    return html_to_text(item.body_html)


def _category(category_id: int) -> tuple[str, str]:
    category = db.session.get(ForumCategory, category_id)
    return f"category:{category_id}", category.name_en if category else ""


def _product(product_id: int) -> tuple[str, str]:
    product = db.session.get(Product, product_id)
    return f"product:{product_id}", product.name_en if product else ""


def topic_document(item: Topic) -> SearchDoc:
    scope, label = _category(item.category_id)
    return SearchDoc(title=item.title, text=_text(item), scope=scope, scope_label=label,
                     score=float(item.like_count or 0))  # fmt: skip


def reply_document(item: Reply) -> SearchDoc | None:
    topic = db.session.get(Topic, item.topic_id)
    if topic is None or not topic.is_published:
        return None
    scope, label = _category(topic.category_id)
    return SearchDoc(title=topic.title, text=_text(item), scope=scope, scope_label=label)


def review_document(item: Review) -> SearchDoc:
    scope, label = _product(item.product_id)
    return SearchDoc(
        title=item.title, text=_text(item), scope=scope, scope_label=label, score=float(item.rating)
    )


def response_document(item: BrandResponse) -> SearchDoc | None:
    review = db.session.get(Review, item.review_id)
    if review is None or not review.is_published:
        return None
    scope, label = _product(review.product_id)
    return SearchDoc(title=review.title, text=_text(item), scope=scope, scope_label=label)


def idea_document(item: Idea) -> SearchDoc | None:
    if item.merged_into_id is not None:  # its page leads to the idea it was merged into
        return None
    return SearchDoc(title=item.title, text=_text(item), score=float(item.vote_count or 0))


def idea_comment_document(item: IdeaComment) -> SearchDoc | None:
    idea = db.session.get(Idea, item.idea_id)
    if idea is None or not idea.is_published:
        return None
    return SearchDoc(title=idea.title, text=_text(item))


def article_document(item: Article) -> SearchDoc | None:
    """Published and scheduled articles, dated at their publication time: searches
    only show documents whose date has come (both backends filter ``date <= now``),
    so a scheduled article appears in search by itself at its time. Drafts stay out."""
    if item.status == ArticleStatus.DRAFT or item.publish_at is None:
        return None
    return SearchDoc(title=item.title, text=_text(item), date=item.publish_at)


def article_comment_document(item: ArticleComment) -> SearchDoc | None:
    article = db.session.get(Article, item.article_id)
    if article is None or not article.is_public():
        return None
    return SearchDoc(title=article.title, text=_text(item))


def product_document(product_id: int) -> SearchDoc | None:
    product = db.session.get(Product, product_id)
    if product is None or not product.active:
        return None
    return SearchDoc(
        id=f"product:{product.id}", type="product", title=product.name_en,
        text=f"{product.name_fr} {product.description_en} {product.description_fr}",
        scope=f"product:{product.id}", scope_label=product.name_en,
        url=url_for("reviews.product_by_id", product_id=product.id), language="en",
    )  # fmt: skip


def all_product_documents():  # noqa: ANN201
    for product_id in db.session.scalars(db.select(Product.id).where(Product.active.is_(True))):
        doc = product_document(product_id)
        if doc is not None:
            yield doc


def prefetch_parents(items: list) -> list:  # noqa: ANN001
    """Load, for a batch of items, their topics, reviews, ideas and articles and every
    category and product (small tables) into the session: the builders' ``session.get``
    then finds them without one query per item (a rebuild at 100,000 items)."""
    wanted = {Topic: set(), Review: set(), Idea: set(), Article: set()}
    for item in items:
        if isinstance(item, Reply):
            wanted[Topic].add(item.topic_id)
        elif isinstance(item, BrandResponse):
            wanted[Review].add(item.review_id)
        elif isinstance(item, IdeaComment):
            wanted[Idea].add(item.idea_id)
        elif isinstance(item, ArticleComment):
            wanted[Article].add(item.article_id)
    kept = [*db.session.scalars(db.select(ForumCategory)), *db.session.scalars(db.select(Product))]
    for model, ids in wanted.items():
        if ids:
            kept += db.session.scalars(db.select(model).where(model.id.in_(ids))).all()
    return kept  # the caller may hold them; the session's identity map keeps them while they live


def _children(item) -> list[int]:  # noqa: ANN001
    """Items whose document shows ``item``'s title or place, or depends on its visibility."""
    if isinstance(item, Topic):
        return list(db.session.scalars(db.select(Reply.id).where(Reply.topic_id == item.id)))
    if isinstance(item, Review):
        return list(db.session.scalars(db.select(BrandResponse.id).where(BrandResponse.review_id == item.id)))
    if isinstance(item, Idea):
        return list(db.session.scalars(db.select(IdeaComment.id).where(IdeaComment.idea_id == item.id)))
    if isinstance(item, Article):
        return list(
            db.session.scalars(db.select(ArticleComment.id).where(ArticleComment.article_id == item.id))
        )
    return []


def requeue_children(item, change: str) -> None:  # noqa: ANN001
    """A hidden, restored, deleted or retitled parent re-indexes its children: a reply
    must not keep a hidden topic's title in search, nor outlive it there."""
    if change in ("state", "edited", "moved"):
        for child_id in _children(item):
            queue_reindex("content", child_id)


BUILDERS = {
    "topic": topic_document,
    "reply": reply_document,
    "review": review_document,
    "brand_response": response_document,
    "idea": idea_document,
    "idea_comment": idea_comment_document,
    "article": article_document,
    "article_comment": article_comment_document,
}


def install() -> None:
    from ..content.services import CHANGE_HOOKS

    if requeue_children not in CHANGE_HOOKS:
        CHANGE_HOOKS.append(requeue_children)
    for name, builder in BUILDERS.items():
        kind = _KINDS.get(name)
        if kind is not None:
            kind.extras.setdefault("search", builder)
    register_source("product", load_all=all_product_documents, load_one=product_document)
    from .documents import PREFETCHERS

    if prefetch_parents not in PREFETCHERS:
        PREFETCHERS.append(prefetch_parents)
