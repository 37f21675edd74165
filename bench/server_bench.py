"""Server figures against DESIGN.md: pushed mutations per second and pulled changes per
second, with `helpdesk-server --workers 2` on PostgreSQL, over loopback HTTP.

    .venv/bin/python -m bench.server_bench --admin-url postgresql+psycopg://postgres@127.0.0.1:54329/postgres
        [--tickets 20000] [--clients 8] [--mutations 4000] [--batch 50]

A scratch database is created (and dropped afterwards) on the given PostgreSQL server,
filled with demo data for the pull figure, and served by a real server process with two
workers. Pushes come from `--clients` concurrent agents, each with its own client id,
in batches of `--batch`: a third create a ticket, a third reply to one, a third edit one.
The pull figure is a fresh agent's full bootstrap, page after page, from the empty cursor.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, select, text

from core.enums import Role
from core.ids import new_id
from core.models import Ticket, User
from sync.server.auth import issue_token
from sync.server.config import ServerConfig
from sync.server.database import server_engine, server_sessions
from sync.server.demo import load_demo

PUSH_TARGET = 500.0
PULL_TARGET = 5000.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(url: str, port: int, workers: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HELPDESK_DATA_DIR": data_dir, "HELPDESK_SERVER_SECRET": "bench"}
    binary = Path(sys.executable).parent / "helpdesk-server"
    proc = subprocess.Popen(
        [
            binary,
            "serve",
            "--database",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _tokens(url: str, count: int) -> list[str]:
    engine = server_engine(url)
    factory = server_sessions(engine)
    tokens = []
    with factory() as s:
        for i in range(count):
            user = User(
                username=f"bench{i}-{uuid.uuid4().hex[:6]}",
                display_name=f"Bench {i}",
                role=Role.SUPERVISOR,
            )
            s.add(user)
            s.flush()
            tokens.append(issue_token(s, user, ServerConfig().token_ttl, "bench"))
        s.commit()
        ticket_ids = list(s.scalars(select(Ticket.id).limit(2000)))
    engine.dispose()
    _TICKETS.extend(ticket_ids)
    return tokens


_TICKETS: list[str] = []


def _mutations(start_seq: int, count: int, own: list[str]) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        seq = start_seq + i
        kind = seq % 3
        if kind == 0 or not own:
            tid = new_id()
            own.append(tid)
            out.append(
                {
                    "seq": seq,
                    "id": new_id(),
                    "name": "ticket.create",
                    "entity_id": tid,
                    "payload": {
                        "title": f"Bench ticket {seq}",
                        "contact_email": "bench@example.com",
                    },
                }
            )
        elif kind == 1:
            out.append(
                {
                    "seq": seq,
                    "id": new_id(),
                    "name": "message.create",
                    "entity_id": new_id(),
                    "payload": {
                        "ticket_id": own[-1],
                        "kind": "agent_reply",
                        "body": "پاسخ آزمایشی",
                    },
                }
            )
        else:
            out.append(
                {
                    "seq": seq,
                    "id": new_id(),
                    "name": "ticket.update",
                    "entity_id": own[-1],
                    "payload": {"changes": {"severity": seq % 3}},
                }
            )
    return out


def bench_push(base: str, tokens: list[str], total: int, batch: int) -> float:
    """Mutations applied per second. Request bodies are built before the clock starts,
    so the figure is the server's, not this process's JSON encoding (it shares the
    machine's two cores with the server)."""
    per_client = total // len(tokens)
    errors: list[str] = []
    bodies: dict[str, list[bytes]] = {}
    for token in tokens:
        client_id = f"bench-{uuid.uuid4().hex}"
        own: list[str] = []
        batches = []
        for seq in range(1, per_client + 1, batch):
            n = min(batch, per_client - seq + 1)
            payload = {"client_id": client_id, "mutations": _mutations(seq, n, own)}
            batches.append(json.dumps(payload).encode())
        bodies[token] = batches

    def run(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for body in bodies[token]:
                reply = client.post("/sync/push", content=body)
                if reply.status_code != 200:
                    errors.append(reply.text[:200])
                    return
                if b'"status":"rejected"' in reply.content:
                    errors.append(reply.text[:300])

    threads = [threading.Thread(target=run, args=(t,)) for t in tokens]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if errors:
        print(f"  push errors: {len(errors)}; first: {errors[0]}")
    return per_client * len(tokens) / elapsed


def bench_pull(base: str, token: str, page: int) -> tuple[int, float]:
    count = 0
    cursor: str | None = None
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as client:
        start = time.perf_counter()
        while True:
            params: dict[str, Any] = {"limit": page}
            if cursor:
                params["cursor"] = cursor
            reply = client.get("/sync/pull", params=params)
            reply.raise_for_status()
            body = reply.json()
            count += len(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                break
        elapsed = time.perf_counter() - start
    return count, count / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "HELPDESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:54329/postgres"
        ),
    )
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--mutations", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--page", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.admin_url.rsplit("/", 1)[0] + f"/{name}"
    proc = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            rows = load_demo(url, tickets=args.tickets, seed=1, password="bench-password", tmp=tmp)
            print(f"demo data: {rows:,} rows in {time.perf_counter() - t0:.1f} s")
            port = _free_port()
            proc = _start_server(url, port, args.workers, tmp)
            base = f"http://127.0.0.1:{port}/api/v1"
            tokens = _tokens(url, args.clients + 1)
            count, pulled = bench_pull(base, tokens[-1], args.page)
            print(
                f"pull: {count:,} changes, {pulled:,.0f} changes/s (target >= {PULL_TARGET:,.0f})"
            )
            pushed = bench_push(base, tokens[:-1], args.mutations, args.batch)
            print(
                f"push: {args.mutations:,} mutations from {args.clients} clients, "
                f"{pushed:,.0f} mutations/s (target >= {PUSH_TARGET:,.0f})"
            )
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    f" WHERE datname = '{name}'"
                )
            )
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
