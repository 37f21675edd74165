"""Refused intents that reshaped the cache (O6 merge and its undo, O7 conversion to a
lead; D6 offline edits, E7 the server's state shown) against a real server on loopback:
after the sync, the cache holds every ticket such an intent touched exactly as the server
does: its row, messages, attachments, followers and lead, and none the server lacks.
Each test's docstring states what must hold."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.enums import LeadCustomerMode, MessageKind, Role
from core.leads import convert_to_lead_locally
from core.local_edits import merge_locally, post_message_locally, unmerge_locally
from core.models import Lead, Message, Ticket, TicketFollower, User
from sync.client import state as bookmarks
from sync.client.engine import SyncReport
from tests.core.factories import add_member, make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer
from tests.sync.test_client_engine import agent, cache, ids, sync
from tests.sync.test_client_faults import column, outbox_states, run_engine


def cached_messages(path: Path, tickets: list[str]) -> dict[str, str]:
    """message id -> ticket id of the cache's messages on these tickets."""
    marks = ",".join("?" * len(tickets))
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            f"SELECT id, ticket_id FROM messages WHERE ticket_id IN ({marks})", tickets
        ).fetchall()
    return {str(i): str(t) for i, t in rows}


def server_messages(server: LiveServer, tickets: list[str]) -> dict[str, str]:
    with server.sessions() as s:
        rows = s.execute(
            select(Message.id, Message.ticket_id).where(Message.ticket_id.in_(tickets))
        )
        return {str(i): str(t) for i, t in rows}


def cached_followers(path: Path, tickets: list[str]) -> set[tuple[str, str | None]]:
    marks = ",".join("?" * len(tickets))
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            f"SELECT ticket_id, user_id FROM ticket_followers WHERE ticket_id IN ({marks})",
            tickets,
        ).fetchall()
    return {(str(t), u) for t, u in rows}


def server_followers(server: LiveServer, tickets: list[str]) -> set[tuple[str, str | None]]:
    with server.sessions() as s:
        rows = s.execute(
            select(TicketFollower.ticket_id, TicketFollower.user_id).where(
                TicketFollower.ticket_id.in_(tickets)
            )
        )
        return {(str(t), u) for t, u in rows}


def merge_log(path: Path) -> list[tuple[str, str | None]]:
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT kept_id, undone_at FROM merge_log").fetchall()
    return [(str(k), u) for k, u in rows]


def world(server: LiveServer) -> dict[str, Any]:
    """Two tickets of a public team, each with a customer's message and a follower."""
    with server.sessions() as s:
        team = make_team(s, "Support")
        follower = make_user(s, "Farhad", role=Role.AGENT)
        add_member(s, team, follower)
        keep = make_ticket(s, "Printer jams", team=team)
        other = make_ticket(s, "Printer jams again", team=team)
        for t in (keep, other):
            s.add(Message(ticket_id=t.id, kind=MessageKind.CUSTOMER_REPLY, body="کاغذ گیر کرد"))
        other.followers.append(TicketFollower(user_id=follower.id))
        s.commit()
        return {"keep": keep.id, "other": other.id, "follower": follower.id}


def two_agents(server: LiveServer, tmp: Path) -> tuple[dict[str, Any], User, str, str, Path]:
    """`world`, agents A and B with their tokens, and A's cache after a first sync."""
    seeded = world(server)
    user_a, token_a = agent(server, "ali")
    _, token_b = agent(server, "bita")
    path = tmp / "a.sqlite3"
    with cache(path):
        pass
    sync(path, server, token_a)
    return seeded, user_a, token_a, token_b, path


def test_o6_d6_a_refused_offline_merge_puts_every_message_and_follower_back(
    server: LiveServer, tmp_path: Path
) -> None:
    """A merges T2 into T1 offline after replying on T2; meanwhile B archives T2 and
    replies on T1 online, so the server refuses A's merge ("archived"). The refusal is
    queued in the cache with the tickets it touched in the same transaction, so a new
    engine (after a crash) still finds it. Must hold after A's sync: A's reply reached
    the server; the merge is rejected; every message of T1 and T2 sits in A's cache on
    the ticket the server has it on, with none the server lacks; followers equal the
    server's; T2 is archived but not merged; A's cache keeps no merge to undo."""
    seeded, user_a, token_a, token_b, path = two_agents(server, tmp_path)
    keep, other = seeded["keep"], seeded["other"]
    both = [keep, other]
    with server.client(token_b) as b:
        assert b.post(f"/tickets/{other}/archive", json={"archived": True}).status_code == 200
        answer = b.post(f"/tickets/{keep}/messages", json={"kind": "agent_reply", "body": "ب"})
        assert answer.status_code in (200, 201), answer.text
    with cache(path) as (_, s):
        mine = post_message_locally(
            s, other, kind=MessageKind.AGENT_REPLY, body="پاسخ علی", author_user_id=user_a.id
        ).id
        assert merge_locally(s, keep, [other], user_a.id) == [other]
    assert set(cached_messages(path, both).values()) == {keep}  # all moved locally
    assert len(merge_log(path)) == 1

    # the push alone, then a fresh engine: the queue outlives the first
    run_engine(path, server.url, token_a, lambda e: e.push_step(SyncReport()))
    with closing(sqlite3.connect(path)) as conn:
        [queued] = bookmarks.refetch(conn)
    assert queued["name"] == "ticket.merge" and set(queued["tickets"]) == set(both)
    assert outbox_states(path)[-1][1] == "rejected"

    _, state = sync(path, server, token_a)
    assert state.status == "online"
    on_server = server_messages(server, both)
    assert mine in on_server and on_server[mine] == other
    assert cached_messages(path, both) == on_server
    assert cached_followers(path, both) == server_followers(server, both)
    assert (other, seeded["follower"]) in server_followers(server, both)
    assert column(path, "tickets", "merged_into_id", other) is None
    assert column(path, "tickets", "archived", other) == 1
    assert column(path, "tickets", "archived", keep) == 0
    assert merge_log(path) == []
    with closing(sqlite3.connect(path)) as conn:
        assert bookmarks.refetch(conn) == []
    again, _ = sync(path, server, token_a)
    assert again.pushed == 0 and cached_messages(path, both) == on_server


def test_o6_a_refused_offline_undo_of_a_merge_moves_the_messages_back_onto_the_kept_ticket(
    server: LiveServer, tmp_path: Path
) -> None:
    """A merges T2 into T1 and syncs (the server merges); B then replies on T1, so the
    server refuses to undo that merge; A undoes it offline. Must hold after A's sync:
    the undo is rejected; A's cache has every message of T1 and T2 where the server has
    it (T2's own on T1), with the merge's system messages the local undo had dropped; T2
    is merged into T1 again; the merge can be undone locally no longer than the server's
    merge stands (its log entry is live again)."""
    seeded, user_a, token_a, token_b, path = two_agents(server, tmp_path)
    keep, other = seeded["keep"], seeded["other"]
    both = [keep, other]
    with cache(path) as (_, s):
        merge_locally(s, keep, [other], user_a.id)
    sync(path, server, token_a)
    with server.sessions() as s:
        assert s.scalar(select(Ticket.merged_into_id).where(Ticket.id == other)) == keep
    with server.client(token_b) as b:
        answer = b.post(f"/tickets/{keep}/messages", json={"kind": "agent_reply", "body": "ب"})
        assert answer.status_code in (200, 201), answer.text
    with cache(path) as (_, s):
        assert unmerge_locally(s, keep) == [other]
    moved_back = {m for m, t in cached_messages(path, both).items() if t == other}

    report, state = sync(path, server, token_a)
    assert state.status == "online" and report.rejected == 1
    on_server = server_messages(server, both)
    assert moved_back and {on_server.get(m) for m in moved_back} == {keep}
    assert cached_messages(path, both) == on_server
    assert cached_followers(path, both) == server_followers(server, both)
    assert column(path, "tickets", "merged_into_id", other) == keep
    assert merge_log(path) == [(keep, None)]


def test_o7_d6_a_refused_offline_conversion_leaves_no_offline_lead_and_shows_the_servers(
    server: LiveServer, tmp_path: Path
) -> None:
    """A converts T to a lead offline with a new customer; B converts T first online.
    Must hold after A's sync: the server refused A's conversion; A's offline lead, its
    new contact and its system message are gone from A's cache; T points at B's lead,
    which A's cache holds; T's messages in A's cache are exactly the server's."""
    seeded, user_a, token_a, token_b, path = two_agents(server, tmp_path)
    target = seeded["keep"]
    with server.client(token_b) as b:
        answer = b.post(f"/tickets/{target}/convert-to-lead", json={"customer_mode": "none"})
        assert answer.status_code == 200, answer.text
        theirs = answer.json()["lead_id"]
    with cache(path) as (_, s):
        lead = convert_to_lead_locally(
            s,
            target,
            customer_mode=LeadCustomerMode.CREATE,
            new_customer_name="شرکت نمونه",
            actor_id=user_a.id,
        )
        offline_lead, offline_contact = lead.id, lead.contact_id
    assert offline_contact is not None and offline_contact in ids(path, "contacts")
    before = cached_messages(path, [target])

    report, state = sync(path, server, token_a)
    assert state.status == "online" and report.rejected == 1
    with server.sessions() as s:
        assert s.get(Lead, offline_lead) is None
        assert s.scalar(select(Ticket.lead_id).where(Ticket.id == target)) == theirs
    assert offline_lead not in ids(path, "leads") and theirs in ids(path, "leads")
    assert offline_contact not in ids(path, "contacts")
    assert column(path, "tickets", "lead_id", target) == theirs
    assert column(path, "tickets", "archived", target) == 1
    after = cached_messages(path, [target])
    assert after == server_messages(server, [target]) and set(before) - set(after)
