"""Pushed intents and what each does on the server. Every command calls the same
services as the REST endpoints, so an edit made offline and synced later meets the same
rules, numbering, assignment and notifications as one made online.

Conflicts (DESIGN.md): plain fields are last-writer-wins per field; contested workflow
fields (stage, assignee, team, status) are refused when they moved since the client saw
them, judged by the base values the client sends (`payload.base`) or, lacking those,
by the base version; messages are append-only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from core.blobs import BlobStore, check_hash
from core.enums import MessageKind
from core.errors import NotFoundError, ValidationError
from core.models import Attachment, Message, Stage, Team, Ticket, User
from core.read_state import mark_opened_by_staff
from core.tickets import EDITABLE_FIELDS
from sync.protocol import Mutation
from sync.server.config import ServerConfig
from sync.server.database import CONFIG_KEY
from sync.server.errors import Conflict
from sync.server.services import attachments as attachment_services
from sync.server.services import messages as message_services
from sync.server.services import tickets as ticket_services
from sync.server.services.tickets import check_id, require_staff

CONTESTED = ("stage_id", "assignee_id", "team_id", "status")
# a media type as the upload endpoint keeps it: printable ASCII, short
_MIME = re.compile(r"[!-~]{1,120}")

Handler = Callable[[Session, User, Mutation], dict[str, Any]]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def _ticket_state(ticket: Ticket) -> dict[str, Any]:
    return {"version": ticket.version, "number": ticket.number}


@command("ticket.create")
def create_ticket(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    fields = dict(m.payload)
    # only ticket fields: a payload must never reach the service's own keywords
    # (`routed`, `channel`, `ticket_id` ...), which are the server's to decide
    unknown = sorted(set(fields) - EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(unknown[0], "This field cannot be set.", code="unknown")
    ticket = ticket_services.create_ticket(
        session,
        actor,
        title=fields.pop("title", ""),
        contact_email=fields.pop("contact_email", None),
        ticket_id=m.entity_id,
        **fields,
    )
    session.flush()
    return _ticket_state(ticket)


def _describe(session: Session, field: str, value: Any) -> str:
    if value is None:
        return "nobody" if field == "assignee_id" else "none"
    cls = {"assignee_id": User, "team_id": Team, "stage_id": Stage}.get(field)
    row = session.get(cls, value) if cls is not None else None
    if row is None:
        return str(value)
    return str(getattr(row, "display_name", None) or getattr(row, "name", value))


def _moved(ticket: Ticket, m: Mutation, field: str, base: dict[str, Any]) -> tuple[bool, Any]:
    """Whether a contested field moved since the client saw it: judged by the base value
    the client sent, else by the base version; returns (moved, current value)."""
    current = getattr(ticket, field)
    current = getattr(current, "value", current)
    if field in base:
        return base[field] != current, current
    return m.base_version is not None and m.base_version != ticket.version, current


_MOVED = {
    "assignee_id": "Already reassigned to {now} by someone else.",
    "team_id": "Already moved to team {now} by someone else.",
    "stage_id": "Already moved to stage {now} by someone else.",
    "status": "The status was already changed to {now} by someone else.",
}


@command("ticket.update")
def update_ticket(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    payload = m.payload
    changes = dict(payload.get("changes", payload))
    base = dict(payload.get("base") or {})
    conflicts = []
    for field in CONTESTED:
        if field not in changes:
            continue
        moved, current = _moved(ticket, m, field, base)
        if moved and changes[field] != current:
            now = _describe(session, field, current)
            conflicts.append(
                {"field": field, "current": current, "message": _MOVED[field].format(now=now)}
            )
            del changes[field]
    if conflicts and not changes:
        raise Conflict(conflicts[0]["message"], code="conflict")
    ticket_services.update_ticket(session, actor, ticket, changes)
    session.flush()
    return {**_ticket_state(ticket), "conflicts": conflicts}


@command("message.create")
def create_message(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket_id = m.payload.get("ticket_id")
    if not isinstance(ticket_id, str):
        raise ValidationError("ticket_id", "The message needs its ticket's id.")
    ticket = ticket_services.get_visible_ticket(session, actor, ticket_id)
    try:
        kind = MessageKind(str(m.payload.get("kind")))
    except ValueError as exc:
        raise ValidationError("kind", "Not a kind of message.", code="invalid_choice") from exc
    body = m.payload.get("body")
    if not isinstance(body, str) or not body.strip():
        raise ValidationError("body", "The message is empty.", code="required")
    message = message_services.post_message(
        session, actor, ticket, kind=kind, body=body, message_id=m.entity_id
    )
    return {"version": message.version, "ticket_version": ticket.version}


def _text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise ValidationError(key, "A text value is expected.", code="invalid_type")
    return value


@command("attachment.create")
def create_attachment(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """C2, I2: a file added offline, named on a ticket (and on one of its messages):
    {ticket_id, message_id?, filename, mime_type?, content_hash}; the attachment keeps the
    client's id (`entity_id`). Its bytes were uploaded first (PUT /attachments/{hash});
    the same rules as the upload endpoint: staff, a ticket the actor may see, a message
    of that ticket. The hash must be the actor's to name (O3): bytes they uploaded
    themselves, or a file on a ticket they may see; a hash learned elsewhere is refused
    exactly as bytes that never arrived, so it tells nothing of another ticket's files.
    A note's file stays as internal as the note (S6): who may download a file is decided
    by the message it hangs on."""
    ticket = ticket_services.get_visible_ticket(session, actor, _text(m.payload, "ticket_id"))
    require_staff(actor)
    check_id("entity_id", m.entity_id)
    content_hash = check_hash(_text(m.payload, "content_hash"))
    message_id = _opt_str(m.payload, "message_id")
    if message_id is not None:
        check_id("message_id", message_id)
        message = session.get(Message, message_id)
        if message is None or message.ticket_id != ticket.id:
            raise ValidationError(
                "message_id", "That message is not on this ticket.", code="not_found"
            )
    filename = _text(m.payload, "filename").replace("\\", "/").rsplit("/", 1)[-1].strip()
    # Persian names carry ZWNJ (a format character): only control characters and lone
    # surrogates are refused
    if not filename or any(c < " " or "\ud800" <= c <= "\udfff" for c in filename):
        raise ValidationError("filename", "The file name is not valid.", code="invalid")
    if not attachment_services.may_use_hash(session, actor, content_hash):
        # asked before the store: whether the server holds these bytes is not told
        raise ValidationError(
            "content_hash",
            "The file's content did not reach the server from your account; add the file again.",
            code="blob_missing",
        )
    config: ServerConfig | None = session.info.get(CONFIG_KEY)
    store = BlobStore(config.blob_dir) if config is not None else None
    if store is None or not store.exists(content_hash):
        raise ValidationError(
            "content_hash", "The file's content did not reach the server.", code="blob_missing"
        )
    mime = m.payload.get("mime_type")
    if not isinstance(mime, str) or not _MIME.fullmatch(mime):
        mime = "application/octet-stream"
    attachment = Attachment(
        id=m.entity_id,
        ticket_id=ticket.id,
        message_id=message_id,
        filename=filename[:255],
        mime_type=mime,
        size=store.path_for(content_hash).stat().st_size,
        content_hash=content_hash,
    )
    session.add(attachment)
    session.flush()
    return {"version": attachment.version, "size": attachment.size}


def _ids(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(key, "A list of ids is expected.", code="invalid_type")
    return value


def _opt_str(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is not None and not isinstance(value, str):
        raise ValidationError(key, "An id or null is expected.", code="invalid_type")
    return value


def _contested(session: Session, ticket: Ticket, m: Mutation, field: str) -> None:
    """Refuse a workflow change when the field moved since the client saw it."""
    moved, current = _moved(ticket, m, field, m.payload.get("base") or {})
    if moved:
        raise Conflict(_MOVED[field].format(now=_describe(session, field, current)))


@command("ticket.mark_opened")
def mark_opened(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """A staff member opened the ticket (I6): unread becomes under review, nothing else."""
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    if mark_opened_by_staff(ticket):
        session.flush()
    return _ticket_state(ticket)


@command("ticket.assign")
def assign_ticket(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """C3: {assignee_id, team_id?}; refused when the assignee (or team) moved meanwhile."""
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    _contested(session, ticket, m, "assignee_id")
    if "team_id" in m.payload:
        _contested(session, ticket, m, "team_id")
        ticket_services.assign_ticket(
            session,
            actor,
            ticket,
            assignee_id=_opt_str(m.payload, "assignee_id"),
            team_id=_opt_str(m.payload, "team_id"),
        )
    else:
        ticket_services.assign_ticket(
            session, actor, ticket, assignee_id=_opt_str(m.payload, "assignee_id")
        )
    return _ticket_state(ticket)


@command("ticket.set_stage")
def set_stage(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    _contested(session, ticket, m, "stage_id")
    ticket_services.set_stage(session, actor, ticket, _opt_str(m.payload, "stage_id"))
    return _ticket_state(ticket)


@command("ticket.follow")
def follow(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.follow(session, actor, ticket)
    return _ticket_state(ticket)


@command("ticket.unfollow")
def unfollow(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.unfollow(session, actor, ticket)
    return _ticket_state(ticket)


@command("ticket.archive")
def archive(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.archive(session, actor, ticket, bool(m.payload.get("archived", True)))
    return _ticket_state(ticket)


@command("ticket.tags")
def change_tags(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """E2: {add: [...], remove: [...]}; a set, so concurrent edits merge."""
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.change_tags(
        session, actor, ticket, add=_ids(m.payload, "add"), remove=_ids(m.payload, "remove")
    )
    return _ticket_state(ticket)


@command("ticket.merge")
def merge(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """O6: {merge_ids: [...]} into the mutation's ticket."""
    keep = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.merge(session, actor, keep, _ids(m.payload, "merge_ids"))
    return _ticket_state(keep)


@command("ticket.unmerge")
def unmerge(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """O6: {merge_ids: [...]}: undo the last merge into the mutation's ticket, which must
    be of exactly those tickets; refused after a reply on it since the merge."""
    keep = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    ticket_services.unmerge(session, actor, keep, _ids(m.payload, "merge_ids"))
    return _ticket_state(keep)


@command("ticket.convert_to_lead")
def convert_to_lead(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    """O7: {customer_mode, sales_team_id?, salesperson_id?, existing_contact_id?,
    existing_account_id?, new_customer_name?, and the client's lead_id?, new_contact_id?,
    event_id? for the rows it made offline}."""
    ticket = ticket_services.get_visible_ticket(session, actor, m.entity_id)
    keys = (
        "sales_team_id",
        "salesperson_id",
        "existing_contact_id",
        "existing_account_id",
        "new_customer_name",
        "lead_id",
        "new_contact_id",
        "event_id",
    )
    lead = ticket_services.convert_to_lead(
        session,
        actor,
        ticket,
        customer_mode=str(m.payload.get("customer_mode", "")),
        **{k: _opt_str(m.payload, k) for k in keys},
    )
    return {**_ticket_state(ticket), "lead_id": lead.id}


def run(session: Session, actor: User, m: Mutation) -> dict[str, Any]:
    handler = COMMANDS.get(m.name)
    if handler is None:
        raise NotFoundError(f"Unknown mutation {m.name!r}.", code="unknown_mutation")
    return handler(session, actor, m)
