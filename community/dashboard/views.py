"""Dashboard pages: figures, CSV downloads, the influencer radar, disclosure labels."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import db

from ..auth import queries as auth_queries
from ..core.registry import tool_link
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..forms import EmptyForm
from ..permissions import can
from . import exports, queries, radar, services
from .charts import charts_for

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
tool_link("dashboard.index", "dashboard.index", _l("Community dashboard"), "dashboard.view", "insights", 10)
tool_link(
    "dashboard.influencers", "dashboard.influencers", _l("Influencer radar"), "dashboard.view", "insights", 20
)


def _require() -> None:
    if not current_user.is_authenticated or not can(current_user, "dashboard.view"):
        raise PermissionDenied()


def _csv(text: str, name: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/")
@login_required
def index():
    _require()
    period = queries.parse_period(request.args)
    summary = queries.summary(period)
    products, categories = queries.scope_choices()
    tables = {s: exports.table(summary, s) for s in (*exports.SECTIONS, "stars")}
    return render_template(
        "dashboard/index.html", summary=summary, period=period, products=products, categories=categories,
        tables=tables, charts=charts_for(summary), labels=exports,
    )  # fmt: skip


@bp.get("/<section>.csv")
@login_required
def section_csv(section: str):
    _require()
    if section not in (*exports.SECTIONS, "stars"):
        raise NotFound()
    period = queries.parse_period(request.args)
    summary = queries.summary(period, examples=False)
    header, rows = exports.table(summary, section)
    return _csv(exports.to_csv(header, rows), f"dashboard-{section}-{period.start}-{period.end}.csv")


@bp.get("/influencers")
@login_required
def influencers():
    _require()
    period = queries.parse_period(request.args, default_days=90)
    result = radar.radar(period)
    return render_template("dashboard/influencers.html", radar=result, period=period, weights=radar.WEIGHTS)


@bp.get("/influencers.csv")
@login_required
def influencers_csv():
    _require()
    period = queries.parse_period(request.args, default_days=90)
    result = radar.radar(period)
    header, rows = exports.radar_table(result)
    _h, apart = exports.radar_table(result, disclosed=True)
    return _csv(exports.to_csv(header, rows + apart), f"influencers-{period.start}-{period.end}.csv")


@bp.post("/members/<username>/relationship")
def set_relationship(username: str):
    if not current_user.is_authenticated or not can(current_user, "dashboard.disclose"):
        raise PermissionDenied()
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = auth_queries.user_by_username(username)
    if user is None:
        raise NotFound()
    try:
        services.set_relationship(user, current_user, request.form.get("relationship", ""))
    except InvalidInput as error:
        flash(str(error.message), "danger")
        return redirect(url_for("auth.profile", username=user.username))
    db.session.commit()
    flash(_("The brand relationship is saved."), "success")
    return redirect(url_for("auth.profile", username=user.username))


@bp.app_template_global("content_url")
def content_url(item) -> str:  # noqa: ANN001
    """The permalink of any content item (for tone examples and profiles)."""
    from ..content.registry import kind_of

    try:
        return kind_of(item).url(item)
    except Exception:  # a kind without a page
        return "#"
