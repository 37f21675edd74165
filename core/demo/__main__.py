"""Command line: `python -m core.demo --tickets 1000000 --messages 5000000 --out PATH`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from core.demo.generator import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.demo", description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=None, help="default: 5 per ticket")
    parser.add_argument("--out", type=Path, required=True, help="cache file to fill")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-fts-rebuild", action="store_true", help="index through triggers")
    args = parser.parse_args(argv)
    if args.tickets < 1:
        parser.error("--tickets must be at least 1")
    per_ticket = 5.0 if args.messages is None else args.messages / args.tickets
    started = time.perf_counter()

    def progress(done: int, total: int, rows: int) -> None:
        elapsed = time.perf_counter() - started
        print(
            f"\r{done:>10,}/{total:,} tickets  {rows:>12,} rows  "
            f"{rows / elapsed:>9,.0f} rows/s  {elapsed:6.1f} s",
            end="",
            file=sys.stderr,
            flush=True,
        )

    stats = generate(
        args.out,
        tickets=args.tickets,
        messages_per_ticket=per_ticket,
        seed=args.seed,
        progress=progress,
        rebuild_fts=not args.no_fts_rebuild,
    )
    print(file=sys.stderr)
    for table, count in sorted(stats.rows.items()):
        print(f"{table:<20} {count:>12,}")
    print(
        f"{stats.total_rows:,} rows in {stats.seconds:.1f} s: "
        f"{stats.rows_per_second:,.0f} rows/s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
