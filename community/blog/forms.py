"""Blog forms: field validation only; the services check the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice("en", "English"), SelectChoice("fr", "Français")]


class ArticleForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(_l("Address (slug)"), validators=[Optional(), Length(max=120)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)])
    body = TextAreaField(_l("Text (Markdown)"), validators=[DataRequired(), Length(max=100_000)])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)])
    language = SelectField(_l("Language"), choices=_language_choices())
    status = SelectField(_l("Publication"))
    publish_at = DateTimeLocalField(
        _l("Publication date and time (UTC)"),
        format=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"],
        validators=[Optional()],
        render_kw={"step": 1},
    )
    cover = FileField(_l("Cover image"))
    remove_cover = BooleanField(_l("Remove the cover image"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.status.choices = [
            SelectChoice("draft", str(_l("Draft (only staff see it)"))),
            SelectChoice("scheduled", str(_l("Scheduled (appears at its date)"))),
            SelectChoice("published", str(_l("Published now"))),
        ]


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=10_000)])
    parent_id = HiddenField()
