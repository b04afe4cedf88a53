"""A child process for the concurrency test: writes notes and lets the indexer run
after each commit (inline jobs), as a gunicorn worker would."""

from __future__ import annotations

import random


def write_notes(config: dict, author_id: int, worker: int, rounds: int) -> None:
    from community import create_app
    from community.content import services
    from models import User, db
    from tests.content_kinds import Note

    app = create_app(config)
    rng = random.Random(worker)
    with app.app_context():
        author = db.session.get(User, author_id)
        mine: list[int] = []
        for i in range(rounds):
            action = rng.random()
            if not mine or action < 0.5:
                note = services.publish(Note(), author, f"worker{worker} round{i} carabiner", "en")
                db.session.commit()
                mine.append(note.id)
                continue
            note = db.session.get(Note, rng.choice(mine))
            if action < 0.8:
                if note.state == "published":
                    services.edit(note, author, f"worker{worker} edit{i} carabiner")
            elif note.state == "published":
                services.set_state(note, None, "hidden", "test")
            else:
                services.set_state(note, None, "published")
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
