"""Deterministic demo data: a realistic Persian helpdesk of any size, written fast.

The same seed (and `now`) gives byte-identical tables: every choice comes from one
`random.Random(seed)`, ids are UUIDv7-shaped from that generator and a synthetic clock.
Rows go in through raw `sqlite3.executemany` in chunked transactions, encoded exactly as
SQLAlchemy stores them (enum values, 0/1 booleans, JSON text, `sql_time` datetimes), so
the ORM reads them back like any other row.
"""

from __future__ import annotations

import bisect
import json
import random
import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.cache import open_cache
from core.db import connect_raw
from core.demo import vocabulary as v
from core.enums import (
    Category,
    Channel,
    CustomerState,
    MessageKind,
    Resolution,
    Role,
    StaffState,
    Status,
)
from core.models import Base, sql_time
from core.priority import PriorityMatrix
from core.settings import PRIORITY_MATRIX, SLA_TARGETS, SlaTargets
from core.textnorm import search_key

Progress = Callable[[int, int, int], None]
"""Called as progress(tickets_done, tickets_total, rows_written) after each chunk."""

US = 1_000_000
DAY_US = 86_400 * US
HOUR_US = 3_600 * US
SPAN_DAYS = 730
CHUNK_TICKETS = 10_000
# searched tables whose insert triggers give way to one rebuild after the load
FTS_TABLES = ("tickets", "messages", "contacts")

# plain values for the hot loop
CUST, AGENT, NOTE, EVENT = (
    MessageKind.CUSTOMER_REPLY.value,
    MessageKind.AGENT_REPLY.value,
    MessageKind.INTERNAL_NOTE.value,
    MessageKind.SYSTEM_EVENT.value,
)
NEW, PROGRESS, CLOSED = Status.NEW.value, Status.IN_PROGRESS.value, Status.CLOSED.value
S_UNREAD, S_REVIEW, S_FOLLOW, S_DONE = (
    StaffState.UNREAD.value,
    StaffState.UNDER_REVIEW.value,
    StaffState.ANSWERED_FOLLOWING_UP.value,
    StaffState.ANSWERED.value,
)
C_UNREAD, C_READ = CustomerState.UNREAD.value, CustomerState.READ.value
RESOLVED, NOT_RESOLVED = Resolution.RESOLVED.value, Resolution.NOT_RESOLVED.value
RULE = Channel.RULE.value

LAST_LATIN = (
    "mohammadi", "hosseini", "ahmadi", "rezaei", "karimi", "mousavi", "jafari", "ghasemi",
    "kazemi", "rahimi", "sadeghi", "nouri", "hashemi", "yazdani", "sharifi", "taheri",
)  # fmt: skip


@dataclass
class GenerationStats:
    """What one run wrote: rows per table and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0


def default_now() -> datetime:
    """Today's midnight in UTC: the data stays recent yet is the same all day long."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


class _Ids:
    """UUIDv7-shaped ids from a seeded generator and a synthetic millisecond clock."""

    def __init__(self, rng: random.Random) -> None:
        self._bits = rng.getrandbits

    def make(self, us: int) -> str:
        r = self._bits(74)
        h = f"{us // 1000:012x}7{r >> 62:03x}{(r & 0x3FFFFFFFFFFFFFFF) | 0x8000000000000000:016x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _Clock:
    """Formats microseconds since the epoch as `sql_time` does, a day prefix cached."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}
        self._epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def text(self, us: int) -> str:
        day, rem = divmod(us, DAY_US)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = sql_time(self._epoch + timedelta(days=day))[:11]
            self._days[day] = prefix
        sec, micro = divmod(rem, US)
        hour, sec = divmod(sec, 3600)
        minute, sec = divmod(sec, 60)
        return f"{prefix}{hour:02d}:{minute:02d}:{sec:02d}.{micro:06d}"


def _encode(value: Any) -> Any:
    """One Python value in the form SQLAlchemy's column types keep it in SQLite."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return sql_time(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _literal(value: Any) -> str:
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("'", "''")
    return f"'{text}'"


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    """An INSERT naming `columns`; other columns with a constant default get it inline,
    so a column added to a model later does not break the generator."""
    tbl = Base.metadata.tables[table]
    unknown = set(columns) - set(tbl.columns.keys())
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    cols, vals = list(columns), ["?"] * len(columns)
    for col in tbl.columns:
        if col.name in columns or col.default is None or not col.default.is_scalar:
            continue
        cols.append(col.name)
        vals.append(_literal(_encode(col.default.arg)))  # type: ignore[attr-defined]
    return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(vals)})"


class _Pools:
    """Text picked per row: built once, so the hot loop only indexes lists."""

    def __init__(self, rng: random.Random, agent_names: Sequence[str], stages: Sequence[str]):
        self.rng = rng
        self.agent_names = agent_names
        self.stages = stages

    def fill(self, template: str, subjects: Sequence[str] = ("",)) -> str:
        rng = self.rng
        if "{" not in template:
            return template
        return template.format(
            s=rng.choice(subjects),
            c=f"ORD-{rng.randrange(10_000, 999_999)}",
            n=f"{rng.randrange(1, 999) * 10_000:,}",
            e=f"{rng.choice(LAST_LATIN)}{rng.randrange(100)}@{rng.choice(v.EMAIL_DOMAINS)}",
            u=rng.choice(
                (
                    "https://panel.example.ir/docs/api",
                    "https://example.ir/help",
                    "http://sms.example.ir/webservice/send.asmx",
                    "https://panel.example.ir/reports",
                )
            ),
            l=f"{rng.choice(v.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
            if rng.random() < 0.5
            else f"3000{rng.randrange(10**6):06d}",
            a=rng.choice(self.agent_names),
            g=rng.choice(self.stages),
        )

    def build(self, size: int, make: Callable[[], str]) -> list[str]:
        return [make() for _ in range(size)]

    def description(self, category: Category | None, subjects: Sequence[str]) -> str:
        rng = self.rng
        parts = [rng.choice(v.GREETINGS)]
        parts += [
            self.fill(p, subjects)
            for p in rng.sample(v.PROBLEMS[category], k=rng.choice((1, 1, 2, 2, 3)))
        ]
        parts.append(self.fill(rng.choice(v.CLOSINGS)))
        return " ".join(parts)

    def customer(self) -> str:
        rng = self.rng
        text = self.fill(rng.choice(v.CUSTOMER_FOLLOWUPS))
        if rng.random() < 0.4:
            text = f"{rng.choice(v.GREETINGS)} {text}"
        if rng.random() < 0.3:
            text = f"{text} {self.fill(rng.choice(v.CUSTOMER_FOLLOWUPS))}"
        return text

    def agent(self) -> str:
        rng = self.rng
        text = f"{rng.choice(v.GREETINGS)} {self.fill(rng.choice(v.AGENT_REPLIES))}"
        if rng.random() < 0.4:
            text = f"{text} {self.fill(rng.choice(v.AGENT_REPLIES))}"
        sign = rng.choice(v.AGENT_SIGNOFFS)
        return f"{text}\n{sign}" if sign else text

    def note(self) -> str:
        return self.fill(self.rng.choice(v.INTERNAL_NOTES))

    def event(self) -> str:
        return self.fill(self.rng.choice(v.SYSTEM_EVENTS))


def _person_name(rng: random.Random) -> tuple[str, str]:
    first = rng.choice(v.FIRST_NAMES_MALE if rng.random() < 0.55 else v.FIRST_NAMES_FEMALE)
    return first, rng.choice(v.LAST_NAMES)


def _latin(first: str, rng: random.Random) -> str:
    return v.LATIN_NAMES.get(first) or rng.choice(v.LATIN_FALLBACK)


def _mobile(rng: random.Random) -> str:
    return f"{rng.choice(v.MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


@dataclass
class _Dept:
    id: str
    category: Category | None
    team: int
    subject_ids: list[str]
    titles: list[list[str]]
    descriptions: list[str]
    subtype: int
    weight: float


@dataclass
class _Team:
    id: str
    open_stages: list[tuple[str, bool]]  # (stage id, is first)
    closed_stages: list[str]
    agents: list[str]


class _Generator:
    """One run: reference data first, then tickets and their threads in chunks."""

    def __init__(self, conn: sqlite3.Connection, *, seed: int, now: datetime) -> None:
        self.conn = conn
        self.rng = random.Random(seed)
        self.ids = _Ids(self.rng)
        self.clock = _Clock()
        self.now_us = int(now.timestamp() * US)
        self.start_us = self.now_us - SPAN_DAYS * DAY_US
        self.rows: dict[str, int] = {}
        self.seq = 0

    # -- helpers -------------------------------------------------------------------
    def put(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(rows[0])
        self.conn.executemany(
            _insert_sql(table, columns), [tuple(_encode(r[c]) for c in columns) for r in rows]
        )
        self.rows[table] = self.rows.get(table, 0) + len(rows)

    def synced(self, us: int, **values: Any) -> dict[str, Any]:
        """A synced row's common columns around `values`, created at `us`."""
        self.seq += 1
        text = self.clock.text(us)
        return {
            "id": self.ids.make(us),
            "version": 1,
            "updated_seq": self.seq,
            "created_at": text,
            "updated_at": text,
            **values,
        }

    def early(self) -> int:
        """A time in the first weeks of the span, for configuration rows."""
        return self.start_us + self.rng.randrange(0, 20 * DAY_US)

    # -- reference data --------------------------------------------------------------
    def reference(self, tickets: int) -> None:  # noqa: PLR0912, PLR0915 (one straight script)
        rng = self.rng
        companies = [self.synced(self.early(), name=n) for n in v.DESK_COMPANIES]
        self.put("companies", companies)
        company_id = companies[0]["id"]

        # accounts and contacts
        n_contacts = max(40, tickets // 15)
        n_accounts = max(10, n_contacts // 4)
        accounts = []
        for _ in range(n_accounts):
            name = (
                f"{rng.choice(v.COMPANY_PREFIXES)} {rng.choice(v.COMPANY_CORES)}"
                f"{rng.choice(v.COMPANY_SUFFIXES)}"
            )
            accounts.append(
                self.synced(
                    rng.randrange(self.start_us, self.now_us - DAY_US),
                    name=name,
                    phone=f"0{rng.choice((21, 31, 51, 71, 41, 26))}{rng.randrange(10**8):08d}",
                    email=f"info@{rng.choice(LAST_LATIN)}{rng.randrange(1000)}.ir",
                    address=f"{rng.choice(v.CITIES)}، {rng.choice(v.STREETS)}، "
                    f"پلاک {rng.randrange(1, 300)}",
                )
            )
        accounts.sort(key=lambda r: r["id"])
        self.put("accounts", accounts)
        self.contacts: list[tuple[str, str, str, str | None]] = []  # id, email, mobile, account
        contact_rows = []
        for i in range(n_contacts):
            first, last = _person_name(rng)
            account = rng.choice(accounts)["id"] if rng.random() < 0.75 else None
            email = (
                f"{_latin(first, rng)}.{rng.choice(LAST_LATIN)}{i}@{rng.choice(v.EMAIL_DOMAINS)}"
            )
            mobile = _mobile(rng)
            row = self.synced(
                rng.randrange(self.start_us, self.now_us - DAY_US),
                name=f"{first} {last}",
                email=email,
                mobile=mobile,
                account_id=account,
            )
            contact_rows.append(row)
            self.contacts.append((row["id"], email, mobile, account))
        self.put("contacts", contact_rows)

        # staff and portal users
        users: list[dict[str, Any]] = []
        self.agents: list[str] = []
        self.agent_names: list[str] = []
        self.staff: list[tuple[str, str]] = []  # id, email (internal requesters, C1)
        n_agents = min(60, 8 + tickets // 20_000)
        roles = [Role.ADMIN] + [Role.SUPERVISOR] * 3 + [Role.AGENT] * n_agents
        for i, role in enumerate(roles):
            first, last = _person_name(rng)
            latin = _latin(first, rng)
            email = f"{latin}.{rng.choice(LAST_LATIN)}@example.ir"
            row = self.synced(
                self.early(),
                username=f"{latin}{i}",
                display_name=f"{first} {last}",
                email=email,
                mobile=_mobile(rng),
                role=role,
                active=rng.random() > 0.05 or role is not Role.AGENT,
                company_id=company_id,
                contact_id=None,
                auto_follow=rng.random() < 0.7,
            )
            users.append(row)
            self.staff.append((row["id"], email))
            if role is not Role.ADMIN:
                self.agents.append(row["id"])
                self.agent_names.append(row["display_name"])
        self.portal: dict[str, str] = {}  # contact id -> portal user id
        for i, (cid, email, mobile, _acc) in enumerate(self.contacts):
            if rng.random() < 0.1:
                row = self.synced(
                    rng.randrange(self.start_us, self.now_us - DAY_US),
                    username=f"portal{i}",
                    display_name=contact_rows[i]["name"],
                    email=email,
                    mobile=mobile,
                    role=Role.PORTAL,
                    active=True,
                    company_id=None,
                    contact_id=cid,
                    auto_follow=True,
                )
                users.append(row)
                self.portal[cid] = row["id"]
        self.put("users", users)

        # planned leave: a few agents, some of it now (O5)
        leaves = []
        for agent in rng.sample(self.agents, k=max(2, len(self.agents) // 6)):
            start = self.now_us + rng.randrange(-20, 20) * DAY_US
            leaves.append(
                self.synced(
                    start - 30 * DAY_US,
                    user_id=agent,
                    starts_at=self.clock.text(start),
                    ends_at=self.clock.text(start + rng.randrange(1, 15) * DAY_US),
                    reason=rng.choice(v.LEAVE_REASONS),
                )
            )
        self.put("leave_periods", leaves)

        # teams, members, followers and stages (O1-O5)
        teams: list[dict[str, Any]] = []
        stages: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        followers: list[dict[str, Any]] = []
        self.teams: list[_Team] = []
        stage_names = []
        for name, desc, vis, mode, pipeline in v.TEAMS:
            team = self.synced(
                self.early(),
                name=name,
                public_description=desc,
                company_id=company_id,
                visibility=vis,
                assignment_mode=mode,
                active=True,
                last_assignee_id=None,
            )
            teams.append(team)
            agents = rng.sample(self.agents, k=max(3, len(self.agents) // 3))
            for agent in agents:
                members.append(
                    {"team_id": team["id"], "user_id": agent, "assignable": rng.random() < 0.8}
                )
            followers.append({"team_id": team["id"], "user_id": agents[0], "contact_id": None})
            if vis == "public":
                followers.append(
                    {"team_id": team["id"], "user_id": None, "contact_id": self.contacts[0][0]}
                )
            opened: list[tuple[str, bool]] = []
            closed: list[str] = []
            for seq, (sname, is_closed, folded) in enumerate(pipeline):
                stage = self.synced(
                    self.early(),
                    team_id=team["id"],
                    name=sname,
                    sequence=(seq + 1) * 10,
                    is_closed=is_closed,
                    folded=folded,
                )
                stages.append(stage)
                stage_names.append(sname)
                if is_closed:
                    closed.append(stage["id"])
                else:
                    opened.append((stage["id"], seq == 0))
            self.teams.append(_Team(team["id"], opened, closed, agents))
        self.put("teams", teams)
        self.put("team_members", members)
        self.put("team_followers", followers)
        self.put("stages", stages)

        self.pools = _Pools(rng, self.agent_names, stage_names)

        # subtypes and custom fields (P3, P5), with pre-serialized value sets
        subtypes = []
        defs = []
        self.custom_pools: list[list[str]] = []
        for i, (sname, fields) in enumerate(v.SUBTYPES):
            sub = self.synced(self.early(), name=sname, sequence=(i + 1) * 10)
            subtypes.append(sub)
            for j, (key, label, kind, choices, required) in enumerate(fields):
                defs.append(
                    self.synced(
                        self.early(),
                        subtype_id=sub["id"],
                        key=key,
                        label=label,
                        kind=kind,
                        choices=json.dumps(list(choices)) if choices else None,
                        required=required,
                        sequence=(j + 1) * 10,
                    )
                )
            self.custom_pools.append([json.dumps(self._custom_values(fields)) for _ in range(64)])
        self.subtype_ids = [s["id"] for s in subtypes]
        self.put("ticket_subtypes", subtypes)
        self.put("custom_field_defs", defs)

        # departments and subjects (C1, I1), with their title and description pools
        departments = []
        subjects = []
        self.depts: list[_Dept] = []
        weights = {
            Category.TECHNICAL: 30.0,
            Category.QUESTION: 15.0,
            Category.FINANCE: 12.0,
            Category.RENEWAL: 10.0,
            Category.DOCUMENTS: 8.0,
            Category.REFUND: 4.0,
            Category.FEEDBACK: 5.0,
            None: 4.0,
        }
        subtype_of = {
            Category.FINANCE: 2,
            Category.REFUND: 2,
            Category.FEEDBACK: 1,
            Category.QUESTION: 4,
            None: 3,
        }
        for dname, category, team_idx, subject_names in v.DEPARTMENTS:
            dept = self.synced(
                self.early(),
                name=dname,
                category=category,
                team_id=self.teams[team_idx].id,
                active=True,
            )
            departments.append(dept)
            ids = []
            titles = []
            for k, sub_name in enumerate(subject_names):
                subj = self.synced(
                    self.early(), department_id=dept["id"], name=sub_name, sequence=(k + 1) * 10
                )
                subjects.append(subj)
                ids.append(subj["id"])
                titles.append(
                    [
                        self.pools.fill(rng.choice(v.TITLES[category]), (sub_name,))
                        for _ in range(40)
                    ]
                )
            descriptions = [self.pools.description(category, subject_names) for _ in range(600)]
            self.depts.append(
                _Dept(
                    dept["id"],
                    category,
                    team_idx,
                    ids,
                    titles,
                    descriptions,
                    subtype_of.get(category, 0),
                    weights[category],
                )
            )
        self.put("departments", departments)
        self.put("subjects", subjects)

        self.tags = [
            self.synced(self.early(), name=name, color=rng.choice(v.TAG_COLORS)) for name in v.TAGS
        ]
        self.put("tags", self.tags)

        kb = []
        for topic in v.KB_TOPICS:
            for kind in rng.sample(v.KB_KINDS, k=2):
                body = "\n\n".join(
                    [self.pools.agent() for _ in range(3)]
                    + [self.pools.fill(rng.choice(v.AGENT_REPLIES))]
                )
                kb.append(
                    self.synced(
                        self.early(),
                        title=f"{kind} {topic}",
                        body=body,
                        keywords=f"{topic} {kind} پنل پیامک",
                        published=rng.random() < 0.9,
                    )
                )
        self.put("kb_articles", kb)

        canned = []
        for i in range(30):
            canned_team: _Team | None = rng.choice([*self.teams, None])
            canned.append(
                self.synced(
                    self.early(),
                    title=f"پاسخ آماده: {v.KB_TOPICS[i % len(v.KB_TOPICS)]}",
                    body=self.pools.agent(),
                    shortcut=f"/r{i}",
                    team_id=canned_team.id if canned_team else None,
                    owner_id=rng.choice(self.agents) if rng.random() < 0.3 else None,
                )
            )
        self.put("canned_replies", canned)

        sales = []
        sales_members = []
        for name in v.SALES_TEAMS:
            team_members = rng.sample(self.agents, k=3)
            sales.append(self.synced(self.early(), name=name, leader_id=team_members[0]))
            sales_members += [
                {"sales_team_id": sales[-1]["id"], "user_id": u} for u in team_members
            ]
        self.sales = [(s["id"], s["leader_id"]) for s in sales]
        self.put("sales_teams", sales)
        self.put("sales_team_members", sales_members)

        settings_time = self.clock.text(self.early())
        self.matrix = PriorityMatrix.default()
        self.sla = SlaTargets.default()
        self.put(
            "settings",
            [
                {
                    "key": PRIORITY_MATRIX,
                    "value": json.dumps(self.matrix.to_json()),
                    "version": 1,
                    "updated_at": settings_time,
                },
                {
                    "key": SLA_TARGETS,
                    "value": json.dumps(self.sla.to_json()),
                    "version": 1,
                    "updated_at": settings_time,
                },
            ],
        )

    def _custom_values(self, fields: Sequence[tuple[str, str, str, Any, bool]]) -> dict[str, Any]:
        rng = self.rng
        values: dict[str, Any] = {}
        for key, _label, kind, choices, required in fields:
            if not required and rng.random() < 0.3:
                continue
            if kind == "text":
                values[key] = f"{rng.choice(LAST_LATIN)}{rng.randrange(1000)}"
            elif kind == "number":
                values[key] = float(rng.randrange(1, 500) * 10_000)
            elif kind == "date":
                day = datetime.fromtimestamp(
                    rng.randrange(self.start_us, self.now_us) / US, UTC
                ).date()
                values[key] = day.isoformat()
            elif kind == "choice":
                values[key] = rng.choice(choices)
            else:
                values[key] = rng.random() < 0.5
        return values

    # -- tickets -----------------------------------------------------------------------
    # one flat loop on purpose: calls and attribute lookups per row are what costs here
    def tickets(  # noqa: PLR0912, PLR0915
        self, total: int, messages_per_ticket: float, progress: Progress | None
    ) -> None:
        """Tickets in creation order, each with its thread, links and attachments."""
        ticket_cols = (
            "id", "version", "updated_seq", "created_at", "updated_at", "number", "subtype_id",
            "title", "description", "contact_email", "contact_mobile", "contact_id",
            "account_id", "status", "severity", "impact", "priority", "urgency",
            "department_id", "subject_id", "team_id", "stage_id", "assignee_id",
            "created_by_id", "channel", "custom_values", "archived", "merged_into_id",
            "lead_id", "staff_state", "customer_state", "resolution", "rating",
            "rating_comment", "sla_due_at", "first_response_at", "closed_at",
        )  # fmt: skip
        message_cols = (
            "id", "version", "updated_seq", "created_at", "updated_at", "ticket_id", "kind",
            "body", "author_user_id", "author_contact_id", "channel", "email_message_id",
        )  # fmt: skip
        attach_cols = (
            "id", "version", "updated_seq", "created_at", "updated_at", "ticket_id",
            "message_id", "filename", "mime_type", "size", "content_hash",
        )  # fmt: skip
        lead_cols = (
            "id", "version", "updated_seq", "created_at", "updated_at", "title", "description",
            "ticket_id", "sales_team_id", "salesperson_id", "contact_id", "account_id",
        )  # fmt: skip
        sql_ticket = _insert_sql("tickets", ticket_cols)
        sql_message = _insert_sql("messages", message_cols)
        sql_attach = _insert_sql("attachments", attach_cols)
        sql_lead = _insert_sql("leads", lead_cols)
        sql_contacts = _insert_sql("ticket_contacts", ("ticket_id", "contact_id"))
        sql_tags = _insert_sql("ticket_tags", ("ticket_id", "tag_id"))
        sql_followers = _insert_sql("ticket_followers", ("ticket_id", "user_id", "contact_id"))

        rng = self.rng
        rand = rng.random
        randrange = rng.randrange
        choice = rng.choice
        expo = rng.expovariate
        make_id = self.ids.make
        ts = self.clock.text
        pools = self.pools
        customer_pool = pools.build(4000, pools.customer)
        agent_pool = pools.build(4000, pools.agent)
        note_pool = pools.build(1500, pools.note)
        event_pool = pools.build(1500, pools.event)
        comments = v.RATING_COMMENTS
        depts = self.depts
        dept_weights = list(_cumulative([d.weight for d in depts]))
        teams = self.teams
        contacts = self.contacts
        n_contacts = len(contacts)
        portal = self.portal
        staff = self.staff
        tag_ids = [t["id"] for t in self.tags]
        subtype_ids = self.subtype_ids
        custom_pools = self.custom_pools
        prio = {(s, i): int(self.matrix.priority_for(s, i)) for s in range(3) for i in range(3)}
        sla_first = {
            int(p): int(t.first_response.total_seconds() * US) for p, t in self.sla.targets.items()
        }
        sla_resolve = {
            int(p): int(t.resolution.total_seconds() * US) for p, t in self.sla.targets.items()
        }
        channels = (
            [Channel.PORTAL.value] * 35
            + [Channel.EMAIL.value] * 30
            + [Channel.AGENT.value] * 15
            + [Channel.WEB_FORM.value] * 8
            + [Channel.API.value] * 4
            + [Channel.SMS.value] * 5
            + [Channel.RULE.value] * 3
        )
        sev_pick = (0, 0, 0, 0, 1, 1, 1, 2, 2)
        imp_pick = (0, 0, 0, 0, 0, 1, 1, 1, 2)
        files = (
            ("screenshot.png", "image/png"),
            ("fish-variz.jpg", "image/jpeg"),
            ("karte-melli.pdf", "application/pdf"),
            ("invoice.pdf", "application/pdf"),
            ("error-log.txt", "text/plain"),
            ("report.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
        renewal = Category.RENEWAL
        span = self.now_us - self.start_us
        now_us = self.now_us
        start_us = self.start_us
        pending_from = total - min(5, total // 200)
        mean_gap = 8 * HOUR_US
        last_ticket_of: dict[str, str] = {}
        merged_any = lead_any = False  # at least one of each, however small the run
        bisect_right = bisect.bisect_right
        max_weight = dept_weights[-1]
        max_messages = max(0, int(2 * messages_per_ticket) - 1)

        done = 0
        while done < total:
            end = min(total, done + CHUNK_TICKETS)
            t_rows: list[tuple[Any, ...]] = []
            m_rows: list[tuple[Any, ...]] = []
            a_rows: list[tuple[Any, ...]] = []
            l_rows: list[tuple[Any, ...]] = []
            tc_rows: list[tuple[str, str]] = []
            tt_rows: list[tuple[str, str]] = []
            tf_rows: list[tuple[str, str | None, str | None]] = []
            for i in range(done, end):
                self.seq += 1
                # later tickets come denser: the desk grew over the two years
                created = start_us + int(span * ((i + rand()) / total) ** 0.75)
                tid = make_id(created)
                dept = depts[bisect_right(dept_weights, rand() * max_weight)]
                team = teams[dept.team]
                k = randrange(len(dept.subject_ids))
                title = choice(dept.titles[k])
                description = choice(dept.descriptions)
                channel = choice(channels)
                if dept.category is None:  # an internal request from a colleague (C1)
                    requester, email = staff[randrange(len(staff))]
                    contact_id = account_id = mobile = None
                    created_by: str | None = requester
                    author_contact = None
                    channel = "agent" if channel != "portal" else "portal"
                else:
                    contact_id, email, mobile, account_id = contacts[randrange(n_contacts)]
                    author_contact = contact_id
                    if channel == "portal":
                        created_by = portal.get(contact_id)
                    elif channel == "agent":
                        created_by = choice(team.agents)
                    else:
                        created_by = None
                severity = choice(sev_pick)
                impact = choice(imp_pick)
                priority = prio[severity, impact]
                age = now_us - created
                p_closed = 0.96 if age > 14 * DAY_US else 0.6 if age > 2 * DAY_US else 0.15
                closed = rand() < p_closed
                if closed:
                    stage_id = choice(team.closed_stages)
                    status = CLOSED
                    is_new = False
                else:
                    stage_id, is_new = choice(team.open_stages)
                    status = NEW if is_new else PROGRESS
                assignee = (
                    None
                    if is_new and (channel == "portal" or rand() < 0.4)
                    else choice(team.agents)
                )
                # the thread
                n_msgs = randrange(1, max_messages + 1) if max_messages else 0
                if is_new:
                    n_msgs = min(n_msgs, 2)
                t = created
                first_response = None
                last_kind = CUST
                agent_turn = True
                author_u: str | None
                author_c: str | None
                for _ in range(n_msgs):
                    t += int(expo(1.0) * mean_gap) + US
                    if t >= now_us:
                        t = now_us - randrange(1, 60) * US
                        if t <= created:
                            t = created + 1
                    r = rand()
                    if is_new:
                        kind = EVENT if r < 0.3 else CUST
                    elif r < 0.12:
                        kind = NOTE
                    elif r < 0.2:
                        kind = EVENT
                    else:
                        kind = AGENT if agent_turn else CUST
                        agent_turn = not agent_turn
                    if kind == AGENT:
                        body = choice(agent_pool)
                        author_u = assignee or choice(team.agents)
                        author_c = None
                        if first_response is None:
                            first_response = t
                        m_channel = channel if channel in ("email", "sms") else "agent"
                    elif kind == CUST:
                        body = choice(customer_pool)
                        author_u = created_by if author_contact is None else None
                        author_c = author_contact
                        m_channel = channel
                    elif kind == NOTE:
                        body = choice(note_pool)
                        author_u = choice(team.agents)
                        author_c = None
                        m_channel = "agent"
                    else:
                        body = choice(event_pool)
                        author_u = author_c = None
                        m_channel = RULE
                    last_kind = kind
                    self.seq += 1
                    mid = make_id(t)
                    tt = ts(t)
                    m_rows.append(
                        (
                            mid,
                            1,
                            self.seq,
                            tt,
                            tt,
                            tid,
                            kind,
                            body,
                            author_u,
                            author_c,
                            m_channel,
                            f"<{mid}@mail.example.ir>" if m_channel == "email" else None,
                        )
                    )
                updated = t if t > created else created
                # read states (I6)
                if closed:
                    staff_state = S_DONE
                elif is_new:
                    staff_state = S_UNREAD if rand() < 0.7 else S_REVIEW
                elif last_kind == AGENT:
                    staff_state = S_FOLLOW
                else:
                    staff_state = S_UNREAD if rand() < 0.5 else S_REVIEW
                customer_state = C_UNREAD if last_kind == AGENT and rand() < 0.4 else C_READ
                # verdict and rating (C5)
                resolution = rating = comment = None
                if closed and rand() < 0.45:
                    resolution = RESOLVED
                    rating = choice((5, 5, 5, 4, 4, 4, 3, 2))
                    comment = choice(comments)
                elif not closed and not is_new and rand() < 0.04:
                    resolution = NOT_RESOLVED
                    rating = choice((1, 2, 2, 3))
                if closed:
                    closed_text = ts(updated)
                    sla_due = None
                elif first_response is not None:
                    closed_text = None
                    sla_due = ts(first_response + sla_resolve[priority])
                else:
                    closed_text = None
                    sla_due = ts(created + sla_first[priority])
                archived = 0
                merged_into = lead_id = None
                previous = last_ticket_of.get(contact_id) if contact_id else None
                if closed:
                    r = rand()
                    if previous is not None and (r < 0.01 or not merged_any):
                        merged_any = True
                        merged_into = previous  # a duplicate merged away (O6)
                        archived = 1
                    elif dept.category is renewal and (r < 0.03 or not lead_any):
                        lead_any = True
                        sales_team, salesperson = choice(self.sales)
                        self.seq += 1
                        lead_id = make_id(updated)
                        ut = ts(updated)
                        l_rows.append(
                            (
                                lead_id, 1, self.seq, ut, ut, title, description, tid,
                                sales_team, salesperson, contact_id, account_id,
                            )
                        )  # fmt: skip
                        archived = 1  # converted to a lead (O7)
                    elif age > 365 * DAY_US and r < 0.5:
                        archived = 1
                if contact_id:
                    last_ticket_of[contact_id] = tid
                ct = ts(created)
                t_rows.append(
                    (
                        tid, 1 + n_msgs, self.seq, ct, ts(updated),
                        i + 1 if i < pending_from else None,
                        subtype_ids[dept.subtype], title, description, email, mobile,
                        contact_id, account_id, status, severity, impact, priority,
                        randrange(3) if rand() < 0.7 else None, dept.id, dept.subject_ids[k],
                        team.id, stage_id, assignee, created_by, channel,
                        choice(custom_pools[dept.subtype]), archived, merged_into, lead_id,
                        staff_state, customer_state, resolution, rating, comment, sla_due,
                        None if first_response is None else ts(first_response), closed_text,
                    )
                )  # fmt: skip
                if contact_id:
                    tc_rows.append((tid, contact_id))
                    if rand() < 0.05:  # a second person of the customer's side (S1)
                        other = contacts[randrange(n_contacts)][0]
                        if other != contact_id:
                            tc_rows.append((tid, other))
                r = rand()
                if r < 0.3:
                    tt_rows.append((tid, choice(tag_ids)))
                    if r < 0.08:
                        other_tag = choice(tag_ids)
                        if other_tag != tt_rows[-1][1]:
                            tt_rows.append((tid, other_tag))
                if assignee is not None and rand() < 0.6:
                    tf_rows.append((tid, assignee, None))
                if contact_id in portal:
                    tf_rows.append((tid, None, contact_id))
                if rand() < 0.1:
                    name, mime = choice(files)
                    self.seq += 1
                    a_rows.append(
                        (
                            make_id(created), 1, self.seq, ct, ct, tid, None, name, mime,
                            randrange(2_000, 4_000_000), f"{rng.getrandbits(256):064x}",
                        )
                    )  # fmt: skip
            conn = self.conn
            conn.execute("BEGIN")
            conn.executemany(sql_ticket, t_rows)
            conn.executemany(sql_message, m_rows)
            conn.executemany(sql_attach, a_rows)
            conn.executemany(sql_lead, l_rows)
            conn.executemany(sql_contacts, tc_rows)
            conn.executemany(sql_tags, tt_rows)
            conn.executemany(sql_followers, tf_rows)
            conn.execute("COMMIT")
            for table, rows in (
                ("tickets", t_rows),
                ("messages", m_rows),
                ("attachments", a_rows),
                ("leads", l_rows),
                ("ticket_contacts", tc_rows),
                ("ticket_tags", tt_rows),
                ("ticket_followers", tf_rows),
            ):
                self.rows[table] = self.rows.get(table, 0) + len(rows)
            done = end
            if progress is not None:
                progress(done, total, sum(self.rows.values()))


def _cumulative(weights: Sequence[float]) -> list[float]:
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _trigger_text(sql: str) -> str:
    """The argument of hd_search_key in an insert trigger, over `t` instead of `new`."""
    start = sql.index("hd_search_key(") + len("hd_search_key(")
    depth, quoted = 0, False
    for pos in range(start, len(sql)):
        ch = sql[pos]
        if ch == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                return re.sub(r"\bnew\.", "t.", sql[start:pos])
            depth -= 1
    raise ValueError("unbalanced hd_search_key call in trigger")


def _drop_fts_triggers(conn: sqlite3.Connection) -> dict[str, str]:
    """Drop the insert triggers of the bulk-loaded searched tables; returns their SQL."""
    saved = {}
    for table in FTS_TABLES:
        name = f"{table}_fts_ins"
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).fetchone()
        if row is not None:
            saved[table] = row[0]
            conn.execute(f"DROP TRIGGER {name}")
    return saved


def _rebuild_fts(conn: sqlite3.Connection, triggers: dict[str, str]) -> None:
    """Index the rows the dropped triggers missed with two INSERT...SELECTs per table,
    over the very text expression the trigger uses (read from the trigger itself)."""
    for table, trigger in triggers.items():
        fts, fmap = f"{table}_fts", f"{table}_fts_map"
        extra = [
            r[1] for r in conn.execute(f"PRAGMA table_info({fmap})") if r[1] not in ("doc", "id")
        ]
        extra_cols = "".join(f", {c}" for c in extra)
        last = conn.execute(f"SELECT coalesce(max(doc), 0) FROM {fmap}").fetchone()[0]
        conn.execute(
            f"INSERT INTO {fmap} (id{extra_cols}) SELECT id{extra_cols} FROM {table} t"
            f" WHERE NOT EXISTS (SELECT 1 FROM {fmap} m WHERE m.id = t.id) ORDER BY t.rowid"
        )
        conn.execute(
            f"INSERT INTO {fts} (rowid, key) SELECT m.doc, hd_search_key({_trigger_text(trigger)})"
            f" FROM {fmap} m JOIN {table} t ON t.id = m.id WHERE m.doc > ? ORDER BY m.doc",
            (last,),
        )


def generate(
    path: str | Path,
    *,
    tickets: int,
    messages_per_ticket: float = 5.0,
    seed: int = 1,
    progress: Progress | None = None,
    now: datetime | None = None,
    rebuild_fts: bool = True,
) -> GenerationStats:
    """Fill the cache at `path` (created and migrated if needed) with demo data.

    `now` anchors the two years of history (default: today's midnight UTC); the same
    seed and `now` give identical rows. With `rebuild_fts` the search triggers are
    dropped during the load and the index is rebuilt in one pass afterwards.
    """
    started = time.perf_counter()
    open_cache(path).dispose()
    conn = connect_raw(path)
    # bulk load: one writer, no fsync per commit, foreign keys checked by the tests
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")
    # bodies repeat (they come from pools): fold each distinct text once
    conn.create_function(
        "hd_search_key", 1, lru_cache(maxsize=65_536)(search_key), deterministic=True
    )
    gen = _Generator(conn, seed=seed, now=now or default_now())
    saved: dict[str, str] = {}
    try:
        if rebuild_fts:
            saved = _drop_fts_triggers(conn)
        conn.execute("BEGIN")
        gen.reference(tickets)
        conn.execute("COMMIT")
        gen.tickets(tickets, messages_per_ticket, progress)
        if rebuild_fts:
            conn.execute("BEGIN")
            _rebuild_fts(conn, saved)
            conn.execute("COMMIT")
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        for sql in saved.values():
            conn.execute(sql)
    # no ANALYZE: a cache filled by sync has no statistics either, and sampled ones
    # (analysis_limit) misled the planner into 1 s searches at 1,000,000 tickets
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return GenerationStats(rows=dict(gen.rows), seconds=time.perf_counter() - started)
