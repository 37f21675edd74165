"""`helpdesk-cli` end to end (D1, D2, D6, S6): log in against a real server on loopback,
keep the token in a real keyring backend (or, with none, only in the process), and read
queues and tickets from a demo cache, shaped and unshaped."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError
from sqlalchemy import select, update

from core.cache import open_cache
from core.db import session_factory
from core.demo import generate
from core.enums import MessageKind, Status
from core.ids import utcnow
from core.models import Message, Team, Ticket
from sync.client import credentials
from sync.client.cli import main
from sync.client.shaping import display_width, shape, truncate
from sync.server.auth import hash_password
from tests.core.factories import make_team, make_ticket, make_user
from tests.sync.server_fixture import LiveServer

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "helpdesk-cli"
PASSWORD = "correct horse 42"
DEMO_NOW = datetime(2026, 3, 1, tzinfo=UTC)
JALALI_DATE = re.compile(r"14\d\d/\d\d/\d\d")


class FileKeyring(KeyringBackend):
    """A real keyring backend for tests: entries in the JSON file named by
    TEST_KEYRING_FILE, so separate processes see the same keyring."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property
        # keyring picks the best viable backend among every subclass it has seen, and
        # pytest imports this module with all the others: outside a test that names its
        # file this backend must not be viable, or any later TokenStore would pick it
        if "TEST_KEYRING_FILE" not in os.environ:
            raise RuntimeError("the test file keyring needs TEST_KEYRING_FILE")
        return 1

    def _path(self) -> Path:
        return Path(os.environ["TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._path().write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._path().write_text(json.dumps(data))


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh data folder, no server from the environment, no tokens in memory."""
    folder = tmp_path / "data"
    monkeypatch.setenv("HELPDESK_DATA_DIR", str(folder))
    monkeypatch.delenv("HELPDESK_SERVER", raising=False)
    monkeypatch.setenv("TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    credentials._PROCESS_TOKENS.clear()
    yield folder
    credentials._PROCESS_TOKENS.clear()


@pytest.fixture
def file_keyring(data_dir: Path) -> Iterator[Path]:
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())  # type: ignore[no-untyped-call]
    yield Path(os.environ["TEST_KEYRING_FILE"])
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(data_dir: Path) -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def agent(sqlite_server: LiveServer) -> str:
    """A user with a password on the live server; returns the user name."""
    with sqlite_server.sessions() as session:
        user = make_user(
            session, "Cli Agent", username="cli.agent", password_hash=hash_password(PASSWORD)
        )
        session.commit()
        return user.username


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "cache.sqlite3"
    generate(path, tickets=30, messages_per_ticket=4.0, seed=11, now=DEMO_NOW)
    return path


def run_cli(args: list[str], *, stdin: str = "", env: dict[str, str]) -> Any:
    return subprocess.run(
        [str(CLI), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def me(server: LiveServer, token: str) -> int:
    with server.client(token) as client:
        return client.get("/auth/me").status_code


# -- login and the token ----------------------------------------------------------------


def test_d6_login_in_a_real_process_keeps_the_token_in_the_keyring(
    sqlite_server: LiveServer, agent: str, data_dir: Path, tmp_path: Path
) -> None:
    """The real `helpdesk-cli` binary, a keyring backend loaded by PYTHON_KEYRING_BACKEND:
    the token lands under "helpdesk" / "<server>|<user>", is never printed, works on the
    server, and a second process finds it; logout revokes and deletes it."""
    env = {
        "PYTHON_KEYRING_BACKEND": f"{__name__}.FileKeyring",
        "HELPDESK_DATA_DIR": str(data_dir),
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
    }
    done = run_cli(
        ["login", agent, "--password-stdin", "--server", sqlite_server.url],
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Logged in" in done.stdout and "OS keyring" in done.stdout
    entries = json.loads((tmp_path / "keyring.json").read_text())
    token = entries[f"helpdesk/{sqlite_server.url}|{agent}"]
    assert token not in done.stdout + done.stderr
    assert me(sqlite_server, token) == 200
    config = json.loads((data_dir / "cli.json").read_text())
    assert config["server"] == sqlite_server.url and config["user"] == agent
    assert token not in (data_dir / "cli.json").read_text()

    status = run_cli(["status", "--cache", str(tmp_path / "none.sqlite3")], env=env)
    assert status.returncode == 0, status.stderr
    assert f"server:     {sqlite_server.url}" in status.stdout
    assert "token in OS keyring" in status.stdout and "missing" in status.stdout

    out = run_cli(["logout"], env=env)
    assert out.returncode == 0, out.stderr
    assert "revoked" in out.stdout
    assert me(sqlite_server, token) == 401
    assert json.loads((tmp_path / "keyring.json").read_text()) == {}


def test_d6_without_a_keyring_the_token_lives_only_in_the_process(
    sqlite_server: LiveServer, agent: str, data_dir: Path, tmp_path: Path
) -> None:
    env = {
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "HELPDESK_DATA_DIR": str(data_dir),
    }
    done = run_cli(
        ["login", agent, "--password-stdin", "--server", sqlite_server.url],
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "No OS keyring is available" in done.stderr
    assert "--insecure-token-file" in done.stderr
    assert "this process only" in done.stdout
    # nothing in the data folder holds a token
    assert not (data_dir / credentials.TOKEN_FILE).exists()
    assert "token" not in (data_dir / "cli.json").read_text()

    status = run_cli(["status"], env=env)
    assert status.returncode == 0, status.stderr
    assert "no stored token" in status.stdout


def test_d6_insecure_token_file_is_0600_and_warns(
    *,
    sqlite_server: LiveServer,
    agent: str,
    no_keyring: None,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(
        capsys,
        monkeypatch,
        "login",
        agent,
        "--password-stdin",
        "--insecure-token-file",
        "--server",
        sqlite_server.url,
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    path = data_dir / credentials.TOKEN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "UNENCRYPTED" in err and str(path) in err
    token = json.loads(path.read_text())[f"{sqlite_server.url}|{agent}"]
    assert token not in out + err
    assert me(sqlite_server, token) == 200

    credentials._PROCESS_TOKENS.clear()  # a later process: only the file has it
    code, out, err = cli(capsys, monkeypatch, "status")
    assert code == 0 and "token in token file (insecure)" in out

    code, out, err = cli(capsys, monkeypatch, "logout")
    assert code == 0, err
    assert not path.exists()
    assert me(sqlite_server, token) == 401


def test_d6_wrong_password_is_refused_clearly_and_stores_nothing(
    *,
    sqlite_server: LiveServer,
    agent: str,
    file_keyring: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(
        capsys,
        monkeypatch,
        "login",
        agent,
        "--password-stdin",
        "--server",
        sqlite_server.url,
        stdin="not the password\n",
    )
    assert code == 1
    assert "Login refused: Wrong user name or password." in err
    assert out == ""
    assert not file_keyring.exists()
    assert not (data_dir / "cli.json").exists()


def test_d6_unreachable_server_is_a_clear_error(
    no_keyring: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.sync.server_fixture import free_port

    url = f"http://127.0.0.1:{free_port()}"
    code, _, err = cli(
        capsys, monkeypatch, "login", "x", "--password-stdin", "--server", url, stdin="pw\n"
    )
    assert code == 1
    assert f"Cannot reach the server at {url}" in err


def test_d6_server_comes_from_helpdesk_server_then_cli_json(
    no_keyring: None,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir.mkdir()
    (data_dir / "cli.json").write_text(json.dumps({"server": "http://from-config:1"}))
    _, out, _ = cli(capsys, monkeypatch, "status")
    assert "server:     http://from-config:1" in out
    monkeypatch.setenv("HELPDESK_SERVER", "http://from-env:2/")
    _, out, _ = cli(capsys, monkeypatch, "status")
    assert "server:     http://from-env:2\n" in out
    _, out, _ = cli(capsys, monkeypatch, "status", "--server", "http://flag:3")
    assert "server:     http://flag:3\n" in out


# -- the cache: queue, show, status ----------------------------------------------------


def open_tickets(cache: Path, *statuses: Status) -> list[Ticket]:
    """The queue's tickets the slow way (ORM, sorted in Python) to check the CLI by."""
    engine = open_cache(cache)
    with session_factory(engine)() as session:
        tickets = list(session.scalars(select(Ticket).where(Ticket.archived.is_(False))))
    engine.dispose()
    chosen = [t for t in tickets if t.status in statuses]
    return sorted(chosen, key=lambda t: (t.priority, t.updated_at, t.id), reverse=True)


def test_d2_queue_unshaped_lists_the_queue_in_order(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expected = open_tickets(demo_cache, Status.CLOSED, Status.IN_PROGRESS)[:8]
    code, out, err = cli(
        capsys,
        monkeypatch,
        "queue",
        "--cache",
        str(demo_cache),
        "--status",
        "closed",
        "--status",
        "in_progress",
        "--limit",
        "8",
        "--no-shape",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["number", "priority", "status", "title", "customer", "updated"]
    assert len(lines) == 1 + 8
    for line, ticket in zip(lines[1:], expected, strict=True):
        assert line.split()[0] == (str(ticket.number) if ticket.number else "pending")
        assert ticket.status.value in line
        assert ticket.title[:20] in line  # logical order, unchanged
        assert JALALI_DATE.search(line)


def test_d1_queue_shaped_keeps_columns_aligned(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(
        capsys,
        monkeypatch,
        "queue",
        "--cache",
        str(demo_cache),
        "--status",
        "closed",
        "--limit",
        "10",
        "--shape",
        "--persian-digits",
    )
    assert code == 0, err
    lines = out.splitlines()
    header = lines[0]
    title_col = display_width(header[: header.index("title")])
    updated_col = display_width(header[: header.index("updated")])
    expected = open_tickets(demo_cache, Status.CLOSED)[:10]
    for line, ticket in zip(lines[1:], expected, strict=True):
        # the updated column (Jalali, Persian digits) starts where its header does
        date = re.search(r"۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}", line)
        assert date is not None, line
        assert display_width(line[: date.start()]) == updated_col
        # the title, shaped on its own, starts where its header does
        title = shape(truncate(ticket.title, 48))
        assert title != ticket.title and ticket.title not in line
        assert display_width(line[: line.index(title)]) == title_col


def test_d2_queue_by_team_and_unknown_team(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = open_cache(demo_cache)
    with session_factory(engine)() as session:
        team = session.scalars(select(Team).order_by(Team.name)).first()
        assert team is not None
        numbers = set(
            session.scalars(
                select(Ticket.number).where(Ticket.team_id == team.id, ~Ticket.archived)
            )
        )
    engine.dispose()
    code, out, err = cli(
        capsys,
        monkeypatch,
        "queue",
        "--cache",
        str(demo_cache),
        "--team",
        team.name,
        "--status",
        "closed",
        "--status",
        "in_progress",
        "--status",
        "new",
        "--limit",
        "100",
        "--no-shape",
    )
    assert code == 0, err
    shown = {int(line.split()[0]) for line in out.splitlines()[1:]}
    assert shown == numbers

    code, out, err = cli(
        capsys, monkeypatch, "queue", "--cache", str(demo_cache), "--team", "no such team"
    )
    assert code == 1 and "No team 'no such team'" in err and out == ""


def test_d4_s6_show_prints_fields_and_conversation_oldest_first(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = open_cache(demo_cache)
    with session_factory(engine)() as session:
        ticket_id = session.scalars(
            select(Message.ticket_id).where(Message.kind == MessageKind.INTERNAL_NOTE)
        ).first()
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        messages = list(
            session.scalars(
                select(Message)
                .where(Message.ticket_id == ticket.id)
                .order_by(Message.created_at, Message.id)
            )
        )
    engine.dispose()
    code, out, err = cli(
        capsys, monkeypatch, "show", str(ticket.number), "--cache", str(demo_cache), "--no-shape"
    )
    assert code == 0, err
    assert f"ticket {ticket.number}   id {ticket.id}" in out
    assert f"title:     {ticket.title}" in out
    assert ticket.contact_email in out
    # every message, oldest first, with its kind; internal notes marked line by line
    positions = [out.index(m.body.splitlines()[0]) for m in messages if m.body]
    assert positions == sorted(positions)
    note = next(m for m in messages if m.kind is MessageKind.INTERNAL_NOTE)
    assert "[INTERNAL NOTE (staff only)]" in out
    assert f"| {note.body.splitlines()[0]}" in out
    assert out.count("--- [") == len(messages)

    # by id too, and shaped: Persian lines come out in visual order
    code, shaped, err = cli(
        capsys, monkeypatch, "show", ticket.id, "--cache", str(demo_cache), "--shape"
    )
    assert code == 0, err
    assert f"title:     {ticket.title}" not in shaped
    assert shape(f"title:     {ticket.title}") in shaped


def test_show_unknown_ticket_and_missing_cache(
    demo_cache: Path,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(capsys, monkeypatch, "show", "999999", "--cache", str(demo_cache))
    assert code == 1 and "No ticket '999999'" in err and out == ""
    missing = tmp_path / "nothing.sqlite3"
    code, out, err = cli(capsys, monkeypatch, "queue", "--cache", str(missing))
    assert code == 1 and f"No cache at {missing}" in err
    assert not missing.exists()


def test_d6_status_counts_the_cache(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = open_cache(demo_cache)
    with session_factory(engine)() as session:
        tickets = list(session.scalars(select(Ticket)))
    engine.dispose()
    code, out, err = cli(capsys, monkeypatch, "status", "--cache", str(demo_cache))
    assert code == 0, err
    assert "user:       not logged in" in out
    assert f"cache:      {demo_cache}" in out
    assert "pending:    0 edits not yet pushed" in out
    assert "last sync:  never" in out
    closed = sum(t.status is Status.CLOSED for t in tickets)
    archived = sum(t.archived for t in tickets)
    assert f"tickets:    {len(tickets)} cached: " in out
    assert f"{closed} closed" in out and f"{archived} archived" in out


def test_sync_needs_a_login(
    data_dir: Path,
    no_keyring: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = cli(capsys, monkeypatch, "sync", "--server", "http://127.0.0.1:9")
    assert code == 1
    assert "Not logged in to http://127.0.0.1:9" in err


def test_d6_sync_fills_a_new_cache_and_status_shows_when(
    *,
    sqlite_server: LiveServer,
    agent: str,
    file_keyring: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """login, then sync into a cache that does not exist yet, then read it offline: the
    sync also brings the conversations a first sync leaves for later (issue 4: a ticket
    closed two months ago)."""
    with sqlite_server.sessions() as session:
        team = make_team(session, "پشتیبانی فنی")
        for n in range(3):
            make_ticket(session, f"اتصال VPN قطع است {n}", team=team)
        old = make_ticket(session, "قدیمی", team=team, archived=True)
        session.add(Message(ticket_id=old.id, kind=MessageKind.CUSTOMER_REPLY, body="پیام کهنه"))
        session.commit()
        long_ago = utcnow() - timedelta(days=60)
        session.execute(
            update(Ticket)
            .where(Ticket.id == old.id)
            .values(status=Status.CLOSED, closed_at=long_ago, updated_at=long_ago)
        )
        session.commit()
    code, _, err = cli(
        capsys,
        monkeypatch,
        "login",
        agent,
        "--password-stdin",
        "--server",
        sqlite_server.url,
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    cache = tmp_path / "synced.sqlite3"
    code, out, err = cli(capsys, monkeypatch, "sync", "--cache", str(cache))
    assert code == 0, err
    assert out.startswith(f"Synced with {sqlite_server.url}: pushed 0")
    assert len(out.splitlines()) == 1

    code, out, err = cli(capsys, monkeypatch, "queue", "--cache", str(cache), "--no-shape")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1 + 3
    for n in range(3):
        assert sum(f"اتصال VPN قطع است {n}" in line for line in lines) == 1
    code, out, err = cli(capsys, monkeypatch, "status", "--cache", str(cache))
    assert code == 0, err
    assert re.search(r"last sync:  14\d\d/\d\d/\d\d \d\d:\d\d", out), out
    assert "tickets:    4 cached: 3 new" in out and "1 archived" in out
    with closing(sqlite3.connect(cache)) as conn:
        kept = conn.execute("SELECT count(*) FROM messages WHERE body = 'پیام کهنه'")
        assert kept.fetchone() == (1,)


def test_d1_on_a_terminal_output_is_shaped_by_default(demo_cache: Path, data_dir: Path) -> None:
    """The real binary with a pseudo-terminal as stdout shapes; through a pipe it does not."""
    import pty

    args = [str(CLI), "queue", "--cache", str(demo_cache), "--status", "closed", "--limit", "3"]
    env = {**os.environ, "COLUMNS": "200"}
    piped = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env, check=True)
    main_fd, child_fd = pty.openpty()
    with subprocess.Popen(args, stdout=child_fd, stderr=subprocess.PIPE, env=env) as proc:
        os.close(child_fd)
        chunks = []
        while True:
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(60) == 0
    os.close(main_fd)
    on_tty = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    piped_lines = piped.stdout.splitlines()
    assert len(on_tty.splitlines()) == len(piped_lines) == 4
    assert on_tty.splitlines()[0] == piped_lines[0]  # the ASCII header is the same
    for tty_line, pipe_line in zip(on_tty.splitlines()[1:], piped_lines[1:], strict=True):
        assert tty_line != pipe_line
        assert tty_line.split()[0] == pipe_line.split()[0]  # number column, same ticket


def test_queue_limit_must_be_positive(
    demo_cache: Path,
    data_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = cli(capsys, monkeypatch, "queue", "--cache", str(demo_cache), "--limit", "0")
    assert code == 1 and "--limit must be 1 or more" in err and out == ""


def test_help_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "queue" in capsys.readouterr().out
