"""A member's public profile: contributions, statistics and badges (fixed query count)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import with_polymorphic

from models import Badge, ContentItem, ContentState, Reply, Review, Topic, User, db

from .rollups import ACTIVITY_METRICS, BADGES

BADGE_LABELS = {
    "first_post": (_l("First post"), _l("Published a first contribution.")),
    "accepted_answer": (_l("Accepted answer"), _l("Gave an answer that was accepted.")),
    "top_reviewer": (_l("Top reviewer"), _l("Published five reviews or more.")),
    "idea_shipped": (_l("Idea shipped"), _l("Suggested an idea the brand has done.")),
    "regular": (_l("Regular"), _l("Contributed in four different weeks.")),
}  # fmt: skip
KIND_LABELS = {
    "topic": _l("Topics"), "reply": _l("Replies"), "review": _l("Reviews"), "idea": _l("Ideas"),
    "idea_comment": _l("Comments on ideas"), "article_comment": _l("Comments on articles"),
}  # fmt: skip
assert set(BADGE_LABELS) == set(BADGES)


def profile_context(user: User) -> dict[str, Any]:
    published = ContentItem.state == ContentState.PUBLISHED
    kinds = list(ACTIVITY_METRICS)
    counts = dict(
        db.session.execute(
            select(ContentItem.kind, func.count())
            .where(ContentItem.author_id == user.id, published, ContentItem.kind.in_(kinds))
            .group_by(ContentItem.kind)
        ).all()
    )
    accepted = db.session.scalar(
        select(func.count()).select_from(Topic).where(
            Topic.accepted_reply_id.in_(select(Reply.id).where(Reply.author_id == user.id, published))
        )
    )  # fmt: skip
    helpful = db.session.scalar(
        select(func.coalesce(func.sum(Review.helpful_count), 0)).where(Review.author_id == user.id, published)
    )
    poly = with_polymorphic(ContentItem, "*")
    recent = list(
        db.session.scalars(
            select(poly)
            .where(poly.author_id == user.id, poly.state == ContentState.PUBLISHED, poly.kind.in_(kinds))
            .order_by(poly.created_at.desc(), poly.id.desc())
            .limit(10)
        )
    )
    badges = list(
        db.session.scalars(select(Badge).where(Badge.user_id == user.id).order_by(Badge.granted_at))
    )
    stats = [(KIND_LABELS[k], int(counts.get(k, 0))) for k in kinds if counts.get(k)]
    return {
        "contributions": recent,
        "stats": stats,
        "accepted_answers": int(accepted or 0),
        "helpful_votes": int(helpful or 0),
        "badges": [(b, *BADGE_LABELS.get(b.code, (b.code, ""))) for b in badges],
        "kind_labels": KIND_LABELS,
    }
