"""Files on tickets (C2, I2): stored once per content hash, named by an Attachment row,
and handed out only to someone who may see a ticket holding that hash (O3), or who sent
those bytes themselves (`blob_uploads`). A hash is no key: one learned from a log, a
colleague or a ticket seen once opens nothing, and cannot be named on another ticket to
read it there (the same rule guards `attachment.create`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file, check_hash
from core.enums import Role
from core.errors import NotFoundError, ValidationError
from core.ids import utcnow
from core.models import Attachment, Message, Ticket, User
from core.models.server import BlobUpload
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


def record_upload(session: Session, actor: User, content_hash: str) -> None:
    """Note that `actor` sent the bytes of `content_hash` (now). The caller commits."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    stmt = insert(BlobUpload).values(content_hash=content_hash, user_id=actor.id, uploaded_at=now)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[BlobUpload.content_hash, BlobUpload.user_id],
            set_={"uploaded_at": stmt.excluded.uploaded_at},
        )
    )


def uploaded_by(session: Session, actor: User, content_hash: str) -> bool:
    return session.get(BlobUpload, (content_hash, actor.id)) is not None


def may_use_hash(session: Session, actor: User, content_hash: str) -> bool:
    """Whether staff member `actor` may read the bytes of `content_hash` and name them on
    a ticket: a ticket they may see carries them, or they uploaded them themselves."""
    if uploaded_by(session, actor, content_hash):
        return True
    try:
        visible_attachment(session, actor, content_hash)
    except NotFoundError:
        return False
    return True


@dataclass(frozen=True)
class Readable:
    """A file a user may download: its hash and how to name and type it."""

    content_hash: str
    filename: str
    mime_type: str


def readable_file(session: Session, actor: User, content_hash: str) -> Readable:
    """The file `actor` may download under this hash: as named on a ticket they may see,
    else (staff) their own upload not yet on any ticket, as raw bytes. Anything else is
    missing (404), whether or not the server holds the bytes."""
    try:
        found = visible_attachment(session, actor, content_hash)
    except NotFoundError:
        if actor.role is Role.PORTAL or not uploaded_by(session, actor, content_hash):
            raise
        return Readable(content_hash, content_hash, "application/octet-stream")
    return Readable(found.content_hash, found.filename, found.mime_type)


def blob_path(store: BlobStore, attachment: Attachment | Readable) -> Path:
    path = store.path_for(attachment.content_hash)
    if not path.is_file():
        raise NotFoundError("The file's content is missing on the server.")
    return path
