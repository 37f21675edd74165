"""Creating and editing tickets: the one place that validates a ticket, computes its
priority (P4) and SLA due time (E1) and checks custom fields (P5)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Channel, Impact, Severity, Status
from core.errors import ValidationError
from core.followers import auto_follow_on_assignment, follow_ticket
from core.ids import new_id, utcnow
from core.models import CustomFieldDef, Stage, Ticket
from core.read_state import init_read_state
from core.settings import priority_matrix, sla_targets
from core.textnorm import fold
from core.validation import clean_email, require_text

# fields a client may set directly; the rest are owned by rules
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "contact_email",
        "contact_mobile",
        "contact_id",
        "account_id",
        "status",
        "severity",
        "impact",
        "urgency",
        "department_id",
        "subject_id",
        "team_id",
        "stage_id",
        "assignee_id",
        "subtype_id",
        "custom_values",
    }
)


def _check_levels(values: Mapping[str, Any]) -> None:
    for field, enum in (("severity", Severity), ("impact", Impact)):
        if field in values:
            try:
                enum(int(values[field]))
            except (TypeError, ValueError) as exc:
                raise ValidationError(
                    field, f"{values[field]!r} is not a valid {field}.", code="invalid_choice"
                ) from exc


def check_custom_values(
    session: Session, subtype_id: str | None, values: Mapping[str, Any]
) -> dict[str, Any]:
    """The custom field values of a subtype (P5), checked against their definitions."""
    if subtype_id is None:
        if values:
            raise ValidationError("custom_values", "Custom fields need a ticket subtype.")
        return {}
    defs = {
        d.key: d
        for d in session.scalars(
            select(CustomFieldDef).where(CustomFieldDef.subtype_id == subtype_id)
        )
    }
    unknown = set(values) - set(defs)
    if unknown:
        raise ValidationError(
            "custom_values", f"Unknown custom fields: {', '.join(sorted(unknown))}."
        )
    clean: dict[str, Any] = {}
    for key, definition in defs.items():
        value = values.get(key)
        if value in (None, ""):
            if definition.required:
                raise ValidationError(
                    f"custom_values.{key}", f"{definition.label} is required.", code="required"
                )
            continue
        clean[key] = _coerce_custom(definition, value)
    return clean


def _coerce_custom(definition: CustomFieldDef, value: Any) -> Any:
    field = f"custom_values.{definition.key}"
    kind = definition.kind.value
    try:
        if kind == "number":
            # fold() turns Persian and Arabic-Indic digits and the decimal sign into ASCII
            return float(fold(str(value)))
        if kind == "boolean":
            if isinstance(value, bool):
                return value
            raise TypeError
        if kind == "date":
            return date.fromisoformat(str(value)).isoformat()
        if kind == "choice":
            if value not in (definition.choices or []):
                raise ValueError
            return value
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            field, f"{value!r} is not a valid {definition.label}.", code="invalid_choice"
        ) from exc
    return str(value)


def _stage_status(session: Session, stage_id: str | None) -> Status | None:
    if stage_id is None:
        return None
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise ValidationError("stage_id", "That stage does not exist.", code="not_found")
    return Status.CLOSED if stage.is_closed else None


def create_ticket(
    session: Session,
    *,
    title: str,
    contact_email: str | None,
    description: str = "",
    severity: int = Severity.LOW,
    impact: int = Impact.MINOR,
    channel: Channel = Channel.AGENT,
    ticket_id: str | None = None,
    created_by_id: str | None = None,
    **fields: Any,
) -> Ticket:
    """A new ticket, checked and with its priority and SLA due time computed.

    Refuses (ValidationError naming the field) a missing or invalid contact email (P4).
    The caller commits.
    """
    values: dict[str, Any] = {"severity": severity, "impact": impact, **fields}
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "This field cannot be set.", code="unknown")
    _check_levels(values)
    now = utcnow()
    ticket = Ticket(
        id=ticket_id or new_id(),
        title=require_text(title, field="title", max_length=300),
        contact_email=clean_email(contact_email),
        description=description,
        channel=channel,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
        version=1,
        archived=False,
        custom_values={},
    )
    for key, value in values.items():
        if key != "custom_values":
            setattr(ticket, key, value)
    ticket.custom_values = check_custom_values(
        session, ticket.subtype_id, values.get("custom_values") or {}
    )
    if _stage_status(session, ticket.stage_id) is Status.CLOSED:
        ticket.status = Status.CLOSED
    init_read_state(ticket)  # I6: on the customer's behalf or the customer's own
    _recompute(session, ticket)
    session.add(ticket)
    _follow_parties(session, ticket, assignee=True, contact=True)
    return ticket


def _follow_parties(session: Session, ticket: Ticket, *, assignee: bool, contact: bool) -> None:
    """S4: the assignee follows (if they auto-follow); S9: the customer follows their
    own ticket, which is also what lets them see it on the portal (O3)."""
    if assignee:
        auto_follow_on_assignment(session, ticket)
    if contact and ticket.contact_id is not None:
        follow_ticket(session, ticket.id, contact_id=ticket.contact_id)


def update_ticket(session: Session, ticket: Ticket, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Apply field changes after the same checks as creation; returns what really changed.

    Nothing is changed when a check fails. The caller commits.
    """
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(sorted(unknown)[0], "This field cannot be set.", code="unknown")
    _check_levels(changes)
    clean = dict(changes)
    if "title" in clean:
        clean["title"] = require_text(clean["title"], field="title", max_length=300)
    if "contact_email" in clean:
        clean["contact_email"] = clean_email(clean["contact_email"])
    if "custom_values" in clean or "subtype_id" in clean:
        clean["custom_values"] = check_custom_values(
            session,
            clean.get("subtype_id", ticket.subtype_id),
            clean.get("custom_values", ticket.custom_values),
        )
    if "stage_id" in clean and _stage_status(session, clean["stage_id"]) is Status.CLOSED:
        clean.setdefault("status", Status.CLOSED)
    changed = {k: v for k, v in clean.items() if getattr(ticket, k) != v}
    if not changed:
        return {}
    for key, value in changed.items():
        setattr(ticket, key, value)
    if changed.get("status") == Status.CLOSED and ticket.closed_at is None:
        ticket.closed_at = utcnow()
    elif "status" in changed and changed["status"] != Status.CLOSED:
        ticket.closed_at = None
    _recompute(session, ticket)
    _follow_parties(
        session, ticket, assignee="assignee_id" in changed, contact="contact_id" in changed
    )
    ticket.updated_at = utcnow()
    ticket.version += 1
    return changed


def _recompute(session: Session, ticket: Ticket) -> None:
    ticket.priority = int(priority_matrix(session).priority_for(ticket.severity, ticket.impact))
    if ticket.status == Status.CLOSED:
        ticket.sla_due_at = None
        return
    answered = ticket.first_response_at is not None
    since = ticket.first_response_at if answered else ticket.created_at
    assert since is not None
    ticket.sla_due_at = sla_targets(session).due(ticket.priority, since, answered=answered)
