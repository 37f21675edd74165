"""Tickets, their conversations and files, for staff (the portal has its own API).

Every write calls the same service function the sync push calls, so REST and offline
edits obey one set of rules. Visibility is decided here on the server: a ticket the
caller may not see answers 404, as if it did not exist (O3).

`router` holds two groups: /tickets/... and the download path /attachments/{hash}.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.blobs import BlobStore, check_hash
from core.enums import MessageKind, Status
from core.errors import ValidationError
from core.models import Attachment, Ticket, TicketFollower, ticket_contacts, ticket_tags
from sync.server.deps import CurrentUser, Db, Staff
from sync.server.errors import error_body
from sync.server.schemas import (
    ID_PATTERN,
    ArchiveIn,
    AssignIn,
    AttachmentOut,
    ConvertIn,
    ConvertOut,
    FollowerOut,
    MergeIn,
    MergeOut,
    MessageIn,
    MessageOut,
    MessagePage,
    SimilarityOut,
    SimilarOut,
    StageIn,
    TagsIn,
    TicketCreate,
    TicketDetail,
    TicketOut,
    TicketPage,
    TicketPatch,
    clean_text,
)
from sync.server.services import attachments as attachment_service
from sync.server.services import messages as message_service
from sync.server.services import tickets as service
from sync.server.services.tickets import KEEP, TicketFilter, VersionConflict, get_visible_ticket

tickets_router = APIRouter(prefix="/tickets", tags=["tickets"])
files_router = APIRouter(prefix="/attachments", tags=["attachments"])

PathId = str
QueryId = Annotated[str | None, Query(pattern=ID_PATTERN)]


class FollowOut(BaseModel):
    following: bool
    changed: bool


# --- helpers -----------------------------------------------------------------------------


def ticket_detail(session: Session, ticket: Ticket) -> TicketDetail:
    """The ticket with its tag ids, contact ids and followers, read from the tables (not
    from possibly stale collections)."""
    tags = session.scalars(
        select(ticket_tags.c.tag_id).where(ticket_tags.c.ticket_id == ticket.id)
    ).all()
    contacts = session.scalars(
        select(ticket_contacts.c.contact_id).where(ticket_contacts.c.ticket_id == ticket.id)
    ).all()
    followers = session.execute(
        select(TicketFollower.user_id, TicketFollower.contact_id).where(
            TicketFollower.ticket_id == ticket.id
        )
    ).all()
    base = TicketOut.model_validate(ticket).model_dump()
    return TicketDetail(
        **base,
        tag_ids=sorted(tags),
        contact_ids=sorted(contacts),
        followers=sorted(
            (FollowerOut(user_id=u, contact_id=c) for u, c in followers),
            key=lambda f: (f.user_id or "", f.contact_id or ""),
        ),
    )


def conflict_response(session: Session, exc: VersionConflict) -> JSONResponse:
    """409 with the ticket as it is now, so the client can show who changed what."""
    ticket = session.get(Ticket, exc.ticket_id)
    current = jsonable_encoder(TicketOut.model_validate(ticket)) if ticket else None
    body = error_body(exc.code, exc.message, current_version=exc.current_version, ticket=current)
    return JSONResponse(body, status_code=409)


def _committed_detail(session: Session, ticket: Ticket) -> TicketDetail:
    session.commit()
    return ticket_detail(session, ticket)


# --- tickets -----------------------------------------------------------------------------


@tickets_router.get("", response_model=TicketPage)
def list_tickets(
    *,
    session: Db,
    user: Staff,
    status: Status | None = None,
    team_id: QueryId = None,
    assignee_id: Annotated[
        str | None, Query(pattern=ID_PATTERN, description='a user id, "me" or "none"')
    ] = None,
    stage_id: QueryId = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(max_length=500)] = None,
) -> TicketPage:
    """The tickets the caller may see, most recently changed first; pass `next` back as
    `after` for the following page. Archived tickets only with `archived=true`; `q` is a
    ticket number (Persian digits and a leading # too) or a piece of the title."""
    if q is not None:
        try:
            clean_text(q)
        except ValueError as exc:
            raise ValidationError("q", str(exc), code="invalid") from exc
    filters = TicketFilter(
        status=status,
        team_id=team_id,
        assignee_id=assignee_id,
        stage_id=stage_id,
        q=q,
        archived=archived,
    )
    rows, cursor = service.ticket_page(session, user, filters, limit=limit, after=after)
    return TicketPage(items=[TicketOut.model_validate(t) for t in rows], next=cursor)


@tickets_router.post("", status_code=201, response_model=TicketDetail)
def create_ticket(body: TicketCreate, session: Db, user: Staff) -> TicketDetail:
    """The server gives the number, priority (P4), SLA due time (E1) and, by the team's
    mode, the assignee (O5, S3). `id` may be the client's own UUID (offline-made)."""
    fields = body.model_dump(exclude_none=True, exclude={"id", "title", "contact_email"})
    ticket = service.create_ticket(
        session,
        user,
        title=body.title,
        contact_email=body.contact_email,
        ticket_id=body.id,
        **fields,
    )
    return _committed_detail(session, ticket)


@tickets_router.get("/{ticket_id}", response_model=TicketDetail)
def get_ticket(ticket_id: PathId, session: Db, user: Staff) -> TicketDetail:
    return ticket_detail(session, get_visible_ticket(session, user, ticket_id))


@tickets_router.patch("/{ticket_id}", response_model=TicketDetail)
def patch_ticket(ticket_id: PathId, body: TicketPatch, session: Db, user: Staff) -> Any:
    """Change the fields sent. With `base_version`, a ticket that moved on since is left
    alone and the answer is 409 with the current ticket."""
    ticket = get_visible_ticket(session, user, ticket_id)
    changes = body.changes()
    try:
        service.check_base_version(ticket, body.base_version)
    except VersionConflict as exc:
        return conflict_response(session, exc)
    service.update_ticket(session, user, ticket, changes)
    return _committed_detail(session, ticket)


@tickets_router.post("/{ticket_id}/assign", response_model=TicketDetail)
def assign(ticket_id: PathId, body: AssignIn, session: Db, user: Staff) -> Any:
    """C3: refer to another user and/or team (`team_id` absent keeps the team)."""
    ticket = get_visible_ticket(session, user, ticket_id)
    team = body.team_id if "team_id" in body.model_fields_set else KEEP
    try:
        service.assign_ticket(
            session,
            user,
            ticket,
            assignee_id=body.assignee_id,
            team_id=team,
            base_version=body.base_version,
        )
    except VersionConflict as exc:
        return conflict_response(session, exc)
    return _committed_detail(session, ticket)


@tickets_router.post("/{ticket_id}/stage", response_model=TicketDetail)
def stage(ticket_id: PathId, body: StageIn, session: Db, user: Staff) -> Any:
    """Move along the team's pipeline (O1); the stage must be the ticket's team's."""
    ticket = get_visible_ticket(session, user, ticket_id)
    try:
        service.set_stage(session, user, ticket, body.stage_id, base_version=body.base_version)
    except VersionConflict as exc:
        return conflict_response(session, exc)
    return _committed_detail(session, ticket)


@tickets_router.post("/{ticket_id}/follow", response_model=FollowOut)
def follow(ticket_id: PathId, session: Db, user: Staff) -> FollowOut:
    ticket = get_visible_ticket(session, user, ticket_id)
    changed = service.follow(session, user, ticket)
    session.commit()
    return FollowOut(following=True, changed=changed)


@tickets_router.delete("/{ticket_id}/follow", response_model=FollowOut)
def unfollow(ticket_id: PathId, session: Db, user: Staff) -> FollowOut:
    ticket = get_visible_ticket(session, user, ticket_id)
    changed = service.unfollow(session, user, ticket)
    session.commit()
    return FollowOut(following=False, changed=changed)


@tickets_router.post("/{ticket_id}/archive", response_model=TicketOut)
def archive(ticket_id: PathId, body: ArchiveIn, session: Db, user: Staff) -> TicketOut:
    ticket = get_visible_ticket(session, user, ticket_id)
    service.archive(session, user, ticket, body.archived)
    session.commit()
    return TicketOut.model_validate(ticket)


@tickets_router.post("/{ticket_id}/merge", response_model=MergeOut)
def merge(ticket_id: PathId, body: MergeIn, session: Db, user: Staff) -> MergeOut:
    """O6: the tickets of `merge_ids` move into this one and are archived."""
    keep = get_visible_ticket(session, user, ticket_id)
    result = service.merge(session, user, keep, body.merge_ids)
    detail = _committed_detail(session, keep)
    return MergeOut(ticket=detail, merged_ids=list(result.merged_ids))


@tickets_router.get("/{ticket_id}/similar", response_model=SimilarOut)
def similar(
    ticket_id: PathId,
    session: Db,
    user: Staff,
    ids: Annotated[list[str] | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> SimilarOut:
    """O6: how alike this ticket is to `ids`; without ids, to the likeliest duplicates
    among the same customer's open tickets."""
    ticket = get_visible_ticket(session, user, ticket_id)
    report = service.similar_tickets(session, user, ticket, ids or (), limit=limit)
    return SimilarOut(
        ticket_id=ticket.id,
        report=[
            SimilarityOut(
                ticket_id=r.ticket_id,
                number=r.number,
                title=r.title,
                best=r.best,
                best_match_id=r.best_match_id,
                average=r.average,
                scores=dict(r.scores),
            )
            for r in report
        ],
    )


@tickets_router.post("/{ticket_id}/convert-to-lead", response_model=ConvertOut)
def convert_to_lead(ticket_id: PathId, body: ConvertIn, session: Db, user: Staff) -> ConvertOut:
    """O7: a lead made of the ticket, which is archived and links to it."""
    ticket = get_visible_ticket(session, user, ticket_id)
    lead = service.convert_to_lead(session, user, ticket, **body.model_dump())
    session.commit()
    return ConvertOut(lead_id=lead.id, ticket=TicketOut.model_validate(ticket))


@tickets_router.post("/{ticket_id}/tags", response_model=TicketDetail)
def tags(ticket_id: PathId, body: TagsIn, session: Db, user: Staff) -> TicketDetail:
    """E2: add and remove tags as a set."""
    ticket = get_visible_ticket(session, user, ticket_id)
    service.change_tags(session, user, ticket, add=body.add, remove=body.remove)
    return _committed_detail(session, ticket)


# --- conversation --------------------------------------------------------------------------


@tickets_router.get("/{ticket_id}/messages", response_model=MessagePage)
def list_messages(
    ticket_id: PathId,
    session: Db,
    user: Staff,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    after: Annotated[str | None, Query(max_length=500)] = None,
) -> MessagePage:
    """The conversation, oldest first; staff see every kind, notes and events too."""
    ticket = get_visible_ticket(session, user, ticket_id)
    rows, cursor = message_service.message_page(session, user, ticket, limit=limit, after=after)
    return MessagePage(items=[MessageOut.model_validate(m) for m in rows], next=cursor)


@tickets_router.post("/{ticket_id}/messages", status_code=201, response_model=MessageOut)
def post_message(ticket_id: PathId, body: MessageIn, session: Db, user: Staff) -> MessageOut:
    """An agent reply (mailed to the customer, S7/I4) or an internal note (never, S6)."""
    ticket = get_visible_ticket(session, user, ticket_id)
    if not body.body.strip():
        raise ValidationError("body", "The message is empty.", code="required")
    message = message_service.post_message(
        session, user, ticket, kind=MessageKind(body.kind), body=body.body, message_id=body.id
    )
    session.commit()
    return MessageOut.model_validate(message)


# --- files -------------------------------------------------------------------------------


def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


@tickets_router.get("/{ticket_id}/attachments", response_model=list[AttachmentOut])
def list_attachments(ticket_id: PathId, session: Db, user: Staff) -> list[AttachmentOut]:
    ticket = get_visible_ticket(session, user, ticket_id)
    rows = session.scalars(
        select(Attachment)
        .where(Attachment.ticket_id == ticket.id)
        .order_by(Attachment.created_at, Attachment.id)
    )
    return [AttachmentOut.model_validate(a) for a in rows]


@tickets_router.post("/{ticket_id}/attachments", status_code=201, response_model=AttachmentOut)
def upload(
    *,
    request: Request,
    ticket_id: PathId,
    session: Db,
    user: Staff,
    file: Annotated[UploadFile, File(description="the file, as multipart/form-data")],
    message_id: Annotated[str | None, Form(max_length=64)] = None,
) -> AttachmentOut:
    """C2, I2: one file, kept once per content hash. A body over the server's upload
    limit is refused with 413 before it is read."""
    ticket = get_visible_ticket(session, user, ticket_id)
    attachment = attachment_service.add_attachment(
        session,
        _store(request),
        user,
        ticket,
        filename=file.filename or "",
        data=file.file,
        mime_type=file.content_type,
        message_id=message_id,
    )
    session.commit()
    return AttachmentOut.model_validate(attachment)


@files_router.get("/{content_hash}", response_model=None, operation_id="download_attachment")
@files_router.head("/{content_hash}", response_model=None, operation_id="head_attachment")
def download(request: Request, content_hash: str, session: Db, user: CurrentUser) -> Response:
    """The bytes of a file, only for someone who may see a ticket holding it, or for the
    staff member who uploaded them (`PUT`, before naming them on a ticket); for anyone
    else 404, as for a hash the server never saw (O3). Sent as an attachment with
    `nosniff`, so a browser never runs what was uploaded."""
    attachment = attachment_service.readable_file(session, user, content_hash)
    path = attachment_service.blob_path(_store(request), attachment)
    return FileResponse(
        path,
        media_type=attachment.mime_type,
        filename=attachment.filename,
        headers={
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=0",
            "ETag": f'"{attachment.content_hash}"',
        },
    )


class BlobOut(BaseModel):
    content_hash: str
    size: int


@files_router.put(
    "/{content_hash}", status_code=201, response_model=BlobOut, operation_id="upload_blob"
)
def upload_blob(
    *,
    request: Request,
    content_hash: str,
    user: Staff,
    session: Db,
    file: Annotated[UploadFile, File(description="the file, as multipart/form-data")],
) -> BlobOut:
    """C2, I2: the bytes of a file added offline, named by their SHA-256, sent before the
    pushed `attachment.create` that names them on a ticket. Bytes that do not hash to
    `content_hash` are refused (422) and not kept; sending the same bytes again is
    harmless. A body over the server's upload limit is refused with 413 before it is
    read. Staff only; the bytes reach nobody but the uploader until an attachment row
    names them on a ticket, and who uploaded which hash is recorded: only the uploader (or
    someone who may see a ticket holding the hash) may name it in `attachment.create`."""
    check_hash(content_hash)
    digest = hashlib.file_digest(file.file, "sha256").hexdigest()  # type: ignore[arg-type]
    if digest != content_hash:
        raise ValidationError(
            "file", "The file's bytes do not match its hash.", code="hash_mismatch"
        )
    file.file.seek(0)
    _store(request).put(file.file)
    attachment_service.record_upload(session, user, content_hash)
    session.commit()
    return BlobOut(content_hash=content_hash, size=_store(request).path_for(digest).stat().st_size)


router = APIRouter()
router.include_router(tickets_router)
router.include_router(files_router)
