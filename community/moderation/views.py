"""Moderation pages: flag form, queue, member tools, filters, audit log, transparency,
and the member's own account deletion and data export."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from models import ContentItem, Sanction, db

from .. import fragments
from ..auth import queries as auth_queries
from ..content.registry import _KINDS
from ..core.registry import nav_item, tool_link
from ..errors import DomainError, NotFound, PermissionDenied
from ..forms import EmptyForm
from ..permissions import can
from ..urls import is_safe_next
from . import queries, services
from .forms import DeleteAccountForm, FilterForm, FlagForm, SanctionForm, ScopesForm, TrustForm

bp = Blueprint("moderation", __name__)

services.install_policies()
services.install_login_check()
services.init_audit()
nav_item("transparency", "moderation.transparency", _l("Transparency"), order=90)
tool_link(
    "moderation.queue", "moderation.queue", _l("Moderation queue"), "moderation.queue", "moderation", 10
)
tool_link("moderation.log", "moderation.log", _l("Moderation log"), "moderation.log", "moderation", 20)
tool_link(
    "moderation.filters", "moderation.filters", _l("Moderation filters"), "moderation.filters", "admin", 30
)


@bp.before_app_request
def _count_visit() -> None:
    """Days visited, for trust levels: at most one write per member per day."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    user = current_user._get_current_object()
    if services.touch_visit(user):
        db.session.commit()


@bp.app_template_global()
def can_flag(item: ContentItem) -> bool:
    # The user itself: each use of Flask-Login's proxy looks it up again (once per post).
    return can(current_user._get_current_object(), "content.flag", item)


@bp.app_template_global()
def hidden_reason_text(item: ContentItem) -> str:
    return queries.public_reason(item.hidden_reason)


@bp.app_template_global()
def flag_form() -> FlagForm:
    return FlagForm(formdata=None)


class _FlagSlots(NamedTuple):
    id: Markup
    action: Markup
    csrf: Markup
    next: Markup


_FLAG_SLOTS = _FlagSlots(*(Markup(f"\x00{name}\x00") for name in _FlagSlots._fields))
_SLOT = re.compile("\x00(id|action|csrf|next)\x00")


@bp.app_template_global()
def flag_form_html(item: ContentItem) -> Markup:
    """``item``'s flag form (moderation/_flag_form.html): its HTML is the same for every
    item but for four slots, so it is rendered once per language and kept (a topic page
    shows one per post: a form with its reasons took a third of a member's topic page);
    the item's id and address, the viewer's CSRF token and the page's address are
    filled in here, for each item and viewer (never kept)."""
    html = fragments.render_many("moderation/_flag_form.html", "flag_form_pieces", {0: _FLAG_SLOTS})[0][0]
    values = {
        "id": str(item.id),
        "action": str(escape(url_for("moderation.flag", content_id=item.id))),
        "csrf": str(escape(generate_csrf())),
        "next": str(escape(request.full_path.rstrip("?"))),
    }
    return Markup(_SLOT.sub(lambda match: values[match.group(1)], html))


def _back(item: ContentItem | None = None) -> str:
    target = request.form.get("next") or request.args.get("next")
    if is_safe_next(target):
        return target
    kind = _KINDS.get(item.kind) if item is not None else None
    return kind.url(item) if kind else url_for("core.home")


def _item(content_id: int) -> ContentItem:
    item = queries.get_item(content_id)
    if item is None or not can(current_user, "content.view", item):
        raise NotFound()
    return item


# --- flags -----------------------------------------------------------------------------


@bp.post("/flag/<int:content_id>")
@login_required
def flag(content_id: int):
    item = _item(content_id)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Choose a reason to flag this."), "error")
        return redirect(_back(item))
    services.flag(item, current_user, form.reason.data, form.note.data or "")
    db.session.commit()
    flash(_("Thank you: the moderators will look at it."), "success")
    return redirect(_back(item))


# --- queue -----------------------------------------------------------------------------


def _require(action: str, obj: object = None) -> None:
    if not can(current_user, action, obj):
        raise PermissionDenied()


@bp.get("/moderation")
@login_required
def queue():
    _require("moderation.queue")
    entries = queries.queue(current_user)
    return render_template("moderation/queue.html", entries=entries, form=EmptyForm())


@bp.post("/moderation/items/<int:content_id>")
@login_required
def act(content_id: int):
    _require("moderation.queue")
    if not EmptyForm().validate_on_submit():
        abort(400)
    item = _item(content_id)
    action = request.form.get("action", "")
    services.moderate(
        item, current_user, action, request.form.get("reason", ""),
        source=request.form.get("source"), title=request.form.get("title") or None,
    )  # fmt: skip
    db.session.commit()
    flash(_("Done: %(action)s.", action=_action_label(action)), "success")
    return redirect(_back(item) if request.form.get("next") else url_for("moderation.queue"))


@bp.get("/moderation/items/<int:content_id>/edit")
@login_required
def edit(content_id: int):
    item = _item(content_id)
    if not can(current_user, "content.edit", item) or not can(current_user, "content.history", item):
        raise PermissionDenied()
    return render_template("moderation/edit.html", item=item, form=EmptyForm())


@bp.post("/moderation/bulk")
@login_required
def bulk():
    _require("moderation.queue")
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = [int(v) for v in request.form.getlist("ids") if v.isascii() and v.isdecimal() and int(v) < 2**31]
    if not ids:
        flash(_("Select at least one item."), "error")
        return redirect(url_for("moderation.queue"))
    action = request.form.get("action", "")
    done, refused = services.moderate_many(
        queries.items_by_ids(ids), current_user, action, request.form.get("reason", "")
    )
    db.session.commit()
    flash(_("%(done)s item(s) done, %(refused)s refused.", done=len(done), refused=len(refused)), "info")
    return redirect(url_for("moderation.queue"))


def _action_label(action: str) -> str:
    return str(
        {
            "approve": _l("approved"), "hide": _l("hidden"), "restore": _l("restored"),
            "delete": _l("deleted"), "edit": _l("edited"), "dismiss": _l("flags dismissed"),
        }.get(action, action)
    )  # fmt: skip


# --- members -----------------------------------------------------------------------------


@bp.route("/moderation/members/<username>", methods=["GET", "POST"])
@login_required
def member(username: str):
    _require("moderation.queue")
    target = auth_queries.user_by_username(username)
    if target is None:
        raise NotFound()
    trust_form = TrustForm(prefix="trust", level=str(target.trust_level))
    sanction_form = SanctionForm(prefix="sanction")
    scopes_form = ScopesForm(
        prefix="scopes", scopes=", ".join(f"{s.scope_type}:{s.scope_id}" for s in target.moderation_scopes)
    )
    status = 200
    if request.method == "POST":
        what = request.form.get("what")
        try:
            if what == "trust" and trust_form.validate_on_submit():
                services.set_trust(current_user, target, int(trust_form.level.data))
            elif what == "sanction" and sanction_form.validate_on_submit():
                services.sanction(
                    current_user,
                    target,
                    sanction_form.kind.data,
                    sanction_form.reason.data,
                    sanction_form.days.data,
                )
            elif what == "scopes" and scopes_form.validate_on_submit():
                services.set_scopes(current_user, target, _parse_scopes(scopes_form.scopes.data or ""))
            elif what == "lift" and EmptyForm().validate_on_submit():
                row = db.session.get(Sanction, request.form.get("sanction_id", type=int) or 0)
                if row is None or row.user_id != target.id:
                    raise NotFound()
                services.lift(current_user, row)
            else:
                raise _FormInvalid()
        except _FormInvalid:
            status = 422
        except DomainError as exc:
            if exc.status == 403 or exc.status == 404:
                raise
            flash(str(exc.message), "error")
            status = 422
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("moderation.member", username=target.username))
    return render_template(
        "moderation/member.html", target=target, trust_form=trust_form, sanction_form=sanction_form,
        scopes_form=scopes_form, sanctions=queries.sanctions_of(target), history=queries.author_histories([target]).get(target.id),
        form=EmptyForm(),
    ), status  # fmt: skip


class _FormInvalid(Exception):
    pass


def _parse_scopes(raw: str) -> list[tuple[str, int]]:
    scopes = []
    for part in raw.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        kind, _sep, ident = part.partition(":")
        if not kind.strip() or not (ident.strip().isascii() and ident.strip().isdecimal()):
            raise services.InvalidInput(
                _l("Write each scope as type:number, e.g. category:3."), code="bad_scope"
            )
        scopes.append((kind.strip()[:32], int(ident)))
    return scopes


# --- filters (admin settings) --------------------------------------------------------------


@bp.route("/moderation/filters", methods=["GET", "POST"])
@login_required
def filters():
    _require("moderation.filters")
    form = FilterForm()
    status = 200
    if request.method == "POST":
        remove = request.form.get("remove", type=int)
        if remove and EmptyForm().validate_on_submit():
            services.remove_filter(current_user, remove)
            db.session.commit()
            flash(_("The filter is removed."), "info")
            return redirect(url_for("moderation.filters"))
        if form.validate_on_submit():
            try:
                services.add_filter(current_user, form.pattern.data, form.action.data, form.is_regex.data)
            except DomainError as exc:
                if exc.status != 422:
                    raise
                form.pattern.errors = [str(exc.message)]
            else:
                db.session.commit()
                flash(_("The filter is added."), "success")
                return redirect(url_for("moderation.filters"))
        status = 422
    from sqlalchemy import select

    from models import FilterRule

    rules = db.session.scalars(select(FilterRule).order_by(FilterRule.id)).all()
    return render_template(
        "moderation/filters.html", form=form, rules=rules, defaults=services._cfg("MODERATION_FILTERS"),
        empty_form=EmptyForm(),
    ), status  # fmt: skip


# --- audit log ------------------------------------------------------------------------------


def _log_filters() -> dict:
    return {
        "action": request.args.get("action", "").strip()[:48],
        "actor": request.args.get("actor", "").strip()[:32],
        "target_type": request.args.get("target_type", "").strip()[:32],
        "target_id": request.args.get("target_id", type=int),
    }


@bp.get("/moderation/log")
@login_required
def log():
    _require("moderation.log")
    filters_ = _log_filters()
    entries = queries.audit_log(**filters_)
    if request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["time", "actor", "action", "target_type", "target_id", "before", "after", "reason"])
        for e in entries:
            writer.writerow([
                e.created_at.isoformat(), e.actor.username if e.actor else "system", e.action, e.target_type,
                e.target_id if e.target_id is not None else "", json.dumps(e.before, ensure_ascii=False),
                json.dumps(e.after, ensure_ascii=False), e.reason,
            ])  # fmt: skip
        return Response(
            out.getvalue(), mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=moderation-log.csv"},
        )  # fmt: skip
    return render_template("moderation/log.html", entries=entries, filters=filters_)


# --- transparency --------------------------------------------------------------------------


@bp.get("/transparency")
def transparency():
    return render_template("moderation/transparency.html", report=queries.transparency())


@bp.get("/transparency.csv")
def transparency_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "figure", "key", "count", "total"])
    writer.writerows(queries.transparency().csv_rows())
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=transparency.csv"},
    )


# --- own account ------------------------------------------------------------------------------


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(
                current_user._get_current_object(), form.password.data, form.posts.data == "keep"
            )
        except DomainError as exc:
            if exc.status != 422:
                raise
            form.password.errors = [str(exc.message)]
        else:
            db.session.commit()
            logout_user()
            flash(_("Your account is deleted. Goodbye."), "info")
            return redirect(url_for("core.home"))
    return render_template("moderation/delete_account.html", form=form), 422 if form.errors else 200


@bp.get("/account/export")
@login_required
def export_account():
    _require("account.export", current_user)
    data = services.export_data(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename={current_user.username}-data.json"},
    )  # fmt: skip
