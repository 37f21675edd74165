"""The customer portal and the public web form over HTTP on a real server (issue 3,
part 6): customers file tickets to a department and subject (C1, C2, S9), read only
their own tickets and only replies (O3, S6), answer (C4, I5), mark an answer resolved or
not and rate it (C5), and the read states move (I6). The public form (S2) re-checks
everything, finds or creates the contact, and is capped by size and rate."""

from __future__ import annotations

import hashlib
import json
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from core.conversation import add_system_event
from core.enums import (
    Category,
    Channel,
    CustomerState,
    MessageKind,
    Role,
    StaffState,
    Status,
    Visibility,
)
from core.models import (
    Attachment,
    Contact,
    Department,
    Message,
    Subject,
    TeamFollower,
    Ticket,
    TicketFollower,
    User,
)
from core.system_events import SystemEvent
from core.validation import clean_email
from sync.server.services.portal import RateLimited, SubmitLimiter
from tests.core.factories import make_contact, make_portal_user, make_team, make_user
from tests.sync.server_fixture import LiveServer, running_server


@dataclass
class Desk:
    team_id: str
    department_id: str
    subject_id: str
    other_subject_id: str  # a subject of another department
    closed_department_id: str
    closed_subject_id: str
    agent_id: str
    customer_id: str
    contact_id: str
    other_customer_id: str


def seed(server: LiveServer, *, visibility: Visibility = Visibility.COMPANY) -> Desk:
    with server.sessions() as session:
        team = make_team(session, "Finance desk", visibility=visibility)
        team.public_description = "Invoices and refunds"
        billing = Department(name="مالی", category=Category.FINANCE, team_id=team.id)
        tech = Department(name="فنی", category=Category.TECHNICAL)
        closed = Department(name="Old", active=False)
        session.add_all([billing, tech, closed])
        session.flush()
        invoice = Subject(department_id=billing.id, name="فاکتور", sequence=20)
        refund = Subject(department_id=billing.id, name="بازپرداخت", sequence=10)
        crash = Subject(department_id=tech.id, name="Crash")
        gone = Subject(department_id=closed.id, name="Gone")
        session.add_all([invoice, refund, crash, gone])
        agent = make_user(session, "Agent Smith")
        contact = make_contact(session, "Sara", email="sara@example.com", mobile="09120000000")
        customer = make_portal_user(session, contact)
        other = make_portal_user(session)
        session.commit()
        return Desk(
            team.id,
            billing.id,
            invoice.id,
            crash.id,
            closed.id,
            gone.id,
            agent.id,
            customer.id,
            contact.id,
            other.id,
        )


def client_of(server: LiveServer, user_id: str) -> httpx.Client:
    return server.client(server.token_for(user_id))


def new_ticket(client: httpx.Client, desk: Desk, **fields: Any) -> dict[str, Any]:
    body = {
        "department_id": desk.department_id,
        "subject_id": desk.subject_id,
        "urgency": 2,
        "title": "Invoice is wrong",
        "text": "The amount on invoice 12 is doubled.",
        **fields,
    }
    reply = client.post("/portal/tickets", json=body)
    assert reply.status_code == 201, reply.text
    data: dict[str, Any] = reply.json()
    return data


def ticket_count(server: LiveServer) -> int:
    with server.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Ticket)) or 0)


# --- create (C1, C2, S9) -------------------------------------------------------------------


def test_s9_c1_catalog_and_create_routes_to_the_department_and_follows(
    server: LiveServer,
) -> None:
    """C1: the catalogue lists active departments with their subjects in order; a ticket
    sent to a department lands with its team, numbered, and the customer follows it (S9)."""
    desk = seed(server)
    with client_of(server, desk.customer_id) as client:
        catalog = client.get("/portal/catalog")
        created = new_ticket(client, desk)
    assert catalog.status_code == 200, catalog.text
    departments = catalog.json()["departments"]
    assert [d["name"] for d in departments] == ["فنی", "مالی"]  # active only, by name
    billing = departments[1]
    assert [s["name"] for s in billing["subjects"]] == ["بازپرداخت", "فاکتور"]  # sequence
    assert billing["category"] == "finance"
    assert [u["code"] for u in catalog.json()["urgencies"]] == ["low", "normal", "high"]

    assert created["number"] is not None
    assert created["channel"] == "portal" and created["status"] == "new"
    assert created["department"] == {"id": desk.department_id, "name": "مالی"}
    assert created["subject"] == {"id": desk.subject_id, "name": "فاکتور"}
    assert created["urgency"] == 2 and created["can_resolve"] is True
    assert created["team"] is None  # a company team is not shown to customers (O3)
    for internal in ("assignee_id", "severity", "priority", "custom_values", "followers"):
        assert internal not in created
    with server.sessions() as session:
        ticket = session.get(Ticket, created["id"])
        assert ticket is not None
        assert ticket.team_id == desk.team_id and ticket.channel is Channel.PORTAL
        assert ticket.contact_id == desk.contact_id
        assert ticket.contact_email == "sara@example.com"
        assert ticket.description == "The amount on invoice 12 is doubled."
        assert ticket.created_by_id == desk.customer_id
        assert ticket.staff_state is StaffState.UNREAD  # I6: the customer's own
        follows = session.scalar(
            select(TicketFollower.id).where(
                TicketFollower.ticket_id == ticket.id,
                TicketFollower.contact_id == desk.contact_id,
            )
        )
        assert follows is not None


# (what the request changes, the field named, the code); "@name": that id of the desk
BAD_CREATES: list[tuple[dict[str, Any], str, str]] = [
    ({"subject_id": "@other_subject_id"}, "subject_id", "subject_not_in_department"),
    ({"department_id": "nope"}, "department_id", "not_found"),
    ({"department_id": "bad id!"}, "department_id", "invalid_request"),
    (
        {"department_id": "@closed_department_id", "subject_id": "@closed_subject_id"},
        "department_id",
        "not_found",
    ),
    ({"title": "   "}, "title", "required"),
    ({"title": "x" * 301}, "title", "too_long"),
    ({"text": ""}, "text", "required"),
    ({"urgency": 3}, "urgency", "invalid_request"),
    ({"urgency": "2"}, "urgency", "invalid_request"),
    ({"assignee_id": "x"}, "assignee_id", "invalid_request"),
]


def test_c1_bad_requests_are_refused_and_change_nothing(server: LiveServer) -> None:
    """A subject of another department, a missing or inactive department, an empty or
    long title, no text, a bad urgency or an unknown field: a clear 422, no ticket."""
    desk = seed(server)
    with client_of(server, desk.customer_id) as client:
        for change, field, code in BAD_CREATES:
            body: dict[str, Any] = {
                "department_id": desk.department_id,
                "subject_id": desk.subject_id,
                "urgency": 1,
                "title": "t",
                "text": "x",
            }
            for key, value in change.items():
                is_ref = isinstance(value, str) and value.startswith("@")
                body[key] = getattr(desk, value[1:]) if is_ref else value
            reply = client.post("/portal/tickets", json=body)
            assert reply.status_code == 422, (change, reply.text)
            error = reply.json()["error"]
            assert error["code"] == code, (change, error)
            if code == "invalid_request":
                assert field in error["message"]
            else:
                assert error["field"] == field
    assert ticket_count(server) == 0


def test_s9_only_portal_logins_use_the_portal(server: LiveServer) -> None:
    desk = seed(server)
    with client_of(server, desk.agent_id) as staff, server.client() as anonymous:
        assert staff.get("/portal/tickets").status_code == 403
        assert staff.post("/portal/tickets", json={}).status_code in (403, 422)
        assert anonymous.get("/portal/tickets").status_code == 401
        assert anonymous.get("/portal/catalog").status_code == 401
    with server.sessions() as session:  # a portal login that lost its contact
        orphan = make_user(session, role=Role.PORTAL)
        session.commit()
    with client_of(server, orphan.id) as client:
        reply = client.post(
            "/portal/tickets",
            json={
                "department_id": desk.department_id,
                "subject_id": desk.subject_id,
                "urgency": 1,
                "title": "t",
                "text": "x",
            },
        )
        assert reply.status_code == 403
        assert client.get("/portal/tickets").json()["items"] == []


# --- read (C4, S6, I6, O3) -----------------------------------------------------------------


def test_s6_i6_the_customer_reads_replies_only_and_reading_marks_read(
    server: LiveServer,
) -> None:
    """S6: internal notes, system events and files on notes never reach the customer;
    C4: the agent's answer does, with the agent's name; I6: reading marks it read."""
    desk = seed(server)
    with client_of(server, desk.customer_id) as customer, client_of(server, desk.agent_id) as agent:
        ticket = new_ticket(customer, desk)
        tid = ticket["id"]
        note = agent.post(
            f"/tickets/{tid}/messages",
            json={"kind": "internal_note", "body": "SECRET: customer is on the watch list"},
        )
        answer = agent.post(
            f"/tickets/{tid}/messages", json={"kind": "agent_reply", "body": "Fixed, sorry!"}
        )
        assert note.status_code == answer.status_code == 201, note.text
        secret_file = agent.post(
            f"/tickets/{tid}/attachments",
            files={"file": ("notes.txt", b"internal only", "text/plain")},
            data={"message_id": note.json()["id"]},
        )
        public_file = agent.post(
            f"/tickets/{tid}/attachments",
            files={"file": ("receipt.txt", b"refund receipt", "text/plain")},
            data={"message_id": answer.json()["id"]},
        )
        assert secret_file.status_code == public_file.status_code == 201
        with server.sessions() as session:
            row = session.get(Ticket, tid)
            assert row is not None
            add_system_event(session, row, SystemEvent.RESOLVED, rating="1")
            assert row.customer_state is CustomerState.UNREAD  # the answer is new to them
            session.commit()

        listed = customer.get("/portal/tickets").json()["items"]
        assert [t["id"] for t in listed] == [tid] and listed[0]["unread"] is True
        detail = customer.get(f"/portal/tickets/{tid}")
        messages = customer.get(f"/portal/tickets/{tid}/messages")
        secret_download = customer.get(f"/attachments/{secret_file.json()['content_hash']}")
        public_download = customer.get(f"/attachments/{public_file.json()['content_hash']}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert "SECRET" not in detail.text and "notes.txt" not in detail.text
    assert [m["kind"] for m in body["messages"]] == ["agent_reply"]
    assert body["messages"][0]["body"] == "Fixed, sorry!"
    assert body["messages"][0]["from_desk"] is True
    assert body["messages"][0]["author_name"] == "Agent Smith"
    assert [a["filename"] for a in body["attachments"]] == ["receipt.txt"]
    assert body["attachments"][0]["url"].endswith(public_file.json()["content_hash"])
    assert [m["kind"] for m in messages.json()["items"]] == ["agent_reply"]
    assert secret_download.status_code == 404
    assert public_download.status_code == 200 and public_download.content == b"refund receipt"
    assert body["customer_state"] == "read" and body["unread"] is False
    with server.sessions() as session:
        row = session.get(Ticket, tid)
        assert row is not None and row.customer_state is CustomerState.READ


def test_o3_another_customers_ticket_is_missing_everywhere(server: LiveServer) -> None:
    """O3: every path to another customer's ticket answers 404, and nothing changes."""
    desk = seed(server)
    with client_of(server, desk.other_customer_id) as other:
        theirs = new_ticket(other, desk, title="Their own")
    tid = theirs["id"]
    with server.sessions() as session:
        before = session.get(Ticket, tid)
        assert before is not None
        version = before.version
    with client_of(server, desk.customer_id) as client:
        mine = new_ticket(client, desk, title="Mine")
        answers = [
            client.get(f"/portal/tickets/{tid}"),
            client.get(f"/portal/tickets/{tid}/messages"),
            client.post(f"/portal/tickets/{tid}/replies", json={"text": "hi"}),
            client.post(f"/portal/tickets/{tid}/resolve", json={"rating": 5}),
            client.post(f"/portal/tickets/{tid}/not-resolved", json={"text": "no"}),
            client.post(
                f"/portal/tickets/{tid}/attachments",
                files={"file": ("a.txt", b"x", "text/plain")},
            ),
            client.get("/portal/tickets/does-not-exist"),
            client.get("/portal/tickets/..%2f..%2fetc"),
        ]
        listed = client.get("/portal/tickets").json()["items"]
    for answer in answers:
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "not_found"
    assert [t["id"] for t in listed] == [mine["id"]]
    with server.sessions() as session:
        row = session.get(Ticket, tid)
        assert row is not None and row.version == version and row.status is Status.NEW
        assert session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_o3_public_team_follower_reads_but_cannot_resolve_anothers_ticket(
    server: LiveServer,
) -> None:
    """O3: a customer invited to a public team reads its tickets (with its public face,
    O2), but only the ticket's own customer marks it resolved (C5)."""
    desk = seed(server, visibility=Visibility.PUBLIC)
    with server.sessions() as session:
        other = session.get(User, desk.other_customer_id)
        assert other is not None
        session.add(TeamFollower(team_id=desk.team_id, contact_id=other.contact_id))
        session.commit()
    with client_of(server, desk.customer_id) as client:
        mine = new_ticket(client, desk)
    assert mine["team"] == {"name": "Finance desk", "public_description": "Invoices and refunds"}
    with client_of(server, desk.other_customer_id) as other_client:
        seen = other_client.get(f"/portal/tickets/{mine['id']}")
        refused = other_client.post(f"/portal/tickets/{mine['id']}/resolve", json={"rating": 1})
    assert seen.status_code == 200 and seen.json()["can_resolve"] is False
    assert refused.status_code == 403
    with server.sessions() as session:
        row = session.get(Ticket, mine["id"])
        assert row is not None and row.status is Status.NEW and row.rating is None


# --- reply and verdict (C4, I5, C5) --------------------------------------------------------


def test_c4_i5_reply_stays_in_the_ticket_and_is_unread_for_staff(server: LiveServer) -> None:
    desk = seed(server)
    with client_of(server, desk.customer_id) as client, client_of(server, desk.agent_id) as agent:
        ticket = new_ticket(client, desk)
        tid = ticket["id"]
        assert agent.get(f"/tickets/{tid}").status_code == 200
        agent.post(f"/tickets/{tid}/messages", json={"kind": "agent_reply", "body": "Which one?"})
        empty = client.post(f"/portal/tickets/{tid}/replies", json={"text": "  "})
        reply = client.post(f"/portal/tickets/{tid}/replies", json={"text": "Invoice ۱۲"})
        extra = client.post(f"/portal/tickets/{tid}/replies", json={"text": "x", "kind": "note"})
        upload = client.post(
            f"/portal/tickets/{tid}/attachments",
            files={"file": ("shot.png", b"\x89PNG fake", "image/png")},
            data={"message_id": reply.json()["id"]},
        )
        detail = client.get(f"/portal/tickets/{tid}").json()
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"
    assert extra.status_code == 422
    assert reply.status_code == 201, reply.text
    assert reply.json()["kind"] == "customer_reply" and reply.json()["from_desk"] is False
    assert reply.json()["author_name"] == "Sara"
    assert upload.status_code == 201, upload.text
    assert [m["body"] for m in detail["messages"]] == ["Which one?", "Invoice ۱۲"]
    assert detail["attachments"][0]["message_id"] == reply.json()["id"]
    with server.sessions() as session:
        row = session.get(Ticket, tid)
        assert row is not None and row.staff_state is StaffState.UNREAD
        message = session.get(Message, reply.json()["id"])
        assert message is not None and message.author_contact_id == desk.contact_id
        assert message.channel is Channel.PORTAL
        stored = session.scalars(select(Attachment)).one()
        assert stored.content_hash == hashlib.sha256(b"\x89PNG fake").hexdigest()


def test_c5_resolved_closes_with_rating_and_not_resolved_reopens(server: LiveServer) -> None:
    """C5: "resolved" closes the ticket with a 1-5 rating (refused twice and outside
    1-5); "not resolved" reopens it with the customer's text as a new post."""
    desk = seed(server)
    with client_of(server, desk.customer_id) as client, client_of(server, desk.agent_id) as agent:
        tid = new_ticket(client, desk)["id"]
        agent.post(f"/tickets/{tid}/messages", json={"kind": "agent_reply", "body": "Done."})
        bad = client.post(f"/portal/tickets/{tid}/resolve", json={"rating": 6})
        missing = client.post(f"/portal/tickets/{tid}/resolve", json={})
        resolved = client.post(
            f"/portal/tickets/{tid}/resolve", json={"rating": 4, "comment": " quick "}
        )
        twice = client.post(f"/portal/tickets/{tid}/resolve", json={"rating": 5})
        empty = client.post(f"/portal/tickets/{tid}/not-resolved", json={"text": " "})
        reopened = client.post(
            f"/portal/tickets/{tid}/not-resolved",
            json={"text": "Still doubled on the new invoice.", "rating": 2},
        )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "out_of_range"
    assert missing.status_code == 422
    assert resolved.status_code == 200, resolved.text
    done = resolved.json()
    assert done["status"] == "closed" and done["resolution"] == "resolved"
    assert done["rating"] == 4 and done["rating_comment"] == "quick"
    assert [m["kind"] for m in done["messages"]] == ["agent_reply"]  # no system event (S6)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_resolved"
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"
    assert reopened.status_code == 200, reopened.text
    again = reopened.json()
    assert again["status"] == "in_progress" and again["resolution"] == "not_resolved"
    assert again["rating"] == 2
    assert again["messages"][-1]["body"] == "Still doubled on the new invoice."
    with server.sessions() as session:
        row = session.get(Ticket, tid)
        assert row is not None and row.staff_state is StaffState.UNREAD
        kinds = session.scalars(
            select(Message.kind).where(Message.ticket_id == tid).order_by(Message.created_at)
        ).all()
        assert MessageKind.SYSTEM_EVENT in kinds  # recorded for staff, hidden from the customer


def test_c2_upload_over_the_limit_is_413_and_stores_nothing(tmp_path: Path) -> None:
    with running_server(
        f"sqlite:///{tmp_path / 'small.sqlite3'}", tmp_path, max_upload_bytes=2_000
    ) as server:
        desk = seed(server)
        with client_of(server, desk.customer_id) as client:
            tid = new_ticket(client, desk)["id"]
            empty = client.post(
                f"/portal/tickets/{tid}/attachments",
                files={"file": ("empty.txt", b"", "text/plain")},
            )
        status, big = declared_post(server, f"/portal/tickets/{tid}/attachments", 5_000)
        assert status == 413 and big["error"]["code"] == "too_large"
        assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_file"
        with server.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Attachment)) == 0


# --- the public web form (S2) --------------------------------------------------------------


def form_fields(desk: Desk, **fields: Any) -> dict[str, Any]:
    return {
        "name": "علی رضایی",
        "email": "Ali@Example.COM",
        "mobile": "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "department_id": desk.department_id,
        "subject_id": desk.subject_id,
        "urgency": 0,
        "title": "پرداخت ناموفق",
        "text": "مبلغ کسر شد ولی سفارش ثبت نشد.",
        **fields,
    }


def test_s2_web_form_files_a_ticket_and_finds_or_creates_the_contact(
    server: LiveServer,
) -> None:
    """S2: no login; the contact is found by email (any case) or created; the form cannot
    rename an existing contact; multipart carries a file."""
    desk = seed(server)
    with server.client() as anonymous:
        catalog = anonymous.get("/portal/form/catalog")
        first = anonymous.post("/portal/form/tickets", json=form_fields(desk))
        second = anonymous.post(
            "/portal/form/tickets",
            data=form_fields(desk, name="Someone else", email="ali@example.com", urgency="2"),
            files={"file": ("رسید.pdf", b"%PDF-1.4 receipt", "application/pdf")},
        )
        known = anonymous.post(
            "/portal/form/tickets", json=form_fields(desk, email="sara@example.com", mobile="")
        )
    assert catalog.status_code == 200
    assert catalog.json()["max_bytes"] == server.config.max_body_bytes
    assert [d["name"] for d in catalog.json()["departments"]] == ["فنی", "مالی"]
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert second.json()["number"] == first.json()["number"] + 1
    assert known.status_code == 201, known.text
    assert set(first.json()) == {"number", "message"}  # nothing else disclosed
    with server.sessions() as session:
        tickets = session.scalars(select(Ticket).order_by(Ticket.number)).all()
        assert [t.channel for t in tickets] == [Channel.WEB_FORM] * 3
        a, b, c = tickets
        assert a.contact_id == b.contact_id and a.contact_id is not None
        contact = session.get(Contact, a.contact_id)
        assert contact is not None
        assert contact.name == "علی رضایی" and contact.email == clean_email("Ali@Example.COM")
        assert contact.mobile == "0912 345 6789"
        assert a.contact_mobile == "0912 345 6789" and a.urgency == 0 and b.urgency == 2
        assert a.team_id == desk.team_id and a.department_id == desk.department_id
        assert a.description == "مبلغ کسر شد ولی سفارش ثبت نشد."
        assert a.staff_state is StaffState.UNREAD
        assert c.contact_id == desk.contact_id
        sara = session.get(Contact, desk.contact_id)
        assert sara is not None and sara.name == "Sara"  # not renamed by an anonymous form
        files = session.scalars(select(Attachment)).all()
        assert [(f.ticket_id, f.filename) for f in files] == [(b.id, "رسید.pdf")]
        creator = session.get(User, a.created_by_id)
        assert creator is not None and not creator.active and creator.password_hash is None


def test_s2_web_form_refuses_bad_fields_all_at_once_and_writes_nothing(
    server: LiveServer,
) -> None:
    desk = seed(server)
    with server.client() as anonymous:
        bad = anonymous.post(
            "/portal/form/tickets",
            json=form_fields(desk, email="ali@example", name=" ", mobile="call me", title=""),
        )
        wrong_subject = anonymous.post(
            "/portal/form/tickets", json=form_fields(desk, subject_id=desk.other_subject_id)
        )
        unknown = anonymous.post("/portal/form/tickets", json=form_fields(desk, admin=True))
        nul = anonymous.post("/portal/form/tickets", json=form_fields(desk, text="a\x00b"))
        malformed = anonymous.post(
            "/portal/form/tickets",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        bad_file = anonymous.post(
            "/portal/form/tickets",
            data=form_fields(desk),
            files={"file": ("empty.txt", b"", "text/plain")},
        )
    assert bad.status_code == 422, bad.text
    error = bad.json()["error"]
    assert error["code"] == "required" and error["field"] == "name"
    assert {(e["field"], e["code"]) for e in error["errors"]} == {
        ("name", "required"),
        ("email", "email_invalid"),
        ("mobile", "mobile_invalid"),
        ("title", "required"),
    }
    assert wrong_subject.status_code == 422
    assert wrong_subject.json()["error"]["code"] == "subject_not_in_department"
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "invalid_request"
    assert nul.status_code == 422
    assert malformed.status_code == 400
    assert bad_file.status_code == 422 and bad_file.json()["error"]["code"] == "empty_file"
    assert ticket_count(server) == 0
    with server.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 2  # seeded only


def declared_post(server: LiveServer, path: str, length: int) -> tuple[int, dict[str, Any]]:
    """A POST that declares `length` bytes and sends none: the server must refuse it from
    the header alone. (Sending the bytes would race the early 413 against a connection
    reset, as the server closes without reading them.)"""
    url = urlsplit(server.url)
    assert url.hostname is not None and url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        head = (
            f"POST /api/v1{path} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        )
        sock.sendall(head.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    body = rest.partition(b"\r\n\r\n")[2]  # one JSON object, perhaps in one chunk
    return int(status_line.split()[1]), json.loads(body[body.find(b"{") : body.rfind(b"}") + 1])


def test_s2_web_form_is_capped_by_rate_and_size(sqlite_server: LiveServer) -> None:
    """The public endpoint cannot be flooded: the body size (413, before the handler
    runs) and submissions per client per window (429 with Retry-After); no writes."""
    server = sqlite_server
    desk = seed(server)
    server.app.state.webform_limiter = SubmitLimiter(per_client=2, overall=100, window=60)
    limit = server.config.max_body_bytes
    status, refused = declared_post(server, "/portal/form/tickets", limit + 1)
    with server.client() as anonymous:
        answers = [anonymous.post("/portal/form/tickets", json=form_fields(desk)) for _ in range(3)]
        cap = anonymous.get("/portal/form/catalog").json()["max_bytes"]
    assert status == 413 and refused["error"]["code"] == "too_large"
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].json()["error"]["code"] == "rate_limited"
    assert 1 <= int(answers[2].headers["retry-after"]) <= 60
    assert cap == limit  # what the page checks a file against before sending
    assert ticket_count(server) == 2


def test_s2_submit_limiter_window_slides() -> None:
    limiter = SubmitLimiter(per_client=2, overall=3, window=10, max_clients=2)
    limiter.check("a", now=0)
    limiter.check("a", now=1)
    with pytest.raises(RateLimited) as caught:
        limiter.check("a", now=2)
    assert caught.value.retry_after == 8
    limiter.check("b", now=2)
    with pytest.raises(RateLimited):  # overall cap: three in the window
        limiter.check("c", now=3)
    limiter.check("a", now=10.5)  # the first one left the window
    limiter.check("c", now=12)  # "c" pushes out an idle address, memory stays bounded
    assert len(limiter._clients) <= 2


def test_s2_web_form_page_and_assets_are_served_under_the_api(server: LiveServer) -> None:
    """The page is Persian and right to left, loads only its own script, style and font
    (a CSP forbids anything else) and needs no login."""
    with server.client() as anonymous:
        page = anonymous.get("/portal/form")
        script = anonymous.get("/portal/form/form.js")
        style = anonymous.get("/portal/form/form.css")
        font = anonymous.get("/portal/form/fonts/Vazirmatn-Regular.ttf")
        missing = [
            anonymous.get("/portal/form/index.py"),
            anonymous.get("/portal/form/fonts/OFL.txt"),
            anonymous.get("/portal/form/fonts/..%2f..%2f..%2fpyproject.toml"),
        ]
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="fa" dir="rtl">' in page.text
    assert "https://" not in page.text and "http://" not in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert style.status_code == 200 and "Vazirmatn" in style.text
    assert font.status_code == 200 and font.content[:4] == b"\x00\x01\x00\x00"
    assert [m.status_code for m in missing] == [404, 404, 404]
