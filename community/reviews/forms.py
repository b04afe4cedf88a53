"""Review, response and product forms: field validation only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from .services import MAX_BODY, MIN_BODY


def _rating_choices() -> list[SelectChoice]:
    return [SelectChoice(str(n), _l("%(n)d stars", n=n) if n > 1 else _l("1 star")) for n in (5, 4, 3, 2, 1)]


class ReviewForm(FlaskForm):
    rating = RadioField(
        _l("Your rating"), choices=_rating_choices(), coerce=int,
        validators=[InputRequired(message=_l("Give a rating from 1 to 5 stars."))],
    )  # fmt: skip
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(
        _l("Your review"),
        validators=[
            DataRequired(),
            Length(min=MIN_BODY, max=MAX_BODY, message=_l("Write between %(min)d and %(max)d characters.")),
        ],
    )
    pros = TextAreaField(_l("Pros (optional)"), validators=[Optional(), Length(max=2000)])
    cons = TextAreaField(_l("Cons (optional)"), validators=[Optional(), Length(max=2000)])
    would_recommend = BooleanField(_l("I would recommend this product"), default=True)
    experienced_on = DateField(_l("Date of your experience"), validators=[Optional()])
    incentivized = BooleanField(_l("I received this product for free or another benefit for this review"))
    incentive_note = StringField(
        _l("What did you receive? (optional)"), validators=[Optional(), Length(max=300)]
    )
    language = SelectField(
        _l("Language of the review"),
        choices=[SelectChoice("en", "English"), SelectChoice("fr", "Français")],
    )
    reason = StringField(_l("Reason for the change (optional)"), validators=[Optional(), Length(max=500)])


class ResponseForm(FlaskForm):
    body = TextAreaField(_l("Public response"), validators=[DataRequired(), Length(max=MAX_BODY)])


class ProductForm(FlaskForm):
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[
            DataRequired(),
            Length(max=120),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Lowercase letters, digits and dashes.")),
        ],
    )
    category_id = SelectField(_l("Product category"), coerce=int, validators=[InputRequired()])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=5000)])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=5000)])
    image = FileField(_l("Image (JPEG, PNG, WebP or GIF)"))
    active = BooleanField(_l("Active (open to reviews)"), default=True)


class PageArgs:
    """Parsed product page filters (never trusted as is)."""

    def __init__(self, args) -> None:  # noqa: ANN001
        from .queries import SORTS

        self.sort = args.get("sort", "helpful")
        if self.sort not in SORTS:
            self.sort = "helpful"
        stars = args.get("stars", type=int)
        self.stars = stars if stars in (1, 2, 3, 4, 5) else None
        lang = args.get("lang")
        self.language = lang if lang in ("en", "fr") else None
        page = args.get("page", 1, type=int)
        self.page = page if page and page > 0 else 1

    def params(self, **changes: object) -> dict[str, object]:
        params = {"sort": self.sort, "stars": self.stars, "lang": self.language, "page": self.page}
        params.update(changes)
        return {k: v for k, v in params.items() if v not in (None, "", 1) or (k != "page" and v)}
