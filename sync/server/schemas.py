"""Request and response bodies of the ticket, message and attachment endpoints.

Requests refuse unknown fields, wrong types, NUL characters and text that is not valid
Unicode (lone surrogates), so bad input stops here with a 422 instead of reaching the
database as a 500. Domain rules (email, title, levels, custom fields) stay in core and
answer with their own codes. Responses are plain column values, reusable by other routes.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from core.enums import Status
from core.errors import ValidationError

# client-made ids are UUIDs (v7 in practice); any version is accepted
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
# how an id of an existing row may look in a path, query or reference (never NUL, never long)
ID_PATTERN = r"^[0-9A-Za-z_-]{1,64}$"
MAX_TEXT = 100_000
MAX_IDS = 100


def clean_text(value: str) -> str:
    """Refuse what no database column can store: NUL and lone surrogates."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text is not valid Unicode") from exc
    return value


def clean_json(value: Any) -> Any:
    """The same for free-form JSON (custom field values), plus no NaN or infinity."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return value


Text = Annotated[str, AfterValidator(clean_text)]
Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
NewId = Annotated[str, StringConstraints(pattern=UUID_PATTERN)]
Version = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
# severity, impact, urgency: 0..2 as JSON numbers only (not "1", not true)
Level = Annotated[StrictInt, Field(ge=0, le=2)]
CustomValues = Annotated[dict[str, Any], AfterValidator(clean_json)]


class Strict(BaseModel):
    """Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class _TicketFields(Strict):
    description: Annotated[Text, Field(max_length=MAX_TEXT)] | None = None
    contact_mobile: Annotated[Text, Field(max_length=40)] | None = None
    contact_id: Id | None = None
    account_id: Id | None = None
    status: Status | None = None
    severity: Level | None = None
    impact: Level | None = None
    urgency: Level | None = None
    department_id: Id | None = None
    subject_id: Id | None = None
    team_id: Id | None = None
    stage_id: Id | None = None
    assignee_id: Id | None = None
    subtype_id: Id | None = None
    custom_values: CustomValues | None = None


class TicketCreate(_TicketFields):
    """A new ticket; `id` is the client's own UUID when it made the ticket offline."""

    id: NewId | None = None
    # core checks emptiness and length (codes `required`, `too_long`); the caps here only
    # keep absurd sizes away from the database
    title: Annotated[Text, Field(max_length=10_000)]
    contact_email: Annotated[Text, Field(max_length=254)] | None = None


class TicketPatch(_TicketFields):
    """Editable fields (core.tickets.EDITABLE_FIELDS); only the fields sent change.
    `base_version`: when given and the ticket moved on, nothing changes (409)."""

    base_version: Version | None = None
    title: Annotated[Text, Field(max_length=10_000)] | None = None
    contact_email: Annotated[Text, Field(max_length=254)] | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent; null for a field that cannot be empty is refused
        with the same code as an empty value."""
        sent = self.model_dump(exclude_unset=True, exclude={"base_version"})
        for key in sorted(NOT_NULL & sent.keys()):
            if sent[key] is None:
                raise ValidationError(key, f"{key} cannot be empty.", code="required")
        return sent


# ticket columns a PATCH may not set to null (core itself refuses a null title or email)
NOT_NULL = frozenset({"description", "status", "severity", "impact", "custom_values"})


class AssignIn(Strict):
    """C3: refer the ticket to a user and/or another team; null unassigns."""

    assignee_id: Id | None
    team_id: Id | None = None
    base_version: Version | None = None


class StageIn(Strict):
    stage_id: Id | None
    base_version: Version | None = None


class ArchiveIn(Strict):
    archived: StrictBool


class MergeIn(Strict):
    merge_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_IDS)]


class ConvertIn(Strict):
    """The convert-to-lead dialog (O7)."""

    customer_mode: Literal["create", "link", "none"]
    sales_team_id: Id | None = None
    salesperson_id: Id | None = None
    existing_contact_id: Id | None = None
    existing_account_id: Id | None = None
    new_customer_name: Annotated[Text, Field(max_length=200)] | None = None


class TagsIn(Strict):
    add: Annotated[list[Id], Field(max_length=MAX_IDS)] = Field(default_factory=list)
    remove: Annotated[list[Id], Field(max_length=MAX_IDS)] = Field(default_factory=list)


class MessageIn(Strict):
    """A staff post; `id` is the client's own UUID when it wrote the post offline."""

    kind: Literal["agent_reply", "internal_note"]
    body: Annotated[Text, Field(min_length=1, max_length=MAX_TEXT)]
    id: NewId | None = None


# --- responses -------------------------------------------------------------------------


class TicketOut(BaseModel):
    """A ticket's own columns, as a queue row needs them."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    number: int | None
    version: int
    title: str
    description: str
    contact_email: str
    contact_mobile: str | None
    contact_id: str | None
    account_id: str | None
    status: str
    severity: int
    impact: int
    priority: int
    urgency: int | None
    department_id: str | None
    subject_id: str | None
    team_id: str | None
    stage_id: str | None
    assignee_id: str | None
    created_by_id: str | None
    subtype_id: str | None
    channel: str
    custom_values: dict[str, Any]
    archived: bool
    merged_into_id: str | None
    lead_id: str | None
    staff_state: str
    customer_state: str
    resolution: str | None
    rating: int | None
    sla_due_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class FollowerOut(BaseModel):
    user_id: str | None
    contact_id: str | None


class TicketDetail(TicketOut):
    """One ticket with what the form shows beside it."""

    tag_ids: list[str]
    contact_ids: list[str]
    followers: list[FollowerOut]


class TicketPage(BaseModel):
    items: list[TicketOut]
    # pass as `after` for the next page; null on the last page
    next: str | None


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    ticket_id: str
    version: int
    kind: str
    body: str
    author_user_id: str | None
    author_contact_id: str | None
    channel: str
    event: str | None
    event_params: dict[str, str] | None
    created_at: datetime
    updated_at: datetime


class MessagePage(BaseModel):
    items: list[MessageOut]
    next: str | None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    ticket_id: str
    message_id: str | None
    filename: str
    mime_type: str
    size: int
    content_hash: str
    created_at: datetime


class SimilarityOut(BaseModel):
    """One line of the merge dialog (O6)."""

    ticket_id: str
    number: int | None
    title: str
    best: float
    best_match_id: str | None
    average: float
    scores: dict[str, float]


class SimilarOut(BaseModel):
    ticket_id: str
    report: list[SimilarityOut]


class MergeOut(BaseModel):
    ticket: TicketDetail
    merged_ids: list[str]


class ConvertOut(BaseModel):
    lead_id: str
    ticket: TicketOut
