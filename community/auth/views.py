"""Account pages: thin views over :mod:`community.auth.services`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError, NotFound
from ..extensions import db, limiter
from ..forms import EmptyForm
from ..i18n import current_language
from ..urls import is_safe_next
from . import avatars, queries, services
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _next_url() -> str:
    target = request.args.get("next") or request.form.get("next")
    return target if is_safe_next(target) else url_for("core.home")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            services.register(form.username.data, form.email.data, form.password.data, current_language())
        except DomainError as exc:
            form.username.errors = [*form.username.errors, str(exc.message)]
        else:
            db.session.commit()
            flash(
                _("Almost done: we sent you an e-mail. Follow its link to confirm your address."), "success"
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_next_url())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.login.data, form.password.data)
        except DomainError as exc:
            db.session.commit()  # an ended suspension may have been lifted meanwhile
            return render_template("auth/login.html", form=form, blocked=str(exc.message)), 403
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(_next_url())
        form.password.errors = [_("The username, e-mail or password is not correct.")]
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.get("/confirm/<token>")
def confirm_email(token: str):
    services.confirm_email(token)
    db.session.commit()
    flash(_("Your e-mail address is confirmed. Thank you!"), "success")
    return redirect(url_for("auth.login") if not current_user.is_authenticated else url_for("core.home"))


@bp.post("/confirm/resend")
@login_required
def resend_confirmation():
    if EmptyForm().validate_on_submit() and not current_user.email_confirmed:
        services.send_confirmation(current_user)
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "info")
    return redirect(url_for("auth.account"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses this address, we sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    services.user_for_reset_token(token)  # 422 page for a bad link, before the form
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Your password is changed. You can sign in with it now."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


def _account_page(status: int = 200, **forms):
    forms.setdefault("profile_form", ProfileForm(obj=current_user, locale=current_user.locale or ""))
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    forms.setdefault("email_form", ChangeEmailForm(prefix="em"))
    forms.setdefault("token_form", TokenForm(prefix="tk"))
    tokens = queries.tokens_of(current_user)
    return render_template("auth/account.html", tokens=tokens, empty_form=EmptyForm(), **forms), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ProfileForm()
    if request.method == "GET":
        return _account_page()
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            display_name=form.display_name.data or "",
            bio=form.bio.data or "",
            locale=form.locale.data or None,
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(422, profile_form=form)


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.password.data)
        except DomainError as exc:
            form.current.errors = [str(exc.message)]
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; the others end
            flash(_("Your password is changed. Other sessions were signed out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, password_form=form)


@bp.post("/account/email")
@login_required
def change_email():
    form = ChangeEmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            services.request_email_change(current_user, form.current.data, form.email.data)
        except DomainError as exc:
            form.email.errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_("Follow the link we sent to the new address to confirm the change."), "info")
            return redirect(url_for("auth.account"))
    return _account_page(422, email_form=form)


@bp.get("/account/email/<token>")
def confirm_email_change(token: str):
    services.confirm_email_change(token)
    db.session.commit()
    flash(_("Your e-mail address is changed."), "success")
    return redirect(url_for("auth.account") if current_user.is_authenticated else url_for("auth.login"))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm(prefix="tk")
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    _token, secret = services.create_token(current_user, form.name.data)
    db.session.commit()
    flash(_("Copy your new token now, it will not be shown again: %(secret)s", secret=secret), "token")
    return redirect(url_for("auth.account") + "#tokens")


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    if EmptyForm().validate_on_submit():
        services.revoke_token(current_user, token_id)
        db.session.commit()
        flash(_("The token is revoked."), "info")
    return redirect(url_for("auth.account") + "#tokens")


@bp.get("/u/<username>")
def profile(username: str):
    user = queries.user_by_username(username)
    if user is None or not user.is_active:
        raise NotFound()
    from ..dashboard.profiles import profile_context

    return render_template("dashboard/profile.html", user=user, **profile_context(user))


@bp.get("/u/<username>/avatar.svg")
def avatar(username: str):
    user = queries.user_by_username(username)
    if user is None:
        raise NotFound()
    response = Response(avatars.initials_svg(user), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
