"""With `--workers 2` on PostgreSQL, news of a change reaches listeners on every worker
process (LISTEN/NOTIFY), whichever process wrote it (issue 3, part 4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.enums import Role
from core.models import Tag
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from sync.server.database import migrate, server_engine, server_sessions
from tests.core.factories import make_user
from tests.sync.server_fixture import free_port

BIN = Path(sys.executable).parent


@pytest.fixture
def two_workers(pg_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "HELPDESK_DATA_DIR": str(tmp_path),
        "HELPDESK_SERVER_SECRET": "test",
    }
    proc = subprocess.Popen(
        [
            BIN / "helpdesk-server",
            "serve",
            "--database",
            pg_url,
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {proc.stderr.read() if proc.stderr else ''!r}"
                )
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stderr is not None:
            proc.stderr.close()


def _first_event(lines: Iterator[str]) -> dict[str, int]:
    for line in lines:
        if line.startswith("data: "):
            return dict(json.loads(line.removeprefix("data: ")))
    raise AssertionError("stream ended")


def test_news_reaches_listeners_on_both_workers(two_workers: str, pg_url: str) -> None:
    engine = server_engine(pg_url)
    migrate(engine)
    factory = server_sessions(engine)
    with factory() as s:
        user = make_user(s, role=Role.AGENT)
        token = issue_token(s, user, ServerConfig().token_ttl)
        s.commit()
    headers = {"Authorization": f"Bearer {token}"}
    streams: dict[int, Iterator[str]] = {}
    start = 0
    opened: list[tuple[httpx.Client, object]] = []
    try:
        for _ in range(40):  # new connections until both workers hold one
            client = httpx.Client(base_url=two_workers, headers=headers, timeout=10)
            ctx = client.stream("GET", "/sync/events")
            response = ctx.__enter__()
            opened.append((client, ctx))
            lines = response.iter_lines()
            first = _first_event(lines)
            start = first["seq"]
            streams.setdefault(first["worker"], lines)
            if len(streams) == 2:
                break
        assert len(streams) == 2, "the kernel never gave a connection to the second worker"
        received: dict[int, int] = {}

        def listen(worker: int, lines: Iterator[str]) -> None:
            received[worker] = _first_event(lines)["seq"]

        listeners = [
            threading.Thread(target=listen, args=(w, lines), daemon=True)
            for w, lines in streams.items()
        ]
        for t in listeners:
            t.start()
        time.sleep(0.2)
        with factory() as s:  # a third process writes: only NOTIFY can tell the workers
            s.add(Tag(name="from-outside"))
            s.commit()
        for t in listeners:
            t.join(5)
        assert set(received) == set(streams)
        assert all(seq > start for seq in received.values())
    finally:
        for client, ctx in opened:
            ctx.__exit__(None, None, None)  # type: ignore[attr-defined]
            client.close()
        engine.dispose()
