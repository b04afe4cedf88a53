"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .content import ContentItem, ContentRevision, ContentState
from .review import BrandResponse, HelpfulVote, Product, ProductCategory, Review
from .user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "Base",
    "BrandResponse",
    "ContentItem",
    "ContentRevision",
    "ContentState",
    "HelpfulVote",
    "Product",
    "ProductCategory",
    "Review",
    "Role",
    "User",
    "UTCDateTime",
    "db",
    "utcnow",
]
