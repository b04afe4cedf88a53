"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .blog import Article, ArticleComment, ArticleStatus, Tag, article_tag
from .content import ContentItem, ContentRevision, ContentState
from .user import ApiToken, Role, User

__all__ = [
    "Article",
    "ArticleComment",
    "ArticleStatus",
    "Tag",
    "article_tag",
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
