"""bench/ui_bench.py at a tiny size, so the script cannot rot (issue 5: cold start to a
painted queue, re-sort, filter, a ticket with 200 messages, resident memory)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_d2_d4_ui_bench_runs_at_a_tiny_size_and_prints_every_figure(tmp_path: Path) -> None:
    cache = tmp_path / "ui.sqlite3"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    args = ["--tickets", "300", "--runs", "1", "--cache", str(cache)]
    done = subprocess.run(
        [sys.executable, "-m", "bench.ui_bench", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    for label in (
        "cold start to a painted queue",
        "re-sort: first rows painted",
        "filter (search): first rows",
        "filter (queue): first rows",
        "open a ticket with 200 messages",
        "supervisors' dashboard: open to figures",
        "resident memory at first paint",
    ):
        line = next((x for x in out.splitlines() if x.startswith(label)), None)
        assert line is not None, out
        assert re.search(r"\d", line[len(label) :]), line  # a measured number, not a blank
    cold = re.search(r"cold start to a painted queue\s+([\d.]+) s", out)
    assert cold is not None and 0 < float(cold.group(1)) < 60
    # the cache and the long ticket's id are kept for the next run
    assert cache.exists() and cache.with_suffix(".json").exists()
