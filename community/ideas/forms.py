"""Idea board forms: field validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from models import IdeaStatus


def status_labels() -> dict[str, object]:
    return {
        IdeaStatus.NEW.value: _l("New"),
        IdeaStatus.UNDER_REVIEW.value: _l("Under review"),
        IdeaStatus.PLANNED.value: _l("Planned"),
        IdeaStatus.IN_PROGRESS.value: _l("In progress"),
        IdeaStatus.DONE.value: _l("Done"),
        IdeaStatus.DECLINED.value: _l("Declined"),
    }


class IdeaForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give your idea a title.")), Length(min=5, max=200)]
    )
    body = TextAreaField(
        _l("Describe your idea"),
        validators=[DataRequired(_l("Describe your idea.")), Length(max=20000)],
        render_kw={"rows": 8},
    )
    product_ref = StringField(_l("Product or category (optional)"), validators=[Optional(), Length(max=80)])


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write a comment first.")), Length(max=10000)],
        render_kw={"rows": 4},
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("New status"))
    note = TextAreaField(
        _l("Public note"),
        validators=[DataRequired(_l("Explain the change in a public note.")), Length(max=5000)],
        render_kw={"rows": 3},
    )

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.status.choices = [SelectChoice(value, label) for value, label in status_labels().items()]


class MergeForm(FlaskForm):
    into_id = IntegerField(
        _l("Number of the idea to merge this one into"),
        validators=[DataRequired(_l("Enter the number of an idea.")), NumberRange(min=1)],
    )
