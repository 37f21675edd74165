"""Entry point of `helpdesk-cli`, the terminal front end (issue 4).

Reads the local cache for queues and tickets, logs in to the server for a token kept in
the OS keyring, and runs one sync. Persian output is shaped for terminals that cannot
(sync/client/shaping.py) only when stdout is a terminal or `--shape` asks; pipes get
logical-order text unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import getpass
import json
import os
import socket
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jdatetime
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from core.cache import default_cache_path, open_cache
from core.db import session_factory
from core.enums import MessageKind, Priority, Status
from core.models import Message, Team, Ticket
from core.outbox import pending_count
from core.paths import data_dir
from core.queues import QueueKind, QueueQuery, SortKey, load_rows, ticket_ids
from core.system_events import SystemEvent, render
from sync.client.credentials import TokenStore, normalize_server
from sync.client.shaping import Shaper, render_table, truncate

DEFAULT_SERVER = "http://127.0.0.1:8750"
CONFIG_FILE = "cli.json"
TIMEOUT = 15.0

PRIORITY_LABELS = {Priority.LOW: "low", Priority.NORMAL: "normal", Priority.HIGH: "high"}
KIND_LABELS = {
    MessageKind.CUSTOMER_REPLY: "customer",
    MessageKind.AGENT_REPLY: "agent reply",
    MessageKind.INTERNAL_NOTE: "INTERNAL NOTE (staff only)",
    MessageKind.SYSTEM_EVENT: "system",
}
# sync_state keys that may hold the last successful sync time, newest naming first
LAST_SYNC_KEYS = ("last_sync_at", "last_sync", "last_synced_at", "synced_at", "last_pull_at")


class CliError(Exception):
    """A clear message for the user and the exit code that goes with it."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


# -- configuration --------------------------------------------------------------------


def config_path() -> Path:
    return data_dir() / CONFIG_FILE


def read_config() -> dict[str, str]:
    """cli.json: the server and the user last logged in (never the token)."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}


def write_config(values: dict[str, str]) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values, ensure_ascii=False, indent=2), encoding="utf-8")


def resolve_server(args: argparse.Namespace, config: dict[str, str]) -> str:
    """--server, then HELPDESK_SERVER, then cli.json, then the local default."""
    server = (
        getattr(args, "server", None)
        or os.environ.get("HELPDESK_SERVER")
        or config.get("server")
        or DEFAULT_SERVER
    )
    return normalize_server(server)


def logged_in_user(config: dict[str, str], server: str) -> str | None:
    """The user of cli.json when it was saved for this server."""
    if normalize_server(config.get("server", "")) != server:
        return None
    return config.get("user") or None


# -- formatting -----------------------------------------------------------------------


def jalali(value: datetime | None, shaper: Shaper, *, time: bool = False) -> str:
    """A UTC time as a local Jalali date (and time), for display only."""
    if value is None:
        return "—"
    local = value.astimezone()
    shown = jdatetime.datetime.fromgregorian(datetime=local)
    return shaper.text(shown.strftime("%Y/%m/%d %H:%M" if time else "%Y/%m/%d"))


def number_label(number: int | None, shaper: Shaper) -> str:
    return "pending" if number is None else shaper.text(str(number))


def priority_label(value: int) -> str:
    try:
        return PRIORITY_LABELS[Priority(value)]
    except ValueError:
        return str(value)


def emit(lines: Sequence[str], shaper: Shaper | None = None) -> None:
    """Print lines, each shaped when `shaper` is given and on."""
    for line in lines:
        for part in shaper.lines(line) if shaper else [line]:
            print(part)


def make_shaper(args: argparse.Namespace) -> Shaper:
    shape_flag: bool | None = getattr(args, "shape", None)
    enabled = sys.stdout.isatty() if shape_flag is None else shape_flag
    return Shaper(enabled=enabled, digits=bool(getattr(args, "persian_digits", False)))


# -- the cache ------------------------------------------------------------------------


def cache_engine(args: argparse.Namespace) -> Engine:
    path = Path(getattr(args, "cache", None) or default_cache_path())
    if not path.exists():
        raise CliError(
            f"No cache at {path}. Log in and run `helpdesk-cli sync`, or pass --cache PATH."
        )
    return open_cache(path)


def find_ticket(session: Session, ref: str) -> Ticket:
    """A ticket by its number (any digits: ASCII, Persian, Arabic-Indic) or its id."""
    cleaned = ref.strip().lstrip("#")
    if cleaned.isdigit():
        ticket = session.scalar(select(Ticket).where(Ticket.number == int(cleaned)))
        if ticket is not None:
            return ticket
    ticket = session.get(Ticket, cleaned)
    if ticket is None:
        raise CliError(f"No ticket {ref!r} in the cache (give its number or its id).")
    return ticket


def team_ids(session: Session, names: Sequence[str]) -> tuple[str, ...]:
    found: list[str] = []
    for name in names:
        team_id = session.scalar(select(Team.id).where((Team.name == name) | (Team.id == name)))
        if team_id is None:
            known = ", ".join(session.scalars(select(Team.name).order_by(Team.name)))
            raise CliError(f"No team {name!r} in the cache. Teams: {known or 'none'}.")
        found.append(team_id)
    return tuple(found)


def last_sync(session: Session) -> datetime | None:
    """The engine's last sync time from `sync_state`, read defensively (any key naming,
    ISO text or epoch seconds); None when there is none or it cannot be read."""
    try:
        result = session.execute(text("SELECT key, value FROM sync_state"))
        rows: dict[str, str] = {str(k): str(v) for k, v in result}
    except SQLAlchemyError:  # an older cache without the table: never synced
        return None
    for key in LAST_SYNC_KEYS:
        raw = rows.get(key)
        if raw is None:
            continue
        try:
            value = datetime.fromtimestamp(float(raw), UTC)
        except ValueError:
            try:
                value = datetime.fromisoformat(str(raw).strip().replace("Z", "+00:00"))
            except ValueError:
                continue
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


# -- the server -----------------------------------------------------------------------


def api_error(response: httpx.Response) -> str:
    """The server's English message from `{"error": {"message"}}`, or the status."""
    try:
        body = response.json()
        message = body["error"]["message"]
        if isinstance(message, str) and message:
            return message
    except (ValueError, KeyError, TypeError):
        pass
    return f"the server answered {response.status_code} {response.reason_phrase}"


def post(server: str, path: str, *, token: str | None = None, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(base_url=f"{server}/api/v1", timeout=TIMEOUT) as client:
            return client.post(path, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise CliError(f"Cannot reach the server at {server}: {exc}.") from exc


# -- commands -------------------------------------------------------------------------


def cmd_login(args: argparse.Namespace) -> int:
    config = read_config()
    server = resolve_server(args, config)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.user} at {server}: ")
    if not password:
        raise CliError("No password given.")
    label = f"helpdesk-cli on {socket.gethostname()}"[:120]
    response = post(
        server, "/auth/login", body={"username": args.user, "password": password, "label": label}
    )
    if response.status_code == 401:
        raise CliError(f"Login refused: {api_error(response)}")
    if response.status_code != 200:
        raise CliError(f"Login failed: {api_error(response)}")
    data = response.json()
    user = data["user"]
    store = TokenStore()
    where = store.save(server, args.user, data["token"], insecure_file=args.insecure_token_file)
    write_config(
        {
            "server": server,
            "user": args.user,
            "user_id": str(user["id"]),
            "display_name": str(user["display_name"]),
            "role": str(user["role"]),
        }
    )
    for warning in store.warnings:
        print(f"helpdesk-cli: warning: {warning}", file=sys.stderr)
    emit(
        [f"Logged in to {server} as {args.user} ({user['display_name']}, {user['role']})."],
        make_shaper(args),
    )
    print(f"Token kept in: {where.value}.")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    config = read_config()
    server = resolve_server(args, config)
    user = args.user or logged_in_user(config, server)
    if user is None:
        raise CliError(f"Not logged in to {server}.")
    store = TokenStore()
    found = store.load(server, user)
    store.delete(server, user)
    if logged_in_user(config, server) == user:
        write_config({"server": server})
    if found is None:
        print(f"No stored token for {user} at {server}; nothing to revoke.")
        return 0
    response = post(server, "/auth/logout", token=found[0])
    if response.status_code == 204:
        print(f"Logged out {user}: the token is revoked and deleted.")
    elif response.status_code == 401:
        print(f"Logged out {user}: the token had already expired or been revoked; deleted.")
    else:
        raise CliError(f"The token is deleted here but the server refused: {api_error(response)}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    config = read_config()
    server = resolve_server(args, config)
    user = logged_in_user(config, server)
    if user is None:
        who = "not logged in"
    else:
        found = TokenStore().load(server, user)
        token = f"token in {found[1].value}" if found else "no stored token: log in again"
        who = f"{user} ({config.get('display_name', '')}); {token}"
    shaper = make_shaper(args)
    lines = [f"server:     {server}", f"user:       {who}"]
    path = Path(getattr(args, "cache", None) or default_cache_path())
    if not path.exists():
        lines.append(f"cache:      {path} (missing: run `helpdesk-cli sync`)")
        emit(lines, shaper)
        return 0
    engine = open_cache(path)
    try:
        with session_factory(engine)() as session:
            pending = pending_count(session)
            synced = last_sync(session)
            by_status = session.execute(select(Ticket.status, func.count()).group_by(Ticket.status))
            counts: dict[Status, int] = {Status(st): int(c) for st, c in by_status}
            archived = session.scalar(select(func.count()).where(Ticket.archived.is_(True))) or 0
            unnumbered = session.scalar(select(func.count()).where(Ticket.number.is_(None))) or 0
    finally:
        engine.dispose()
    total = sum(counts.values())
    n = shaper.text
    lines += [
        f"cache:      {path}",
        f"pending:    {n(str(pending))} edits not yet pushed",
        f"last sync:  {jalali(synced, shaper, time=True) if synced else 'never'}",
        f"tickets:    {n(str(total))} cached: "
        + ", ".join(f"{n(str(counts.get(s, 0)))} {s.value}" for s in Status)
        + f"; {n(str(archived))} archived; {n(str(unnumbered))} pending a number",
    ]
    emit(lines, shaper)
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CliError("--limit must be 1 or more.")
    config = read_config()
    shaper = make_shaper(args)
    engine = cache_engine(args)
    try:
        with session_factory(engine)() as session:
            kind = QueueKind.ALL if args.status else QueueKind.ALL_OPEN
            user_id = None
            if args.mine:
                user_id = config.get("user_id")
                if not user_id:
                    raise CliError("--mine needs a login: run `helpdesk-cli login USER` first.")
                kind = QueueKind.MINE
            query = QueueQuery(
                kind=kind,
                user_id=user_id,
                team_ids=team_ids(session, args.team or []),
                statuses=tuple(Status(s) for s in args.status or []),
                text=args.search or "",
                sort=SortKey(args.sort),
                descending=not args.ascending,
            )
            ids = ticket_ids(session, query, limit=args.limit)
            rows = load_rows(session, ids)
    finally:
        engine.dispose()
    if not ids:
        print("No tickets in this queue.")
        return 0
    table = [
        [
            number_label(row.number, shaper),
            priority_label(row.priority),
            row.status.value,
            truncate(row.title, 48),
            truncate(row.customer, 28),
            jalali(row.updated_at, shaper),
        ]
        for row in (rows[i] for i in ids)
    ]
    headers = ["number", "priority", "status", "title", "customer", "updated"]
    emit(render_table(headers, table, shaper))  # cells are shaped one by one
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    shaper = make_shaper(args)
    engine = cache_engine(args)
    try:
        with session_factory(engine)() as session:
            lines = ticket_lines(session, find_ticket(session, args.ticket), shaper)
    finally:
        engine.dispose()
    emit(lines, shaper)
    return 0


def ticket_lines(session: Session, ticket: Ticket, shaper: Shaper) -> list[str]:
    """The ticket's fields, then its conversation oldest first (internal notes marked)."""
    n = shaper.text
    customer = ticket.contact.name if ticket.contact else ""
    lines = [
        f"ticket {number_label(ticket.number, shaper)}   id {ticket.id}",
        f"title:     {ticket.title}",
        f"status:    {ticket.status.value}"
        + (f" (stage: {ticket.stage.name})" if ticket.stage else ""),
        f"priority:  {priority_label(ticket.priority)}   severity {n(str(ticket.severity))}"
        f"   impact {n(str(ticket.impact))}",
        f"customer:  {customer + ' ' if customer else ''}<{ticket.contact_email}>"
        + (f"  {n(ticket.contact_mobile)}" if ticket.contact_mobile else ""),
        f"team:      {ticket.team.name if ticket.team else '—'}",
        f"assignee:  {ticket.assignee.display_name if ticket.assignee else '—'}",
        f"channel:   {ticket.channel.value}",
        f"created:   {jalali(ticket.created_at, shaper, time=True)}",
        f"updated:   {jalali(ticket.updated_at, shaper, time=True)}",
        f"SLA due:   {jalali(ticket.sla_due_at, shaper, time=True)}",
    ]
    if ticket.tags:
        lines.append("tags:      " + ", ".join(tag.name for tag in ticket.tags))
    if ticket.archived:
        lines.append("archived:  yes")
    if ticket.description:
        lines += ["", *ticket.description.splitlines()]
    messages = session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id)
        .order_by(Message.created_at, Message.id)
    ).all()
    lines += ["", f"conversation ({n(str(len(messages)))} messages, oldest first)"]
    for message in messages:
        author = (
            message.author_user.display_name
            if message.author_user
            else message.author_contact.name
            if message.author_contact
            else ""
        )
        when = jalali(message.created_at, shaper, time=True)
        lines += ["", f"--- [{KIND_LABELS[message.kind]}] {when} {author}".rstrip()]
        body = message.body
        if message.kind is MessageKind.SYSTEM_EVENT and message.event:
            with contextlib.suppress(ValueError):
                body = render(SystemEvent(message.event), message.event_params or {})
        marker = "| " if message.kind is MessageKind.INTERNAL_NOTE else ""
        lines += [marker + line for line in body.splitlines() or [""]]
    return lines


def cmd_sync(args: argparse.Namespace) -> int:
    """One push-then-pull round with the sync engine (and after a first sync what it left
    for later), imported here so the other commands start without loading it."""
    try:
        from sync.client.engine import SyncEngine, SyncError, SyncReport
    except ImportError:
        raise CliError("sync engine not available in this build.", 2) from None
    config = read_config()
    server = resolve_server(args, config)
    user = logged_in_user(config, server)
    found = TokenStore().load(server, user) if user else None
    if user is None or found is None:
        raise CliError(f"Not logged in to {server}: run `helpdesk-cli login USER` first.")
    path = Path(getattr(args, "cache", None) or default_cache_path())
    open_cache(path).dispose()  # made and migrated before the engine's raw connection

    async def run() -> SyncReport:
        engine = SyncEngine(path, server, found[0])
        try:
            report = await engine.sync_once()
            # a first sync leaves the search index and older conversations for later;
            # a terminal has no later: `status` and `show` want them now
            await engine.finish_background()
            return report
        finally:
            await engine.aclose()

    try:
        report = asyncio.run(run())
    except SyncError as exc:
        raise CliError(f"Sync with {server} failed: {exc}") from None
    print(f"Synced with {server}: {summary(report)}.")
    return 0


def summary(report: Any) -> str:
    """A one-line account of a sync report: its counts, whatever fields it has."""
    if not dataclasses.is_dataclass(report) or isinstance(report, type):
        return str(report)
    parts = []
    for name, value in dataclasses.asdict(report).items():
        count = len(value) if isinstance(value, list) else value
        if isinstance(count, int):
            parts.append(f"{name.replace('_', ' ')} {count}")
    return ", ".join(parts)


# -- the parser -----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: the same options work before and after the command
    common.add_argument(
        "--server",
        default=argparse.SUPPRESS,
        help=f"server URL (default: HELPDESK_SERVER, then {CONFIG_FILE}, then {DEFAULT_SERVER})",
    )
    common.add_argument(
        "--cache", type=Path, default=argparse.SUPPRESS, help="the local cache file"
    )
    shape = common.add_mutually_exclusive_group()
    shape.add_argument(
        "--shape",
        dest="shape",
        action="store_true",
        default=argparse.SUPPRESS,
        help="join and reorder Persian for terminals that do not (default: on a terminal)",
    )
    shape.add_argument(
        "--no-shape",
        dest="shape",
        action="store_false",
        default=argparse.SUPPRESS,
        help="print text in logical order (default for pipes)",
    )
    common.add_argument(
        "--persian-digits",
        action="store_true",
        default=argparse.SUPPRESS,
        help="numbers and dates with Persian digits",
    )
    parser = argparse.ArgumentParser(
        prog="helpdesk-cli", description="The helpdesk in a terminal.", parents=[common]
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    login = commands.add_parser("login", parents=[common], help="log in and keep the token")
    login.add_argument("user")
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    login.add_argument(
        "--insecure-token-file",
        action="store_true",
        help="without an OS keyring, keep the token in a 0600 file in the data folder",
    )
    login.set_defaults(handler=cmd_login)

    logout = commands.add_parser("logout", parents=[common], help="revoke and forget the token")
    logout.add_argument("user", nargs="?")
    logout.set_defaults(handler=cmd_logout)

    status = commands.add_parser("status", parents=[common], help="login, cache and sync state")
    status.set_defaults(handler=cmd_status)

    queue = commands.add_parser("queue", parents=[common], help="a queue from the local cache")
    queue.add_argument("--team", action="append", help="team name or id (repeatable)")
    queue.add_argument(
        "--status", action="append", choices=[s.value for s in Status], help="(repeatable)"
    )
    queue.add_argument("--mine", action="store_true", help="tickets assigned to me")
    queue.add_argument("--search", help="Persian-aware search text")
    queue.add_argument("--limit", type=int, default=20)
    queue.add_argument("--sort", choices=[k.value for k in SortKey], default=SortKey.PRIORITY.value)
    queue.add_argument("--ascending", action="store_true", help="smallest first")
    queue.set_defaults(handler=cmd_queue)

    show = commands.add_parser("show", parents=[common], help="a ticket and its conversation")
    show.add_argument("ticket", help="the ticket's number or id")
    show.set_defaults(handler=cmd_show)

    sync = commands.add_parser("sync", parents=[common], help="push local edits, pull news")
    sync.set_defaults(handler=cmd_sync)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except CliError as exc:
        print(f"helpdesk-cli: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("helpdesk-cli: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    raise SystemExit(main())
