"""The permission matrix: every endpoint of the live app's OpenAPI spec x every role x,
for team-scoped paths, every team visibility mode (O3) — allowed, or refused with 401
(no token), 403 (role) or 404 (a team or ticket the caller may not see).

`EXPECT` names every (method, path) under /api/v1/ explicitly: an endpoint added without
an entry fails `test_every_endpoint_has_an_expectation`, so nobody ships an endpoint whose
access nobody decided. "Allowed" means any answer but 401/403/404/405 and no 5xx; each
endpoint must also succeed (2xx) at least once, which proves its test body is valid enough
to reach the handler's own checks.

One server and one seeded world per module (SQLite); a subset runs on PostgreSQL too.
Tokens come from `token_for` (no argon2 logins). Clients open a connection per request:
a kept-alive loopback connection to the test server waits ~40 ms per request (Nagle with
delayed ACKs), a fresh one does not.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from core.blobs import attach_file
from core.conversation import add_message
from core.enums import MessageKind, Role, Visibility
from core.followers import follow_team, follow_ticket
from core.models import (
    Account,
    CannedReply,
    Company,
    Contact,
    CustomFieldDef,
    Department,
    KbArticle,
    LeavePeriod,
    SalesTeam,
    Subject,
    Tag,
    Team,
    TeamMember,
    TicketSubtype,
)
from tests.core.factories import (
    make_contact,
    make_portal_user,
    make_stage,
    make_team,
    make_ticket,
    make_user,
)
from tests.sync.server_fixture import LiveServer, running_server

ANON, PORTAL, AGENT, SUPERVISOR, ADMIN = "anonymous", "portal", "agent", "supervisor", "admin"
ROLES = (ANON, PORTAL, AGENT, SUPERVISOR, ADMIN)
EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset({PORTAL, AGENT, SUPERVISOR, ADMIN})
STAFF = frozenset({AGENT, SUPERVISOR, ADMIN})
SUPERVISORS = frozenset({SUPERVISOR, ADMIN})
ADMINS = frozenset({ADMIN})
CUSTOMERS = frozenset({PORTAL})

# team visibility modes (O3), as seen by the agent and the supervisor of the matrix
TEAM_MODES = ("private_outside", "private_member", "company", "public")
# a portal ticket the customer follows, and another customer's
PORTAL_MODES = ("own", "someone_elses")


def _visible(role: str, mode: str | None, scope: str | None) -> bool:
    """Whether `role` may see the target of a scoped path in `mode`."""
    if scope is None or mode is None:
        return True
    if scope == "portal":
        return mode == "own"
    if role == ADMIN:
        return True
    if role == PORTAL:  # "attachment": the customer follows the ticket of the public team
        return mode == "public"
    return mode != "private_outside"


@dataclass(frozen=True)
class Expect:
    """Who may call an endpoint, and how the test calls it.

    `scope`: "team" (a team, its stages, a ticket of it: visibility modes apply),
    "attachment" (a file of such a ticket; portal users see it through following),
    "portal" (the customer's own ticket or someone else's), or None.
    `hidden`: the answer for a target the caller may not see (404; 403 where the team is
    only named in the body). `params`/`body`/`query` build the call for one (role, mode);
    `upload` sends a multipart file; `fresh_token` spends the caller's token (logout).
    """

    who: frozenset[str]
    scope: str | None = None
    hidden: int = 404
    params: Callable[[Ctx], dict[str, str]] | None = None
    body: Callable[[Ctx], Any] | None = None
    query: dict[str, Any] | None = None
    upload: bool = False
    stream: bool = False
    fresh_token: bool = False
    needs_2xx: bool = True

    @property
    def modes(self) -> tuple[str | None, ...]:
        if self.scope in ("team", "attachment"):
            return TEAM_MODES
        if self.scope == "portal":
            return PORTAL_MODES
        return (None,)

    def expected(self, role: str, mode: str | None) -> int | None:
        """The refusal status, or None when the call is allowed."""
        if role not in self.who:
            return 401 if role == ANON else 403
        if not _visible(role, mode, self.scope):
            return self.hidden
        return None


# --- the seeded world ---------------------------------------------------------------------

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


@dataclass
class TeamRows:
    team: str
    stage: str
    ticket: str
    content_hash: str


@dataclass
class World:
    server: LiveServer
    users: dict[str, str]
    tokens: dict[str, str | None]
    teams: dict[str, TeamRows]
    portal_tickets: dict[str, str]
    ids: dict[str, str] = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def session(self) -> Session:
        return self.server.sessions()

    def add(self, row: Any) -> str:
        with self.session() as session:
            session.add(row)
            session.commit()
            return str(row.id)


@dataclass
class Ctx:
    """One call's view of the world: the team rows of its visibility mode."""

    world: World
    mode: str | None

    @property
    def rows(self) -> TeamRows:
        return self.world.teams[self.mode or "company"]

    def id(self, name: str) -> str:
        return self.world.ids[name]

    def new_ticket(self) -> str:
        with self.world.session() as session:
            ticket = make_ticket(session, f"Fresh {_n()}", team=session.get(Team, self.rows.team))
            session.commit()
            return ticket.id

    def new_stage(self) -> str:
        with self.world.session() as session:
            team = session.get(Team, self.rows.team)
            assert team is not None
            stage = make_stage(session, team, f"Fresh {_n()}")
            session.commit()
            return stage.id

    def new_team(self) -> str:
        mode = self.mode or "company"
        with self.world.session() as session:
            team = make_team(session, f"Fresh {_n()}", visibility=_visibility(mode))
            _invite(session, self.world, team.id, mode)
            session.commit()
            return team.id

    def new_user(self) -> str:
        with self.world.session() as session:
            user = make_user(session, username=f"fresh{_n()}")
            session.commit()
            return user.id

    def spare_member(self) -> dict[str, str]:
        """The spare user as a member of this mode's team (for removing it)."""
        with self.world.session() as session:
            if session.get(TeamMember, (self.rows.team, self.id("spare"))) is None:
                session.add(TeamMember(team_id=self.rows.team, user_id=self.id("spare")))
                session.commit()
        return {"team_id": self.rows.team, "user_id": self.id("spare")}

    def spare_follower(self) -> dict[str, str]:
        with self.world.session() as session:
            follow_team(session, self.rows.team, user_id=self.id("spare"))
            session.commit()
        return {"team_id": self.rows.team, "user_id": self.id("spare")}

    def contact_follower(self) -> dict[str, str]:
        with self.world.session() as session:
            follow_team(session, self.rows.team, contact_id=self.id("contact"))
            session.commit()
        return {"team_id": self.rows.team, "contact_id": self.id("contact")}


def _visibility(mode: str) -> Visibility:
    return {
        "private_outside": Visibility.PRIVATE,
        "private_member": Visibility.PRIVATE,
        "company": Visibility.COMPANY,
        "public": Visibility.PUBLIC,
    }[mode]


def _invite(session: Session, world: World, team_id: str, mode: str) -> None:
    if mode == "private_member":
        for role in (AGENT, SUPERVISOR):
            session.add(TeamMember(team_id=team_id, user_id=world.users[role]))


def seed(server: LiveServer) -> World:
    """Users of every role, a team (stage, ticket, file) per visibility mode, portal
    tickets, and one row of every resource."""
    with server.sessions() as session:
        users = {
            AGENT: make_user(session, role=Role.AGENT, username=f"m-agent{_n()}"),
            SUPERVISOR: make_user(session, role=Role.SUPERVISOR, username=f"m-sup{_n()}"),
            ADMIN: make_user(session, role=Role.ADMIN, username=f"m-admin{_n()}"),
            PORTAL: make_portal_user(session),
        }
        portal_contact = users[PORTAL].contact_id
        assert portal_contact is not None
        spare = make_user(session, username=f"m-spare{_n()}")
        contact = make_contact(session, "Plain", email="plain@example.com")
        company = Company(name="Desk Co")
        account = Account(name="Acme")
        session.add_all([company, account])
        session.flush()
        world = World(server, {r: u.id for r, u in users.items()}, {}, {}, {})
        teams: dict[str, TeamRows] = {}
        for mode in TEAM_MODES:
            team = make_team(session, f"Team {mode}", visibility=_visibility(mode))
            _invite(session, world, team.id, mode)
            session.flush()
            stage = make_stage(session, team, "New")
            ticket = make_ticket(session, f"Ticket {mode}", team=team, stage_id=stage.id)
            add_message(session, ticket, kind=MessageKind.AGENT_REPLY, body="Hello")
            if mode == "public":
                follow_ticket(session, ticket.id, contact_id=portal_contact)
            blob = attach_file(
                session,
                server.app.state.blobs,
                ticket_id=ticket.id,
                message_id=None,
                filename=f"{mode}.txt",
                data=f"file of {mode}".encode(),
            )
            teams[mode] = TeamRows(team.id, stage.id, ticket.id, blob.content_hash)
        department = Department(name="Support", team_id=teams["company"].team)
        session.add(department)
        session.flush()
        subject = Subject(department_id=department.id, name="Login")
        subtype = TicketSubtype(name="Complaint")
        session.add_all([subject, subtype])
        session.flush()
        field_def = CustomFieldDef(subtype_id=subtype.id, key="level", label="Level")
        tag = Tag(name="vip")
        kb = KbArticle(title="Reset", body="Steps")
        canned = CannedReply(title="Hello", body="Hi")
        sales = SalesTeam(name="Renewals")
        now = datetime.now(UTC)
        leave = LeavePeriod(user_id=spare.id, starts_at=now, ends_at=now + timedelta(days=1))
        session.add_all([field_def, tag, kb, canned, sales, leave])
        own = make_ticket(
            session,
            "My request",
            contact_id=portal_contact,
            department_id=department.id,
            subject_id=subject.id,
        )
        follow_ticket(session, own.id, contact_id=portal_contact)
        add_message(session, own, kind=MessageKind.AGENT_REPLY, body="Try again")
        other = make_ticket(session, "Someone else's", contact_email="else@example.com")
        session.commit()
        world.teams = teams
        world.portal_tickets = {"own": own.id, "someone_elses": other.id}
        world.ids = {
            "spare": spare.id,
            "contact": contact.id,
            "company": company.id,
            "account": account.id,
            "department": department.id,
            "subject": subject.id,
            "subtype": subtype.id,
            "field": field_def.id,
            "tag": tag.id,
            "kb": kb.id,
            "canned": canned.id,
            "sales": sales.id,
            "leave": leave.id,
        }
    world.tokens = {ANON: None} | {r: server.token_for(u) for r, u in world.users.items()}
    return world


# --- how each path parameter is filled --------------------------------------------------


def _default_params(ctx: Ctx, names: list[str], scope: str | None) -> dict[str, str]:
    by_name: dict[str, Callable[[], str]] = {
        "team_id": lambda: ctx.rows.team,
        "stage_id": lambda: ctx.rows.stage,
        "ticket_id": lambda: (
            ctx.world.portal_tickets[ctx.mode or "own"] if scope == "portal" else ctx.rows.ticket
        ),
        "content_hash": lambda: ctx.rows.content_hash,
        "user_id": lambda: ctx.id("spare"),
        "contact_id": lambda: ctx.id("contact"),
        "account_id": lambda: ctx.id("account"),
        "company_id": lambda: ctx.id("company"),
        "department_id": lambda: ctx.id("department"),
        "subject_id": lambda: ctx.id("subject"),
        "subtype_id": lambda: ctx.id("subtype"),
        "field_id": lambda: ctx.id("field"),
        "tag_id": lambda: ctx.id("tag"),
        "article_id": lambda: ctx.id("kb"),
        "reply_id": lambda: ctx.id("canned"),
        "sales_team_id": lambda: ctx.id("sales"),
        "leave_id": lambda: ctx.id("leave"),
    }
    return {name: by_name[name]() for name in names}


def _fresh(key: str, make: Callable[[Ctx], Any]) -> Callable[[Ctx], dict[str, str]]:
    """A new row for each call (the call deletes or uses it up)."""
    return lambda ctx: {key: make(ctx)}


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


MATRIX = {
    "low": {"minor": "low", "serious": "low", "catastrophic": "normal"},
    "medium": {"minor": "low", "serious": "normal", "catastrophic": "high"},
    "critical": {"minor": "normal", "serious": "high", "catastrophic": "high"},
}
SLA = {
    p: {"first_response_minutes": m, "resolution_minutes": m * 8}
    for p, m in (("high", 60), ("normal", 240), ("low", 1440))
}


def _row(model: type[Any], **values: Any) -> Callable[[Ctx], str]:
    return lambda ctx: ctx.world.add(model(**values))


def _fresh_department(ctx: Ctx) -> str:
    return ctx.world.add(Department(name=f"Dept {_n()}"))


def _fresh_subject(ctx: Ctx) -> str:
    return ctx.world.add(Subject(department_id=ctx.id("department"), name=f"S {_n()}"))


def _fresh_subtype(ctx: Ctx) -> str:
    return ctx.world.add(TicketSubtype(name=f"Subtype {_n()}"))


def _fresh_field(ctx: Ctx) -> str:
    return ctx.world.add(CustomFieldDef(subtype_id=ctx.id("subtype"), key=f"f{_n()}", label="F"))


def _fresh_tag(ctx: Ctx) -> str:
    return ctx.world.add(Tag(name=f"tag{_n()}"))


def _fresh_leave(ctx: Ctx) -> str:
    now = datetime.now(UTC)
    return ctx.world.add(
        LeavePeriod(user_id=ctx.id("spare"), starts_at=now, ends_at=now + timedelta(hours=1))
    )


def _portal_ticket_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "department_id": ctx.id("department"),
        "subject_id": ctx.id("subject"),
        "urgency": 1,
        "title": "Cannot log in",
        "text": "It says my password is wrong.",
    }


def _web_form_body(ctx: Ctx) -> dict[str, Any]:
    return {
        "name": "Visitor",
        "email": f"visitor{_n()}@example.com",
        "department_id": ctx.id("department"),
        "subject_id": ctx.id("subject"),
        "urgency": 1,
        "title": "Question",
        "text": "How do I renew?",
    }


V = "/api/v1"

EXPECT: dict[tuple[str, str], Expect] = {
    # --- health and auth
    ("GET", f"{V}/health"): Expect(EVERYONE),
    # a well-formed body with an empty password: 422 for everyone (no argon2 here)
    ("POST", f"{V}/auth/login"): Expect(
        EVERYONE, body=lambda c: {"username": "nobody", "password": ""}, needs_2xx=False
    ),
    ("GET", f"{V}/auth/me"): Expect(LOGGED_IN),
    ("POST", f"{V}/auth/logout"): Expect(LOGGED_IN, fresh_token=True),
    ("POST", f"{V}/auth/users/{{user_id}}/revoke"): Expect(ADMINS),
    # --- sync (the lead's): staff only
    ("GET", f"{V}/sync/pull"): Expect(STAFF, query={"limit": 1}),
    # a bootstrap page lists only what the caller may see (never a 404)
    ("GET", f"{V}/sync/snapshot"): Expect(STAFF, query={"entity": "ticket", "limit": 1}),
    ("POST", f"{V}/sync/push"): Expect(
        STAFF, body=lambda c: {"client_id": f"matrix-client-{_n()}", "mutations": []}
    ),
    ("GET", f"{V}/sync/wait"): Expect(STAFF, query={"after": 10**12, "timeout": 0.05}),
    ("GET", f"{V}/sync/events"): Expect(STAFF, stream=True),
    # a ticket the caller may not see is left out of the answer (never a 404)
    ("POST", f"{V}/sync/entities"): Expect(STAFF, body=lambda c: {"ticket_ids": [c.rows.ticket]}),
    # --- tickets: staff only; a ticket of a team the caller may not see is 404
    ("GET", f"{V}/tickets"): Expect(STAFF),
    ("POST", f"{V}/tickets"): Expect(
        STAFF,
        scope="team",
        hidden=403,  # the team is named in the body: "not a member of that team"
        body=lambda c: {
            "title": "Matrix",
            "contact_email": "m@example.com",
            "team_id": c.rows.team,
        },
    ),
    ("GET", f"{V}/tickets/{{ticket_id}}"): Expect(STAFF, scope="team"),
    ("PATCH", f"{V}/tickets/{{ticket_id}}"): Expect(
        STAFF, scope="team", body=lambda c: {"description": "edited"}
    ),
    ("POST", f"{V}/tickets/{{ticket_id}}/assign"): Expect(
        STAFF, scope="team", body=lambda c: {"assignee_id": None}
    ),
    ("POST", f"{V}/tickets/{{ticket_id}}/stage"): Expect(
        STAFF, scope="team", body=lambda c: {"stage_id": c.rows.stage}
    ),
    ("POST", f"{V}/tickets/{{ticket_id}}/follow"): Expect(STAFF, scope="team"),
    ("DELETE", f"{V}/tickets/{{ticket_id}}/follow"): Expect(STAFF, scope="team"),
    ("POST", f"{V}/tickets/{{ticket_id}}/archive"): Expect(
        STAFF, scope="team", body=lambda c: {"archived": False}
    ),
    ("POST", f"{V}/tickets/{{ticket_id}}/merge"): Expect(
        STAFF, scope="team", body=lambda c: {"merge_ids": [c.new_ticket()]}
    ),
    ("GET", f"{V}/tickets/{{ticket_id}}/similar"): Expect(STAFF, scope="team"),
    # E3 collision notice: who else is on a ticket the caller may see
    ("POST", f"{V}/tickets/{{ticket_id}}/presence"): Expect(
        STAFF, scope="team", body=lambda c: {"state": "viewing"}
    ),
    ("GET", f"{V}/tickets/{{ticket_id}}/presence"): Expect(STAFF, scope="team"),
    ("POST", f"{V}/tickets/{{ticket_id}}/convert-to-lead"): Expect(
        STAFF,
        scope="team",
        params=_fresh("ticket_id", Ctx.new_ticket),
        body=lambda c: {"customer_mode": "none"},
    ),
    ("POST", f"{V}/tickets/{{ticket_id}}/tags"): Expect(
        STAFF, scope="team", body=lambda c: {"add": [c.id("tag")]}
    ),
    ("GET", f"{V}/tickets/{{ticket_id}}/messages"): Expect(STAFF, scope="team"),
    ("POST", f"{V}/tickets/{{ticket_id}}/messages"): Expect(
        STAFF, scope="team", body=lambda c: {"kind": "internal_note", "body": "Noted"}
    ),
    ("GET", f"{V}/tickets/{{ticket_id}}/attachments"): Expect(STAFF, scope="team"),
    ("POST", f"{V}/tickets/{{ticket_id}}/attachments"): Expect(STAFF, scope="team", upload=True),
    # a file: whoever may see a ticket holding it (customers: tickets they follow)
    ("GET", f"{V}/attachments/{{content_hash}}"): Expect(LOGGED_IN, scope="attachment"),
    ("HEAD", f"{V}/attachments/{{content_hash}}"): Expect(LOGGED_IN, scope="attachment"),
    # bytes by their hash before a pushed attachment.create names them (staff only)
    ("PUT", f"{V}/attachments/{{content_hash}}"): Expect(
        STAFF,
        upload=True,
        params=lambda c: {"content_hash": hashlib.sha256(b"a small file").hexdigest()},
    ),
    # --- portal: customers only (staff 403); someone else's ticket is 404
    ("GET", f"{V}/portal/catalog"): Expect(CUSTOMERS),
    ("GET", f"{V}/portal/tickets"): Expect(CUSTOMERS),
    ("POST", f"{V}/portal/tickets"): Expect(CUSTOMERS, body=_portal_ticket_body),
    ("GET", f"{V}/portal/tickets/{{ticket_id}}"): Expect(CUSTOMERS, scope="portal"),
    ("GET", f"{V}/portal/tickets/{{ticket_id}}/messages"): Expect(CUSTOMERS, scope="portal"),
    ("POST", f"{V}/portal/tickets/{{ticket_id}}/replies"): Expect(
        CUSTOMERS, scope="portal", body=lambda c: {"text": "Still broken"}
    ),
    ("POST", f"{V}/portal/tickets/{{ticket_id}}/resolve"): Expect(
        CUSTOMERS, scope="portal", body=lambda c: {"rating": 5}
    ),
    ("POST", f"{V}/portal/tickets/{{ticket_id}}/not-resolved"): Expect(
        CUSTOMERS, scope="portal", body=lambda c: {"text": "Broken again"}
    ),
    ("POST", f"{V}/portal/tickets/{{ticket_id}}/attachments"): Expect(
        CUSTOMERS, scope="portal", upload=True
    ),
    # the public web form (S2): anyone
    ("GET", f"{V}/portal/form/catalog"): Expect(EVERYONE),
    ("POST", f"{V}/portal/form/tickets"): Expect(EVERYONE, body=_web_form_body),
    # --- contacts and accounts: staff read and write
    ("GET", f"{V}/contacts"): Expect(STAFF),
    ("POST", f"{V}/contacts"): Expect(
        STAFF, body=lambda c: {"name": "New", "email": "new@example.com"}
    ),
    ("GET", f"{V}/contacts/{{contact_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/contacts/{{contact_id}}"): Expect(STAFF, body=lambda c: {"mobile": "0912"}),
    ("DELETE", f"{V}/contacts/{{contact_id}}"): Expect(
        STAFF, params=_fresh("contact_id", _row(Contact, name="Gone"))
    ),
    ("GET", f"{V}/accounts"): Expect(STAFF),
    ("POST", f"{V}/accounts"): Expect(STAFF, body=lambda c: {"name": "New Co"}),
    ("GET", f"{V}/accounts/{{account_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/accounts/{{account_id}}"): Expect(STAFF, body=lambda c: {"phone": "021"}),
    ("DELETE", f"{V}/accounts/{{account_id}}"): Expect(
        STAFF, params=_fresh("account_id", _row(Account, name="Gone"))
    ),
    # --- companies: staff read, supervisors write
    ("GET", f"{V}/companies"): Expect(STAFF),
    ("POST", f"{V}/companies"): Expect(SUPERVISORS, body=lambda c: {"name": "Other Co"}),
    ("GET", f"{V}/companies/{{company_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/companies/{{company_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"name": "Desk Co"}
    ),
    ("DELETE", f"{V}/companies/{{company_id}}"): Expect(
        SUPERVISORS, params=_fresh("company_id", _row(Company, name="Gone"))
    ),
    # --- users: staff read the directory, admins write
    ("GET", f"{V}/users"): Expect(STAFF),
    ("POST", f"{V}/users"): Expect(
        ADMINS, body=lambda c: {"username": f"new{_n()}", "display_name": "New"}
    ),
    ("GET", f"{V}/users/{{user_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/users/{{user_id}}"): Expect(ADMINS, body=lambda c: {"display_name": "Spare"}),
    ("DELETE", f"{V}/users/{{user_id}}"): Expect(ADMINS, params=_fresh("user_id", Ctx.new_user)),
    # --- teams: staff read the teams they may see, supervisors write them
    ("GET", f"{V}/teams"): Expect(STAFF),
    ("POST", f"{V}/teams"): Expect(SUPERVISORS, body=lambda c: {"name": f"New {_n()}"}),
    ("GET", f"{V}/teams/{{team_id}}"): Expect(STAFF, scope="team"),
    ("PATCH", f"{V}/teams/{{team_id}}"): Expect(
        SUPERVISORS, scope="team", body=lambda c: {"public_description": "We help."}
    ),
    ("DELETE", f"{V}/teams/{{team_id}}"): Expect(
        SUPERVISORS, scope="team", params=_fresh("team_id", Ctx.new_team)
    ),
    ("PUT", f"{V}/teams/{{team_id}}/members/{{user_id}}"): Expect(
        SUPERVISORS, scope="team", body=lambda c: {"assignable": False}
    ),
    ("DELETE", f"{V}/teams/{{team_id}}/members/{{user_id}}"): Expect(
        SUPERVISORS, scope="team", params=Ctx.spare_member
    ),
    ("POST", f"{V}/teams/{{team_id}}/followers"): Expect(
        SUPERVISORS, scope="team", body=lambda c: {"user_id": c.id("spare")}
    ),
    ("DELETE", f"{V}/teams/{{team_id}}/followers/users/{{user_id}}"): Expect(
        SUPERVISORS, scope="team", params=Ctx.spare_follower
    ),
    ("DELETE", f"{V}/teams/{{team_id}}/followers/contacts/{{contact_id}}"): Expect(
        SUPERVISORS, scope="team", params=Ctx.contact_follower
    ),
    ("POST", f"{V}/teams/{{team_id}}/follow"): Expect(STAFF, scope="team"),
    ("DELETE", f"{V}/teams/{{team_id}}/follow"): Expect(STAFF, scope="team"),
    ("GET", f"{V}/teams/{{team_id}}/stages"): Expect(STAFF, scope="team"),
    ("POST", f"{V}/teams/{{team_id}}/stages"): Expect(
        SUPERVISORS, scope="team", body=lambda c: {"name": "Waiting"}
    ),
    ("GET", f"{V}/stages/{{stage_id}}"): Expect(STAFF, scope="team"),
    ("PATCH", f"{V}/stages/{{stage_id}}"): Expect(
        SUPERVISORS, scope="team", body=lambda c: {"folded": False}
    ),
    ("DELETE", f"{V}/stages/{{stage_id}}"): Expect(
        SUPERVISORS, scope="team", params=_fresh("stage_id", Ctx.new_stage)
    ),
    # --- departments, subjects, subtypes, custom fields: staff read, supervisors write
    ("GET", f"{V}/departments"): Expect(STAFF),
    ("POST", f"{V}/departments"): Expect(SUPERVISORS, body=lambda c: {"name": "Sales"}),
    ("GET", f"{V}/departments/{{department_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/departments/{{department_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"category": "technical"}
    ),
    ("DELETE", f"{V}/departments/{{department_id}}"): Expect(
        SUPERVISORS, params=_fresh("department_id", _fresh_department)
    ),
    ("GET", f"{V}/departments/{{department_id}}/subjects"): Expect(STAFF),
    ("POST", f"{V}/departments/{{department_id}}/subjects"): Expect(
        SUPERVISORS, body=lambda c: {"name": "Password"}
    ),
    ("GET", f"{V}/subjects/{{subject_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/subjects/{{subject_id}}"): Expect(SUPERVISORS, body=lambda c: {"sequence": 5}),
    ("DELETE", f"{V}/subjects/{{subject_id}}"): Expect(
        SUPERVISORS, params=_fresh("subject_id", _fresh_subject)
    ),
    ("GET", f"{V}/subtypes"): Expect(STAFF),
    ("POST", f"{V}/subtypes"): Expect(SUPERVISORS, body=lambda c: {"name": f"Kind {_n()}"}),
    ("GET", f"{V}/subtypes/{{subtype_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/subtypes/{{subtype_id}}"): Expect(SUPERVISORS, body=lambda c: {"sequence": 3}),
    ("DELETE", f"{V}/subtypes/{{subtype_id}}"): Expect(
        SUPERVISORS, params=_fresh("subtype_id", _fresh_subtype)
    ),
    ("GET", f"{V}/subtypes/{{subtype_id}}/fields"): Expect(STAFF),
    ("POST", f"{V}/subtypes/{{subtype_id}}/fields"): Expect(
        SUPERVISORS, body=lambda c: {"key": f"k{_n()}", "label": "K"}
    ),
    ("GET", f"{V}/custom-fields/{{field_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/custom-fields/{{field_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"label": "Level"}
    ),
    ("DELETE", f"{V}/custom-fields/{{field_id}}"): Expect(
        SUPERVISORS, params=_fresh("field_id", _fresh_field)
    ),
    # --- tags: staff write
    ("GET", f"{V}/tags"): Expect(STAFF),
    ("POST", f"{V}/tags"): Expect(STAFF, body=lambda c: {"name": f"new{_n()}"}),
    ("GET", f"{V}/tags/{{tag_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/tags/{{tag_id}}"): Expect(STAFF, body=lambda c: {"color": "#00ff00"}),
    ("DELETE", f"{V}/tags/{{tag_id}}"): Expect(STAFF, params=_fresh("tag_id", _fresh_tag)),
    # --- KB: supervisors write; canned replies: staff write
    ("GET", f"{V}/kb-articles"): Expect(STAFF),
    ("POST", f"{V}/kb-articles"): Expect(SUPERVISORS, body=lambda c: {"title": "T", "body": "B"}),
    ("GET", f"{V}/kb-articles/{{article_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/kb-articles/{{article_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"keywords": "reset"}
    ),
    ("DELETE", f"{V}/kb-articles/{{article_id}}"): Expect(
        SUPERVISORS, params=_fresh("article_id", _row(KbArticle, title="Gone", body="-"))
    ),
    ("GET", f"{V}/canned-replies"): Expect(STAFF),
    ("POST", f"{V}/canned-replies"): Expect(STAFF, body=lambda c: {"title": "T", "body": "B"}),
    ("GET", f"{V}/canned-replies/{{reply_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/canned-replies/{{reply_id}}"): Expect(
        STAFF, body=lambda c: {"shortcut": "/hi"}
    ),
    ("DELETE", f"{V}/canned-replies/{{reply_id}}"): Expect(
        STAFF, params=_fresh("reply_id", _row(CannedReply, title="Gone", body="-"))
    ),
    # --- sales teams and leave: supervisors write
    ("GET", f"{V}/sales-teams"): Expect(STAFF),
    ("POST", f"{V}/sales-teams"): Expect(SUPERVISORS, body=lambda c: {"name": "New"}),
    ("GET", f"{V}/sales-teams/{{sales_team_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/sales-teams/{{sales_team_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"member_ids": [c.id("spare")]}
    ),
    ("DELETE", f"{V}/sales-teams/{{sales_team_id}}"): Expect(
        SUPERVISORS, params=_fresh("sales_team_id", _row(SalesTeam, name="Gone"))
    ),
    ("GET", f"{V}/leave-periods"): Expect(STAFF),
    ("POST", f"{V}/leave-periods"): Expect(
        SUPERVISORS,
        body=lambda c: {"user_id": c.id("spare"), "starts_at": _later(1), "ends_at": _later(2)},
    ),
    ("GET", f"{V}/leave-periods/{{leave_id}}"): Expect(STAFF),
    ("PATCH", f"{V}/leave-periods/{{leave_id}}"): Expect(
        SUPERVISORS, body=lambda c: {"reason": "Trip"}
    ),
    ("DELETE", f"{V}/leave-periods/{{leave_id}}"): Expect(
        SUPERVISORS, params=_fresh("leave_id", _fresh_leave)
    ),
    # --- settings: staff read, admins write
    ("GET", f"{V}/settings"): Expect(STAFF),
    ("GET", f"{V}/settings/priority-matrix"): Expect(STAFF),
    ("PUT", f"{V}/settings/priority-matrix"): Expect(ADMINS, body=lambda c: MATRIX),
    ("GET", f"{V}/settings/sla-targets"): Expect(STAFF),
    ("PUT", f"{V}/settings/sla-targets"): Expect(ADMINS, body=lambda c: SLA),
}

# checked on PostgreSQL as well: the team-scoped reads and writes and the portal's
PG_SUBSET = [
    ("GET", f"{V}/teams/{{team_id}}"),
    ("PATCH", f"{V}/teams/{{team_id}}"),
    ("GET", f"{V}/stages/{{stage_id}}"),
    ("GET", f"{V}/tickets/{{ticket_id}}"),
    ("PATCH", f"{V}/tickets/{{ticket_id}}"),
    ("POST", f"{V}/tickets/{{ticket_id}}/messages"),
    ("GET", f"{V}/attachments/{{content_hash}}"),
    ("GET", f"{V}/portal/tickets/{{ticket_id}}"),
    ("PUT", f"{V}/settings/priority-matrix"),
]


# --- running one cell -------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    role: str
    mode: str | None
    status: int
    text: str


def _client(world: World, role: str, token: str | None = None) -> httpx.Client:
    """A client that opens a connection per request (see the module docstring)."""
    if token is None and role in world.clients:
        return world.clients[role]
    headers = {"Authorization": f"Bearer {token or world.tokens[role]}"} if role != ANON else {}
    client = httpx.Client(
        base_url=world.server.url,
        headers=headers,
        timeout=10,
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    if token is None:
        world.clients[role] = client
    return client


def _call(
    world: World, key: tuple[str, str], expect: Expect, *, role: str, mode: str | None
) -> Outcome:
    method, path = key
    ctx = Ctx(world, mode)
    names = [p.split("}")[0] for p in path.split("{")[1:]]
    values = expect.params(ctx) if expect.params else {}
    values |= _default_params(ctx, [n for n in names if n not in values], expect.scope)
    url = path.format(**values)
    kwargs: dict[str, Any] = {}
    if expect.body is not None:
        kwargs["json"] = expect.body(ctx)
    if expect.upload:
        kwargs["files"] = {"file": ("note.txt", b"a small file", "text/plain")}
    if expect.query:
        kwargs["params"] = expect.query
    own = None
    if expect.fresh_token and role != ANON:
        own = _client(world, role, world.server.token_for(world.users[role]))
    client = own or _client(world, role)
    try:
        if expect.stream:
            with client.stream(method, url, **kwargs) as reply:
                return Outcome(role, mode, reply.status_code, "(stream)")
        reply = client.request(method, url, **kwargs)
        return Outcome(role, mode, reply.status_code, reply.text[:300])
    finally:
        if own is not None:
            own.close()


def run_matrix(world: World, key: tuple[str, str]) -> list[str]:
    """Every role x mode of one endpoint; the list of what went wrong."""
    expect = EXPECT[key]
    problems: list[str] = []
    succeeded = False
    for mode in expect.modes:
        for role in ROLES:
            got = _call(world, key, expect, role=role, mode=mode)
            refusal = expect.expected(role, mode)
            where = f"{role}" + (f"/{mode}" if mode else "")
            if refusal is not None:
                if got.status != refusal:
                    problems.append(f"{where}: expected {refusal}, got {got.status} {got.text}")
            elif got.status in (401, 403, 404, 405) or got.status >= 500:
                problems.append(f"{where}: expected allowed, got {got.status} {got.text}")
            else:
                succeeded = succeeded or 200 <= got.status < 300
    if expect.needs_2xx and not succeeded:
        problems.append("no call succeeded: the test's request is not valid enough")
    return problems


# --- tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp: Path = tmp_path_factory.mktemp("matrix")
    with running_server(f"sqlite:///{tmp / 'server.sqlite3'}", tmp) as server:
        seeded = seed(server)
        try:
            yield seeded
        finally:
            for client in seeded.clients.values():
                client.close()


def _spec_endpoints(world: World) -> set[tuple[str, str]]:
    with httpx.Client(base_url=world.server.url, timeout=10) as client:
        spec = client.get("/openapi.json").json()
    verbs = {"get", "put", "post", "delete", "patch", "head", "options"}
    return {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith(f"{V}/")
        for method in operations
        if method in verbs
    }


def test_every_endpoint_has_an_expectation(world: World) -> None:
    """A new endpoint without an entry in EXPECT fails here; so does a stale entry."""
    live = _spec_endpoints(world)
    missing = sorted(live - EXPECT.keys())
    stale = sorted(EXPECT.keys() - live)
    assert not missing, f"endpoints without an expectation in EXPECT: {missing}"
    assert not stale, f"EXPECT names endpoints the app no longer has: {stale}"


@pytest.mark.parametrize("key", sorted(EXPECT), ids=lambda k: f"{k[0]} {k[1].removeprefix(V)}")
def test_o3_permission_matrix(world: World, key: tuple[str, str]) -> None:
    """O3, S6, S9: each role x each visibility mode, allowed or refused (401/403/404)."""
    if key not in _live(world):
        pytest.fail(f"{key} is in EXPECT but not in the app's OpenAPI spec")
    problems = run_matrix(world, key)
    assert not problems, "\n".join([f"{key[0]} {key[1]}:", *problems])


_LIVE: dict[int, set[tuple[str, str]]] = {}


def _live(world: World) -> set[tuple[str, str]]:
    if id(world) not in _LIVE:
        _LIVE[id(world)] = _spec_endpoints(world)
    return _LIVE[id(world)]


def test_o3_permission_matrix_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The same cells on PostgreSQL for the team-scoped and portal paths."""
    with running_server(pg_url, tmp_path) as server:
        pg_world = seed(server)
        try:
            problems = [p for key in PG_SUBSET for p in run_matrix(pg_world, key)]
        finally:
            for client in pg_world.clients.values():
                client.close()
    assert not problems, "\n".join(problems)
