"""SQLAlchemy models. Importing this package registers every table with ``db``."""

from .base import Base, UTCDateTime, db, utcnow
from .blog import Article, ArticleComment, ArticleStatus, Tag, article_tag
from .content import ContentItem, ContentRevision, ContentState
from .dashboard import Badge, ContentTone, DailyMetric, Engagement, ResponseSample
from .forum import ForumCategory, ForumPreference, ForumReaction, ForumRead, Reply, Topic, TopicKind
from .idea import CLOSED_STATUSES, Idea, IdeaComment, IdeaStatus, IdeaStatusChange, IdeaVote, fold_text
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
from .notification import (
    EmailDelivery,
    Notification,
    NotificationSettings,
    StaffClaim,
    Watch,
    Webhook,
    WebhookDelivery,
)
from .review import BrandResponse, HelpfulVote, Product, ProductCategory, Review
from .search import SearchOutbox
from .user import ApiToken, Role, User

__all__ = [
    "EmailDelivery",
    "Notification",
    "NotificationSettings",
    "StaffClaim",
    "Watch",
    "Webhook",
    "WebhookDelivery",
    "Badge",
    "ContentTone",
    "DailyMetric",
    "Engagement",
    "ResponseSample",
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
    "Article",
    "ArticleComment",
    "ArticleStatus",
    "Tag",
    "article_tag",
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
    "CLOSED_STATUSES",
    "Idea",
    "IdeaComment",
    "IdeaStatus",
    "IdeaStatusChange",
    "IdeaVote",
    "ForumCategory",
    "ForumPreference",
    "ForumReaction",
    "ForumRead",
    "Reply",
    "Topic",
    "TopicKind",
    "Role",
    "SearchOutbox",
    "User",
    "UTCDateTime",
    "db",
    "fold_text",
    "utcnow",
]
