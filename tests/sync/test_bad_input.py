"""Must show: bad input (malformed JSON, unknown fields, wrong types, oversized bodies,
invalid emails, a stale base version) gets a 4xx with a clear message and a stable code,
never a 500, and changes nothing. Each case runs against the ticket create, ticket
update and message endpoints of a real server, on SQLite and PostgreSQL (PostgreSQL is
the stricter one: it refuses NUL characters and over-long values that SQLite would store),
and compares the database before and after."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.enums import FieldKind
from core.ids import new_id
from core.models import (
    Attachment,
    Change,
    CustomFieldDef,
    Delivery,
    Message,
    Ticket,
    TicketFollower,
    TicketSubtype,
)
from sync.server import changelog
from tests.sync.server_fixture import LiveServer, running_server

EMAIL = "customer@example.com"
JSON = {"Content-Type": "application/json"}
Snapshot = tuple[tuple[int, ...], int, dict[str, Any]]


@pytest.fixture
def desk(server: LiveServer) -> Iterator[tuple[httpx.Client, dict[str, Any]]]:
    """An agent's client and one ticket of theirs with a customer to mail."""
    _agent, client = server.user_client()
    with client:
        reply = client.post("/tickets", json={"title": "Original", "contact_email": EMAIL})
        assert reply.status_code == 201, reply.text
        yield client, reply.json()


def snapshot(server: LiveServer, ticket_id: str) -> Snapshot:
    """Row counts of everything a write could touch, the change counter, and the ticket."""
    with server.sessions() as session:
        counts = tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Ticket, Message, Attachment, Delivery, TicketFollower, Change)
        )
        row = (
            session.execute(select(Ticket.__table__).where(Ticket.id == ticket_id)).mappings().one()
        )
        return counts, changelog.current_seq(session), dict(row)


def refused(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The reply is the expected refusal with a readable message; returns its error."""
    assert reply.status_code == status, reply.text
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and len(error["message"]) > 10
    return error


def endpoints(ticket_id: str) -> list[tuple[str, str]]:
    return [
        ("POST", "/tickets"),
        ("PATCH", f"/tickets/{ticket_id}"),
        ("POST", f"/tickets/{ticket_id}/messages"),
    ]


def test_malformed_json_is_400(server: LiveServer, desk: tuple[httpx.Client, Any]) -> None:
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    for method, path in endpoints(ticket["id"]):
        for raw in (b'{"title": "x",', b"{'title': 'x'}", b"\xff\xfe", b""):
            reply = client.request(method, path, content=raw, headers=JSON)
            if raw:
                error = refused(reply, 400, "malformed_json")
                assert "not valid JSON" in error["message"]
            else:  # an empty body is a missing body, not broken JSON
                refused(reply, 422, "invalid_request")
    assert snapshot(server, ticket["id"]) == before


def test_unknown_fields_are_refused_by_name(
    server: LiveServer, desk: tuple[httpx.Client, Any]
) -> None:
    """Fields owned by rules (number, priority, version) or unknown ones are refused,
    not silently dropped, and the message names the field."""
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", "/tickets", {"title": "x", "contact_email": EMAIL, "priority": 2}, "priority"),
        ("POST", "/tickets", {"title": "x", "contact_email": EMAIL, "number": 1}, "number"),
        ("PATCH", f"/tickets/{ticket['id']}", {"version": 99}, "version"),
        ("PATCH", f"/tickets/{ticket['id']}", {"titel": "typo"}, "titel"),
        (
            "POST",
            f"/tickets/{ticket['id']}/messages",
            {"kind": "agent_reply", "body": "hi", "author_user_id": new_id()},
            "author_user_id",
        ),
    ]
    for method, path, body, field in cases:
        error = refused(client.request(method, path, json=body), 422, "invalid_request")
        assert field in error["message"]
        assert [e["field"] for e in error["errors"]] == [field]
    assert snapshot(server, ticket["id"]) == before


WRONG_TYPES: list[tuple[str, Any]] = [
    ("severity", "high"),
    ("severity", "1"),
    ("severity", True),
    ("severity", 1.5),
    ("severity", 3),
    ("impact", -1),
    ("urgency", [1]),
    ("title", 5),
    ("title", ["x"]),
    ("status", "done"),
    ("team_id", 5),
    ("team_id", "../../etc"),
    ("custom_values", ["a"]),
    ("description", {"a": 1}),
    ("contact_email", 12),
]


def test_wrong_types_are_refused(server: LiveServer, desk: tuple[httpx.Client, Any]) -> None:
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    for field, value in WRONG_TYPES:
        create = client.post("/tickets", json={"title": "x", "contact_email": EMAIL, field: value})
        patch = client.patch(f"/tickets/{ticket['id']}", json={field: value})
        for reply in (create, patch):
            error = refused(reply, 422, "invalid_request")
            assert field in error["message"], (field, value, error)
    for body in (
        {"kind": "agent_reply", "body": 5},
        {"kind": "customer_reply", "body": "pretending to be the customer"},
        {"kind": "agent_reply", "body": ""},
        {"kind": "agent_reply", "body": "hi", "id": "not-a-uuid"},
        ["agent_reply", "hi"],
    ):
        refused(client.post(f"/tickets/{ticket['id']}/messages", json=body), 422, "invalid_request")
    for body in ({"base_version": "2"}, {"base_version": -1}, {"severity": None}):
        error = refused(client.patch(f"/tickets/{ticket['id']}", json=body), 422, error_code(body))
        assert next(iter(body)) in error["message"] or error.get("field") == next(iter(body))
    blank = client.post(
        f"/tickets/{ticket['id']}/messages", json={"kind": "agent_reply", "body": "  "}
    )
    assert refused(blank, 422, "required")["field"] == "body"
    assert snapshot(server, ticket["id"]) == before


def error_code(body: dict[str, Any]) -> str:
    """A null for a field that cannot be empty is the domain's `required`; the rest are
    type errors."""
    return "required" if None in body.values() else "invalid_request"


def test_text_no_database_can_store_is_refused(
    server: LiveServer, desk: tuple[httpx.Client, Any]
) -> None:
    """NUL characters and lone surrogates: PostgreSQL would refuse them with a 500."""
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    for text in ('"a\\u0000b"', '"a\\ud800b"'):
        title = f'{{"title": {text}, "contact_email": "{EMAIL}"}}'.encode()
        refused(client.post("/tickets", content=title, headers=JSON), 422, "invalid_request")
        patch = f'{{"description": {text}}}'.encode()
        path = f"/tickets/{ticket['id']}"
        refused(client.patch(path, content=patch, headers=JSON), 422, "invalid_request")
        custom = f'{{"custom_values": {{"k": [{text}]}}}}'.encode()
        refused(client.patch(path, content=custom, headers=JSON), 422, "invalid_request")
        note = f'{{"kind": "internal_note", "body": {text}}}'.encode()
        refused(client.post(f"{path}/messages", content=note, headers=JSON), 422, "invalid_request")
    refused(client.get("/tickets", params={"q": "a\x00b"}), 422, "invalid")
    nan = b'{"custom_values": {"k": NaN}}'
    refused(
        client.patch(f"/tickets/{ticket['id']}", content=nan, headers=JSON), 422, "invalid_request"
    )
    for bad_id in ("%00", "x" * 100, "a'b", "..%2F..%2Fetc"):
        reply = client.get(f"/tickets/{bad_id}")
        assert reply.status_code == 404, (bad_id, reply.text)
    assert snapshot(server, ticket["id"]) == before


def test_p5_custom_numbers_json_cannot_carry_are_refused(
    server: LiveServer, desk: tuple[httpx.Client, Any]
) -> None:
    """P5: a number field given "nan" or "1e999" would store a float JSON cannot carry
    (a 500 on PostgreSQL); refused by field, on create and on edit."""
    client, ticket = desk
    with server.sessions() as session:
        subtype = TicketSubtype(name="Refund")
        session.add(subtype)
        session.flush()
        session.add(
            CustomFieldDef(
                subtype_id=subtype.id, key="amount", label="Amount", kind=FieldKind.NUMBER
            )
        )
        session.commit()
    before = snapshot(server, ticket["id"])
    for text in ("nan", "inf", "-Infinity", "1e999"):
        values = {"subtype_id": subtype.id, "custom_values": {"amount": text}}
        create = client.post("/tickets", json={"title": "x", "contact_email": EMAIL, **values})
        patch = client.patch(f"/tickets/{ticket['id']}", json=values)
        for reply in (create, patch):
            assert refused(reply, 422, "invalid_choice")["field"] == "custom_values.amount"
    assert snapshot(server, ticket["id"]) == before
    fine = {"subtype_id": subtype.id, "custom_values": {"amount": "۱۲٫۵"}}
    reply = client.patch(f"/tickets/{ticket['id']}", json=fine)
    assert reply.status_code == 200 and reply.json()["custom_values"] == {"amount": 12.5}


def test_oversized_bodies_are_413(server: LiveServer, desk: tuple[httpx.Client, Any]) -> None:
    """Over config.max_body_bytes with a declared length: refused before it is read.
    (Sent on a raw socket: a client still writing a body the server will never read may
    see its connection reset instead of the answer, which would make the test flaky.)"""
    client, ticket = desk
    limit = server.config.max_body_bytes
    before = snapshot(server, ticket["id"])
    for method, path, raw in oversized(ticket["id"], limit):
        status, body = declared_only(server, client, method, path, raw)
        assert status == 413, body
        assert body["error"]["code"] == "too_large" and str(limit) in body["error"]["message"]
    assert snapshot(server, ticket["id"]) == before


def declared_only(
    server: LiveServer, client: httpx.Client, method: str, path: str, raw: bytes
) -> tuple[int, dict[str, Any]]:
    """Send the headers of `raw` (its full length declared) and its first bytes only, and
    read the answer."""
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"{method} /api/v1{path} HTTP/1.0\r\nHost: {host}\r\n"
        f"Authorization: {client.headers['authorization']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + raw[:100])
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    _headers, _, payload = rest.partition(b"\r\n\r\n")
    return int(status_line.split()[1]), json.loads(payload)


def test_oversized_streamed_bodies_are_413(sqlite_server: LiveServer) -> None:
    """The same without a Content-Length (chunked): counted as it arrives."""
    _agent, client = sqlite_server.user_client()
    with client:
        ticket = client.post("/tickets", json={"title": "x", "contact_email": EMAIL}).json()
        before = snapshot(sqlite_server, ticket["id"])
        for method, path, raw in oversized(ticket["id"], sqlite_server.config.max_body_bytes):
            chunks = (raw[i : i + 65536] for i in range(0, len(raw), 65536))
            refused(client.request(method, path, content=chunks, headers=JSON), 413, "too_large")
        assert snapshot(sqlite_server, ticket["id"]) == before


def oversized(ticket_id: str, limit: int) -> list[tuple[str, str, bytes]]:
    huge = "x" * (limit + 1)
    bodies = [
        {"title": "x", "contact_email": EMAIL, "description": huge},
        {"description": huge},
        {"kind": "agent_reply", "body": huge},
    ]
    return [
        (method, path, json.dumps(body).encode())
        for (method, path), body in zip(endpoints(ticket_id), bodies, strict=True)
    ]


def test_oversized_upload_is_413_and_stores_nothing(tmp_path: Path) -> None:
    """Over config.max_upload_bytes: 413 naming the limit, no row, no bytes kept."""
    url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    with running_server(url, tmp_path, max_upload_bytes=50_000) as live:
        _agent, client = live.user_client()
        with client:
            ticket = client.post("/tickets", json={"title": "x", "contact_email": EMAIL}).json()
            before = snapshot(live, ticket["id"])
            path = f"/tickets/{ticket['id']}/attachments"
            error = refused(
                client.post(path, files={"file": ("big.bin", b"\0" * 60_000)}), 413, "too_large"
            )
            assert "50000" in error["message"]
            assert snapshot(live, ticket["id"]) == before
            assert not [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
            missing = client.post(path, data={"message_id": new_id()})
            refused(missing, 422, "invalid_request")
            small = client.post(path, files={"file": ("ok.bin", b"\0" * 1000)})
            assert small.status_code == 201


def test_invalid_emails_are_refused_p4(server: LiveServer, desk: tuple[httpx.Client, Any]) -> None:
    """P4: the contact email is required and must be valid, on create and on edit."""
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    for email, code in (
        ("not an email", "email_invalid"),
        ("a@b", "email_invalid"),
        ("@example.com", "email_invalid"),
        ("a@@example.com", "email_invalid"),
        ("", "email_required"),
        (None, "email_required"),
    ):
        body: dict[str, Any] = {"title": "x", "contact_email": email}
        error = refused(client.post("/tickets", json=body), 422, code)
        assert error["field"] == "contact_email"
        error = refused(
            client.patch(f"/tickets/{ticket['id']}", json={"contact_email": email}), 422, code
        )
        assert error["field"] == "contact_email"
    error = refused(client.post("/tickets", json={"title": "x"}), 422, "email_required")
    too_long = "a" * 250 + "@example.com"
    refused(
        client.post("/tickets", json={"title": "x", "contact_email": too_long}),
        422,
        "invalid_request",
    )
    assert snapshot(server, ticket["id"]) == before


def test_stale_base_version_is_409_with_the_current_ticket(
    server: LiveServer, desk: tuple[httpx.Client, Any]
) -> None:
    """A base version the ticket has moved past: 409 with the current version and row,
    and none of the sent fields applied (E7: the client shows the conflict)."""
    client, ticket = desk
    moved = client.patch(f"/tickets/{ticket['id']}", json={"title": "Moved on"}).json()
    before = snapshot(server, ticket["id"])
    stale = ticket["version"]
    for method, path, body in (
        (
            "PATCH",
            f"/tickets/{ticket['id']}",
            {"title": "Mine", "severity": 2, "base_version": stale},
        ),
        ("POST", f"/tickets/{ticket['id']}/assign", {"assignee_id": None, "base_version": stale}),
        ("POST", f"/tickets/{ticket['id']}/stage", {"stage_id": None, "base_version": stale}),
    ):
        error = refused(client.request(method, path, json=body), 409, "version_conflict")
        assert error["current_version"] == moved["version"]
        assert error["ticket"]["title"] == "Moved on"
        assert str(stale) in error["message"]
    assert snapshot(server, ticket["id"]) == before
    fresh = client.patch(
        f"/tickets/{ticket['id']}", json={"title": "Mine", "base_version": moved["version"]}
    )
    assert fresh.status_code == 200 and fresh.json()["title"] == "Mine"


def test_bad_references_are_refused(server: LiveServer, desk: tuple[httpx.Client, Any]) -> None:
    """Ids of rows that do not exist: a 4xx naming the field, never a foreign-key 500."""
    client, ticket = desk
    before = snapshot(server, ticket["id"])
    for field in (
        "contact_id",
        "account_id",
        "department_id",
        "subject_id",
        "subtype_id",
        "stage_id",
    ):
        create = client.post(
            "/tickets", json={"title": "x", "contact_email": EMAIL, field: new_id()}
        )
        patch = client.patch(f"/tickets/{ticket['id']}", json={field: new_id()})
        for reply in (create, patch):
            assert refused(reply, 422, "not_found")["field"] == field
    refused(
        client.patch(f"/tickets/{ticket['id']}", json={"assignee_id": new_id()}),
        422,
        "invalid_assignee",
    )
    refused(client.patch(f"/tickets/{ticket['id']}", json={"team_id": new_id()}), 404, "not_found")
    duplicate = client.post(
        "/tickets", json={"id": ticket["id"], "title": "x", "contact_email": EMAIL}
    )
    refused(duplicate, 409, "duplicate_id")
    assert snapshot(server, ticket["id"]) == before


# --- random JSON -------------------------------------------------------------------------

FIELDS = [
    "id", "title", "contact_email", "description", "contact_mobile", "contact_id",
    "account_id", "status", "severity", "impact", "urgency", "department_id", "subject_id",
    "team_id", "stage_id", "assignee_id", "subtype_id", "custom_values", "base_version",
    "number", "priority",
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["", "\x00", "\ud800", EMAIL, "new", "closed", "0" * 36, new_id()])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
bodies = st.one_of(
    values,
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    st.fixed_dictionaries(
        {"title": st.text(max_size=40), "contact_email": st.sampled_from([EMAIL, "x@y", ""])},
        optional={f: values for f in FIELDS if f not in {"title", "contact_email"}},
    ),
)


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies)
def test_random_json_never_gets_a_5xx(
    server: LiveServer, desk: tuple[httpx.Client, Any], body: Any
) -> None:
    """Whatever JSON arrives at create and update, the answer is a success or a 4xx with
    the error shape, and a refusal changes nothing."""
    client, ticket = desk
    raw = json.dumps(body).encode()  # ensure_ascii: lone surrogates travel as escapes
    for method, path in endpoints(ticket["id"])[:2]:
        before = snapshot(server, ticket["id"])
        reply = client.request(method, path, content=raw, headers=JSON)
        assert reply.status_code < 500, (body, reply.text)
        if reply.status_code >= 400:
            error = reply.json()["error"]
            assert error["code"] and error["message"]
            assert snapshot(server, ticket["id"]) == before, (body, reply.text)
