"""The shared content services: publish, edit with history, delete, state changes, hooks."""

from __future__ import annotations

import pytest

from community import events
from community.content import services
from community.content.registry import kind_of
from community.errors import InvalidInput, PermissionDenied
from models import ContentRevision, ContentState, db
from tests.content_kinds import Note
from tests.factories import UserFactory


@pytest.fixture
def seen():
    received: list[tuple[str, dict]] = []
    handlers = {}
    for name in ("content_created", "content_edited", "content_state_changed"):
        signal = getattr(events, name)

        def handler(sender, _name=name, **payload):
            received.append((_name, payload))

        handlers[signal] = handler
        signal.connect(handler)
    yield received
    for signal, handler in handlers.items():
        signal.disconnect(handler)


def test_publish_renders_once_and_announces(app, users, seen):
    note = services.publish(Note(), users["staff"], "Hello **world** <script>x</script>", "fr")
    db.session.commit()
    assert note.body_html == "<p>Hello <strong>world</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    assert (note.state, note.language, note.author_role) == ("published", "fr", "staff")
    assert seen == [
        ("content_created", {"content_id": note.id, "kind": "test_note", "author_id": users["staff"].id})
    ]
    assert kind_of(note).url(note) == f"/notes/{note.id}"


def test_publish_defaults_to_the_authors_language(app):
    author = UserFactory(locale="fr")
    assert services.publish(Note(), author, "Salut").language == "fr"


def test_unconfirmed_members_cannot_publish(app):
    author = UserFactory(email_confirmed_at=None)
    with pytest.raises(PermissionDenied):
        services.publish(Note(), author, "hi")


def test_unknown_language_is_refused(app, users):
    with pytest.raises(InvalidInput):
        services.publish(Note(), users["member"], "hi", "de")


def test_create_policies_can_hold_or_refuse(app, users):
    def hold(item, author):
        if "buy now" in item.body_source:
            raise InvalidInput("spam")
        if author.trust_level == 0:
            item.state = ContentState.PENDING.value

    services.CREATE_POLICIES.append(hold)
    try:
        newcomer = UserFactory(trust_level=0)
        assert services.publish(Note(), newcomer, "first post").state == "pending"
        with pytest.raises(InvalidInput):
            services.publish(Note(), users["member"], "buy now!")
    finally:
        services.CREATE_POLICIES.remove(hold)


def test_edit_keeps_history_and_marks_edited(app, users, seen):
    note = services.publish(Note(), users["member"], "first version")
    services.edit(note, users["member"], "second *version*", reason="typo")
    db.session.commit()
    assert note.body_html == "<p>second <em>version</em></p>\n" and note.is_edited
    revision = db.session.query(ContentRevision).one()
    assert (revision.body_source, revision.reason, revision.editor_id) == (
        "first version",
        "typo",
        users["member"].id,
    )
    assert [name for name, _ in seen] == ["content_created", "content_edited"]


def test_only_the_author_or_a_moderator_edits(app, users):
    note = services.publish(Note(), users["member"], "mine")
    with pytest.raises(PermissionDenied):
        services.edit(note, users["staff"], "staff rewrites a consumer")
    services.edit(note, users["moderator"], "moderator fixes", reason="personal data")


def test_author_deletion_is_soft(app, users, seen):
    note = services.publish(Note(), users["member"], "oops")
    services.delete_by_author(note, users["member"])
    db.session.commit()
    assert db.session.get(Note, note.id).state == "deleted"
    assert seen[-1][1]["previous"] == "published" and seen[-1][1]["state"] == "deleted"
    with pytest.raises(PermissionDenied):
        services.delete_by_author(note, users["member"])


def test_set_state_keeps_the_reason_only_when_hidden(app, users):
    note = services.publish(Note(), users["member"], "text")
    services.set_state(note, users["moderator"], ContentState.HIDDEN, "insults")
    assert note.hidden_reason == "insults"
    services.set_state(note, users["moderator"], ContentState.PUBLISHED)
    assert note.hidden_reason is None


def test_change_hooks_run_inside_the_transaction(app, users):
    changes: list[tuple[int, str]] = []
    services.CHANGE_HOOKS.append(lambda item, change: changes.append((item.id, change)))
    try:
        note = services.publish(Note(), users["member"], "a")
        services.edit(note, users["member"], "b")
        services.set_state(note, users["moderator"], ContentState.HIDDEN, "r")
        assert changes == [(note.id, "created"), (note.id, "edited"), (note.id, "state")]
    finally:
        services.CHANGE_HOOKS.pop()


def test_render_transforms_still_sanitise(app, users):
    services.RENDER_TRANSFORMS.append(
        lambda html: html.replace("@x", '<a href="/u/x" onclick="bad()">@x</a>')
    )
    try:
        note = services.publish(Note(), users["member"], "hi @x")
        assert 'href="/u/x"' in note.body_html and "onclick" not in note.body_html
    finally:
        services.RENDER_TRANSFORMS.pop()


def test_generic_permalink_redirects_to_the_kind_page(app, client, users):
    note = services.publish(Note(), users["member"], "visible")
    hidden = services.publish(Note(), users["member"], "hidden")
    services.set_state(hidden, users["moderator"], ContentState.HIDDEN, "r")
    db.session.commit()
    assert client.get(f"/c/{note.id}").headers["Location"] == f"/notes/{note.id}"
    assert client.get(f"/c/{hidden.id}").status_code == 404
    assert client.get("/c/999999").status_code == 404


def test_ids_beyond_an_integer_column_are_not_found(client):
    assert client.get("/c/99999999999999999999999").status_code == 404
    assert client.get(f"/c/{2**31}").status_code == 404
    response = client.get("/api/v1/topics/212657438010561932558336")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
