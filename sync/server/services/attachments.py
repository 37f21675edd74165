"""Files on tickets (C2, I2): stored once per content hash, named by an Attachment row,
and handed out only to someone who may see a ticket holding that hash (O3)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file, check_hash
from core.enums import Role
from core.errors import NotFoundError, ValidationError
from core.models import Attachment, Message, Ticket, User
from core.visibility import PUBLIC_KINDS, visible_tickets_clause
from sync.server.services.tickets import check_id, require_staff

MAX_MIME = 120


def _mime(value: str | None) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_MIME or not text.isascii() or not text.isprintable():
        return "application/octet-stream"
    return text


def add_attachment(
    session: Session,
    store: BlobStore,
    actor: User,
    ticket: Ticket,
    *,
    filename: str,
    data: bytes | BinaryIO,
    mime_type: str | None = None,
    message_id: str | None = None,
) -> Attachment:
    """Store the bytes and name them on `ticket` (and on one of its messages). The caller
    commits; a refusal stores no row (bytes already stored are harmless: same hash)."""
    require_staff(actor)
    if message_id is not None:
        check_id("message_id", message_id)
        message = session.get(Message, message_id)
        if message is None or message.ticket_id != ticket.id:
            raise ValidationError(
                "message_id", "That message is not on this ticket.", code="not_found"
            )
    if "\x00" in filename or filename.encode("utf-8", "replace").decode() != filename:
        raise ValidationError("filename", "The file name is not valid.", code="invalid")
    return attach_file(
        session,
        store,
        ticket_id=ticket.id,
        message_id=message_id,
        filename=filename,
        data=data,
        mime_type=_mime(mime_type),
    )


def visible_attachment(session: Session, actor: User, content_hash: str) -> Attachment:
    """An attachment row with this hash on a ticket `actor` may see (a customer: not on
    an internal note); otherwise missing, so a hash never reveals a file elsewhere."""
    try:
        check_hash(content_hash)
    except ValidationError as exc:
        raise NotFoundError("No such file.") from exc
    query = select(Attachment).where(
        Attachment.content_hash == content_hash,
        exists().where(Ticket.id == Attachment.ticket_id, visible_tickets_clause(actor)),
    )
    if actor.role is Role.PORTAL:  # S6: files of internal notes never reach customers
        query = query.where(
            or_(
                Attachment.message_id.is_(None),
                exists().where(Message.id == Attachment.message_id, Message.kind.in_(PUBLIC_KINDS)),
            )
        )
    found = session.scalar(query.order_by(Attachment.created_at, Attachment.id).limit(1))
    if found is None:
        raise NotFoundError("No such file.")
    return found


def blob_path(store: BlobStore, attachment: Attachment) -> Path:
    path = store.path_for(attachment.content_hash)
    if not path.is_file():
        raise NotFoundError("The file's content is missing on the server.")
    return path
