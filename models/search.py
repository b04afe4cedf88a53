"""The search index outbox: one row per change waiting for the indexer.

A content change and its outbox row commit in the same transaction (see
``community.search.outbox``); the indexer applies rows in batches and deletes them.
The row carries only the document id and the operation: the indexer reads the
current state of the item when it applies the row, so the order in which rows are
applied never matters and an update can never be lost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db, utcnow


class SearchOutbox(db.Model):
    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "content:12", "product:3": source name and id.
    doc_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(8), default="upsert")  # upsert or delete
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
