"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .content import ContentItem, ContentRevision, ContentState
from .moderation import (
    AuditEntry,
    FilterAction,
    FilterRule,
    Flag,
    FlagReason,
    FlagStatus,
    ModeratorScope,
    Sanction,
    SanctionKind,
    WriteEvent,
)
from .user import ApiToken, Role, User

__all__ = [
    "AuditEntry",
    "FilterAction",
    "FilterRule",
    "Flag",
    "FlagReason",
    "FlagStatus",
    "ModeratorScope",
    "Sanction",
    "SanctionKind",
    "WriteEvent",
    "ApiToken",
    "Base",
    "ContentItem",
    "ContentRevision",
    "ContentState",
    "Role",
    "User",
    "UTCDateTime",
    "db",
    "utcnow",
]
