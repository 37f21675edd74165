"""A sync engine in its own process, for tests that SIGKILL a client mid-work: started
early (its imports overlap a test's seeding), told by one JSON line on stdin which cache,
server, token and engine options to use; prints "finished" after one `sync_once`."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import asyncio, json, sys
from pathlib import Path
from sync.client.engine import SyncEngine

async def main() -> None:
    job = json.loads(sys.stdin.readline())
    engine = SyncEngine(Path(job["path"]), job["url"], job["token"], **job["options"])
    try:
        await engine.sync_once()
    finally:
        await engine.aclose()
    print("finished")

asyncio.run(main())
"""


@contextmanager
def engine_child() -> Iterator[subprocess.Popen[bytes]]:
    """The client process; killed (if still running) and reaped afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def send_job(
    child: subprocess.Popen[bytes], path: Path, url: str, token: str, **options: Any
) -> None:
    """Start the child's sync: `options` go to its `SyncEngine`."""
    assert child.stdin is not None
    job = {"path": str(path), "url": url, "token": token, "options": options}
    child.stdin.write(json.dumps(job).encode() + b"\n")
    child.stdin.flush()
