"""The synced entities by their wire names, parents first: shared by both ends of the
protocol (the server's change log and the client's apply), so a name means one table."""

from __future__ import annotations

from core.models import (
    Account,
    Attachment,
    Base,
    CannedReply,
    Company,
    Contact,
    CustomFieldDef,
    Department,
    KbArticle,
    Lead,
    LeavePeriod,
    Message,
    SalesTeam,
    Setting,
    Stage,
    Subject,
    Tag,
    Team,
    Ticket,
    TicketSubtype,
    User,
)

ENTITY_CLASSES: dict[str, type[Base]] = {
    "company": Company,
    "account": Account,
    "contact": Contact,
    "user": User,
    "leave_period": LeavePeriod,
    "team": Team,
    "stage": Stage,
    "department": Department,
    "subject": Subject,
    "subtype": TicketSubtype,
    "custom_field": CustomFieldDef,
    "tag": Tag,
    "sales_team": SalesTeam,
    "ticket": Ticket,
    "lead": Lead,
    "message": Message,
    "attachment": Attachment,
    "kb_article": KbArticle,
    "canned_reply": CannedReply,
    "setting": Setting,
}
