"""Reference data over REST on a real server (issue 3, part 3): CRUD round trips, role
refusals, team visibility (O3), refusing to delete rows in use, and desk settings that
change the priority of new tickets (P4) and their SLA due time (E1).

The key resources run on SQLite and PostgreSQL (`server`); the rest on `sqlite_server`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select

from core.enums import Role, Visibility
from core.followers import follow_team, follow_ticket, is_following
from core.models import Change, LeavePeriod, Team, TeamFollower, Ticket, User
from tests.core.factories import (
    add_member,
    make_contact,
    make_portal_user,
    make_stage,
    make_team,
    make_ticket,
    make_user,
)
from tests.sync.server_fixture import LiveServer


def _ok(reply: httpx.Response, status: int = 200) -> Any:
    assert reply.status_code == status, reply.text
    return reply.json() if reply.content else None


def _error(reply: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    error: dict[str, Any] = reply.json()["error"]
    assert error["code"] == code, error
    return error


def _as(server: LiveServer, user_id: str) -> httpx.Client:
    """A client of `user_id` that opens a connection per request: on a kept-alive loopback
    connection the test server answers ~40 ms late (Nagle meets delayed ACK)."""
    return server.client(
        server.token_for(user_id), limits=httpx.Limits(max_keepalive_connections=0)
    )


def _clients(server: LiveServer, *roles: Role) -> list[tuple[User, httpx.Client]]:
    made = []
    for role in roles:
        with server.sessions() as session:
            user = make_user(session, role=role)
            session.commit()
        made.append((user, _as(server, user.id)))
    return made


# --- contacts and accounts (S1) ----------------------------------------------------------


def test_s1_contact_crud_round_trip(server: LiveServer) -> None:
    [(_, agent)] = _clients(server, Role.AGENT)
    with agent:
        account = _ok(agent.post("/accounts", json={"name": "Acme"}), 201)
        made = _ok(
            agent.post(
                "/contacts",
                json={"name": " Sara ", "email": "Sara@Example.COM", "account_id": account["id"]},
            ),
            201,
        )
        assert made["name"] == "Sara"
        assert made["email"] == "sara@example.com"  # cleaned by core.validation.clean_email
        with server.sessions() as session:  # numbered by the change log, for sync
            assert session.get(Change, ("contact", made["id"])) is not None
        assert _ok(agent.get(f"/contacts/{made['id']}")) == made

        listed = _ok(agent.get("/contacts", params={"q": "sar"}))
        assert [c["id"] for c in listed["items"]] == [made["id"]]
        by_account = _ok(agent.get("/contacts", params={"account_id": account["id"]}))
        assert [c["id"] for c in by_account["items"]] == [made["id"]]

        patched = _ok(
            agent.patch(
                f"/contacts/{made['id']}",
                json={"mobile": "09121234567", "base_version": made["version"]},
            )
        )
        assert patched["mobile"] == "09121234567"
        assert patched["version"] == made["version"] + 1

        # a stale base version, a bad email, an unknown field, a null name: nothing changes
        _error(
            agent.patch(
                f"/contacts/{made['id']}", json={"name": "X", "base_version": made["version"]}
            ),
            409,
            "version_conflict",
        )
        bad = _error(
            agent.patch(f"/contacts/{made['id']}", json={"email": "not an email"}),
            422,
            "email_invalid",
        )
        assert bad["field"] == "email"
        _error(
            agent.patch(f"/contacts/{made['id']}", json={"nickname": "S"}), 422, "invalid_request"
        )
        _error(agent.patch(f"/contacts/{made['id']}", json={"name": None}), 422, "required")
        _error(
            agent.post("/contacts", json={"name": "Y", "account_id": "missing"}), 422, "not_found"
        )
        assert _ok(agent.get(f"/contacts/{made['id']}")) == patched

        assert agent.delete(f"/contacts/{made['id']}").status_code == 204
        _error(agent.get(f"/contacts/{made['id']}"), 404, "not_found")


def test_s1_contact_and_account_in_use_are_not_deleted(server: LiveServer) -> None:
    with server.sessions() as session:
        contact = make_contact(session, email="c@example.com")
        make_ticket(session, contact_id=contact.id)
        session.commit()
    [(_, agent)] = _clients(server, Role.AGENT)
    with agent:
        account = _ok(agent.post("/accounts", json={"name": "Acme", "email": "a@EXAMPLE.com"}), 201)
        assert account["email"] == "a@example.com"
        _ok(agent.patch(f"/contacts/{contact.id}", json={"account_id": account["id"]}))
        refused = _error(agent.delete(f"/contacts/{contact.id}"), 409, "in_use")
        assert "tickets" in refused["message"]
        assert (
            "contacts"
            in _error(agent.delete(f"/accounts/{account['id']}"), 409, "in_use")["message"]
        )
        _ok(agent.get(f"/contacts/{contact.id}"))
        _ok(agent.get(f"/accounts/{account['id']}"))


def test_lists_page_by_limit_and_offset(sqlite_server: LiveServer) -> None:
    [(_, agent)] = _clients(sqlite_server, Role.AGENT)
    with agent:
        for name in ("Ava", "Bita", "Cyrus", "Dara", "Elham"):
            _ok(agent.post("/accounts", json={"name": name}), 201)
        seen: list[str] = []
        offset: int | None = 0
        while offset is not None:
            page = _ok(agent.get("/accounts", params={"limit": 2, "offset": offset}))
            assert len(page["items"]) <= 2
            seen += [a["name"] for a in page["items"]]
            offset = page["next_offset"]
        assert seen == ["Ava", "Bita", "Cyrus", "Dara", "Elham"]
        _error(agent.get("/accounts", params={"limit": 0}), 422, "invalid_request")
        _error(agent.get("/accounts", params={"limit": 501}), 422, "invalid_request")


def test_companies_are_written_by_supervisors(sqlite_server: LiveServer) -> None:
    [(_, agent), (_, supervisor)] = _clients(sqlite_server, Role.AGENT, Role.SUPERVISOR)
    with agent, supervisor:
        _error(agent.post("/companies", json={"name": "Desk Co"}), 403, "forbidden")
        company = _ok(supervisor.post("/companies", json={"name": "Desk Co"}), 201)
        assert _ok(agent.get(f"/companies/{company['id']}"))["name"] == "Desk Co"
        renamed = _ok(supervisor.patch(f"/companies/{company['id']}", json={"name": "Desk"}))
        assert renamed["name"] == "Desk"
        team = _ok(supervisor.post("/teams", json={"name": "T", "company_id": company["id"]}), 201)
        assert team["company_id"] == company["id"]
        _error(supervisor.delete(f"/companies/{company['id']}"), 409, "in_use")
        _ok(supervisor.patch(f"/teams/{team['id']}", json={"company_id": None}))
        assert supervisor.delete(f"/companies/{company['id']}").status_code == 204


# --- users: the staff directory -----------------------------------------------------------


def test_users_directory_never_returns_password_hashes(server: LiveServer) -> None:
    [(admin_user, admin), (_, agent), (_, portal)] = _clients(
        server, Role.ADMIN, Role.AGENT, Role.PORTAL
    )
    with admin, agent, portal:
        made = _ok(
            admin.post(
                "/users",
                json={
                    "username": "neda",
                    "display_name": "Neda",
                    "role": "supervisor",
                    "email": "Neda@Desk.IR",
                    "password": "long enough pass",
                },
            ),
            201,
        )
        assert "password_hash" not in made and "password" not in made
        assert made["email"] == "neda@desk.ir"
        with server.sessions() as session:
            stored = session.get(User, made["id"])
            assert stored is not None and (stored.password_hash or "").startswith("$argon2id$")
        directory = _ok(agent.get("/users", params={"limit": 500}))
        assert made["id"] in {u["id"] for u in directory["items"]}
        assert all("password_hash" not in u for u in directory["items"])
        assert "password_hash" not in _ok(agent.get(f"/users/{made['id']}"))
        _error(portal.get("/users"), 403, "forbidden")
        _error(agent.post("/users", json={"username": "x", "display_name": "X"}), 403, "forbidden")
        _error(agent.patch(f"/users/{made['id']}", json={"display_name": "Y"}), 403, "forbidden")

        _error(
            admin.post("/users", json={"username": "neda", "display_name": "Again"}),
            409,
            "duplicate",
        )
        _error(
            admin.post("/users", json={"username": "p1", "display_name": "P", "role": "portal"}),
            422,
            "required",
        )
        _error(
            admin.post("/users", json={"username": "ok", "display_name": "P", "pasword": "x"}),
            422,
            "invalid_request",
        )

        token = server.token_for(made["id"])
        with server.client(token) as neda:
            _ok(neda.get("/auth/me"))
            assert admin.delete(f"/users/{made['id']}").status_code == 204
            assert neda.get("/auth/me").status_code == 401
        assert _ok(admin.get(f"/users/{made['id']}"))["active"] is False

        # the last active admin can neither leave nor be demoted
        _error(admin.delete(f"/users/{admin_user.id}"), 409, "last_admin")
        _error(admin.patch(f"/users/{admin_user.id}", json={"role": "agent"}), 409, "last_admin")


# --- teams (O1-O4) ------------------------------------------------------------------------


def test_o3_private_team_is_404_for_outsiders(server: LiveServer) -> None:
    """A private team and its stages do not exist for staff who are not invited, even
    supervisors; members and admins see them; portal users get 403 on the staff API."""
    with server.sessions() as session:
        member = make_user(session, role=Role.AGENT)
        outsider = make_user(session, role=Role.AGENT)
        boss = make_user(session, role=Role.SUPERVISOR)
        admin = make_user(session, role=Role.ADMIN)
        portal = make_portal_user(session)
        secret = make_team(session, "Secret", visibility=Visibility.PRIVATE)
        open_team = make_team(session, "Open", visibility=Visibility.COMPANY)
        add_member(session, secret, member)
        stage = make_stage(session, secret)
        session.commit()
    paths = [f"/teams/{secret.id}", f"/teams/{secret.id}/stages", f"/stages/{stage.id}"]
    for user, expected in ((outsider, 404), (boss, 404), (member, 200), (admin, 200)):
        with _as(server, user.id) as client:
            for path in paths:
                assert client.get(path).status_code == expected, (user.role, path)
            names = {t["name"] for t in _ok(client.get("/teams"))["items"]}
            assert ("Secret" in names) == (expected == 200)
            assert "Open" in names
    with _as(server, boss.id) as supervisor:
        # writes to a team one cannot see are 404 too, and change nothing
        _error(supervisor.patch(f"/teams/{secret.id}", json={"name": "Mine"}), 404, "not_found")
        _error(supervisor.post(f"/teams/{secret.id}/stages", json={"name": "S"}), 404, "not_found")
        _error(supervisor.patch(f"/stages/{stage.id}", json={"name": "S"}), 404, "not_found")
        _error(supervisor.delete(f"/teams/{secret.id}"), 404, "not_found")
        _error(
            supervisor.post("/departments", json={"name": "D", "team_id": secret.id}),
            422,
            "not_found",
        )
    with _as(server, portal.id) as customer:
        _error(customer.get(f"/teams/{open_team.id}"), 403, "forbidden")
        _error(customer.get("/teams"), 403, "forbidden")
    with server.sessions() as session:
        kept = session.get(Team, secret.id)
        assert kept is not None and kept.name == "Secret" and kept.active


def test_o3_leaving_public_drops_portal_followers(server: LiveServer) -> None:
    """Public -> company removes portal users (contacts with a portal login) as followers of
    the team and of its tickets; a contact without a login and staff followers stay. The
    ticket gets a new version and a new change number so clients take the new list."""
    with server.sessions() as session:
        supervisor = make_user(session, role=Role.SUPERVISOR)
        agent = make_user(session)
        portal = make_portal_user(session)
        assert portal.contact_id is not None
        mail_only = make_contact(session, email="mail@example.com")
        team = make_team(session, "Public", visibility=Visibility.PUBLIC)
        ticket = make_ticket(session, team=team)
        follow_team(session, team.id, contact_id=portal.contact_id)
        follow_team(session, team.id, contact_id=mail_only.id)
        follow_team(session, team.id, user_id=agent.id)
        follow_ticket(session, ticket.id, contact_id=portal.contact_id)
        session.commit()
        before = session.scalar(
            select(Change.seq).where(Change.entity == "ticket", Change.entity_id == ticket.id)
        )
        ticket_version = ticket.version
    with _as(server, supervisor.id) as client:
        shown = _ok(client.get(f"/teams/{team.id}"))
        assert {"user_id": None, "contact_id": portal.contact_id} in shown["followers"]
        changed = _ok(client.patch(f"/teams/{team.id}", json={"visibility": "company"}))
    assert changed["visibility"] == "company"
    assert {f["contact_id"] for f in changed["followers"]} == {mail_only.id, None}
    assert {f["user_id"] for f in changed["followers"]} == {agent.id, None}
    with server.sessions() as session:
        assert not is_following(session, ticket.id, contact_id=portal.contact_id)
        left = session.scalars(
            select(TeamFollower.contact_id).where(TeamFollower.team_id == team.id)
        ).all()
        assert portal.contact_id not in left
        stored = session.get(Ticket, ticket.id)
        assert stored is not None and stored.version > ticket_version
        after = session.scalar(
            select(Change.seq).where(Change.entity == "ticket", Change.entity_id == ticket.id)
        )
        assert before is not None and after is not None and after > before
    # portal users follow only public teams (O3)
    with _as(server, supervisor.id) as client:
        _error(
            client.post(f"/teams/{team.id}/followers", json={"contact_id": portal.contact_id}),
            422,
            "team_not_public",
        )


def test_o1_o4_o5_team_members_followers_and_stages(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    with server.sessions() as session:
        agent = make_user(session)
        portal = make_portal_user(session)
        mail_only = make_contact(session, email="m@example.com")
        session.commit()
    [(boss, supervisor)] = _clients(server, Role.SUPERVISOR)
    with supervisor, _as(server, agent.id) as agent_client:
        _error(agent_client.post("/teams", json={"name": "Mine"}), 403, "forbidden")
        team = _ok(
            supervisor.post(
                "/teams",
                json={"name": "Tier 2", "visibility": "private", "assignment_mode": "equal_open"},
            ),
            201,
        )
        # the supervisor who made a private team is in it, or it would vanish for them
        assert team["members"] == [{"user_id": boss.id, "assignable": False}]
        tid = team["id"]
        _error(agent_client.get(f"/teams/{tid}"), 404, "not_found")
        with_member = _ok(
            supervisor.put(f"/teams/{tid}/members/{agent.id}", json={"assignable": True})
        )
        assert {"user_id": agent.id, "assignable": True} in with_member["members"]
        _ok(agent_client.get(f"/teams/{tid}"))
        _error(supervisor.put(f"/teams/{tid}/members/{portal.id}", json={}), 422, "not_staff")
        _error(supervisor.put(f"/teams/{tid}/members/nobody", json={}), 422, "not_found")

        # O4: followers, and following oneself
        _ok(supervisor.post(f"/teams/{tid}/followers", json={"contact_id": mail_only.id}))
        _error(supervisor.post(f"/teams/{tid}/followers", json={}), 422, "one_party")
        followed = _ok(agent_client.post(f"/teams/{tid}/follow"))
        assert followed == {"following": True, "changed": True}
        assert _ok(agent_client.post(f"/teams/{tid}/follow"))["changed"] is False
        team_now = _ok(agent_client.get(f"/teams/{tid}"))
        assert {"user_id": agent.id, "contact_id": None} in team_now["followers"]
        assert _ok(agent_client.delete(f"/teams/{tid}/follow"))["changed"] is True
        gone = _ok(supervisor.delete(f"/teams/{tid}/followers/contacts/{mail_only.id}"))
        assert gone["followers"] == []
        _error(
            supervisor.delete(f"/teams/{tid}/followers/contacts/{mail_only.id}"), 404, "not_found"
        )

        # O1: a pipeline of stages
        new = _ok(supervisor.post(f"/teams/{tid}/stages", json={"name": "New", "sequence": 1}), 201)
        done = _ok(
            supervisor.post(
                f"/teams/{tid}/stages", json={"name": "Done", "sequence": 9, "is_closed": True}
            ),
            201,
        )
        _error(agent_client.post(f"/teams/{tid}/stages", json={"name": "X"}), 403, "forbidden")
        names = [s["name"] for s in _ok(agent_client.get(f"/teams/{tid}/stages"))]
        assert names == ["New", "Done"]
        moved = _ok(supervisor.patch(f"/stages/{done['id']}", json={"sequence": 0, "folded": True}))
        assert moved["folded"] is True
        assert [s["name"] for s in _ok(agent_client.get(f"/teams/{tid}/stages"))] == ["Done", "New"]
        with server.sessions() as session:
            make_ticket(session, team=session.get(Team, tid), stage_id=new["id"])
            session.commit()
        _error(supervisor.delete(f"/stages/{new['id']}"), 409, "in_use")
        assert supervisor.delete(f"/stages/{done['id']}").status_code == 204
        _error(agent_client.get(f"/stages/{done['id']}"), 404, "not_found")

        # deleting a team deactivates it: its tickets keep their team
        _ok(supervisor.delete(f"/teams/{tid}/members/{agent.id}"))
        _error(supervisor.delete(f"/teams/{tid}/members/{agent.id}"), 404, "not_found")
        assert supervisor.delete(f"/teams/{tid}").status_code == 204
        assert _ok(supervisor.get(f"/teams/{tid}"))["active"] is False
        inactive = _ok(supervisor.get("/teams", params={"active": False}))
        assert [t["id"] for t in inactive["items"]] == [tid]


# --- what tickets are filed under ---------------------------------------------------------


def test_c1_departments_and_subjects(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    [(_, agent), (_, supervisor)] = _clients(server, Role.AGENT, Role.SUPERVISOR)
    with agent, supervisor:
        team = _ok(supervisor.post("/teams", json={"name": "Finance"}), 201)
        _error(agent.post("/departments", json={"name": "Billing"}), 403, "forbidden")
        dept = _ok(
            supervisor.post(
                "/departments",
                json={"name": "Billing", "category": "finance", "team_id": team["id"]},
            ),
            201,
        )
        _error(
            supervisor.post("/departments", json={"name": "B", "category": "gossip"}),
            422,
            "invalid_request",
        )
        first = _ok(
            supervisor.post(
                f"/departments/{dept['id']}/subjects", json={"name": "Invoice", "sequence": 2}
            ),
            201,
        )
        _ok(
            supervisor.post(
                f"/departments/{dept['id']}/subjects", json={"name": "Refund", "sequence": 1}
            ),
            201,
        )
        listed = _ok(agent.get(f"/departments/{dept['id']}/subjects"))
        assert [s["name"] for s in listed] == ["Refund", "Invoice"]
        _ok(supervisor.patch(f"/subjects/{first['id']}", json={"name": "Invoices"}))
        assert _ok(agent.get(f"/subjects/{first['id']}"))["name"] == "Invoices"
        with server.sessions() as session:
            make_ticket(session, department_id=dept["id"], subject_id=first["id"])
            session.commit()
        _error(supervisor.delete(f"/subjects/{first['id']}"), 409, "in_use")
        assert supervisor.delete(f"/departments/{dept['id']}").status_code == 204
        assert _ok(agent.get(f"/departments/{dept['id']}"))["active"] is False
        active = _ok(agent.get("/departments", params={"active": True}))
        assert active["items"] == []


def test_p3_p5_subtypes_and_custom_fields(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    [(_, agent), (_, supervisor)] = _clients(server, Role.AGENT, Role.SUPERVISOR)
    with agent, supervisor:
        subtype = _ok(supervisor.post("/subtypes", json={"name": "Complaint"}), 201)
        _error(supervisor.post("/subtypes", json={"name": "Complaint"}), 409, "duplicate")
        sid = subtype["id"]
        _error(
            supervisor.post(
                f"/subtypes/{sid}/fields", json={"key": "level", "label": "L", "kind": "choice"}
            ),
            422,
            "required",
        )
        _error(
            supervisor.post(f"/subtypes/{sid}/fields", json={"key": "Bad Key", "label": "L"}),
            422,
            "invalid_request",
        )
        level = _ok(
            supervisor.post(
                f"/subtypes/{sid}/fields",
                json={
                    "key": "level",
                    "label": "Level",
                    "kind": "choice",
                    "choices": ["a", "b"],
                    "required": True,
                },
            ),
            201,
        )
        _error(
            supervisor.post(f"/subtypes/{sid}/fields", json={"key": "level", "label": "Again"}),
            409,
            "duplicate",
        )
        _error(
            supervisor.patch(f"/custom-fields/{level['id']}", json={"choices": []}), 422, "required"
        )
        relabelled = _ok(supervisor.patch(f"/custom-fields/{level['id']}", json={"label": "Grade"}))
        assert relabelled["label"] == "Grade" and relabelled["key"] == "level"
        assert [f["key"] for f in _ok(agent.get(f"/subtypes/{sid}/fields"))] == ["level"]
        _error(agent.post("/subtypes", json={"name": "Praise"}), 403, "forbidden")

        used = _ok(supervisor.post("/subtypes", json={"name": "Support request"}), 201)
        with server.sessions() as session:
            make_ticket(session, subtype_id=used["id"])
            session.commit()
        _error(supervisor.delete(f"/subtypes/{used['id']}"), 409, "in_use")
        # an unused subtype goes, and its field definitions with it
        assert supervisor.delete(f"/subtypes/{sid}").status_code == 204
        _error(agent.get(f"/custom-fields/{level['id']}"), 404, "not_found")


def test_e2_tags(sqlite_server: LiveServer) -> None:
    [(_, agent), (_, portal)] = _clients(sqlite_server, Role.AGENT, Role.PORTAL)
    with agent, portal:
        tag = _ok(agent.post("/tags", json={"name": "vip", "color": "#ff0000"}), 201)
        _error(agent.post("/tags", json={"name": "vip"}), 409, "duplicate")
        _error(agent.post("/tags", json={"name": "red", "color": "red"}), 422, "invalid_request")
        _error(agent.post("/tags", json={"name": "   "}), 422, "invalid_request")
        _error(agent.post("/tags", json={"name": "a\x00b"}), 422, "invalid_request")
        other = _ok(agent.post("/tags", json={"name": "billing"}), 201)
        _error(agent.patch(f"/tags/{other['id']}", json={"name": "vip"}), 409, "duplicate")
        assert [t["name"] for t in _ok(agent.get("/tags"))["items"]] == ["billing", "vip"]
        _error(portal.get("/tags"), 403, "forbidden")
        _error(portal.post("/tags", json={"name": "mine"}), 403, "forbidden")
        with sqlite_server.sessions() as session:
            ticket = make_ticket(session)
            from core.models import Tag

            stored = session.get(Tag, tag["id"])
            assert stored is not None
            ticket.tags.append(stored)
            session.commit()
        _error(agent.delete(f"/tags/{tag['id']}"), 409, "in_use")
        assert agent.delete(f"/tags/{other['id']}").status_code == 204


# --- reusable text ------------------------------------------------------------------------


def test_s8_kb_articles_are_written_by_supervisors(sqlite_server: LiveServer) -> None:
    [(_, agent), (_, supervisor)] = _clients(sqlite_server, Role.AGENT, Role.SUPERVISOR)
    with agent, supervisor:
        _error(agent.post("/kb-articles", json={"title": "T", "body": "B"}), 403, "forbidden")
        article = _ok(
            supervisor.post(
                "/kb-articles",
                json={"title": "بازنشانی گذرواژه", "body": "گام‌ها ...", "keywords": "password"},
            ),
            201,
        )
        assert (
            _ok(agent.get("/kb-articles", params={"q": "password"}))["items"][0]["id"]
            == article["id"]
        )
        _ok(supervisor.patch(f"/kb-articles/{article['id']}", json={"published": False}))
        assert _ok(agent.get("/kb-articles", params={"published": True}))["items"] == []
        _error(agent.delete(f"/kb-articles/{article['id']}"), 403, "forbidden")
        assert supervisor.delete(f"/kb-articles/{article['id']}").status_code == 204


def test_e2_canned_replies_personal_ones_stay_personal(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    with server.sessions() as session:
        secret = make_team(session, "Secret", visibility=Visibility.PRIVATE)
        session.commit()
    [(me, mine), (_, other), (_, admin)] = _clients(server, Role.AGENT, Role.AGENT, Role.ADMIN)
    with mine, other, admin:
        shared = _ok(mine.post("/canned-replies", json={"title": "Hello", "body": "Hi!"}), 201)
        personal = _ok(
            mine.post("/canned-replies", json={"title": "Mine", "body": "...", "owner_id": me.id}),
            201,
        )
        team_reply = _ok(
            admin.post("/canned-replies", json={"title": "S", "body": "s", "team_id": secret.id}),
            201,
        )
        _error(
            other.post("/canned-replies", json={"title": "X", "body": "x", "owner_id": me.id}),
            422,
            "not_owner",
        )
        _error(
            mine.post("/canned-replies", json={"title": "X", "body": "x", "team_id": secret.id}),
            422,
            "not_found",
        )
        assert {r["id"] for r in _ok(mine.get("/canned-replies"))["items"]} == {
            shared["id"],
            personal["id"],
        }
        assert {r["id"] for r in _ok(other.get("/canned-replies"))["items"]} == {shared["id"]}
        _error(other.get(f"/canned-replies/{personal['id']}"), 404, "not_found")
        _error(other.delete(f"/canned-replies/{personal['id']}"), 404, "not_found")
        _error(other.get(f"/canned-replies/{team_reply['id']}"), 404, "not_found")
        edited = _ok(other.patch(f"/canned-replies/{shared['id']}", json={"body": "Hello!"}))
        assert edited["body"] == "Hello!"
        # E2: an admin manages the shared replies, never reads a colleague's personal one
        assert {r["id"] for r in _ok(admin.get("/canned-replies"))["items"]} == {
            shared["id"],
            team_reply["id"],
        }
        _error(admin.get(f"/canned-replies/{personal['id']}"), 404, "not_found")
        assert mine.delete(f"/canned-replies/{personal['id']}").status_code == 204


# --- sales teams and leave ----------------------------------------------------------------


def test_o7_sales_teams(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    with server.sessions() as session:
        seller = make_user(session)
        customer = make_portal_user(session)
        session.commit()
    [(_, agent), (boss, supervisor)] = _clients(server, Role.AGENT, Role.SUPERVISOR)
    with agent, supervisor:
        _error(agent.post("/sales-teams", json={"name": "S"}), 403, "forbidden")
        team = _ok(
            supervisor.post(
                "/sales-teams",
                json={
                    "name": "Renewals",
                    "leader_id": boss.id,
                    "member_ids": [seller.id, seller.id],
                },
            ),
            201,
        )
        assert team["member_ids"] == [seller.id]
        _error(
            supervisor.patch(f"/sales-teams/{team['id']}", json={"member_ids": [customer.id]}),
            422,
            "not_staff",
        )
        both = _ok(
            supervisor.patch(
                f"/sales-teams/{team['id']}", json={"member_ids": [seller.id, boss.id]}
            )
        )
        assert both["member_ids"] == sorted([seller.id, boss.id])
        assert _ok(agent.get(f"/sales-teams/{team['id']}"))["member_ids"] == both["member_ids"]
        assert supervisor.delete(f"/sales-teams/{team['id']}").status_code == 204
        _error(agent.get(f"/sales-teams/{team['id']}"), 404, "not_found")


def test_o5_leave_periods(sqlite_server: LiveServer) -> None:
    server = sqlite_server
    with server.sessions() as session:
        away = make_user(session)
        session.commit()
    [(_, agent), (_, supervisor)] = _clients(server, Role.AGENT, Role.SUPERVISOR)
    start = datetime(2030, 3, 20, 8, 0).astimezone()
    body = {
        "user_id": away.id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=3)).isoformat(),
    }
    with agent, supervisor:
        _error(agent.post("/leave-periods", json=body), 403, "forbidden")
        leave = _ok(supervisor.post("/leave-periods", json={**body, "reason": "Nowruz"}), 201)
        _error(
            supervisor.post("/leave-periods", json={**body, "ends_at": body["starts_at"]}),
            422,
            "invalid_range",
        )
        _error(
            supervisor.post("/leave-periods", json={**body, "starts_at": "2030-03-20T08:00:00"}),
            422,
            "invalid_request",
        )
        _error(
            supervisor.patch(
                f"/leave-periods/{leave['id']}", json={"ends_at": "2030-03-01T00:00:00Z"}
            ),
            422,
            "invalid_range",
        )
        listed = _ok(agent.get("/leave-periods", params={"user_id": away.id}))
        assert [p["id"] for p in listed["items"]] == [leave["id"]]
        assert supervisor.delete(f"/leave-periods/{leave['id']}").status_code == 204
    with server.sessions() as session:
        assert session.scalars(select(LeavePeriod)).all() == []


# --- settings (P4, E1) --------------------------------------------------------------------

ALL_HIGH = {
    s: dict.fromkeys(("minor", "serious", "catastrophic"), "high")
    for s in ("low", "medium", "critical")
}


def test_p4_settings_round_trip_changes_priority_of_new_tickets(server: LiveServer) -> None:
    [(_, admin), (_, agent)] = _clients(server, Role.ADMIN, Role.AGENT)
    ticket = {"title": "Printer", "contact_email": "c@example.com", "severity": 0, "impact": 0}
    with admin, agent:
        before = _ok(agent.post("/tickets", json=ticket), 201)
        assert before["priority"] == 0  # low x minor is low by default

        _error(agent.put("/settings/priority-matrix", json=ALL_HIGH), 403, "forbidden")
        missing = {k: v for k, v in ALL_HIGH.items() if k != "critical"}
        _error(admin.put("/settings/priority-matrix", json=missing), 422, "invalid_request")
        typo = {**ALL_HIGH, "low": {**ALL_HIGH["low"], "minor": "urgent"}}
        _error(admin.put("/settings/priority-matrix", json=typo), 422, "invalid_request")
        assert _ok(agent.get("/settings/priority-matrix"))["low"]["minor"] == "low"

        assert _ok(admin.put("/settings/priority-matrix", json=ALL_HIGH)) == ALL_HIGH
        assert _ok(agent.get("/settings"))["priority_matrix"] == ALL_HIGH
        after = _ok(agent.post("/tickets", json=ticket), 201)
        assert after["priority"] == 2

        # E1: the SLA clock of a new ticket follows the targets of its priority
        sla = _ok(agent.get("/settings/sla-targets"))
        sla["high"] = {"first_response_minutes": 7, "resolution_minutes": 70}
        _error(
            admin.put(
                "/settings/sla-targets",
                json={**sla, "high": {"first_response_minutes": 70, "resolution_minutes": 7}},
            ),
            422,
            "invalid_request",
        )
        assert (
            _ok(admin.put("/settings/sla-targets", json=sla))["high"]["first_response_minutes"] == 7
        )
        timed = _ok(agent.post("/tickets", json=ticket), 201)
        due = datetime.fromisoformat(timed["sla_due_at"]) - datetime.fromisoformat(
            timed["created_at"]
        )
        assert abs(due - timedelta(minutes=7)) < timedelta(seconds=1)


def test_unstorable_text_in_queries_and_paths_is_refused_not_500(server: LiveServer) -> None:
    """NUL and lone surrogates cannot reach PostgreSQL: 422 in a search, 404 in a path."""
    with server.sessions() as session:
        team = make_team(session)
        session.commit()
    [(_, supervisor)] = _clients(server, Role.SUPERVISOR)
    with supervisor:
        for path in ("/contacts", "/accounts", "/users", "/tags", "/kb-articles"):
            _error(supervisor.get(path, params={"q": "a\x00b"}), 422, "invalid_request")
        for path in (
            f"/teams/{team.id}/followers/users/a%00b",
            f"/teams/{team.id}/followers/contacts/%ED%A0%80",
            f"/teams/{team.id}/members/a%00b",
            "/contacts/a%00b",
            "/canned-replies/%00",
        ):
            assert supervisor.delete(path).status_code == 404, path
