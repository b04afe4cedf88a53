"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .content import ContentItem, ContentRevision, ContentState
from .search import SearchOutbox
from .user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "Base",
    "ContentItem",
    "ContentRevision",
    "ContentState",
    "Role",
    "SearchOutbox",
    "User",
    "UTCDateTime",
    "db",
    "utcnow",
]
