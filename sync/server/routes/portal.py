"""The customer portal (S9, C1-C5) and the public web form (S2).

/portal/... needs a portal login (role `portal`, the login of one contact): the customer
files tickets to a department and subject, lists and reads their own (only replies,
never internal notes or system events: S6), answers, marks an answer resolved or not
resolved and rates it (C5). A ticket the customer may not see answers 404 (O3).

/portal/form/... needs no login: the page (right-to-left, Persian), its script, style and
font, the department/subject catalogue, and POST /portal/form/tickets, which checks
every field again. That endpoint is capped two ways so it cannot be flooded: the whole
submission, file included, is at most the server's `max_body_bytes` (1 MiB by default;
413 beyond), and a sliding window allows `SubmitLimiter.per_client` submissions per client
address and `overall` in total per window (10 and 300 per 10 minutes; 429 with
Retry-After beyond), counted per server process.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from pydantic import ValidationError as PydanticError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from core.blobs import BlobStore
from core.enums import CustomerState, MessageKind, Status, Visibility
from core.errors import NotFoundError
from core.models import Attachment, Contact, Department, Message, Subject, Team, Ticket, User
from core.read_state import mark_viewed_by_customer
from sync.server.deps import Config, Customer, Db
from sync.server.errors import error_body
from sync.server.schemas import ID_PATTERN, MAX_TEXT, Id, Text
from sync.server.services import messages as message_service
from sync.server.services import portal as service
from sync.server.services.tickets import TicketFilter, get_visible_ticket, ticket_page

router = APIRouter(prefix="/portal", tags=["portal"])

WEBFORM_DIR = Path(__file__).resolve().parent.parent / "webform"
FORM_ASSETS = {"form.js": "text/javascript", "form.css": "text/css"}
FONT_FILES = ("Vazirmatn-Regular.ttf", "Vazirmatn-Bold.ttf")
# the page loads nothing from elsewhere and runs no inline script
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; "
        "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
DETAIL_MESSAGES = 200


# --- bodies --------------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PortalTicketIn(Strict):
    """C1, C2, I2: department, one of its subjects, urgency (0 low, 1 normal, 2 high)."""

    department_id: Id
    subject_id: Id
    urgency: Annotated[StrictInt, Field(ge=0, le=2)]
    # core checks emptiness and length with its own codes; these caps keep absurd sizes out
    title: Annotated[Text, Field(max_length=10_000)]
    text: Annotated[Text, Field(max_length=MAX_TEXT)]


class ReplyIn(Strict):
    text: Annotated[Text, Field(max_length=MAX_TEXT)]


class ResolveIn(Strict):
    """C5: the answer solved it; `rating` 1-5 (core refuses others with `out_of_range`)."""

    rating: StrictInt
    comment: Annotated[Text, Field(max_length=10_000)] | None = None


class NotResolvedIn(Strict):
    """C5: the answer did not solve it; `text` says what is still wrong."""

    text: Annotated[Text, Field(max_length=MAX_TEXT)]
    rating: StrictInt | None = None


class WebFormIn(Strict):
    """S2: the public form. Text fields may arrive empty: core names what is missing."""

    name: Annotated[Text, Field(max_length=10_000)] = ""
    email: Annotated[Text, Field(max_length=1_000)] = ""
    mobile: Annotated[Text, Field(max_length=1_000)] | None = None
    department_id: Annotated[str, Field(max_length=64)] = ""
    subject_id: Annotated[str, Field(max_length=64)] = ""
    urgency: Annotated[int, Field(ge=0, le=2)] = 1
    title: Annotated[Text, Field(max_length=10_000)] = ""
    text: Annotated[Text, Field(max_length=MAX_TEXT)] = ""


# --- answers -------------------------------------------------------------------------------


class Named(BaseModel):
    id: str
    name: str


class CatalogDepartmentOut(BaseModel):
    id: str
    name: str
    category: str | None
    subjects: list[Named]


class UrgencyOut(BaseModel):
    value: int
    code: str


class CatalogOut(BaseModel):
    departments: list[CatalogDepartmentOut]
    urgencies: list[UrgencyOut]


class FormCatalogOut(CatalogOut):
    # the largest submission the form may send, file included (413 beyond)
    max_bytes: int


class TeamPublicOut(BaseModel):
    """What a customer may know of a team (O2): its name and public description."""

    name: str
    public_description: str | None


class PortalTicketOut(BaseModel):
    """A ticket as its customer sees it: no assignee, severity, impact, priority, custom
    fields, followers or team internals."""

    id: str
    number: int | None
    title: str
    description: str
    status: str
    urgency: int | None
    department: Named | None
    subject: Named | None
    team: TeamPublicOut | None
    channel: str
    staff_state: str
    customer_state: str
    unread: bool
    resolution: str | None
    rating: int | None
    rating_comment: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class PortalTicketPage(BaseModel):
    items: list[PortalTicketOut]
    next: str | None


class PortalMessageOut(BaseModel):
    id: str
    kind: str
    from_desk: bool
    author_name: str | None
    body: str
    created_at: datetime


class PortalMessagePage(BaseModel):
    items: list[PortalMessageOut]
    next: str | None


class PortalAttachmentOut(BaseModel):
    id: str
    message_id: str | None
    filename: str
    mime_type: str
    size: int
    content_hash: str
    url: str
    created_at: datetime


class PortalTicketDetail(PortalTicketOut):
    messages: list[PortalMessageOut]
    # more of the conversation: GET /portal/tickets/{id}/messages?after=<this>
    messages_next: str | None
    attachments: list[PortalAttachmentOut]
    # C5: only the customer who sent it may mark it resolved / not resolved
    can_resolve: bool


class WebFormOut(BaseModel):
    number: int
    message: str


# --- views ---------------------------------------------------------------------------------


def _by_id(session: Session, model: Any, ids: set[str]) -> dict[str, Any]:
    ids.discard("")
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def portal_tickets(session: Session, tickets: list[Ticket]) -> list[PortalTicketOut]:
    """The customer's view of each ticket; names of departments, subjects and public
    teams read in one query each."""
    departments = _by_id(session, Department, {t.department_id or "" for t in tickets})
    subjects = _by_id(session, Subject, {t.subject_id or "" for t in tickets})
    teams = _by_id(session, Team, {t.team_id or "" for t in tickets})
    out = []
    for t in tickets:
        dep = departments.get(t.department_id or "")
        sub = subjects.get(t.subject_id or "")
        team = teams.get(t.team_id or "")
        out.append(
            PortalTicketOut(
                id=t.id,
                number=t.number,
                title=t.title,
                description=t.description,
                status=Status(t.status).value,
                urgency=t.urgency,
                department=Named(id=dep.id, name=dep.name) if dep else None,
                subject=Named(id=sub.id, name=sub.name) if sub else None,
                # O2/O3: only a public team is shown to customers, and only its public face
                team=TeamPublicOut(name=team.name, public_description=team.public_description)
                if team is not None and team.visibility is Visibility.PUBLIC
                else None,
                channel=t.channel.value,
                staff_state=t.staff_state.value,
                customer_state=t.customer_state.value,
                unread=t.customer_state is CustomerState.UNREAD,
                resolution=t.resolution.value if t.resolution else None,
                rating=t.rating,
                rating_comment=t.rating_comment,
                created_at=t.created_at,
                updated_at=t.updated_at,
                closed_at=t.closed_at,
            )
        )
    return out


def portal_messages(session: Session, messages: list[Message]) -> list[PortalMessageOut]:
    """Replies with who wrote them: the agent's display name or the contact's name."""
    users = _by_id(session, User, {m.author_user_id or "" for m in messages})
    contacts = _by_id(session, Contact, {m.author_contact_id or "" for m in messages})
    out = []
    for m in messages:
        author = users.get(m.author_user_id or "") or contacts.get(m.author_contact_id or "")
        name = getattr(author, "display_name", None) or getattr(author, "name", None)
        out.append(
            PortalMessageOut(
                id=m.id,
                kind=m.kind.value,
                from_desk=m.kind is MessageKind.AGENT_REPLY,
                author_name=name,
                body=m.body,
                created_at=m.created_at,
            )
        )
    return out


def portal_attachment(request: Request, a: Attachment) -> PortalAttachmentOut:
    return PortalAttachmentOut(
        id=a.id,
        message_id=a.message_id,
        filename=a.filename,
        mime_type=a.mime_type,
        size=a.size,
        content_hash=a.content_hash,
        url=f"{request.scope.get('root_path', '')}/api/v1/attachments/{a.content_hash}",
        created_at=a.created_at,
    )


def portal_detail(
    request: Request, session: Session, user: User, ticket: Ticket
) -> PortalTicketDetail:
    base = portal_tickets(session, [ticket])[0]
    rows, cursor = message_service.message_page(
        session, user, ticket, limit=DETAIL_MESSAGES, after=None
    )
    return PortalTicketDetail(
        **base.model_dump(),
        messages=portal_messages(session, rows),
        messages_next=cursor,
        attachments=[
            portal_attachment(request, a) for a in service.public_attachments(session, ticket)
        ],
        can_resolve=service.is_requester(session, user, ticket),
    )


def catalog_out(session: Session) -> CatalogOut:
    return CatalogOut(
        departments=[
            CatalogDepartmentOut(
                id=d.id,
                name=d.name,
                category=d.category,
                subjects=[Named(id=s.id, name=s.name) for s in d.subjects],
            )
            for d in service.catalog(session)
        ],
        urgencies=[UrgencyOut(value=v, code=c) for v, c in service.urgency_choices()],
    )


def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.blobs
    return store


# --- the portal ----------------------------------------------------------------------------


@router.get("/catalog", response_model=CatalogOut)
def get_catalog(session: Db, user: Customer) -> CatalogOut:
    """C1: active departments with their subjects, and the urgency choices."""
    return catalog_out(session)


@router.post("/tickets", status_code=201, response_model=PortalTicketDetail)
def create_ticket(
    request: Request, body: PortalTicketIn, session: Db, user: Customer
) -> PortalTicketDetail:
    """C1, S9: a ticket to a department about one of its subjects. It starts with the
    department's team (unassigned unless the team assigns automatically, S3) and the
    customer follows it. Files: POST /portal/tickets/{id}/attachments."""
    ticket = service.create_portal_ticket(session, user, **body.model_dump())
    session.commit()
    return portal_detail(request, session, user, ticket)


@router.get("/tickets", response_model=PortalTicketPage)
def list_tickets(
    *,
    session: Db,
    user: Customer,
    status: Status | None = None,
    archived: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[str | None, Query(max_length=500)] = None,
) -> PortalTicketPage:
    """C4 "my interactions": the customer's tickets, most recently changed first."""
    rows, cursor = ticket_page(
        session,
        user,
        TicketFilter(status=status, archived=archived),
        limit=limit,
        after=after,
    )
    return PortalTicketPage(items=portal_tickets(session, rows), next=cursor)


@router.get("/tickets/{ticket_id}", response_model=PortalTicketDetail)
def get_ticket(request: Request, ticket_id: str, session: Db, user: Customer) -> PortalTicketDetail:
    """The ticket with its replies (S6: no notes, no system events) and files. Reading
    it marks it read by the customer (I6)."""
    ticket = get_visible_ticket(session, user, ticket_id)
    if mark_viewed_by_customer(ticket):
        session.commit()
    return portal_detail(request, session, user, ticket)


@router.get("/tickets/{ticket_id}/messages", response_model=PortalMessagePage)
def list_messages(
    ticket_id: str,
    session: Db,
    user: Customer,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    after: Annotated[str | None, Query(max_length=500)] = None,
) -> PortalMessagePage:
    ticket = get_visible_ticket(session, user, ticket_id)
    rows, cursor = message_service.message_page(session, user, ticket, limit=limit, after=after)
    return PortalMessagePage(items=portal_messages(session, rows), next=cursor)


@router.post("/tickets/{ticket_id}/replies", status_code=201, response_model=PortalMessageOut)
def post_reply(ticket_id: str, body: ReplyIn, session: Db, user: Customer) -> PortalMessageOut:
    """C4, I5: the customer's answer, in the same ticket; staff see it unread (I6)."""
    ticket = get_visible_ticket(session, user, ticket_id)
    message = service.reply(session, user, ticket, body.text)
    session.commit()
    return portal_messages(session, [message])[0]


@router.post("/tickets/{ticket_id}/resolve", response_model=PortalTicketDetail)
def resolve(
    request: Request, ticket_id: str, body: ResolveIn, session: Db, user: Customer
) -> PortalTicketDetail:
    """C5: the answer solved it: the ticket closes with the customer's rating."""
    ticket = get_visible_ticket(session, user, ticket_id)
    service.resolve(session, user, ticket, rating=body.rating, comment=body.comment)
    session.commit()
    return portal_detail(request, session, user, ticket)


@router.post("/tickets/{ticket_id}/not-resolved", response_model=PortalTicketDetail)
def not_resolved(
    request: Request, ticket_id: str, body: NotResolvedIn, session: Db, user: Customer
) -> PortalTicketDetail:
    """C5: the answer did not solve it: the ticket reopens with `text` as a new post."""
    ticket = get_visible_ticket(session, user, ticket_id)
    service.not_resolved(session, user, ticket, text=body.text, rating=body.rating)
    session.commit()
    return portal_detail(request, session, user, ticket)


@router.post(
    "/tickets/{ticket_id}/attachments", status_code=201, response_model=PortalAttachmentOut
)
def upload(
    *,
    request: Request,
    ticket_id: str,
    session: Db,
    user: Customer,
    file: Annotated[UploadFile, File(description="the file, as multipart/form-data")],
    message_id: Annotated[str | None, Form(max_length=64, pattern=ID_PATTERN)] = None,
) -> PortalAttachmentOut:
    """C2, I2: a receipt or screenshot on the customer's ticket (or one of their own
    replies). Over the server's upload limit: 413 before it is read."""
    ticket = get_visible_ticket(session, user, ticket_id)
    attachment = service.add_customer_file(
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
    return portal_attachment(request, attachment)


# --- the public web form (S2) --------------------------------------------------------------


def _asset(path: Path, media_type: str) -> Response:
    if not path.is_file():
        raise NotFoundError("No such file.")
    return FileResponse(
        path, media_type=media_type, headers={**PAGE_HEADERS, "Cache-Control": "no-cache"}
    )


def font_dir() -> Path | None:
    """desktop/resources/fonts, found without importing the desktop package (the server
    does not depend on Qt); None when the desktop package is not installed."""
    spec = importlib.util.find_spec("desktop")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "fonts"


@router.get("/form", response_class=FileResponse, include_in_schema=False)
def form_page() -> Response:
    """The web form: Persian, right to left; works without a login."""
    return _asset(WEBFORM_DIR / "index.html", "text/html; charset=utf-8")


@router.get("/form/catalog", response_model=FormCatalogOut)
def form_catalog(session: Db, config: Config) -> FormCatalogOut:
    """The departments, subjects and urgencies the web form offers (no login), and the
    size cap of a submission."""
    return FormCatalogOut(**catalog_out(session).model_dump(), max_bytes=config.max_body_bytes)


@router.get("/form/fonts/{name}", include_in_schema=False)
def form_font(name: str) -> Response:
    folder = font_dir()
    if name not in FONT_FILES or folder is None:
        raise NotFoundError("No such file.")
    return _asset(folder / name, "font/ttf")


@router.get("/form/{name}", include_in_schema=False)
def form_asset(name: str) -> Response:
    if name not in FORM_ASSETS:
        raise NotFoundError("No such file.")
    return _asset(WEBFORM_DIR / name, f"{FORM_ASSETS[name]}; charset=utf-8")


def submit_limiter(request: Request) -> service.SubmitLimiter:
    """The app's limiter, made on first use (tests put a stricter one in place)."""
    state = request.app.state
    limiter: service.SubmitLimiter | None = getattr(state, "webform_limiter", None)
    if limiter is None:
        limiter = state.webform_limiter = service.SubmitLimiter()
    return limiter


async def _read_submission(
    request: Request,
) -> tuple[dict[str, Any], tuple[str, bytes, str | None] | None]:
    """The fields and the optional file, from multipart/urlencoded or JSON."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        async with request.form(max_files=1, max_fields=20) as form:
            fields: dict[str, Any] = {}
            upload: tuple[str, bytes, str | None] | None = None
            for key, value in form.multi_items():
                if isinstance(value, StarletteUpload):
                    if key != "file":
                        fields[key] = "file"  # an unknown field: refused below
                    elif value.filename:
                        upload = (value.filename, await value.read(), value.content_type)
                else:
                    fields[key] = value
            return fields, upload
    try:
        data = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"__malformed__": True}, None
    if not isinstance(data, dict):
        return {"__malformed__": True}, None
    return data, None


def _invalid_response(exc: service.WebFormInvalid) -> JSONResponse:
    errors = [{"field": e.field, "code": e.code, "message": e.message} for e in exc.errors]
    body = error_body(exc.code, exc.message, field=exc.field, errors=errors)
    return JSONResponse(body, status_code=422)


def _file_ticket(
    request: Request, form: service.WebFormInput, upload: tuple[str, bytes, str | None] | None
) -> int:
    """The database work of a submission (run off the event loop): check, create, attach,
    commit; returns the ticket's number."""
    sessions = request.app.state.sessions
    with sessions() as session:
        if upload is not None:
            service.check_filename(upload[0])  # refused before anything is written
        ticket = service.create_web_form_ticket(session, form)
        session.flush()
        if upload is not None:
            name, data, mime = upload
            service.add_customer_file(
                session, _store(request), None, ticket, filename=name, data=data, mime_type=mime
            )
        session.commit()
        assert ticket.number is not None
        return ticket.number


def _form_body_schema() -> dict[str, Any]:
    """The request body for the OpenAPI page: the handler parses it itself, so that one
    path takes both a browser's multipart form (with a file) and JSON."""
    fields = WebFormIn.model_json_schema()
    multipart = {
        **fields,
        "properties": {**fields["properties"], "file": {"type": "string", "format": "binary"}},
    }
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {"schema": multipart},
                "application/json": {"schema": fields},
            },
        }
    }


@router.post(
    "/form/tickets",
    status_code=201,
    response_model=WebFormOut,
    openapi_extra=_form_body_schema(),
)
async def submit_form(request: Request) -> Response:
    """S2: a ticket from the public form (multipart with an optional `file`, or JSON).
    Every field is checked here again; all bad fields come back at once in
    `error.errors`. Capped per client and overall (429) and by body size (413)."""
    client = request.client.host if request.client else "unknown"
    try:
        submit_limiter(request).check(client)
    except service.RateLimited as exc:
        return JSONResponse(
            error_body(exc.code, exc.message),
            status_code=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    fields, upload = await _read_submission(request)
    if fields.get("__malformed__"):
        return JSONResponse(
            error_body("malformed_json", "The request body is not valid JSON."), status_code=400
        )
    try:
        body = WebFormIn.model_validate(fields)
    except PydanticError as exc:
        raise RequestValidationError(exc.errors()) from exc
    form = service.WebFormInput(**body.model_dump())
    try:
        number = await run_in_threadpool(_file_ticket, request, form, upload)
    except service.WebFormInvalid as exc:
        return _invalid_response(exc)
    return JSONResponse(
        {"number": number, "message": f"Your request was filed as ticket #{number}."},
        status_code=201,
    )
