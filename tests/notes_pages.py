"""A tiny test-only blueprint showing test notes, so browser tests can see flags,
hidden placeholders and the moderation flow on a real page."""

from __future__ import annotations

from flask import Blueprint, render_template_string
from flask_login import current_user
from sqlalchemy import select

from community.errors import NotFound
from community.permissions import can
from models import ContentItem, db

bp = Blueprint("test_notes", __name__)

PAGE = """{% extends "base.html" %}
{% from "moderation/_macros.html" import flag_button, hidden_placeholder %}
{% block title %}Notes{% endblock %}
{% block content %}<h1>Notes</h1>
{% for item in items %}<article class="card card-body mb-2" id="note-{{ item.id }}" aria-label="Note {{ item.id }}">
  {% if item.state == 'published' %}{{ item.body_html|safe }}{{ flag_button(item) }}{% else %}{{ hidden_placeholder(item) }}{% endif %}
</article>{% else %}<p>No notes.</p>{% endfor %}{% endblock %}"""


@bp.get("/notes")
def index():
    items = db.session.scalars(
        select(ContentItem).where(ContentItem.state.in_(["published", "hidden"])).order_by(ContentItem.id)
    ).all()
    return render_template_string(PAGE, items=items)


@bp.get("/notes/<int:content_id>")
def show(content_id: int):
    item = db.session.get(ContentItem, content_id)
    if item is None or (item.state != "hidden" and not can(current_user, "content.view", item)):
        raise NotFound()
    return render_template_string(PAGE, items=[item])
