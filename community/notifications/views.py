"""Pages: the bell and list, preferences, watching, one-click unsubscribe, the brand
replies feed, the staff inbox and the admin pages (webhooks, failed deliveries)."""

from __future__ import annotations

from typing import Any

from feedgen.feed import FeedGenerator
from flask import (
    Blueprint,
    Response,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from models import ContentItem, Webhook, db, utcnow

from ..core.registry import nav_item, tool_link
from ..errors import DomainError, InvalidInput, NotFound, PermissionDenied
from ..extensions import csrf
from ..forms import EmptyForm
from ..permissions import can
from ..urls import external_url, is_safe_next
from . import email, queries, services, webhooks

bp = Blueprint("notifications", __name__)

nav_item("brand_replies", "notifications.brand_replies", _l("Brand replies"), order=70)
tool_link("notifications.inbox", "notifications.inbox", _l("Staff inbox"), "notifications.inbox", "brand", 10)
tool_link(
    "notifications.webhooks",
    "notifications.admin_webhooks",
    _l("Webhooks"),
    "notifications.admin",
    "admin",
    40,
)

KIND_LABELS = {
    "reply": _l("replied to your topic"),
    "quote": _l("quoted your post"),
    "mention": _l("mentioned you"),
    "answer_accepted": _l("accepted your answer"),
    "official_answer": _l("answered your question for the brand"),
    "brand_response": _l("responded to your review for the brand"),
    "idea_status": _l("changed the status of an idea you follow"),
    "comment": _l("commented"),
    "moderation": _l("made a moderation decision about your content"),
    "activity": _l("posted in something you watch"),
}
KIND_NAMES = {
    "reply": _l("Replies to my topics"),
    "quote": _l("Quotes of my posts"),
    "mention": _l("Mentions"),
    "answer_accepted": _l("My answer accepted"),
    "official_answer": _l("Official answers to my questions"),
    "brand_response": _l("Brand responses to my reviews"),
    "idea_status": _l("Status changes of ideas I follow"),
    "comment": _l("Comments on my ideas and articles"),
    "moderation": _l("Moderation decisions"),
    "activity": _l("Activity in what I watch"),
}
DELIVERY_NAMES = {"immediately": _l("Immediately"), "digest": _l("Daily digest"), "never": _l("Never")}
LEVEL_NAMES = {"watch": _l("Watching"), "track": _l("Tracking"), "normal": _l("Normal"), "mute": _l("Muted")}


def unread_count_context() -> dict[str, Any]:
    """The bell's count: one cheap query per request, for signed-in members only."""
    if not has_request_context() or not current_user.is_authenticated:
        return {"notification_unread": 0}
    if "notification_unread" not in g:
        g.notification_unread = queries.unread_count(current_user.id)
    return {"notification_unread": g.notification_unread}


def _back(default: str) -> Any:
    target = request.form.get("next") or request.args.get("next")
    return redirect(target if is_safe_next(target) else default)


# --- the list -------------------------------------------------------------------------------------


@bp.get("/notifications")
@login_required
def index():
    rows = queries.notifications_of(current_user.id)
    return render_template(
        "notifications/index.html", days=[(format_date(d, "full"), items) for d, items in queries.by_day(rows, get_timezone())], labels=KIND_LABELS, form=EmptyForm(),
        has_unread=any(n.read_at is None for n in rows),
    )  # fmt: skip


@bp.post("/notifications/read")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    services.mark_read(current_user)
    db.session.commit()
    g.pop("notification_unread", None)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read_one(notification_id: int):
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    services.mark_read(current_user, [notification_id])
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.get("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    row = services.open_notification(current_user, notification_id)
    url = row.url
    db.session.commit()
    return redirect(url if is_safe_next(url) else url_for("notifications.index"))


# --- preferences and watching ------------------------------------------------------------------------


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise PermissionDenied()
        choices = {kind: request.form.get(f"email_{kind}", "") for kind in services.KINDS}
        try:
            services.update_settings(
                current_user,
                email={k: v for k, v in choices.items() if v},
                auto_watch=bool(request.form.get("auto_watch")),
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for("notifications.preferences")), 303
        db.session.commit()
        flash(_("Your notification preferences are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    settings = services.settings_of(current_user.id)
    return render_template(
        "notifications/preferences.html", form=form, prefs=services.email_preferences(settings), settings=settings,
        kinds=KIND_NAMES, deliveries=DELIVERY_NAMES,
    )  # fmt: skip


@bp.post("/watch/<any(topic, idea, category, product):target_type>/<int:target_id>")
@login_required
def watch(target_type: str, target_id: int):
    """Set the member's level for a target: a form POST that redirects back, or (htmx)
    the control itself, re-rendered with the new level."""
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    target = queries.watch_target(target_type, target_id)
    if target is None or not can(current_user, "notifications.watch", target):
        raise NotFound()
    level = request.form.get("level", "")
    if level not in services.LEVELS:
        raise InvalidInput(_l("Choose a notification level."))
    services.set_watch(current_user, target_type, target_id, level)
    db.session.commit()
    message = _("Notifications for this page: %(level)s.", level=LEVEL_NAMES[level])
    if request.headers.get("HX-Request") == "true":
        parent = ("category", target.category_id) if target_type == "topic" else None
        state = queries.watch_state(current_user, target_type, target_id, parent)
        target_next = request.form.get("next")
        return render_template(
            "notifications/_watch_response.html", state=state, message=message,
            next=target_next if is_safe_next(target_next) else None,
        )  # fmt: skip
    flash(message, "success")
    return _back(_target_url(target_type, target))


def _target_url(target_type: str, target: Any) -> str:
    if target_type == "category":
        return url_for("forum.category", slug=target.slug)
    if target_type == "product":
        return url_for("reviews.product", slug=target.slug)
    return url_for("core.content_permalink", content_id=target.id)


@csrf.exempt
@bp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The signed one-click link (RFC 8058: the POST needs no session nor CSRF token)."""
    data = email.load_unsubscribe_token(token)
    if data is None:
        raise NotFound()
    kind = data["kind"]
    if request.method == "POST":
        user = db.session.get(services.User, data["uid"])
        if user is None:
            raise NotFound()
        kinds = list(services.KINDS) if kind == "digest" else [kind]
        prefs = services.email_preferences(services.settings_of(user.id))
        services.update_settings(
            user, email={k: "never" for k in kinds if kind != "digest" or prefs[k] == "digest"}
        )
        db.session.commit()
        return render_template(
            "notifications/unsubscribed.html", kind=KIND_NAMES.get(kind, _("Daily digest"))
        )
    return render_template(
        "notifications/unsubscribe.html", token=token, kind=KIND_NAMES.get(kind, _("Daily digest"))
    )


# --- brand replies --------------------------------------------------------------------------------------


@bp.get("/brand/replies")
def brand_replies():
    return render_template(
        "notifications/brand_replies.html", replies=queries.brand_replies(), target=queries.target_hours(),
        median=queries.median_response_hours(),
    )  # fmt: skip


@bp.get("/brand/replies.atom")
def brand_replies_feed():
    replies = queries.brand_replies()
    html_url = external_url("notifications.brand_replies")
    fg = FeedGenerator()
    fg.id(html_url)
    fg.title(_("What the brand replied"))
    fg.link(href=html_url, rel="alternate")
    fg.link(href=external_url("notifications.brand_replies_feed"), rel="self")
    fg.updated(replies[0].created_at if replies else utcnow())
    for item in reversed(replies):
        url = external_url("core.content_permalink", content_id=item.content_id)
        entry = fg.add_entry()
        entry.id(f"{url}#{item.kind}-{item.created_at.timestamp():.0f}")
        entry.title(item.title)
        entry.link(href=url)
        entry.updated(item.created_at)
        entry.published(item.created_at)
        entry.content(item.body_html, type="html")
        if item.author:
            entry.author(name=item.author.name)
    return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")


# --- staff inbox ------------------------------------------------------------------------------------------


@bp.get("/staff/inbox")
@login_required
def inbox():
    if not can(current_user, "notifications.inbox"):
        raise PermissionDenied()
    return render_template(
        "notifications/inbox.html",
        entries=queries.inbox(),
        target=queries.target_hours(),
        now=utcnow(),
        form=EmptyForm(),
    )


@bp.post("/staff/inbox/<int:content_id>/take")
@login_required
def take(content_id: int):
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    item = db.session.get(ContentItem, content_id)
    try:
        services.take(item, current_user)
    except DomainError as exc:
        db.session.rollback()
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        flash(_("Someone else took it already."), "warning")
        return redirect(url_for("notifications.inbox"))
    db.session.commit()
    flash(_("It is yours: the others see that you took it."), "success")
    return redirect(url_for("core.content_permalink", content_id=content_id))


# --- admin ------------------------------------------------------------------------------------------------


def _admin() -> None:
    if not can(current_user, "notifications.admin"):
        raise PermissionDenied()


def _admin_webhook(hook_id: int) -> Webhook:
    """An admin's form post about one webhook: the permission, the CSRF token, the hook."""
    _admin()
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound()
    return hook


@bp.route("/admin/webhooks", methods=["GET", "POST"])
@login_required
def admin_webhooks():
    _admin()
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            raise PermissionDenied()
        try:
            hook = webhooks.create(current_user, request.form.get("url", ""), request.form.getlist("events"))
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message) if hasattr(exc, "message") else str(exc), "danger")
            return _render_admin(form), 422
        db.session.commit()
        flash(_("Webhook added. Its secret: %(secret)s", secret=hook.secret), "success")
        return redirect(url_for("notifications.admin_webhooks"))
    return _render_admin(form)


def _render_admin(form: EmptyForm) -> str:
    return render_template(
        "notifications/admin_webhooks.html", form=form, hooks=queries.webhooks(), deliveries=queries.webhook_deliveries(),
        events=webhooks.EVENTS, email_failures=queries.email_failures(),
    )  # fmt: skip


@bp.post("/admin/webhooks/<int:hook_id>/test")
@login_required
def webhook_test(hook_id: int):
    hook = _admin_webhook(hook_id)
    row = webhooks.send_test(current_user, hook)
    db.session.commit()
    webhooks.queue([row])
    flash(_("A test delivery is on its way."), "success")
    return redirect(url_for("notifications.admin_webhooks"))


@bp.post("/admin/webhooks/<int:hook_id>/active")
@login_required
def webhook_active(hook_id: int):
    hook = _admin_webhook(hook_id)
    webhooks.set_active(current_user, hook, request.form.get("active") == "1")
    db.session.commit()
    flash(_("Webhook enabled.") if hook.active else _("Webhook disabled: it receives nothing."), "success")
    return redirect(url_for("notifications.admin_webhooks"))


@bp.post("/admin/webhooks/<int:hook_id>/delete")
@login_required
def webhook_delete(hook_id: int):
    hook = _admin_webhook(hook_id)
    webhooks.remove(current_user, hook)
    db.session.commit()
    flash(_("Webhook removed."), "success")
    return redirect(url_for("notifications.admin_webhooks"))


@bp.post("/admin/deliveries/retry")
@login_required
def retry():
    _admin()
    if not EmptyForm().validate_on_submit():
        raise PermissionDenied()
    sent, failed = email.retry_failed(force=True)
    ok, still = webhooks.retry_failed(force=True)
    flash(_("Retried: %(ok)d sent, %(failed)d still failing.", ok=sent + ok, failed=failed + still), "info")
    return redirect(url_for("notifications.admin_webhooks"))
