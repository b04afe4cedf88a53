"""Moderation forms (field validation only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


def reason_choices() -> list[SelectChoice]:
    return [
        SelectChoice("spam", _l("Spam or advertising")),
        SelectChoice("abusive", _l("Abusive or hateful")),
        SelectChoice("off_topic", _l("Off-topic")),
        SelectChoice("personal_data", _l("Personal data")),
        SelectChoice("other", _l("Something else")),
    ]


class FlagForm(FlaskForm):
    reason = RadioField(_l("Why?"), choices=reason_choices(), validators=[InputRequired()])
    note = TextAreaField(_l("Note (required for “something else”)"), validators=[Optional(), Length(max=500)])


class TrustForm(FlaskForm):
    level = SelectField(
        _l("Trust level"),
        choices=[SelectChoice(str(n), str(n)) for n in range(5)],
        validators=[InputRequired()],
    )


class SanctionForm(FlaskForm):
    kind = SelectField(
        _l("Sanction"),
        choices=[
            SelectChoice("suspend", _l("Suspend")), SelectChoice("silence", _l("Silence (read-only)")),
            SelectChoice("ban", _l("Ban")),
        ],
    )  # fmt: skip
    days = IntegerField(_l("Duration in days"), validators=[Optional(), NumberRange(min=1, max=3650)])
    reason = StringField(_l("Reason shown to the member"), validators=[DataRequired(), Length(max=500)])


class ScopesForm(FlaskForm):
    scopes = StringField(
        _l("Scopes (one per line or comma-separated, e.g. category:3)"),
        validators=[Optional(), Length(max=2000)],
    )


class FilterForm(FlaskForm):
    pattern = StringField(_l("Word or pattern"), validators=[DataRequired(), Length(max=200)])
    action = SelectField(
        _l("What happens"),
        choices=[
            SelectChoice("block", _l("Block the post")),
            SelectChoice("review", _l("Send for approval")),
        ],
    )
    is_regex = BooleanField(_l("Regular expression"))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    posts = RadioField(
        _l("Your posts"),
        choices=[
            SelectChoice("keep", _l("Keep them, anonymised")),
            SelectChoice("delete", _l("Delete them")),
        ],
        default="keep",
        validators=[InputRequired()],
    )
