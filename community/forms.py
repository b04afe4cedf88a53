"""Shared form pieces: validators and the empty form for button-only actions."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import ValidationError

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s.]{2,63}$")


class EmptyForm(FlaskForm):
    """CSRF protection for buttons that post nothing else."""


class ValidEmail:
    def __call__(self, form, field) -> None:  # noqa: ANN001
        value = (field.data or "").strip()
        if not _EMAIL.match(value) or ".." in value or len(value) > 254:
            raise ValidationError(_l("Enter a valid e-mail address."))
        field.data = value


class StrongPassword:
    """At least PASSWORD_MIN_LENGTH characters, at most 256, not only one kind."""

    def __call__(self, form, field) -> None:  # noqa: ANN001
        value = field.data or ""
        minimum = current_app.config["PASSWORD_MIN_LENGTH"]
        if len(value) < minimum:
            raise ValidationError(_l("Use at least %(n)d characters.", n=minimum))
        if len(value) > 256:
            raise ValidationError(_l("Use at most 256 characters."))
        if len(set(value)) < 4:
            raise ValidationError(_l("This password is too easy to guess."))
