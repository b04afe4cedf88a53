"""A test-only page for the ``Note`` kind (``/notes/<id>``), so search results can be opened."""

from __future__ import annotations

from flask import Blueprint, render_template_string
from flask_login import current_user

from community.errors import NotFound
from community.permissions import can
from models import db
from tests.content_kinds import Note

bp = Blueprint("test_notes", __name__)

PAGE = """{% extends "base.html" %}{% block title %}Note {{ note.id }}{% endblock %}
{% block content %}<h1>Note {{ note.id }}</h1><div class="markup" lang="{{ note.language }}">{{ note.body_html|safe }}</div>{% endblock %}"""


@bp.get("/notes/<int:note_id>")
def show(note_id: int):
    note = db.session.get(Note, note_id)
    if note is None or not can(current_user, "content.view", note):
        raise NotFound()
    return render_template_string(PAGE, note=note)
