"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .content import ContentItem, ContentRevision, ContentState
from .forum import ForumCategory, ForumPreference, ForumReaction, ForumRead, Reply, Topic, TopicKind
from .user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "Base",
    "ContentItem",
    "ContentRevision",
    "ContentState",
    "ForumCategory",
    "ForumPreference",
    "ForumReaction",
    "ForumRead",
    "Reply",
    "Topic",
    "TopicKind",
    "Role",
    "User",
    "UTCDateTime",
    "db",
    "utcnow",
]
