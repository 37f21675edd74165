"""Creating and changing tickets on the server: the core rules plus what only the server
does (numbers, auto-assignment O5/S3) and the permission checks that never trust a client."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from core import tickets as core_tickets
from core.assignment import auto_assign
from core.enums import Channel, LeadCustomerMode, Role, Status, Visibility
from core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from core.followers import follow_ticket, unfollow_ticket
from core.ids import utcnow
from core.leads import convert_to_lead as core_convert_to_lead
from core.merge import MergeResult, TicketSimilarity, similarity, similarity_report
from core.merge import ticket_label as label
from core.merge_undo import UnmergeResult, merge_with_log, undo_merge
from core.models import (
    Account,
    Contact,
    Department,
    Lead,
    Stage,
    Subject,
    Tag,
    Team,
    Ticket,
    TicketSubtype,
    User,
)
from core.textnorm import fold
from core.visibility import can_see_team, can_see_ticket, visible_tickets_clause
from sync.server import changelog
from sync.server.errors import Conflict
from sync.server.numbering import assign_number

# what an id of an existing row may look like; anything else is refused before a query
_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
# references a ticket may hold, checked before a write so a bad id is a 422, not a 500
_REFERENCES: tuple[tuple[str, type[Any], str], ...] = (
    ("contact_id", Contact, "contact"),
    ("account_id", Account, "account"),
    ("department_id", Department, "department"),
    ("subject_id", Subject, "subject"),
    ("subtype_id", TicketSubtype, "ticket subtype"),
)


def require_staff(actor: User) -> None:
    if actor.role is Role.PORTAL or not actor.active:
        raise PermissionDenied("Only staff may do this.")


def get_visible_ticket(session: Session, actor: User, ticket_id: str) -> Ticket:
    """The ticket if `actor` may see it; an invisible ticket is reported as missing so
    its existence is not disclosed (O3)."""
    if not is_id(ticket_id):
        raise NotFoundError("No such ticket.")
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not (
        _open_to_staff(session, actor, ticket) or can_see_ticket(session, actor, ticket_id)
    ):
        raise NotFoundError("No such ticket.")
    return ticket


def _open_to_staff(session: Session, actor: User, ticket: Ticket) -> bool:
    """The common case decided without a query (teams are usually in the session
    already): active staff see tickets with no team or of a company or public team (O3).
    Anything else is left to the SQL rule."""
    if actor.role is Role.PORTAL or not actor.active:
        return False
    if ticket.team_id is None:
        return True
    team = session.get(Team, ticket.team_id)
    return team is not None and team.visibility is not Visibility.PRIVATE


def check_team_allowed(session: Session, actor: User, team_id: str | None) -> None:
    if team_id is None:
        return
    check_id("team_id", team_id)
    team = session.get(Team, team_id)
    if team is None:
        raise NotFoundError("No such team.")
    if not can_see_team(actor, team, session):
        raise PermissionDenied("You are not a member of that team.")


def create_ticket(
    session: Session,
    actor: User,
    *,
    title: str,
    contact_email: str | None,
    channel: Channel = Channel.AGENT,
    ticket_id: str | None = None,
    routed: bool = False,
    **fields: Any,
) -> Ticket:
    """A ticket numbered and, by its team's mode, assigned in the same transaction.

    `routed`: the team comes from the server's own configuration (the mailbox's team),
    not from the actor, so the actor's team membership is not asked for."""
    if actor.role is not Role.PORTAL and not routed:
        check_team_allowed(session, actor, fields.get("team_id"))
    if ticket_id is not None:
        check_id("id", ticket_id)
        if session.get(Ticket, ticket_id) is not None:
            raise Conflict("A ticket with that id already exists.", code="duplicate_id")
    team_id = fields.get("team_id")
    check_references(session, fields)
    check_finite_custom_values(session, fields.get("subtype_id"), fields.get("custom_values"))
    if fields.get("stage_id") is not None:
        check_stage(session, fields["stage_id"], team_id)
    elif team_id is not None:
        fields["stage_id"] = first_open_stage(session, team_id)
    if fields.get("assignee_id") is not None:
        check_assignee(session, fields["assignee_id"], team_id)
    ticket = core_tickets.create_ticket(
        session,
        title=title,
        contact_email=contact_email,
        channel=channel,
        ticket_id=ticket_id,
        created_by_id=actor.id,
        **fields,
    )
    assign_number(session, ticket)  # before the flush, so the number is in the INSERT
    session.flush()
    auto_assign(session, ticket)
    return ticket


def update_ticket(
    session: Session, actor: User, ticket: Ticket, changes: dict[str, Any]
) -> dict[str, Any]:
    require_staff(actor)
    if "team_id" in changes:
        check_team_allowed(session, actor, changes["team_id"])
    changes = _checked_changes(session, ticket, changes)
    return core_tickets.update_ticket(session, ticket, changes)


# --- checks ------------------------------------------------------------------------------


def is_id(value: object) -> bool:
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def check_id(field: str, value: object) -> str:
    """A well-formed id (never NUL, never huge, never a number), or a 422 naming `field`."""
    if not is_id(value):
        raise ValidationError(field, "This is not a valid id.", code="invalid_id")
    assert isinstance(value, str)
    return value


def check_references(session: Session, values: Mapping[str, Any]) -> None:
    """Every referenced contact, account, department, subject and subtype exists."""
    for field, model, noun in _REFERENCES:
        ident = values.get(field)
        if ident is None:
            continue
        check_id(field, ident)
        if session.get(model, ident) is None:
            raise ValidationError(field, f"That {noun} does not exist.", code="not_found")


def check_finite_custom_values(session: Session, subtype_id: str | None, values: Any) -> None:
    """P5 number fields read "nan" and "1e999" as floats no JSON can carry (PostgreSQL
    refuses them with a 500); refused here by field. Other checks stay in core."""
    if not values or not isinstance(values, Mapping) or not is_id(subtype_id):
        return
    clean = core_tickets.check_custom_values(session, subtype_id, values)
    for key, value in clean.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(
                f"custom_values.{key}",
                f"{values[key]!r} is not a finite number.",
                code="invalid_choice",
            )


def check_stage(session: Session, stage_id: str, team_id: str | None) -> Stage:
    """O1: a ticket's stage is one of its own team's pipeline."""
    check_id("stage_id", stage_id)
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise ValidationError("stage_id", "That stage does not exist.", code="not_found")
    if stage.team_id != team_id:
        raise ValidationError(
            "stage_id", "That stage belongs to another team.", code="stage_not_in_team"
        )
    return stage


def first_open_stage(session: Session, team_id: str | None) -> str | None:
    """Where a ticket lands in a team's pipeline: its first stage that is not closed."""
    if team_id is None:
        return None
    return session.scalar(
        select(Stage.id)
        .where(Stage.team_id == team_id, Stage.is_closed.is_(False))
        .order_by(Stage.sequence, Stage.id)
        .limit(1)
    )


def check_assignee(session: Session, assignee_id: str, team_id: str | None) -> User:
    """C3: an assignee is an active staff user who may see the ticket's team."""
    check_id("assignee_id", assignee_id)
    user = session.get(User, assignee_id)
    if user is None or not user.active or user.role is Role.PORTAL:
        raise ValidationError(
            "assignee_id", "The assignee must be an active staff user.", code="invalid_assignee"
        )
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is not None and not can_see_team(user, team, session):
            raise ValidationError(
                "assignee_id",
                f"{user.display_name} is not a member of {team.name}.",
                code="assignee_not_in_team",
            )
    return user


def _checked_changes(
    session: Session, ticket: Ticket, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """The changes with their references checked; a new team brings its first stage
    unless a stage is given, and the assignee must be able to see the resulting team."""
    out = dict(changes)
    check_references(session, out)
    if "custom_values" in out or "subtype_id" in out:
        check_finite_custom_values(
            session,
            out.get("subtype_id", ticket.subtype_id),
            out.get("custom_values", ticket.custom_values),
        )
    team_id = out.get("team_id", ticket.team_id)
    team_changed = "team_id" in out and out["team_id"] != ticket.team_id
    if out.get("stage_id") is not None:
        check_stage(session, out["stage_id"], team_id)
    elif team_changed and "stage_id" not in out:
        out["stage_id"] = first_open_stage(session, team_id)
    if out.get("assignee_id") is not None:
        check_assignee(session, out["assignee_id"], team_id)
    elif team_changed and "assignee_id" not in out and ticket.assignee_id is not None:
        check_assignee(session, ticket.assignee_id, team_id)
    return out


class VersionConflict(Conflict):
    """The ticket moved on since the client's base version; nothing was changed."""

    def __init__(self, ticket: Ticket, base_version: int) -> None:
        super().__init__(
            f"Ticket {label(ticket)} was changed by someone else (your version "
            f"{base_version}, now {ticket.version}); reload it and try again.",
            code="version_conflict",
        )
        self.current_version = ticket.version
        self.ticket_id = ticket.id


def check_base_version(ticket: Ticket, base_version: int | None) -> None:
    if base_version is not None and base_version != ticket.version:
        raise VersionConflict(ticket, base_version)


# --- operations (REST and sync push call the same) --------------------------------------


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP


def assign_ticket(
    session: Session,
    actor: User,
    ticket: Ticket,
    *,
    assignee_id: str | None,
    team_id: str | Literal[_Keep.KEEP] | None = KEEP,
    base_version: int | None = None,
) -> dict[str, Any]:
    """C3: refer the ticket to a user and/or another team. Referred to a team with nobody
    named, the team's own assignment mode picks someone (O5, S3). Returns what changed."""
    require_staff(actor)
    check_base_version(ticket, base_version)
    changes: dict[str, Any] = {"assignee_id": assignee_id}
    if team_id is not KEEP:
        changes["team_id"] = team_id
    changed = update_ticket(session, actor, ticket, changes)
    if "team_id" in changed and ticket.assignee_id is None:
        picked = auto_assign(session, ticket)
        if picked is not None:
            changed["assignee_id"] = picked.id
    return changed


def set_stage(
    session: Session,
    actor: User,
    ticket: Ticket,
    stage_id: str | None,
    *,
    base_version: int | None = None,
) -> dict[str, Any]:
    """Move the ticket along its team's pipeline (O1); a closed stage closes it."""
    require_staff(actor)
    check_base_version(ticket, base_version)
    if stage_id is not None and ticket.team_id is None:
        raise ValidationError(
            "stage_id",
            "This ticket has no team, and stages belong to a team.",
            code="stage_not_in_team",
        )
    return update_ticket(session, actor, ticket, {"stage_id": stage_id})


def follow(session: Session, actor: User, ticket: Ticket) -> bool:
    """The actor follows the ticket (O4); True when they did not yet."""
    require_staff(actor)
    return follow_ticket(session, ticket.id, user_id=actor.id)


def unfollow(session: Session, actor: User, ticket: Ticket) -> bool:
    """Stop following; True when the actor was following."""
    require_staff(actor)
    return unfollow_ticket(session, ticket.id, user_id=actor.id)


def archive(session: Session, actor: User, ticket: Ticket, archived: bool) -> bool:
    """Archive or bring back; a merged ticket stays archived. True when it changed."""
    require_staff(actor)
    if ticket.archived == archived:
        return False
    if not archived and ticket.merged_into_id is not None:
        raise DomainError(
            f"Ticket {label(ticket)} is merged into another and stays archived.",
            code="already_merged",
        )
    ticket.archived = archived
    ticket.updated_at = utcnow()
    ticket.version += 1
    return True


def merge(session: Session, actor: User, keep: Ticket, merge_ids: Sequence[str]) -> MergeResult:
    """O6: merge `merge_ids` into `keep`. Every ticket must be visible to the actor (an
    invisible one is reported missing). The merge moves messages with bulk statements, so
    the kept ticket's conversation is logged again."""
    require_staff(actor)
    for ident in merge_ids:
        get_visible_ticket(session, actor, ident)
    result, _log = merge_with_log(session, keep_id=keep.id, merged_ids=merge_ids, actor_id=actor.id)
    changelog.relog_ticket(session, keep.id)
    return result


def unmerge(
    session: Session, actor: User, keep: Ticket, merge_ids: Sequence[str] | None = None
) -> UnmergeResult:
    """O6: undo the last merge into `keep` (core.merge_undo.undo_merge decides: refused
    after a reply on the kept ticket, or when another merge came since). Every ticket
    and its moved-back conversation is logged again."""
    require_staff(actor)
    result = undo_merge(session, keep.id, merge_ids)
    for ident in result.ticket_ids:
        changelog.relog_ticket(session, ident)
    return result


def convert_to_lead(
    session: Session,
    actor: User,
    ticket: Ticket,
    *,
    customer_mode: str,
    sales_team_id: str | None = None,
    salesperson_id: str | None = None,
    existing_contact_id: str | None = None,
    existing_account_id: str | None = None,
    new_customer_name: str | None = None,
    lead_id: str | None = None,
    new_contact_id: str | None = None,
    event_id: str | None = None,
) -> Lead:
    """O7: a lead made of the ticket, which is archived. A client converting offline
    names the lead, new contact and system message it made (`lead_id` ...)."""
    require_staff(actor)
    for field, value in (
        ("sales_team_id", sales_team_id),
        ("salesperson_id", salesperson_id),
        ("existing_contact_id", existing_contact_id),
        ("existing_account_id", existing_account_id),
        ("lead_id", lead_id),
        ("new_contact_id", new_contact_id),
        ("event_id", event_id),
    ):
        if value is not None:
            check_id(field, value)
    try:
        mode = LeadCustomerMode(customer_mode)
    except ValueError as exc:
        raise ValidationError(
            "customer_mode", f"{customer_mode!r} is not a customer option.", code="invalid_choice"
        ) from exc
    return core_convert_to_lead(
        session,
        ticket_id=ticket.id,
        customer_mode=mode,
        sales_team_id=sales_team_id,
        salesperson_id=salesperson_id,
        existing_contact_id=existing_contact_id,
        existing_account_id=existing_account_id,
        new_customer_name=new_customer_name,
        actor_id=actor.id,
        lead_id=lead_id,
        new_contact_id=new_contact_id,
        event_id=event_id,
    )


def change_tags(
    session: Session,
    actor: User,
    ticket: Ticket,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> tuple[list[str], list[str]]:
    """E2: tags are a set; adding one already there or removing one absent is a no-op.
    Returns the ids really added and removed."""
    require_staff(actor)
    for ident in (*add, *remove):
        check_id("tags", ident)
    both = set(add) & set(remove)
    if both:
        raise ValidationError(
            "add", "A tag cannot be added and removed at once.", code="conflicting_tags"
        )
    wanted = set(add)
    tags = list(session.scalars(select(Tag).where(Tag.id.in_(wanted)))) if wanted else []
    missing = wanted - {t.id for t in tags}
    if missing:
        raise ValidationError(
            "add", f"Unknown tags: {', '.join(sorted(missing))}.", code="not_found"
        )
    current = {t.id for t in ticket.tags}
    added = sorted(t.id for t in tags if t.id not in current)
    for tag in tags:
        if tag.id not in current:
            ticket.tags.append(tag)
    dropped = set(remove)
    removed = sorted(t.id for t in ticket.tags if t.id in dropped)
    ticket.tags[:] = [t for t in ticket.tags if t.id not in dropped]
    if added or removed:
        ticket.updated_at = utcnow()
        ticket.version += 1
    return added, removed


# --- reads -------------------------------------------------------------------------------


def encode_cursor(at: datetime, ident: str) -> str:
    """An opaque keyset position: the client passes it back and never reads it."""
    raw = json.dumps([at.isoformat(), ident]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, field: str = "after") -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, ident = json.loads(raw)
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None or not is_id(ident):
            raise ValueError
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError(
            field, "This is not a position the server gave.", code="invalid_cursor"
        ) from exc
    return at, ident


@dataclass(frozen=True)
class TicketFilter:
    """The list's filters; `assignee_id` may be "me" or "none" (unassigned)."""

    status: Status | None = None
    team_id: str | None = None
    assignee_id: str | None = None
    stage_id: str | None = None
    q: str | None = None
    archived: bool = False


def _search_clause(q: str) -> ColumnElement[bool] | None:
    """A number (any digits, an optional #) or a piece of the title."""
    text = q.strip()
    if not text:
        return None
    digits = fold(text).lstrip("#").strip()
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    title = Ticket.title.ilike(f"%{escaped}%", escape="\\")
    if digits.isdigit() and len(digits) <= 9:
        return or_(Ticket.number == int(digits), title)
    return title


def ticket_page(
    session: Session,
    actor: User,
    filters: TicketFilter,
    *,
    limit: int,
    after: str | None = None,
) -> tuple[list[Ticket], str | None]:
    """One page of the tickets `actor` may see, newest change first, by the keyset
    (updated_at, id): pages never repeat a ticket and never skip one that did not move."""
    query = select(Ticket).where(
        visible_tickets_clause(actor), Ticket.archived.is_(filters.archived)
    )
    if filters.status is not None:
        query = query.where(Ticket.status == filters.status)
    if filters.team_id is not None:
        query = query.where(Ticket.team_id == filters.team_id)
    if filters.stage_id is not None:
        query = query.where(Ticket.stage_id == filters.stage_id)
    if filters.assignee_id == "none":
        query = query.where(Ticket.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        who = actor.id if filters.assignee_id == "me" else filters.assignee_id
        query = query.where(Ticket.assignee_id == who)
    if filters.q:
        clause = _search_clause(filters.q)
        if clause is not None:
            query = query.where(clause)
    if after is not None:
        at, ident = decode_cursor(after)
        query = query.where(
            or_(Ticket.updated_at < at, and_(Ticket.updated_at == at, Ticket.id < ident))
        )
    rows = list(
        session.scalars(query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit + 1))
    )
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].updated_at, rows[-1].id)


# how many of the same customer's recent tickets the duplicate finder scores
SIMILAR_CANDIDATES = 200


def similar_tickets(
    session: Session,
    actor: User,
    ticket: Ticket,
    ids: Sequence[str] = (),
    *,
    limit: int = 10,
    min_score: float = 0.3,
) -> list[TicketSimilarity]:
    """O6: the merge dialog's lines for `ticket` and `ids`; without ids, the likeliest
    duplicates among the same customer's open tickets the actor may see (the ticket
    itself first). Empty when there is nothing to compare with."""
    if ids:
        for ident in ids:
            get_visible_ticket(session, actor, ident)
        return similarity_report(session, [ticket.id, *ids])
    same_customer: list[ColumnElement[bool]] = [Ticket.contact_email == ticket.contact_email]
    if ticket.contact_id is not None:
        same_customer.append(Ticket.contact_id == ticket.contact_id)
    if ticket.account_id is not None:
        same_customer.append(Ticket.account_id == ticket.account_id)
    candidates = session.scalars(
        select(Ticket)
        .where(
            visible_tickets_clause(actor),
            Ticket.id != ticket.id,
            Ticket.archived.is_(False),
            Ticket.merged_into_id.is_(None),
            or_(*same_customer),
        )
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
        .limit(SIMILAR_CANDIDATES)
    )
    scored = sorted(
        ((similarity(ticket, c), c.id) for c in candidates), key=lambda p: (-p[0], p[1])
    )
    best = [ident for score, ident in scored[:limit] if score >= min_score]
    return similarity_report(session, [ticket.id, *best]) if best else []
