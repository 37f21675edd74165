"""Every table of the domain; importing this registers them all on `Base.metadata`."""

from core.models.base import Base, Synced, UTCDateTime, sql_time
from core.models.catalog import CustomFieldDef, Department, Subject, Tag, TicketSubtype
from core.models.conversation import Attachment, Message
from core.models.drafts import Draft
from core.models.knowledge import CannedReply, KbArticle
from core.models.merge_log import MergeLog
from core.models.outbox import OutboxMutation, SyncState
from core.models.people import Account, Company, Contact, LeavePeriod, User
from core.models.sales import Lead, SalesTeam, sales_team_members
from core.models.server import (
    AuthToken,
    Change,
    Delivery,
    PushClient,
    PushResult,
    SyncCounter,
)
from core.models.settings import Setting
from core.models.teams import Stage, Team, TeamFollower, TeamMember
from core.models.ticket import Ticket, TicketFollower, ticket_contacts, ticket_tags

__all__ = [
    "Account",
    "Attachment",
    "AuthToken",
    "Base",
    "CannedReply",
    "Change",
    "Company",
    "Contact",
    "CustomFieldDef",
    "Delivery",
    "Department",
    "Draft",
    "KbArticle",
    "Lead",
    "LeavePeriod",
    "MergeLog",
    "Message",
    "OutboxMutation",
    "PushClient",
    "PushResult",
    "SalesTeam",
    "Setting",
    "Stage",
    "Subject",
    "SyncCounter",
    "SyncState",
    "Synced",
    "Tag",
    "Team",
    "TeamFollower",
    "TeamMember",
    "Ticket",
    "TicketFollower",
    "TicketSubtype",
    "UTCDateTime",
    "User",
    "sales_team_members",
    "sql_time",
    "ticket_contacts",
    "ticket_tags",
]
