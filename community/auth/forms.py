"""Account forms: field validation only."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from ..forms import StrongPassword, ValidEmail

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$")
RESERVED = {"admin", "administrator", "moderator", "staff", "support", "system", "api", "anonymous"}


class ValidUsername:
    def __call__(self, form, field) -> None:  # noqa: ANN001
        value = (field.data or "").strip()
        if not USERNAME.match(value):
            raise ValidationError(
                _l("3 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit.")
            )
        if value.lower() in RESERVED:
            raise ValidationError(_l("This username is reserved."))
        field.data = value


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), ValidUsername()])
    email = StringField(_l("E-mail address"), validators=[DataRequired(), ValidEmail()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class LoginForm(FlaskForm):
    login = StringField(_l("Username or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in"))


class ForgotPasswordForm(FlaskForm):
    email = StringField(_l("E-mail address"), validators=[DataRequired(), ValidEmail()])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ChangePasswordForm(ResetPasswordForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])


class ChangeEmailForm(FlaskForm):
    email = StringField(_l("New e-mail address"), validators=[DataRequired(), ValidEmail()])
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)])


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=64)])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=1000)])
    locale = SelectField(
        _l("Preferred language"),
        choices=[
            SelectChoice("", _l("Automatic (from the browser)")),
            SelectChoice("en", "English"),
            SelectChoice("fr", "Français"),
        ],
        validators=[Optional()],
    )


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=64)])
