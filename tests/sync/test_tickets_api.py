"""Tickets, conversations and files over HTTP against a real server (issue 3, part 3):
numbering, priority (P4), auto-assignment (O5, S3), visibility (O3), referral (C3),
stages (O1), merge (O6), conversion (O7), tags (E2), replies (S6, I4), files (C2, I2)
and stable paging of the list (D2)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from core.enums import AssignmentMode, Role, Visibility
from core.ids import new_id, utcnow
from core.models import Change, Delivery, Lead, Message, Ticket
from core.settings import priority_matrix
from tests.core.factories import (
    add_member,
    make_contact,
    make_stage,
    make_tag,
    make_team,
    make_ticket,
    make_user,
)
from tests.sync.server_fixture import LiveServer

EMAIL = "customer@example.com"


def _new(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"title": "Printer is on fire", "contact_email": EMAIL, **fields}
    reply = client.post("/tickets", json=body)
    assert reply.status_code == 201, reply.text
    data: dict[str, Any] = reply.json()
    return data


def test_p4_create_numbers_prices_and_keeps_the_client_id(server: LiveServer) -> None:
    """The server numbers tickets in order, computes priority from the matrix (P4) and
    the SLA due time (E1), and keeps an offline-made id."""
    _agent, client = server.user_client()
    own_id = new_id()
    with client:
        first = _new(client, id=own_id, severity=2, impact=2)
        second = _new(client, severity=0, impact=1)
        fetched = client.get(f"/tickets/{own_id}")
    assert first["id"] == own_id
    assert first["number"] is not None and second["number"] == first["number"] + 1
    with server.sessions() as session:
        matrix = priority_matrix(session)
        assert first["priority"] == int(matrix.priority_for(2, 2))
        assert second["priority"] == int(matrix.priority_for(0, 1))
        assert session.get(Ticket, own_id) is not None
    assert first["priority"] != second["priority"]
    assert first["sla_due_at"] is not None and first["status"] == "new"
    assert fetched.status_code == 200
    assert fetched.json()["number"] == first["number"]
    assert fetched.json()["tag_ids"] == fetched.json()["followers"] == []


def test_o5_s3_round_robin_team_assigns_new_tickets_in_turn(server: LiveServer) -> None:
    """O5/S3: a round-robin team hands its new tickets to its chosen members in turn, and
    a new ticket lands in the team's first open stage (O1)."""
    with server.sessions() as session:
        team = make_team(session, "Desk", mode=AssignmentMode.ROUND_ROBIN)
        ali = make_user(session, "Ali")
        bahar = make_user(session, "Bahar")
        add_member(session, team, ali, assignable=True)
        add_member(session, team, bahar, assignable=True)
        make_stage(session, team, "Done", closed=True, sequence=1)
        inbox = make_stage(session, team, "Inbox", sequence=5)
        session.commit()
    _agent, client = server.user_client()
    with client:
        made = [_new(client, team_id=team.id) for _ in range(3)]
        events = client.get(f"/tickets/{made[0]['id']}/messages").json()["items"]
    assert [t["assignee_id"] for t in made] == [ali.id, bahar.id, ali.id]
    assert {t["stage_id"] for t in made} == {inbox.id}
    assert [e["kind"] for e in events] == ["system_event"]
    assert events[0]["event"] == "assigned"


def test_o3_private_team_ticket_is_invisible_to_an_outsider(server: LiveServer) -> None:
    """O3: an agent not invited to a private team gets 404 for its tickets everywhere
    (existence not disclosed) and never sees them listed; a member does."""
    with server.sessions() as session:
        team = make_team(session, "Secret", visibility=Visibility.PRIVATE)
        member = make_user(session)
        add_member(session, team, member)
        hidden = make_ticket(session, "Salary question", team=team)
        public = make_ticket(session, "Open question")
        session.commit()
    _outsider, outsider = server.user_client()
    with outsider, server.client(server.token_for(member.id)) as insider:
        for reply in (
            outsider.get(f"/tickets/{hidden.id}"),
            outsider.patch(f"/tickets/{hidden.id}", json={"title": "mine now"}),
            outsider.get(f"/tickets/{hidden.id}/messages"),
            outsider.post(
                f"/tickets/{hidden.id}/messages", json={"kind": "internal_note", "body": "hi"}
            ),
            outsider.post(f"/tickets/{hidden.id}/follow"),
            outsider.post(f"/tickets/{public.id}/merge", json={"merge_ids": [hidden.id]}),
        ):
            assert reply.status_code == 404, reply.text
            assert reply.json()["error"]["code"] == "not_found"
        assert (
            outsider.get(f"/tickets/{hidden.id}").json()
            == outsider.get(f"/tickets/{new_id()}").json()
        )
        listed = {t["id"] for t in outsider.get("/tickets").json()["items"]}
        assert public.id in listed and hidden.id not in listed
        assert outsider.get("/tickets", params={"team_id": team.id}).json()["items"] == []
        assert insider.get(f"/tickets/{hidden.id}").status_code == 200
        assert hidden.id in {t["id"] for t in insider.get("/tickets").json()["items"]}
        # creating in a team one cannot see is refused too
        refused = outsider.post(
            "/tickets", json={"title": "x", "contact_email": EMAIL, "team_id": team.id}
        )
        assert refused.status_code == 403
    with server.sessions() as session:
        ticket = session.get(Ticket, hidden.id)
        assert ticket is not None and ticket.title == "Salary question"


def test_portal_users_have_no_staff_ticket_api(sqlite_server: LiveServer) -> None:
    with sqlite_server.sessions() as session:
        contact = make_contact(session, email="c@example.com")
        session.commit()
    _customer, client = sqlite_server.user_client(Role.PORTAL, contact_id=contact.id)
    with client:
        assert client.get("/tickets").status_code == 403
        assert (
            client.post("/tickets", json={"title": "x", "contact_email": EMAIL}).status_code == 403
        )


def test_c3_refer_to_another_team_and_user(sqlite_server: LiveServer) -> None:
    """C3: referring a ticket to another team moves it to that team's first stage and lets
    the team's mode pick an assignee; an assignee who cannot see the team is refused."""
    server = sqlite_server
    with server.sessions() as session:
        first = make_team(session, "First")
        make_stage(session, first, "New")
        second = make_team(session, "Second", mode=AssignmentMode.ROUND_ROBIN)
        taker = make_user(session, "Taker")
        add_member(session, second, taker, assignable=True)
        triage = make_stage(session, second, "Triage")
        private = make_team(session, "Private", visibility=Visibility.PRIVATE)
        stranger = make_user(session, "Stranger")
        portal = make_user(session, role=Role.PORTAL)
        session.commit()
    user, client = server.user_client(Role.ADMIN)
    with client:
        ticket = _new(client, team_id=first.id)
        referred = client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": None, "team_id": second.id, "base_version": ticket["version"]},
        )
        assert referred.status_code == 200, referred.text
        body = referred.json()
        assert (body["team_id"], body["stage_id"], body["assignee_id"]) == (
            second.id,
            triage.id,
            taker.id,
        )
        to_me = client.post(f"/tickets/{ticket['id']}/assign", json={"assignee_id": user.id})
        assert to_me.status_code == 200 and to_me.json()["team_id"] == second.id
        assert to_me.json()["assignee_id"] == user.id
        assert {"user_id": user.id, "contact_id": None} in to_me.json()["followers"]  # S4
        for assignee, team_id, code in (
            (stranger.id, private.id, "assignee_not_in_team"),
            (portal.id, None, "invalid_assignee"),
            (new_id(), None, "invalid_assignee"),
        ):
            payload: dict[str, Any] = {"assignee_id": assignee}
            if team_id:
                payload["team_id"] = team_id
            refused = client.post(f"/tickets/{ticket['id']}/assign", json=payload)
            assert refused.status_code == 422, refused.text
            assert refused.json()["error"]["code"] == code
        stale = client.post(
            f"/tickets/{ticket['id']}/assign",
            json={"assignee_id": stranger.id, "base_version": ticket["version"]},
        )
        assert stale.status_code == 409
        assert stale.json()["error"]["current_version"] == to_me.json()["version"]
        assert client.get(f"/tickets/{ticket['id']}").json()["assignee_id"] == user.id


def test_o1_stage_must_be_of_the_tickets_team_and_closing_stage_closes(
    sqlite_server: LiveServer,
) -> None:
    server = sqlite_server
    with server.sessions() as session:
        team = make_team(session, "Desk")
        other = make_team(session, "Other")
        make_stage(session, team, "New", sequence=1)
        done = make_stage(session, team, "Done", closed=True, sequence=9)
        foreign = make_stage(session, other, "Elsewhere")
        session.commit()
    _agent, client = server.user_client()
    with client:
        ticket = _new(client, team_id=team.id)
        wrong = client.post(f"/tickets/{ticket['id']}/stage", json={"stage_id": foreign.id})
        assert wrong.status_code == 422
        assert wrong.json()["error"]["code"] == "stage_not_in_team"
        moved = client.post(f"/tickets/{ticket['id']}/stage", json={"stage_id": done.id})
        assert moved.status_code == 200
        assert moved.json()["stage_id"] == done.id and moved.json()["status"] == "closed"
        assert moved.json()["closed_at"] is not None
        no_team = _new(client)
        refused = client.post(f"/tickets/{no_team['id']}/stage", json={"stage_id": done.id})
        assert refused.status_code == 422


def test_o6_merge_over_http_moves_the_conversation(server: LiveServer) -> None:
    """O6: merge answers the kept ticket; the merged one is archived and points at it; the
    conversation moved and the change log carries the moved messages for the next pull."""
    _agent, client = server.user_client()
    with client:
        keep = _new(client, title="Cannot log in")
        before = client.get("/health").json()["seq"]
        dup = _new(client, title="Can not log in")
        note = client.post(
            f"/tickets/{dup['id']}/messages", json={"kind": "internal_note", "body": "same"}
        ).json()
        similar = client.get(f"/tickets/{keep['id']}/similar")
        assert similar.status_code == 200
        report = similar.json()["report"]
        assert report[0]["ticket_id"] == keep["id"] and report[1]["ticket_id"] == dup["id"]
        assert report[0]["best"] > 0.7
        merged = client.post(f"/tickets/{keep['id']}/merge", json={"merge_ids": [dup["id"]]})
        assert merged.status_code == 200, merged.text
        assert merged.json()["merged_ids"] == [dup["id"]]
        old = client.get(f"/tickets/{dup['id']}", params={}).json()
        assert old["archived"] is True and old["merged_into_id"] == keep["id"]
        kinds = [m["id"] for m in client.get(f"/tickets/{keep['id']}/messages").json()["items"]]
        assert note["id"] in kinds
        again = client.post(f"/tickets/{keep['id']}/merge", json={"merge_ids": [dup["id"]]})
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_merged"
        into_self = client.post(f"/tickets/{keep['id']}/merge", json={"merge_ids": [keep["id"]]})
        assert into_self.status_code == 422
    with server.sessions() as session:
        moved = session.get(Message, note["id"])
        assert moved is not None and moved.ticket_id == keep["id"]
        logged = session.scalar(
            select(Change.seq).where(Change.entity == "message", Change.entity_id == note["id"])
        )
        assert logged is not None and logged > before


def test_o7_convert_to_lead_over_http(server: LiveServer) -> None:
    """O7: the lead links back to the ticket, which is archived with a system event."""
    _agent, client = server.user_client()
    with client:
        ticket = _new(client, title="Wants 40 licences")
        bad = client.post(
            f"/tickets/{ticket['id']}/convert-to-lead",
            json={"customer_mode": "create"},
        )
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "new_customer_name"
        reply = client.post(
            f"/tickets/{ticket['id']}/convert-to-lead",
            json={"customer_mode": "create", "new_customer_name": "Acme buyer"},
        )
        assert reply.status_code == 200, reply.text
        lead_id = reply.json()["lead_id"]
        assert reply.json()["ticket"]["archived"] is True
        assert reply.json()["ticket"]["lead_id"] == lead_id
        events = client.get(f"/tickets/{ticket['id']}/messages").json()["items"]
        assert events[-1]["event"] == "converted_to_lead"
        twice = client.post(
            f"/tickets/{ticket['id']}/convert-to-lead", json={"customer_mode": "none"}
        )
        assert twice.status_code == 409
    with server.sessions() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None and lead.ticket_id == ticket["id"]


def test_e2_tags_follow_and_archive(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    with server.sessions() as session:
        red, blue = make_tag(session, "red"), make_tag(session, "blue")
        session.commit()
    user, client = server.user_client(auto_follow=False)
    with client:
        ticket = _new(client)
        tagged = client.post(f"/tickets/{ticket['id']}/tags", json={"add": [red.id, blue.id]})
        assert tagged.status_code == 200 and tagged.json()["tag_ids"] == sorted([red.id, blue.id])
        assert tagged.json()["version"] > ticket["version"]
        untagged = client.post(f"/tickets/{ticket['id']}/tags", json={"remove": [red.id]})
        assert untagged.json()["tag_ids"] == [blue.id]
        unknown = client.post(f"/tickets/{ticket['id']}/tags", json={"add": [new_id()]})
        assert unknown.status_code == 422
        followed = client.post(f"/tickets/{ticket['id']}/follow")
        assert followed.json() == {"following": True, "changed": True}
        assert client.post(f"/tickets/{ticket['id']}/follow").json()["changed"] is False
        detail = client.get(f"/tickets/{ticket['id']}").json()
        assert {"user_id": user.id, "contact_id": None} in detail["followers"]
        version = detail["version"]
        assert client.delete(f"/tickets/{ticket['id']}/follow").json()["changed"] is True
        after = client.get(f"/tickets/{ticket['id']}").json()
        assert after["followers"] == [] and after["version"] > version  # pulled by others
        archived = client.post(f"/tickets/{ticket['id']}/archive", json={"archived": True})
        assert archived.status_code == 200 and archived.json()["archived"] is True
        assert ticket["id"] not in {t["id"] for t in client.get("/tickets").json()["items"]}
        shelf = client.get("/tickets", params={"archived": "true"}).json()["items"]
        assert ticket["id"] in {t["id"] for t in shelf}


def test_s6_i4_reply_queues_mail_and_note_does_not(server: LiveServer) -> None:
    """An agent reply queues one delivery to the customer (I4); an internal note none
    (S6). Staff read every kind of message, oldest first."""
    with server.sessions() as session:
        contact = make_contact(session, email="reader@example.com")
        session.commit()
    _agent, client = server.user_client()
    with client:
        ticket = _new(client, contact_id=contact.id, contact_email="reader@example.com")
        reply = client.post(
            f"/tickets/{ticket['id']}/messages", json={"kind": "agent_reply", "body": "Fixed."}
        )
        note = client.post(
            f"/tickets/{ticket['id']}/messages",
            json={"kind": "internal_note", "body": "It was the cable.", "id": new_id()},
        )
        assert reply.status_code == note.status_code == 201
        listed = client.get(f"/tickets/{ticket['id']}/messages").json()["items"]
        paged = client.get(f"/tickets/{ticket['id']}/messages", params={"limit": 1}).json()
        rest = client.get(
            f"/tickets/{ticket['id']}/messages", params={"limit": 5, "after": paged["next"]}
        ).json()
        after = client.get(f"/tickets/{ticket['id']}").json()
    assert [m["kind"] for m in listed] == ["agent_reply", "internal_note"]
    assert [m["id"] for m in paged["items"] + rest["items"]] == [m["id"] for m in listed]
    assert rest["next"] is None
    assert after["first_response_at"] is not None and after["staff_state"] == "answered"
    with server.sessions() as session:
        deliveries = session.scalars(select(Delivery)).all()
        assert [(d.message_id, d.recipient) for d in deliveries] == [
            (reply.json()["id"], "reader@example.com")
        ]
        assert session.get(Message, note.json()["id"]) is not None


def test_c2_upload_download_round_trip(server: LiveServer) -> None:
    """C2/I2: a file uploaded to a ticket comes back byte for byte by its hash, as a
    download (never sniffed); HEAD answers the headers; an outsider gets 404."""
    with server.sessions() as session:
        team = make_team(session, "Vault", visibility=Visibility.PRIVATE)
        member = make_user(session)
        add_member(session, team, member)
        session.commit()
    data = bytes(range(256)) * 40 + "رسید".encode()
    digest = hashlib.sha256(data).hexdigest()
    _outsider, outsider = server.user_client()
    with server.client(server.token_for(member.id)) as client, outsider:
        ticket = _new(client, team_id=team.id)
        note = client.post(
            f"/tickets/{ticket['id']}/messages", json={"kind": "internal_note", "body": "scan"}
        ).json()
        up = client.post(
            f"/tickets/{ticket['id']}/attachments",
            files={"file": ("رسید خرید.png", data, "image/png")},
            data={"message_id": note["id"]},
        )
        assert up.status_code == 201, up.text
        assert up.json()["content_hash"] == digest and up.json()["size"] == len(data)
        assert up.json()["filename"] == "رسید خرید.png"
        down = client.get(f"/attachments/{digest}")
        assert down.status_code == 200 and down.content == data
        assert down.headers["content-type"] == "image/png"
        assert down.headers["x-content-type-options"] == "nosniff"
        assert down.headers["content-disposition"].startswith("attachment")
        head = client.head(f"/attachments/{digest}")
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == len(data)
        listed = client.get(f"/tickets/{ticket['id']}/attachments").json()
        assert [a["content_hash"] for a in listed] == [digest]
        assert outsider.get(f"/attachments/{digest}").status_code == 404
        assert outsider.head(f"/attachments/{digest}").status_code == 404
        assert client.get(f"/attachments/{'0' * 64}").status_code == 404
        assert client.get("/attachments/not-a-hash").status_code == 404
        other = _new(client)
        wrong = client.post(
            f"/tickets/{other['id']}/attachments",
            files={"file": ("a.txt", b"x", "text/plain")},
            data={"message_id": note["id"]},
        )
        assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "message_id"


def test_d2_list_pages_stably_and_filters(sqlite_server: LiveServer) -> None:
    """D2: keyset pages by (updated_at, id) cover every ticket once, ties included, even
    when a ticket changes mid-way; filters narrow in SQL."""
    server = sqlite_server
    agent, client = server.user_client()
    tie = utcnow() - timedelta(hours=1)
    with server.sessions() as session:
        team = make_team(session, "Desk")
        ids = []
        for n in range(23):
            at = tie if n % 3 == 0 else tie - timedelta(minutes=n)
            ticket = make_ticket(
                session,
                f"Issue {n}",
                team=team if n % 2 else None,
                assignee=agent if n % 5 == 0 else None,
                updated_at=at,
                number=1000 + n,
            )
            ids.append(ticket.id)
        session.commit()
    with client:
        everything = client.get("/tickets", params={"limit": 200}).json()
        assert everything["next"] is None
        order = [t["id"] for t in everything["items"]]
        assert sorted(order) == sorted(ids)
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 4}
            if cursor:
                params["after"] = cursor
            page = client.get("/tickets", params=params).json()
            seen += [t["id"] for t in page["items"]]
            pages += 1
            if pages == 2:  # a ticket already listed changes: it is not listed again
                client.patch(f"/tickets/{seen[0]}", json={"title": "Edited"})
            cursor = page["next"]
            if cursor is None:
                break
        assert seen == order and pages == 6
        mine = client.get("/tickets", params={"assignee_id": "me"}).json()["items"]
        assert {t["id"] for t in mine} == {ids[n] for n in range(23) if n % 5 == 0}
        unassigned = client.get("/tickets", params={"assignee_id": "none"}).json()["items"]
        assert len(unassigned) == 23 - len(mine)
        in_team = client.get("/tickets", params={"team_id": team.id}).json()["items"]
        assert len(in_team) == 11
        by_number = client.get("/tickets", params={"q": "#۱۰۰۷"}).json()["items"]
        assert [t["id"] for t in by_number] == [ids[7]]
        by_title = client.get("/tickets", params={"q": "issue 1"}).json()["items"]
        assert {t["title"] for t in by_title} == {f"Issue {n}" for n in (1, *range(10, 20))}
        bad = client.get("/tickets", params={"after": "bm90LWEtY3Vyc29y"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"
        assert client.get("/tickets", params={"limit": 201}).status_code == 422


def test_patch_changes_fields_and_logs_them(server: LiveServer) -> None:
    """PATCH changes only what was sent, recomputes priority (P4), and the change is
    logged with a number after the create's, so other agents pull it."""
    _agent, client = server.user_client()
    with client:
        ticket = _new(client)
        before = client.get("/health").json()["seq"]
        reply = client.patch(
            f"/tickets/{ticket['id']}",
            json={"severity": 2, "impact": 2, "base_version": ticket["version"]},
        )
        assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["title"] == ticket["title"] and body["version"] > ticket["version"]
    assert body["priority"] > ticket["priority"]
    with server.sessions() as session:
        row = session.get(Ticket, ticket["id"])
        assert row is not None and row.severity == 2
        logged = session.scalar(
            select(Change.seq).where(Change.entity == "ticket", Change.entity_id == ticket["id"])
        )
        assert logged is not None and logged > before


def test_s6_staff_cannot_post_as_the_customer(sqlite_server: LiveServer) -> None:
    _agent, client = sqlite_server.user_client()
    with client:
        ticket = _new(client)
        refused = client.post(
            f"/tickets/{ticket['id']}/messages", json={"kind": "customer_reply", "body": "x"}
        )
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_request"
        assert "agent_reply" in refused.json()["error"]["message"]
