"""The dashboard's tables as rows: the same figures for the HTML tables, CSV and JSON."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask_babel import lazy_gettext as _l

from .queries import ACTIVITY, IDEA_STATUSES, STARS, TONES, Summary
from .radar import Radar

ACTIVITY_LABELS = {
    "members": _l("New members"), "topics": _l("Topics"), "replies": _l("Replies"), "reviews": _l("Reviews"),
    "ideas": _l("Ideas"), "comments": _l("Comments"),
}  # fmt: skip
TONE_LABELS = {"positive": _l("Positive"), "neutral": _l("Neutral"), "negative": _l("Negative")}
STATUS_LABELS = {
    "new": _l("New"), "under_review": _l("Under review"), "planned": _l("Planned"),
    "in_progress": _l("In progress"), "done": _l("Done"), "declined": _l("Declined"),
}  # fmt: skip
KIND_LABELS = {"question": _l("Questions: first official answer"), "review": _l("Reviews: brand response")}
SECTIONS = ("activity", "responsiveness", "reviews", "products", "ideas", "tone", "votes")


def _share(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def table(summary: Summary, section: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one section's table."""
    if section == "activity":
        header = [str(_l("Period"))] + [str(ACTIVITY_LABELS[m]) for m in ACTIVITY]
        rows = [[b.isoformat()] + [summary.activity[m][b] for m in ACTIVITY] for b in summary.buckets]
        return header, rows
    if section == "responsiveness":
        header = [
            str(_l("Measure")), str(_l("Asked in the period")), str(_l("Answered")), str(_l("Median (hours)")),
            str(_l("90th percentile (hours)")), str(_l("Within target (%)")), str(_l("Backlog now")),
        ]  # fmt: skip
        rows = []
        for kind in ("question", "review"):
            r = summary.responsiveness[kind]
            rows.append([
                str(KIND_LABELS[kind]), r["asked"], r["answered"], _num(r["median_hours"]), _num(r["p90_hours"]),
                _share(r["within_target_share"]), r["backlog"],
            ])  # fmt: skip
        return header, rows
    if section == "reviews":
        header = [str(_l("Period")), str(_l("Mean rating"))]
        return header, [[b.isoformat(), _num(summary.rating_over_time[b])] for b in summary.buckets]
    if section == "products":
        header = [str(_l("Product")), str(_l("Reviews")), str(_l("Mean rating"))]
        return header, [[p["product"].name_en, p["count"], p["mean"]] for p in summary.per_product]
    if section == "ideas":
        header = [str(_l("Status")), str(_l("Ideas"))]
        return header, [[str(STATUS_LABELS[s]), summary.ideas_by_status[s]] for s in IDEA_STATUSES]
    if section == "votes":
        header = [str(_l("Period")), str(_l("Votes"))]
        return header, [[b.isoformat(), summary.votes_over_time[b]] for b in summary.buckets]
    if section == "tone":
        header = [str(_l("Period"))] + [str(TONE_LABELS[t]) for t in TONES]
        return header, [[b.isoformat()] + [summary.tone[t][b] for t in TONES] for b in summary.buckets]
    if section == "stars":
        header = [str(_l("Stars")), str(_l("Reviews"))]
        return header, [[s, summary.distribution[s]] for s in STARS]
    raise KeyError(section)


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def radar_table(result: Radar, disclosed: bool = False) -> tuple[list[str], list[list[Any]]]:
    header = [
        str(_l("Rank")), str(_l("Member")), str(_l("Score")), str(_l("Reach")), str(_l("Expertise")),
        str(_l("Enthusiasm")), str(_l("Steadiness")), str(_l("Mean tone")), str(_l("Contributions")),
        str(_l("People who replied")), str(_l("Replies and likes received")), str(_l("Accepted answers")),
        str(_l("Helpful votes")), str(_l("Active weeks")), str(_l("Brand relationship")),
    ]  # fmt: skip
    rows = [
        [
            r.rank, r.user.username, r.score, round(r.reach, 3), round(r.expertise, 3), round(r.enthusiasm, 3),
            round(r.steadiness, 3), r.mean_tone, r.posts, r.engagers, r.replies_received + r.likes_received,
            r.accepted, r.helpful, r.active_weeks, r.user.brand_relationship or ("staff" if r.disclosed else ""),
        ]
        for r in (result.disclosed if disclosed else result.members)
    ]  # fmt: skip
    return header, rows


def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe(c) for c in row])
    return out.getvalue()


def _safe(cell: Any) -> Any:
    """No formula injection when the file is opened in a spreadsheet."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") and not _numeric(cell):
        return "'" + cell
    return cell


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
