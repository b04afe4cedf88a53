"""Two after-commit listeners of the same item at once (a publish and a hide, say) are
serialised on the item: the second reads what the first committed, so the item is
counted once (they both read "not counted yet" and counted it twice)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, update

from community.content import services as content
from community.dashboard import listeners, rollups
from models import ContentItem, ContentState, DailyMetric, db


def _topics_counted() -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(DailyMetric.value), 0)).where(
            DailyMetric.metric == "topics", DailyMetric.scope == "all"
        )
    )


def test_two_listeners_of_one_item_at_once_count_it_once(app, question, users, monkeypatch):
    content.set_state(question, users["moderator"], ContentState.HIDDEN, "spam")
    db.session.commit()
    assert _topics_counted() == 0  # its tone row says: not counted
    # Published again behind the listeners' back: both listeners below find it published.
    db.session.execute(
        update(ContentItem).where(ContentItem.id == question.id).values(state=ContentState.PUBLISHED.value)
    )
    db.session.commit()

    meeting = threading.Barrier(2)
    original = rollups.sync_item

    def sync_after_meeting(session, item, deltas, cache=None):  # noqa: ANN001, ANN202
        session.get(rollups.ContentTone, item.id)  # read the row, then let the other read it too
        try:
            meeting.wait(timeout=1.5)  # with the lock the other is still waiting for it
        except threading.BrokenBarrierError:
            pass
        return original(session, item, deltas, cache)

    monkeypatch.setattr(rollups, "sync_item", sync_after_meeting)
    errors: list[BaseException] = []

    def run() -> None:
        with app.app_context():
            try:
                listeners._sync(question.id)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    assert _topics_counted() == 1
