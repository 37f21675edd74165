"""bench/sync_bench.py at a tiny size, so the script cannot rot (issue 4; D6 first sync
and offline drain, the event stream between two clients)."""

from __future__ import annotations

from pathlib import Path

from bench import sync_bench


def test_d6_sync_bench_runs_at_a_tiny_size_and_measures_every_figure(tmp_path: Path) -> None:
    size = ["--tickets", "100", "--edits", "40", "--samples", "5"]
    args = sync_bench.parser().parse_args([*size, "--in-process", "--cache-dir", str(tmp_path)])
    lines: list[str] = []
    figures = sync_bench.run(args, log=lines.append)
    assert figures.tickets == 100 and figures.messages > 150
    # the admin sees every ticket: the first sync's snapshot brought each one, with the
    # recent conversations; the older ones came after it
    assert figures.headers_s > 0 and figures.first_sync_s >= figures.headers_s
    assert figures.snapshot_rows >= figures.tickets and figures.snapshot_pages > 1
    assert figures.applied_rows == figures.snapshot_rows + figures.pulled
    assert figures.apply_s > 0 and figures.index_s > 0 and figures.older_s > 0
    assert 0 < figures.older_rows <= figures.messages
    assert figures.bare_rows >= figures.applied_rows and figures.bare_s > 0 < figures.rows_only_s
    assert 0 < figures.edits <= 40 and figures.drained == figures.edits
    assert figures.drain_rate > 0
    assert len(figures.latencies_ms) == 5 and all(0 < ms < 10_000 for ms in figures.latencies_ms)
    table = sync_bench.table(figures, args)
    for label in ("first sync", "apply time / bare insert time", "older conversations", "p95"):
        assert label in table
    # the prepared server database is kept for the next run
    assert (tmp_path / "server-100.sqlite3").exists()
    assert any("server database made" in line for line in lines)
