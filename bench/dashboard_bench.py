"""How long the supervisors' dashboard (D7) takes to open over a big cache: the window
built, its first figures computed on the DB worker and shown. Prints one line per range.

    .venv/bin/python -m bench.dashboard_bench [--cache build/bench/ui_cache_1000000.sqlite3]

bench/ui_bench.py calls `run(cache_path)` for its dashboard line.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFAULT_CACHE = Path("build/bench/ui_cache_1000000.sqlite3")


def run(cache_path: Path, ranges: tuple[int, ...] = (30, 365)) -> dict[int, float]:
    """Seconds to the figures on screen per range of days: for 30 days (the range the
    window opens with) from constructing the window, for others from changing its range."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QStandardPaths
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import func, select

    from core.cache import open_cache
    from core.db import session_factory
    from core.models import Ticket
    from desktop.app import setup_localization
    from desktop.context import WindowContext
    from desktop.i18n import Language
    from desktop.runner import DbRunner
    from desktop.views.dashboard import DEFAULT_DAYS, DashboardWindow

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    QStandardPaths.setTestModeEnabled(True)
    localization = setup_localization(app, Language.PERSIAN)
    engine = open_cache(cache_path)
    runner = DbRunner(session_factory(engine))
    with session_factory(engine)() as s:
        latest = s.scalar(select(func.max(Ticket.created_at))) or datetime.now(UTC)
        tickets = s.scalar(select(func.count()).select_from(Ticket)) or 0
    now = latest + timedelta(minutes=1)
    context = WindowContext(
        runner=runner,
        localization=localization,
        user_id=None,
        user_name="bench",
        cache_path=cache_path,
        clock=lambda: now,
    )
    results: dict[int, float] = {}
    # every window is kept till the end: deleting chart views mid-run is not measured
    windows: list[DashboardWindow] = []
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    try:
        for days in ranges:
            start = time.perf_counter()
            window = DashboardWindow(context)
            windows.append(window)
            window.show()
            if days != DEFAULT_DAYS:
                while window.dashboard is None or runner.busy():
                    app.processEvents()
                window.dashboard = None
                start = time.perf_counter()
                window.set_range((now - timedelta(days=days - 1)).date(), now.date())
            while window.dashboard is None or runner.busy():
                app.processEvents()
                time.sleep(0.001)
            app.processEvents()
            results[days] = time.perf_counter() - start
            print(
                f"dashboard over {tickets:,} tickets, {days} days: open to figures "
                f"{results[days] * 1000:,.0f} ms (open {window.dashboard.open:,}, "
                f"created {window.dashboard.created:,})"
            )
            window.close()
            app.processEvents()
    finally:
        runner.wait_idle()
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    if not args.cache.is_file():
        raise SystemExit(f"no cache at {args.cache}: make one with `python -m core.demo`")
    run(args.cache)


if __name__ == "__main__":
    main()
