"""Pull, push and live news against a real server (issue 3, part 4; DESIGN.md sync
protocol; O3 visibility on pull)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.enums import MessageKind, Role, Visibility
from core.ids import new_id
from core.models import Message, SyncCounter, Tag, Team, TeamMember, Ticket
from sync.server import changelog
from tests.core.factories import add_member, make_tag, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer, running_server


def pull_all(
    client: httpx.Client, cursor: str | None = None, limit: int = 1000
) -> tuple[list[dict[str, Any]], str]:
    changes: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        reply = client.get("/sync/pull", params=params)
        assert reply.status_code == 200, reply.text
        page = reply.json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            return changes, cursor


def ids_of(changes: list[dict[str, Any]], entity: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["entity"] == entity and c["op"] == op}


def mutation(
    seq: int, name: str, entity_id: str, payload: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    return {
        "seq": seq,
        "id": str(uuid.uuid4()),
        "name": name,
        "entity_id": entity_id,
        "payload": payload,
        **extra,
    }


def test_pull_from_nothing_is_a_snapshot_without_secrets(server: LiveServer) -> None:
    with server.sessions() as s:
        team = make_team(s, "Billing")
        ticket = make_ticket(s, "Invoice wrong", team=team)
        s.add(Message(ticket_id=ticket.id, kind=MessageKind.CUSTOMER_REPLY, body="hello"))
        s.commit()
    _, client = server.user_client(Role.AGENT, password_hash="$argon2id$secret")
    with client:
        changes, cursor = pull_all(client, limit=3)  # several pages
        assert ticket.id in ids_of(changes, "ticket")
        assert team.id in ids_of(changes, "team")
        assert len(ids_of(changes, "message")) == 1
        users = [c["data"] for c in changes if c["entity"] == "user"]
        assert users and all("password_hash" not in u for u in users)
        seqs = [c["seq"] for c in changes]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        # nothing new: an empty page at the same cursor
        again = client.get("/sync/pull", params={"cursor": cursor}).json()
        assert again["changes"] == [] and again["cursor"] == cursor


def test_o3_private_team_rows_arrive_on_invitation_and_leave_on_removal(server: LiveServer) -> None:
    agent, client = server.user_client(Role.AGENT)
    with server.sessions() as s:
        team = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        secret = make_ticket(s, "Private matter", team=team)
        s.add(Message(ticket_id=secret.id, kind=MessageKind.INTERNAL_NOTE, body="internal"))
        s.commit()
    with client:
        changes, cursor = pull_all(client)
        assert secret.id not in ids_of(changes, "ticket")
        assert team.id not in ids_of(changes, "team")
        assert not ids_of(changes, "message")
        with server.sessions() as s:
            add_member(s, s.get(Team, team.id), s.get(type(agent), agent.id))  # type: ignore[arg-type]
            s.commit()
        changes, cursor = pull_all(client, cursor)
        assert secret.id in ids_of(changes, "ticket")
        assert len(ids_of(changes, "message")) == 1
        members = next(c for c in changes if c["entity"] == "team")["data"]["members"]
        assert members == [{"user_id": agent.id, "assignable": False}]
        with server.sessions() as s:
            s.delete(s.get(TeamMember, (team.id, agent.id)))
            s.commit()
        changes, cursor = pull_all(client, cursor)
        assert secret.id in ids_of(changes, "ticket", "leave_scope")
        assert team.id in ids_of(changes, "team", "leave_scope")
        assert not ids_of(changes, "message")


def test_deletes_arrive_as_tombstones(server: LiveServer) -> None:
    _, client = server.user_client(Role.AGENT)
    with server.sessions() as s:
        tag = make_tag(s, "urgent")
        s.commit()
    with client:
        changes, cursor = pull_all(client)
        assert tag.id in ids_of(changes, "tag")
        with server.sessions() as s:
            s.delete(s.get(Tag, tag.id))
            s.commit()
        changes, _ = pull_all(client, cursor)
        assert [c["op"] for c in changes if c["id"] == tag.id] == ["delete"]


def test_bad_foreign_and_purged_cursors(server: LiveServer) -> None:
    _, client = server.user_client(Role.AGENT)
    with client:
        _, cursor = pull_all(client)
        assert client.get("/sync/pull", params={"cursor": "nonsense"}).status_code == 422
        epoch, seq = cursor.split(":")
        other = client.get("/sync/pull", params={"cursor": f"{int(epoch) + 1}:{seq}"})
        assert other.status_code == 409 and other.json()["error"]["code"] == "reset_required"
        with server.sessions() as s:
            row = s.get(SyncCounter, changelog.PURGED_BELOW)
            assert row is not None
            row.value = int(seq) + 1
            s.commit()
        old = client.get("/sync/pull", params={"cursor": cursor})
        assert old.status_code == 409 and old.json()["error"]["code"] == "reset_required"


def test_portal_customers_cannot_sync(server: LiveServer) -> None:
    _, client = server.user_client(Role.PORTAL)
    with client:
        assert client.get("/sync/pull").status_code == 403
        reply = client.post("/sync/push", json={"client_id": "c" * 10, "mutations": []})
        assert reply.status_code == 403


def test_push_creates_numbers_and_replays_without_applying_twice(server: LiveServer) -> None:
    _, client = server.user_client(Role.AGENT)
    ticket_id = new_id()
    batch = {
        "client_id": "laptop-0001",
        "mutations": [
            mutation(
                1,
                "ticket.create",
                ticket_id,
                {"title": "Printer", "contact_email": "a@example.com"},
            ),
            mutation(
                2,
                "message.create",
                new_id(),
                {"ticket_id": ticket_id, "kind": "agent_reply", "body": "On it"},
            ),
        ],
    }
    with client:
        first = client.post("/sync/push", json=batch)
        assert first.status_code == 200, first.text
        results = first.json()["results"]
        assert [r["status"] for r in results] == ["applied", "applied"]
        assert results[0]["result"]["number"] >= 1
        # the response was "lost": the same batch again applies nothing
        second = client.post("/sync/push", json=batch).json()
        assert [r["replayed"] for r in second["results"]] == [True, True]
        assert second["results"][0]["result"] == results[0]["result"]
        assert second["last_seq"] == 2
    with server.sessions() as s:
        assert s.scalar(select(Ticket.number).where(Ticket.id == ticket_id)) is not None
        assert len(s.scalars(select(Message).where(Message.ticket_id == ticket_id)).all()) == 1


def test_push_refuses_gaps_and_keeps_going_after_a_rejection(server: LiveServer) -> None:
    _, client = server.user_client(Role.AGENT)
    with client:
        gap = client.post(
            "/sync/push",
            json={
                "client_id": "laptop-0002",
                "mutations": [mutation(2, "ticket.create", new_id(), {})],
            },
        ).json()
        assert gap["results"][0]["code"] == "gap" and gap["last_seq"] == 0
        good_id = new_id()
        reply = client.post(
            "/sync/push",
            json={
                "client_id": "laptop-0002",
                "mutations": [
                    mutation(
                        1,
                        "ticket.create",
                        new_id(),
                        {"title": "x", "contact_email": "not-an-email"},
                    ),
                    mutation(
                        2,
                        "ticket.create",
                        good_id,
                        {"title": "y", "contact_email": "y@example.com"},
                    ),
                ],
            },
        ).json()
    bad, good = reply["results"]
    assert bad["status"] == "rejected" and bad["field"] == "contact_email" and bad["reason"]
    assert good["status"] == "applied"
    with server.sessions() as s:
        assert s.scalar(select(Ticket.id).where(Ticket.id == good_id)) == good_id
        assert s.scalar(select(Ticket.id).where(Ticket.contact_email == "not-an-email")) is None


def test_contested_fields_refuse_a_stale_reassignment_but_plain_fields_both_survive(
    server: LiveServer,
) -> None:
    with server.sessions() as s:
        first = make_user(s, "Sara")
        second = make_user(s, "Reza")
        ticket = make_ticket(s, "Slow panel")
        s.commit()
    _, a = server.user_client(Role.AGENT)
    _, b = server.user_client(Role.SUPERVISOR)
    with a, b:
        ra = a.post(
            "/sync/push",
            json={
                "client_id": "client-aaaa",
                "mutations": [
                    mutation(
                        1,
                        "ticket.update",
                        ticket.id,
                        {
                            "changes": {"assignee_id": first.id, "title": "Slow panel!"},
                            "base": {"assignee_id": None},
                        },
                        base_version=1,
                    ),
                ],
            },
        ).json()["results"][0]
        rb = b.post(
            "/sync/push",
            json={
                "client_id": "client-bbbb",
                "mutations": [
                    mutation(
                        1,
                        "ticket.update",
                        ticket.id,
                        {
                            "changes": {"assignee_id": second.id, "severity": 2},
                            "base": {"assignee_id": None},
                        },
                        base_version=1,
                    ),
                ],
            },
        ).json()["results"][0]
    assert ra["status"] == "applied" and not ra["conflicts"]
    assert rb["status"] == "applied"
    assert rb["conflicts"][0]["field"] == "assignee_id"
    assert "Sara" in rb["conflicts"][0]["message"]
    with server.sessions() as s:
        row = s.get(Ticket, ticket.id)
        assert row is not None
        assert (row.assignee_id, row.title, row.severity) == (first.id, "Slow panel!", 2)


def test_live_events_and_long_poll_report_new_changes(tmp_path: Path) -> None:
    with running_server(
        f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path, keepalive_seconds=0.3
    ) as server:
        _, client = server.user_client(Role.AGENT)
        with client, client.stream("GET", "/sync/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert stream.headers["cache-control"] == "no-cache"
            lines = stream.iter_lines()
            first = _next_event(lines)
            start = first["seq"]

            def write() -> None:
                time.sleep(0.2)
                with server.sessions() as s:
                    make_tag(s, "late")
                    s.commit()

            threading.Thread(target=write).start()
            t0 = time.monotonic()
            seen: list[str] = []
            event = _next_event(lines, seen)
            assert event["seq"] > start
            assert time.monotonic() - t0 < 3
            # a keep-alive comment follows while nothing happens
            for line in lines:
                if line.startswith(":"):
                    break


def _next_event(lines: Any, seen: list[str] | None = None) -> dict[str, Any]:
    for line in lines:
        if seen is not None:
            seen.append(line)
        if line.startswith("data: "):
            return dict(json.loads(line.removeprefix("data: ")))
    raise AssertionError("stream ended")


def test_long_poll_wakes_on_a_commit(server: LiveServer) -> None:
    _, client = server.user_client(Role.AGENT)
    with client:
        now = client.get("/sync/wait", params={"after": 10**9, "timeout": 0.2}).json()["seq"]

        def write() -> None:
            time.sleep(0.2)
            with server.sessions() as s:
                make_tag(s, "poll")
                s.commit()

        threading.Thread(target=write).start()
        t0 = time.monotonic()
        got = client.get("/sync/wait", params={"after": now, "timeout": 10}).json()["seq"]
        assert got > now and time.monotonic() - t0 < 5


@pytest.mark.parametrize("name", ["ticket.nothing"])
def test_unknown_mutation_is_rejected_readably(server: LiveServer, name: str) -> None:
    _, client = server.user_client(Role.AGENT)
    with client:
        reply = client.post(
            "/sync/push",
            json={"client_id": "client-cccc", "mutations": [mutation(1, name, new_id(), {})]},
        )
    result = reply.json()["results"][0]
    assert result["status"] == "rejected" and result["code"] == "unknown_mutation"


def test_event_stream_ends_when_its_token_is_revoked(tmp_path: Path) -> None:
    """A live stream carries only change numbers, but it still ends with the session:
    after logout the next keep-alive check closes it."""
    with running_server(
        f"sqlite:///{tmp_path / 's.sqlite3'}", tmp_path, keepalive_seconds=0.2
    ) as server:
        _, client = server.user_client(Role.AGENT)
        with client, client.stream("GET", "/sync/events") as stream:
            lines = stream.iter_lines()
            _next_event(lines)
            assert client.post("/auth/logout").status_code == 204
            t0 = time.monotonic()
            rest = list(lines)  # the server ends the stream
            assert time.monotonic() - t0 < 5
            assert "event: unauthorized" in rest
