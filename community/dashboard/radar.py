"""The influencer radar: who carries the conversation over a period.

For each member who wrote or was answered during the period:

- **reach**: ``2·ln(1 + distinct people who replied to them) + ln(1 + replies and likes
  received) + ln(1 + views of their topics / 20)``;
- **expertise**: ``ln(1 + 3 × accepted answers + helpful votes on their reviews)``;
- **enthusiasm**: the strength of their tone, ``|mean sentiment|`` of what they wrote
  (0 to 1; its sign tells ambassadors from detractors);
- **steadiness**: weeks with at least one contribution ÷ weeks in the period (at most 1).

Reach and expertise are divided by the highest value among the members ranked, so
each lies between 0 and 1. The influence score is
``100 × (0.35 reach + 0.35 expertise + 0.15 enthusiasm + 0.15 steadiness)``. The number
of posts appears in none of the four parts: many posts that nobody answers, likes or
accepts score at most 30.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from models import ContentItem, ContentState, DailyMetric, Engagement, Reply, Review, Topic, User, db

from .queries import Period
from .rollups import OFFICIAL_ROLES

WEIGHTS = {"reach": 0.35, "expertise": 0.35, "enthusiasm": 0.15, "steadiness": 0.15}
AMBASSADOR_TONE = 0.05
DETRACTOR_TONE = -0.05


@dataclass
class Influence:
    user: User
    posts: int = 0
    replies_received: int = 0
    likes_received: int = 0
    views: int = 0
    engagers: int = 0
    accepted: int = 0
    helpful: int = 0
    tone_milli: int = 0
    active_weeks: int = 0
    reach: float = 0.0
    expertise: float = 0.0
    enthusiasm: float = 0.0
    steadiness: float = 0.0
    score: float = 0.0
    rank: int = 0
    weeks: set = field(default_factory=set)

    @property
    def mean_tone(self) -> float:
        return round(self.tone_milli / 1000 / self.posts, 3) if self.posts else 0.0

    @property
    def disclosed(self) -> bool:
        """Listed apart: the brand's staff and members with a declared relationship."""
        return self.user.role in OFFICIAL_ROLES or bool(self.user.brand_relationship)


@dataclass
class Radar:
    period: Period
    members: list[Influence]
    disclosed: list[Influence]

    @property
    def ambassadors(self) -> list[Influence]:
        return [m for m in self.members if m.mean_tone >= AMBASSADOR_TONE][:20]

    @property
    def detractors(self) -> list[Influence]:
        return [m for m in self.members if m.mean_tone <= DETRACTOR_TONE][:20]


def _in_period(column, period: Period):  # noqa: ANN001, ANN202
    return (column >= period.since, column < period.until)


def radar(period: Period) -> Radar:
    rows: dict[int, Influence] = {}
    stats: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    weeks: dict[int, set] = defaultdict(set)
    for scope, day, metric, value in db.session.execute(
        select(DailyMetric.scope, DailyMetric.day, DailyMetric.metric, DailyMetric.value).where(
            DailyMetric.scope.like("user:%"), DailyMetric.day >= period.start, DailyMetric.day <= period.end,
            DailyMetric.metric.in_(("posts", "replies_received", "tone_milli")),
        )
    ):  # fmt: skip
        user_id = int(scope.split(":")[1])
        stats[user_id][metric] += value
        if metric == "posts" and value > 0:
            weeks[user_id].add(day.isocalendar()[:2])
    for user_id, count in db.session.execute(
        select(Engagement.user_id, func.count(func.distinct(Engagement.engager_id)))
        .where(Engagement.day >= period.start, Engagement.day <= period.end, Engagement.count > 0)
        .group_by(Engagement.user_id)
    ):  # fmt: skip
        stats[user_id]["engagers"] = count
    published = ContentItem.state == ContentState.PUBLISHED
    accepted_ids = select(Topic.accepted_reply_id).where(Topic.accepted_reply_id.is_not(None))
    for user_id, count in db.session.execute(
        select(Reply.author_id, func.count()).where(Reply.id.in_(accepted_ids), published,
                                                    *_in_period(Reply.created_at, period)).group_by(Reply.author_id)
    ):  # fmt: skip
        stats[user_id]["accepted"] = count
    for model, column, key in (
        (Review, Review.helpful_count, "helpful"), (Reply, Reply.like_count, "likes"),
        (Topic, Topic.like_count, "likes"), (Topic, Topic.view_count, "views"),
    ):  # fmt: skip
        for user_id, total in db.session.execute(
            select(model.author_id, func.sum(column)).where(published, *_in_period(model.created_at, period))
            .group_by(model.author_id)
        ):  # fmt: skip
            stats[user_id][key] += int(total or 0)
    ids = [i for i in stats if i is not None and (stats[i]["posts"] > 0 or stats[i]["engagers"] > 0)]
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids), User.is_active.is_(True)))}
        if ids
        else {}
    )
    period_weeks = max(1, math.ceil(((period.end - period.start).days + 1) / 7))
    for user_id, user in users.items():
        s = stats[user_id]
        rows[user_id] = Influence(
            user=user, posts=s["posts"], replies_received=s["replies_received"], likes_received=s["likes"],
            views=s["views"], engagers=s["engagers"], accepted=s["accepted"], helpful=s["helpful"],
            tone_milli=s["tone_milli"], active_weeks=len(weeks[user_id]),
        )  # fmt: skip
    score_all(list(rows.values()), period_weeks)
    ranked = sorted(rows.values(), key=lambda r: (-r.score, r.user.username))
    members = [r for r in ranked if not r.disclosed]
    disclosed = [r for r in ranked if r.disclosed]
    for position, row in enumerate(members, 1):
        row.rank = position
    for position, row in enumerate(disclosed, 1):
        row.rank = position
    return Radar(period, members, disclosed)


def score_all(rows: list[Influence], period_weeks: int) -> None:
    for r in rows:
        r.reach = (
            2 * math.log1p(r.engagers)
            + math.log1p(r.replies_received + r.likes_received)
            + math.log1p(r.views / 20)
        )
        r.expertise = math.log1p(3 * r.accepted + r.helpful)
        r.enthusiasm = min(1.0, abs(r.mean_tone))
        r.steadiness = min(1.0, r.active_weeks / period_weeks)
    top_reach = max((r.reach for r in rows), default=0) or 1
    top_expertise = max((r.expertise for r in rows), default=0) or 1
    for r in rows:
        r.reach = r.reach / top_reach
        r.expertise = r.expertise / top_expertise
        r.score = round(
            100 * (WEIGHTS["reach"] * r.reach + WEIGHTS["expertise"] * r.expertise
                   + WEIGHTS["enthusiasm"] * r.enthusiasm + WEIGHTS["steadiness"] * r.steadiness), 1
        )  # fmt: skip
