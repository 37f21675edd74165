"""Every pushed workflow intent goes through the same services as the REST endpoints:
assign (C3), stage (O1), follow (O4), archive, tags (E2), merge (O6), convert (O7)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.enums import MessageKind, Role, Visibility
from core.ids import new_id
from core.models import Lead, Message, Tag, Ticket, TicketFollower
from tests.core.factories import (
    add_member,
    make_sales_team,
    make_stage,
    make_tag,
    make_team,
    make_ticket,
    make_user,
)
from tests.sync.server_fixture import LiveServer


def push(
    client: Any, name: str, entity_id: str, payload: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    if not hasattr(client, "hd_client_id"):
        client.hd_client_id, client.hd_seq = f"client-{new_id()}", 0
    client.hd_seq += 1
    client_id = client.hd_client_id
    body = {
        "client_id": client_id,
        "mutations": [
            {
                "seq": client.hd_seq,
                "id": new_id(),
                "name": name,
                "entity_id": entity_id,
                "payload": payload,
                **extra,
            }
        ],
    }
    reply = client.post("/sync/push", json=body)
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["results"][0])


def test_c3_o1_assign_and_stage_with_stale_refusal(server: LiveServer) -> None:
    with server.sessions() as s:
        team = make_team(s, "Network")
        agent = make_user(s, "Nima")
        add_member(s, team, agent)
        other = make_user(s, "Leila")
        add_member(s, team, other)
        stage = make_stage(s, team, "Doing")
        ticket = make_ticket(s, "VPN down", team=team)
        s.commit()
    _, client = server.user_client(Role.SUPERVISOR)
    with client:
        ok = push(
            client,
            "ticket.assign",
            ticket.id,
            {"assignee_id": agent.id, "base": {"assignee_id": None}},
        )
        assert ok["status"] == "applied", ok
        stale = push(
            client,
            "ticket.assign",
            ticket.id,
            {"assignee_id": other.id, "base": {"assignee_id": None}},
        )
        assert stale["status"] == "rejected" and stale["code"] == "conflict"
        assert "Nima" in stale["reason"]
        moved = push(client, "ticket.set_stage", ticket.id, {"stage_id": stage.id})
        assert moved["status"] == "applied"
    with server.sessions() as s:
        row = s.get(Ticket, ticket.id)
        assert row is not None and row.assignee_id == agent.id and row.stage_id == stage.id


def test_o4_e2_follow_tags_and_archive(server: LiveServer) -> None:
    with server.sessions() as s:
        ticket = make_ticket(s, "Printer")
        tag = make_tag(s, "hardware")
        s.commit()
    user, client = server.user_client(Role.AGENT, auto_follow=False)
    with client:
        assert push(client, "ticket.follow", ticket.id, {})["status"] == "applied"
        assert push(client, "ticket.tags", ticket.id, {"add": [tag.id]})["status"] == "applied"
        bad = push(client, "ticket.tags", ticket.id, {"add": "not-a-list"})
        assert bad["status"] == "rejected" and bad["field"] == "add"
        assert push(client, "ticket.archive", ticket.id, {"archived": True})["status"] == "applied"
    with server.sessions() as s:
        row = s.get(Ticket, ticket.id)
        assert row is not None and row.archived and [t.id for t in row.tags] == [tag.id]
        assert s.scalar(
            select(TicketFollower.id).where(
                TicketFollower.ticket_id == ticket.id, TicketFollower.user_id == user.id
            )
        )
        assert s.get(Tag, tag.id) is not None


def test_o6_merge_and_o7_convert_by_push(server: LiveServer) -> None:
    with server.sessions() as s:
        keep = make_ticket(s, "Login fails")
        dup = make_ticket(s, "Login fails again")
        s.add(Message(ticket_id=dup.id, kind=MessageKind.CUSTOMER_REPLY, body="still broken"))
        lead_source = make_ticket(s, "Wants the pro plan")
        sales = make_sales_team(s, "Sales")
        s.commit()
    _, client = server.user_client(Role.SUPERVISOR)
    with client:
        merged = push(client, "ticket.merge", keep.id, {"merge_ids": [dup.id]})
        assert merged["status"] == "applied", merged
        converted = push(
            client,
            "ticket.convert_to_lead",
            lead_source.id,
            {"customer_mode": "none", "sales_team_id": sales.id},
        )
        assert converted["status"] == "applied", converted
        # the kept ticket's conversation, moved by bulk statements, reaches the pull
        changes = client.get("/sync/pull", params={"limit": 5000}).json()["changes"]
    moved = [c for c in changes if c["entity"] == "message" and c["data"]["body"] == "still broken"]
    assert moved and moved[0]["data"]["ticket_id"] == keep.id
    with server.sessions() as s:
        old = s.get(Ticket, dup.id)
        assert old is not None and old.merged_into_id == keep.id and old.archived
        lead = s.get(Lead, converted["result"]["lead_id"])
        assert lead is not None and lead.ticket_id == lead_source.id


def test_o3_push_cannot_touch_an_invisible_ticket(server: LiveServer) -> None:
    with server.sessions() as s:
        team = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        ticket = make_ticket(s, "Secret", team=team)
        s.commit()
    _, client = server.user_client(Role.AGENT)
    with client:
        result = push(client, "ticket.update", ticket.id, {"changes": {"title": "hacked"}})
        note = push(
            client,
            "message.create",
            new_id(),
            {"ticket_id": ticket.id, "kind": "internal_note", "body": "x"},
        )
    assert result["status"] == note["status"] == "rejected"
    assert result["code"] == note["code"] == "not_found"
    with server.sessions() as s:
        row = s.get(Ticket, ticket.id)
        assert row is not None and row.title == "Secret"


def test_a_pushed_create_cannot_set_what_the_server_decides(server: LiveServer) -> None:
    """Keywords of the service (routing, channel) are not ticket fields: a payload that
    names them is refused and creates nothing (O3: no way around the team check)."""
    with server.sessions() as s:
        team = make_team(s, "VIP", visibility=Visibility.PRIVATE)
        s.commit()
    _, client = server.user_client(Role.AGENT)
    tid = new_id()
    payload = {"title": "x", "contact_email": "a@example.com", "team_id": team.id}
    with client:
        for extra in ({"routed": True}, {"channel": "email"}, {}):
            result = push(client, "ticket.create", tid, {**payload, **extra})
            assert result["status"] == "rejected", result
    with server.sessions() as s:
        assert s.get(Ticket, tid) is None
