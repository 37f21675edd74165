"""Closed vocabularies of the domain, stored as short ASCII codes and translated at display."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Role(StrEnum):
    """What a user is to the desk; the server checks it on every call."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    PORTAL = "portal"


class Status(StrEnum):
    """Ticket status of P4; a team's stages map onto it."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class Severity(IntEnum):
    """How bad the problem is (P4). Integers so queues sort by them."""

    LOW = 0
    MEDIUM = 1
    CRITICAL = 2


class Impact(IntEnum):
    """How far the problem reaches (P4)."""

    MINOR = 0
    SERIOUS = 1
    CATASTROPHIC = 2


class Priority(IntEnum):
    """Computed from severity x impact (P4); higher sorts first in queues."""

    LOW = 0
    NORMAL = 1
    HIGH = 2


class Urgency(IntEnum):
    """What the customer says when filing (I2, C1); informs but never replaces priority."""

    LOW = 0
    NORMAL = 1
    HIGH = 2


class Visibility(StrEnum):
    """Team visibility (O3)."""

    PRIVATE = "private"  # invited internal users only
    COMPANY = "company"  # all internal users
    PUBLIC = "public"  # all internal users and invited portal users


class AssignmentMode(StrEnum):
    """How a team hands out new tickets (O5, S3)."""

    MANUAL = "manual"
    EQUAL_TOTAL = "equal_total"
    EQUAL_OPEN = "equal_open"
    ROUND_ROBIN = "round_robin"
    LEAST_BUSY = "least_busy"


class MessageKind(StrEnum):
    """One entry of a ticket's conversation (S6)."""

    CUSTOMER_REPLY = "customer_reply"
    AGENT_REPLY = "agent_reply"
    INTERNAL_NOTE = "internal_note"
    SYSTEM_EVENT = "system_event"


class Channel(StrEnum):
    """Where a ticket or message came from (S2, P7)."""

    AGENT = "agent"
    PORTAL = "portal"
    WEB_FORM = "web_form"
    EMAIL = "email"
    API = "api"
    RULE = "rule"
    SMS = "sms"


class StaffState(StrEnum):
    """Staff-side read state (I6), the first half of the eight combinations."""

    UNREAD = "unread"
    UNDER_REVIEW = "under_review"
    ANSWERED_FOLLOWING_UP = "answered_following_up"
    ANSWERED = "answered"


class CustomerState(StrEnum):
    """Customer-side read state (I6)."""

    UNREAD = "unread"
    READ = "read"


class Resolution(StrEnum):
    """The customer's verdict on an answer (C5)."""

    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"


class Category(StrEnum):
    """Request categories (I1); departments route them."""

    DOCUMENTS = "documents"
    QUESTION = "question"
    RENEWAL = "renewal"
    FINANCE = "finance"
    REFUND = "refund"
    TECHNICAL = "technical"
    FEEDBACK = "feedback"


class FieldKind(StrEnum):
    """Kinds of custom field a subtype may define (P5)."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    BOOLEAN = "boolean"


class LeadCustomerMode(StrEnum):
    """The customer choice in the convert-to-lead dialog (O7)."""

    CREATE = "create"
    LINK = "link"
    NONE = "none"
