"""The rules of the ticket form (D3, P1-P5, C1, I2), as plain functions over a Session:
what each choice list holds (subtypes, departments and their subjects, teams the agent
may file to and their members, tags, the custom fields of a subtype), the related-to
search (P2), every problem of a draft at once (so the form can mark them all), and saving
a draft through core.local_edits (the edit and its outbox intent in one transaction)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from core.enums import FieldKind, Impact, Role, Severity, Status
from core.errors import DomainError, NotFoundError, ValidationError
from core.local_edits import (
    attach_locally,
    change_tags_locally,
    create_ticket_locally,
    edit_ticket_locally,
    first_open_stage,
)
from core.models import (
    Account,
    Attachment,
    Contact,
    CustomFieldDef,
    Department,
    Subject,
    Tag,
    Team,
    TeamMember,
    Ticket,
    TicketSubtype,
    User,
)
from core.priority import PriorityMatrix
from core.search import search_contact_ids
from core.settings import priority_matrix
from core.textnorm import fold, query_words
from core.validation import clean_email, require_text
from core.visibility import can_see_team

TITLE_MAX = 300
RELATED_LIMIT = 12
# where the form's fields sit, top to bottom: problems are reported (and focus goes) in
# this order
FIELD_ORDER = (
    "subtype_id",
    "related",
    "title",
    "contact_email",
    "status",
    "severity",
    "impact",
    "department_id",
    "subject_id",
    "team_id",
    "assignee_id",
    "tags",
    "custom_values",
    "description",
    "attachments",
)


@dataclass(frozen=True)
class Choice:
    """One entry of a choice list: the id stored, the name shown."""

    id: str
    name: str


@dataclass(frozen=True)
class FieldSpec:
    """A custom field of a subtype (P5), as the form renders it."""

    key: str
    label: str
    kind: FieldKind
    choices: tuple[str, ...]
    required: bool


class RelatedKind(StrEnum):
    CONTACT = "contact"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Related:
    """What a ticket is related to (P2): a contact (with their account) or an account."""

    kind: RelatedKind
    id: str
    name: str
    email: str | None = None
    account_id: str | None = None
    account_name: str | None = None

    @property
    def contact_id(self) -> str | None:
        return self.id if self.kind is RelatedKind.CONTACT else None

    @property
    def ticket_account_id(self) -> str | None:
        return self.id if self.kind is RelatedKind.ACCOUNT else self.account_id


@dataclass(frozen=True)
class FormOptions:
    """The choice lists that do not depend on another field, read once per form."""

    subtypes: list[Choice]
    departments: list[Choice]
    department_teams: dict[str, str | None]
    teams: list[Choice]
    tags: list[Choice]
    matrix: PriorityMatrix


@dataclass
class TicketDraft:
    """What the form holds: every field as typed or picked, nothing checked yet."""

    title: str = ""
    contact_email: str = ""
    description: str = ""
    subtype_id: str | None = None
    related: Related | None = None
    status: Status = Status.NEW
    severity: int = int(Severity.LOW)
    impact: int = int(Impact.MINOR)
    department_id: str | None = None
    subject_id: str | None = None
    team_id: str | None = None
    assignee_id: str | None = None
    tag_ids: list[str] = field(default_factory=list)
    custom_values: dict[str, Any] = field(default_factory=dict)
    attachments: list[Path] = field(default_factory=list)
    """Files to add on save (editing shows the ones already there apart)."""
    existing_attachments: tuple[str, ...] = ()
    """Names of the files the ticket already has (shown; saving never touches them)."""


@dataclass(frozen=True)
class Problem:
    """One refused field: `field` is a FIELD_ORDER name or `custom_values.<key>`; `code`
    is the stable code the window translates; `message` the English fallback."""

    field: str
    code: str
    message: str


@dataclass(frozen=True)
class SaveOutcome:
    """A saved ticket's id, or the problems that stopped the save (nothing was written)."""

    ticket_id: str | None
    problems: list[Problem]
    attached: int = 0


# --- choice lists -------------------------------------------------------------------------


def form_options(session: Session, user_id: str | None) -> FormOptions:
    """Subtypes (P3), active departments (C1), the teams `user_id` may file to, tags and
    the priority matrix from the settings (P4)."""
    subtypes = [
        Choice(i, n)
        for i, n in session.execute(
            select(TicketSubtype.id, TicketSubtype.name).order_by(
                TicketSubtype.sequence, TicketSubtype.name
            )
        )
    ]
    dept_rows = session.execute(
        select(Department.id, Department.name, Department.team_id)
        .where(Department.active.is_(True))
        .order_by(Department.name)
    ).all()
    user = session.get(User, user_id) if user_id is not None else None
    teams = [
        Choice(t.id, t.name)
        for t in session.scalars(select(Team).where(Team.active.is_(True)).order_by(Team.name))
        if user is None or can_see_team(user, t, session)
    ]
    tags = [Choice(i, n) for i, n in session.execute(select(Tag.id, Tag.name).order_by(Tag.name))]
    return FormOptions(
        subtypes=subtypes,
        departments=[Choice(r.id, r.name) for r in dept_rows],
        department_teams={r.id: r.team_id for r in dept_rows},
        teams=teams,
        tags=tags,
        matrix=priority_matrix(session),
    )


def subjects_of(session: Session, department_id: str | None) -> list[Choice]:
    """The subject list of one department (C1), in its order."""
    if department_id is None:
        return []
    rows = session.execute(
        select(Subject.id, Subject.name)
        .where(Subject.department_id == department_id)
        .order_by(Subject.sequence, Subject.name)
    )
    return [Choice(i, n) for i, n in rows]


def assignees_of(session: Session, team_id: str | None) -> list[Choice]:
    """Who a ticket of `team_id` can be assigned to: the team's active staff members; with
    no team, every active staff user."""
    query = select(User.id, User.display_name).where(
        User.active.is_(True), User.role != Role.PORTAL
    )
    if team_id is not None:
        query = query.join(TeamMember, TeamMember.user_id == User.id).where(
            TeamMember.team_id == team_id
        )
    rows = session.execute(query.order_by(User.display_name, User.id))
    return [Choice(i, n) for i, n in rows]


def custom_fields_of(session: Session, subtype_id: str | None) -> list[FieldSpec]:
    """The custom fields a subtype defines (P5), in their order."""
    if subtype_id is None:
        return []
    defs = session.scalars(
        select(CustomFieldDef)
        .where(CustomFieldDef.subtype_id == subtype_id)
        .order_by(CustomFieldDef.sequence, CustomFieldDef.key)
    )
    return [
        FieldSpec(
            key=d.key,
            label=d.label,
            kind=d.kind,
            choices=tuple(str(c) for c in (d.choices or [])),
            required=d.required,
        )
        for d in defs
    ]


# --- related to (P2) ----------------------------------------------------------------------


def _contact_related(contact: Contact) -> Related:
    account = contact.account
    return Related(
        kind=RelatedKind.CONTACT,
        id=contact.id,
        name=contact.name,
        email=contact.email,
        account_id=contact.account_id,
        account_name=account.name if account is not None else None,
    )


def related_contact(session: Session, contact_id: str) -> Related:
    """A contact as the form's "related to" (P1: a new ticket from a contact's file)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError(f"Contact {contact_id} is not in the cache.")
    return _contact_related(contact)


def related_account(session: Session, account_id: str) -> Related:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(f"Account {account_id} is not in the cache.")
    return Related(RelatedKind.ACCOUNT, account.id, account.name, email=account.email)


def search_related(session: Session, text: str, *, limit: int = RELATED_LIMIT) -> list[Related]:
    """Contacts (name, email, mobile; the search index) then accounts (name) matching
    every typed word, Persian spellings folded (E6); at most `limit` in all."""
    words = query_words(text)
    if not words or limit <= 0:
        return []
    contact_ids = search_contact_ids(session, text, limit=limit)
    contacts = {
        c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))
    }
    found = [_contact_related(contacts[i]) for i in contact_ids if i in contacts]
    room = limit - len(found)
    if room > 0:
        # accounts are few; hd_search_key is the same folding the search index uses
        key = func.hd_search_key(Account.name)
        rows = session.execute(
            select(Account.id, Account.name, Account.email)
            .where(and_(*(key.contains(w, autoescape=True) for w in words)))
            .order_by(Account.name)
            .limit(room)
        )
        found += [Related(RelatedKind.ACCOUNT, i, n, email=e) for i, n, e in rows]
    return found


# --- checking -----------------------------------------------------------------------------


def custom_value_problem(spec: FieldSpec, value: Any) -> Problem | None:
    """What is wrong with one custom field's value (P5), if anything."""
    name = f"custom_values.{spec.key}"
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.required:
            return Problem(name, "required", f"{spec.label} is required.")
        return None
    try:
        if spec.kind is FieldKind.NUMBER:
            float(fold(str(value)).replace(",", ""))
        elif spec.kind is FieldKind.DATE:
            date.fromisoformat(str(value))
        elif spec.kind is FieldKind.CHOICE and value not in spec.choices:
            raise ValueError(value)
        elif spec.kind is FieldKind.BOOLEAN and not isinstance(value, bool):
            raise TypeError(value)
    except (TypeError, ValueError):
        return Problem(name, "invalid", f"{value!r} is not a valid {spec.label}.")
    if spec.kind is FieldKind.BOOLEAN and spec.required and value is not True:
        return Problem(name, "required", f"{spec.label} must be ticked.")
    return None


def _error(exc: ValidationError) -> Problem:
    return Problem(exc.field, exc.code, exc.message)


def check_draft(session: Session, draft: TicketDraft) -> list[Problem]:
    """Every problem of the draft, in the order the form shows its fields."""
    problems: list[Problem] = []
    try:
        require_text(draft.title, field="title", max_length=TITLE_MAX)
    except ValidationError as exc:
        problems.append(_error(exc))
    try:
        clean_email(draft.contact_email)
    except ValidationError as exc:
        problems.append(_error(exc))
    if draft.subject_id is not None:
        subject = session.get(Subject, draft.subject_id)
        if subject is None or subject.department_id != draft.department_id:
            problems.append(
                Problem("subject_id", "subject_not_in_department", "Pick a subject again.")
            )
    if draft.assignee_id is not None and draft.team_id is not None:
        members = {c.id for c in assignees_of(session, draft.team_id)}
        if draft.assignee_id not in members:
            problems.append(
                Problem("assignee_id", "assignee_not_in_team", "Not a member of that team.")
            )
    for spec in custom_fields_of(session, draft.subtype_id):
        problem = custom_value_problem(spec, draft.custom_values.get(spec.key))
        if problem is not None:
            problems.append(problem)
    for path in draft.attachments:
        if not path.is_file():
            problems.append(Problem("attachments", "file_missing", f"{path} is not a file."))
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    return sorted(problems, key=lambda p: order.get(p.field.split(".")[0], len(order)))


# --- loading and saving -------------------------------------------------------------------


def _custom_values(session: Session, draft: TicketDraft) -> dict[str, Any]:
    """The draft's values of its subtype's fields only, empty ones left out (a checkbox
    is a value either way)."""
    specs = custom_fields_of(session, draft.subtype_id)
    out: dict[str, Any] = {}
    for spec in specs:
        value = draft.custom_values.get(spec.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if spec.kind is FieldKind.NUMBER:
            value = fold(str(value)).replace(",", "")
        out[spec.key] = value.strip() if isinstance(value, str) else value
    return out


def ticket_fields(session: Session, draft: TicketDraft) -> dict[str, Any]:
    """The ticket's fields as core.tickets takes them (the email checked and cleaned)."""
    fields = ticket_fields_raw(session, draft)
    fields["contact_email"] = clean_email(draft.contact_email)
    return fields


def load_draft(session: Session, ticket_id: str) -> tuple[TicketDraft, Ticket]:
    """A cached ticket as the form shows it for editing."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
    related: Related | None = None
    if ticket.contact is not None:
        related = _contact_related(ticket.contact)
    elif ticket.account is not None:
        related = related_account(session, ticket.account.id)
    draft = TicketDraft(
        title=ticket.title,
        contact_email=ticket.contact_email,
        description=ticket.description,
        subtype_id=ticket.subtype_id,
        related=related,
        status=ticket.status,
        severity=ticket.severity,
        impact=ticket.impact,
        department_id=ticket.department_id,
        subject_id=ticket.subject_id,
        team_id=ticket.team_id,
        assignee_id=ticket.assignee_id,
        tag_ids=sorted(t.id for t in ticket.tags),
        custom_values=dict(ticket.custom_values or {}),
        existing_attachments=tuple(
            session.scalars(
                select(Attachment.filename)
                .where(Attachment.ticket_id == ticket_id)
                .order_by(Attachment.created_at, Attachment.id)
            )
        ),
    )
    return draft, ticket


def _attach(session: Session, blobs: BlobStore | None, ticket_id: str, files: list[Path]) -> int:
    if not files:
        return 0
    if blobs is None:
        raise ValidationError("attachments", "No place to keep attachments.", code="no_store")
    for path in files:
        # the row and its attachment.create intent together, so the file reaches the server
        attach_locally(session, blobs, ticket_id, path)
    return len(files)


def _changes(ticket: Ticket, fields: Mapping[str, Any]) -> dict[str, Any]:
    changes = {k: v for k, v in fields.items() if getattr(ticket, k) != v}
    if "subtype_id" in changes:
        changes.setdefault("custom_values", fields["custom_values"])
    return changes


def _edited(
    session: Session, draft: TicketDraft, original: TicketDraft, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """The fields the agent changed since the form showed `original`: a field someone
    else changed meanwhile (a sync) and the agent did not touch is not sent back."""
    raw = ticket_fields_raw(session, draft)
    before = ticket_fields_raw(session, original)
    return {k: fields[k] for k, v in raw.items() if before.get(k) != v}


def ticket_fields_raw(session: Session, draft: TicketDraft) -> dict[str, Any]:
    """The draft's fields for comparing two drafts: as ticket_fields, nothing refused."""
    related = draft.related
    return {
        "title": draft.title.strip(),
        "contact_email": draft.contact_email.strip(),
        "description": draft.description,
        "subtype_id": draft.subtype_id,
        "contact_id": related.contact_id if related is not None else None,
        "account_id": related.ticket_account_id if related is not None else None,
        "status": Status(draft.status),
        "severity": int(draft.severity),
        "impact": int(draft.impact),
        "department_id": draft.department_id,
        "subject_id": draft.subject_id,
        "team_id": draft.team_id,
        "assignee_id": draft.assignee_id,
        "custom_values": _custom_values(session, draft),
    }


def save_draft(
    session: Session,
    draft: TicketDraft,
    *,
    ticket_id: str | None = None,
    blobs: BlobStore | None = None,
    original: TicketDraft | None = None,
) -> SaveOutcome:
    """Create (no `ticket_id`) or edit a ticket from the draft, locally and queued for the
    server; refuses with every problem and writes nothing when the draft is not valid.

    Editing with `original` (the draft as the form first showed it) sends only what the
    agent changed, tags included; without it, whatever differs from the cached ticket."""
    problems = check_draft(session, draft)
    if problems:
        return SaveOutcome(None, problems)
    try:
        fields = ticket_fields(session, draft)
        if ticket_id is None:
            fields["stage_id"] = first_open_stage(session, draft.team_id)
            created = create_ticket_locally(session, **fields)
            ticket_id = created.id
            current: set[str] = set()
        else:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFoundError(f"Ticket {ticket_id} is not in the cache.")
            if original is not None:
                edited = _edited(session, draft, original, fields)
                changes = {k: v for k, v in edited.items() if getattr(ticket, k) != v}
            else:
                changes = _changes(ticket, fields)
            if "team_id" in changes and "stage_id" not in changes:
                changes["stage_id"] = first_open_stage(session, changes["team_id"])
            current = {t.id for t in ticket.tags}
            if changes:
                edit_ticket_locally(session, ticket_id, changes)
    except ValidationError as exc:
        session.rollback()
        return SaveOutcome(None, [_error(exc)])
    except DomainError:
        session.rollback()
        raise
    wanted = set(draft.tag_ids)
    seen = set(original.tag_ids) if original is not None else current
    if wanted != seen:
        change_tags_locally(
            session, ticket_id, add=sorted(wanted - seen), remove=sorted(seen - wanted)
        )
    attached = _attach(session, blobs, ticket_id, draft.attachments)
    return SaveOutcome(ticket_id, [], attached)


def priority_of(matrix: PriorityMatrix, severity: int, impact: int) -> int:
    """The priority the matrix gives (P4); the form shows it live."""
    return int(matrix.priority_for(severity, impact))
