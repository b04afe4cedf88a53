"""Forum forms: field validation only; rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from .services import BODY_MAX, TITLE_MAX, TITLE_MIN


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice("en", _l("English")), SelectChoice("fr", _l("French"))]


class PostForm(FlaskForm):
    body = TextAreaField(
        _l("Your message (Markdown)"),
        validators=[DataRequired(_l("Write something before posting.")), Length(max=BODY_MAX)],
    )
    language = SelectField(_l("Language"), choices=_language_choices)


class TopicForm(PostForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=TITLE_MIN, max=TITLE_MAX)])
    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice("question", _l("A question")), SelectChoice("discussion", _l("A discussion"))],
        default="question",
    )


class EditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(min=TITLE_MIN, max=TITLE_MAX)])
    body = TextAreaField(
        _l("Your message (Markdown)"),
        validators=[DataRequired(_l("Write something before posting.")), Length(max=BODY_MAX)],
    )


class CategoryForm(FlaskForm):
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=80)])
    name_fr = StringField(_l("Name in French"), validators=[DataRequired(), Length(max=80)])
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=64)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=1000)])
    description_fr = TextAreaField(_l("Description in French"), validators=[Length(max=1000)])
    position = IntegerField(_l("Position"), default=0, validators=[Optional(), NumberRange(0, 1000)])
    colour = StringField(
        _l("Colour"), default="#1f5f8b", validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$")]
    )
    post_role = SelectField(
        _l("Who may open topics"),
        choices=[SelectChoice("member", _l("Every member")), SelectChoice("staff", _l("Staff only"))],
    )
