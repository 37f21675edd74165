"""Window figures against DESIGN.md's targets, over a 1,000,000-ticket cache by default:
cold start to a painted queue (a fresh process), re-sort, filter, opening a ticket with 200
messages, and resident memory.

    .venv/bin/python -m bench.ui_bench                    # 1,000,000 tickets (cached)
    .venv/bin/python -m bench.ui_bench --tickets 20000    # quicker

The cache is made once with core.demo.generate (seed 1, 5 messages a ticket) under
build/bench/ and reused; one ticket gets 200 messages (replies, notes, system events,
Latin runs) and its id is kept beside the cache. Runs offscreen unless a display is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "build" / "bench"
COLD_START_S = 2.0
FIRST_ROWS_MS = 50.0
RSS_MB = 400.0
THREAD_MESSAGES = 200


def rss_mb() -> float:
    """Resident set size of this process in MiB (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cache_path_for(tickets: int) -> Path:
    return BENCH_DIR / f"ui_cache_{tickets}.sqlite3"


def ensure_cache(path: Path, tickets: int) -> str:
    """Make the cache if missing (migrated to head either way) and a ticket with 200
    messages; returns that ticket's id (kept in a side file, so no scan finds it again)."""
    from core.cache import open_cache
    from core.db import session_factory
    from core.demo import generate

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {tickets:,} tickets into {path} (once) ...", file=sys.stderr)
        tmp = path.with_suffix(".tmp")
        generate(tmp, tickets=tickets, seed=1)
        tmp.rename(path)
    engine = open_cache(path)
    side = path.with_suffix(".json")
    try:
        with session_factory(engine)() as session:
            if side.exists():
                ticket_id = str(json.loads(side.read_text())["thread_ticket"])
                from core.models import Ticket

                if session.get(Ticket, ticket_id) is not None:
                    return ticket_id
            ticket_id = _make_long_thread(session)
        side.write_text(json.dumps({"thread_ticket": ticket_id}))
        return ticket_id
    finally:
        engine.dispose()


def _make_long_thread(session: object) -> str:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from core.conversation import add_message
    from core.enums import MessageKind
    from core.models import Message, Ticket, User

    assert isinstance(session, Session)
    ticket = session.scalars(
        select(Ticket).where(Ticket.archived.is_(False)).order_by(Ticket.id.desc()).limit(1)
    ).one()
    agent_id = session.scalars(select(User.id).limit(1)).one()
    have = session.scalar(select(func.count()).where(Message.ticket_id == ticket.id)) or 0
    kinds = [MessageKind.CUSTOMER_REPLY, MessageKind.AGENT_REPLY, MessageKind.INTERNAL_NOTE]
    for i in range(have, THREAD_MESSAGES):
        kind = kinds[i % 3]
        body = (
            f"پیام {i}: سلام، کد خطا ERR-{400 + i} را در https://panel.example.com/logs/{i}"
            f" دیدم و به ali.rezaei{i}@example.com خبر دادم.\nمبلغ 3,490,000 ریال."
        )
        add_message(
            session,
            ticket,
            kind=kind,
            body=body,
            author_user_id=agent_id if kind is not MessageKind.CUSTOMER_REPLY else None,
            author_contact_id=ticket.contact_id if kind is MessageKind.CUSTOMER_REPLY else None,
        )
    session.commit()
    return ticket.id


# --- the measured process ------------------------------------------------------------


def _wait(app: object, until: Callable[[], bool], timeout: float = 120.0) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + timeout
    while not until():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.0005)


def _user_id(path: Path) -> str | None:
    from core.db import make_engine, session_factory, sqlite_url
    from desktop.demo import first_agent

    engine = make_engine(sqlite_url(path))
    try:
        with session_factory(engine)() as session:
            agent = first_agent(session)
            return agent.id if agent is not None else None
    finally:
        engine.dispose()


def cold_child(path: Path) -> int:
    """Run in a fresh process: open the window and print (as JSON) the wall-clock time of
    the queue's first paint with rows, and the resident memory then and once the queue's
    whole id list has arrived."""
    from desktop.app import init_application, open_window, setup_localization
    from desktop.i18n import Language

    app = init_application([sys.argv[0]])
    localization = setup_localization(app, Language.PERSIAN)
    opened = open_window(cache_path=path, localization=localization, user_id=_user_id(path))
    window = opened.window
    window.resize(1280, 800)
    window.show()
    # the first page is read on the GUI thread while the window is built; paint it as
    # soon as the window is exposed with rows, synchronously, and stamp the time after
    _wait(
        app,
        lambda: window.isVisible() and (window.model.rowCount() > 0 or window.model.is_complete),
    )
    window.table.viewport().repaint()
    painted = {"at": time.time()}
    rss_painted = rss_mb()
    _wait(app, lambda: window.model.is_complete and not opened.runner.busy())
    print(
        json.dumps(
            {
                "painted_at": painted["at"],
                "rows": window.model.rowCount(),
                "rss_painted_mb": rss_painted,
                "rss_loaded_mb": rss_mb(),
            }
        )
    )
    sys.stdout.flush()
    opened.close()
    # leave without tearing Qt down through the garbage collector (PySide6 can abort
    # while finalizing); everything worth keeping is printed
    os._exit(0)


def cold_start(path: Path) -> dict[str, float]:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "bench.ui_bench", "--cold-child", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if not lines:
        raise RuntimeError(f"the cold-start process failed: {out.stderr[-2000:]}")
    result = json.loads(lines[-1])
    result["cold_start_s"] = result["painted_at"] - started
    return dict(result)


def _median(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def _thread_shown(view: Any) -> bool:
    return view.conversation.shown is not None and view.header is not None


def in_window(  # noqa: PLR0915 - one figure after another
    path: Path, thread_ticket: str, runs: int
) -> dict[str, float]:
    """Re-sort, filter and opening the long ticket, timed in one window."""
    from PySide6.QtCore import Qt

    from core.queues import QueueKind
    from desktop.app import init_application, open_window, setup_localization
    from desktop.i18n import Language
    from desktop.models.queue_model import Column

    app = init_application([sys.argv[0]])
    localization = setup_localization(app, Language.PERSIAN)
    opened = open_window(cache_path=path, localization=localization, user_id=_user_id(path))
    window, runner, model = opened.window, opened.runner, opened.window.model
    window.resize(1280, 800)
    window.show()
    _wait(app, lambda: model.is_complete and not runner.busy())

    def first_rows(action: Callable[[], None]) -> tuple[float, float]:
        """(ms to the first rows painted, ms until the whole id list is in)."""
        start = time.perf_counter()
        action()
        _wait(app, lambda: model.rowCount() > 0)
        window.table.viewport().repaint()
        first = (time.perf_counter() - start) * 1000
        _wait(app, lambda: model.is_complete and not runner.busy())
        return first, (time.perf_counter() - start) * 1000

    figures: dict[str, float] = {}
    first, whole = first_rows(lambda: window.sidebar.select(QueueKind.ALL))
    figures["all_queue_first_ms"], figures["all_queue_complete_ms"] = first, whole
    figures["all_queue_rows"] = float(model.rowCount())

    sort_first: list[float] = []
    sort_whole: list[float] = []
    orders = [
        (Column.UPDATED, Qt.SortOrder.DescendingOrder),
        (Column.PRIORITY, Qt.SortOrder.DescendingOrder),
        (Column.NUMBER, Qt.SortOrder.AscendingOrder),
    ]
    for i in range(runs):
        column, order = orders[i % len(orders)]
        f, w = first_rows(partial(model.sort, column, order))
        sort_first.append(f)
        sort_whole.append(w)
    figures["sort_first_ms"], figures["sort_complete_ms"] = _median(sort_first), _median(sort_whole)

    def search(word: str) -> None:
        window.search_box.setText(word)
        window.apply_search()

    filter_first: list[float] = []
    filter_whole: list[float] = []
    words = ["كاظمي", "پیامک", "API"]
    for i in range(runs):
        word = words[i % len(words)]

        f, w = first_rows(partial(search, word))
        filter_first.append(f)
        filter_whole.append(w)
    figures["search_first_ms"], figures["search_complete_ms"] = (
        _median(filter_first),
        _median(filter_whole),
    )
    window.search_box.setText("")
    window.apply_search()
    _wait(app, lambda: model.is_complete and not runner.busy())

    queue_first: list[float] = []
    queue_whole: list[float] = []
    kinds = [QueueKind.UNASSIGNED, QueueKind.ALL_OPEN, QueueKind.ARCHIVED]
    for i in range(runs):
        kind = kinds[i % len(kinds)]
        f, w = first_rows(partial(window.sidebar.select, kind))
        queue_first.append(f)
        queue_whole.append(w)
    figures["queue_filter_first_ms"], figures["queue_filter_complete_ms"] = (
        _median(queue_first),
        _median(queue_whole),
    )

    opens: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        view = window.open_ticket(thread_ticket)
        _wait(app, partial(_thread_shown, view))
        view.conversation.viewport().repaint()
        opens.append((time.perf_counter() - start) * 1000)
        figures["thread_messages"] = float(len(view.conversation.shown.messages))  # type: ignore[union-attr]
        view.composer.flush_draft()
        view.close()
        _wait(app, lambda: not runner.busy())
        app.processEvents()
    figures["open_ticket_ms"] = _median(opens)
    figures["open_ticket_first_ms"] = opens[0]
    figures["rss_mb"] = rss_mb()
    opened.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_bench", description=__doc__)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--cache", type=Path, default=None, help="default: build/bench/")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.cold_child is not None:
        return cold_child(args.cold_child)
    if args.tickets < 1 or args.runs < 1:
        parser.error("--tickets and --runs must be at least 1")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    path = args.cache or cache_path_for(args.tickets)
    thread_ticket = ensure_cache(path, args.tickets)

    cold = cold_start(path)
    figures = in_window(path, thread_ticket, args.runs)
    from bench.dashboard_bench import run as dashboard_bench

    dashboard_s = dashboard_bench(path, ranges=(30,))[30]
    rows = [
        ("cold start to a painted queue", f"{cold['cold_start_s']:.2f} s", f"<= {COLD_START_S} s"),
        ("  (rows in that first queue)", f"{cold['rows']:,.0f}", ""),
        ("all tickets queue: first rows", f"{figures['all_queue_first_ms']:.1f} ms", "<= 50 ms"),
        ("  whole id list in", f"{figures['all_queue_complete_ms']:.0f} ms", ""),
        ("re-sort: first rows painted", f"{figures['sort_first_ms']:.1f} ms", "<= 50 ms"),
        ("  whole id list in", f"{figures['sort_complete_ms']:.0f} ms", ""),
        ("filter (search): first rows", f"{figures['search_first_ms']:.1f} ms", "<= 100 ms"),
        ("  whole id list in", f"{figures['search_complete_ms']:.0f} ms", ""),
        ("filter (queue): first rows", f"{figures['queue_filter_first_ms']:.1f} ms", "<= 50 ms"),
        ("  whole id list in", f"{figures['queue_filter_complete_ms']:.0f} ms", ""),
        (
            f"open a ticket with {figures['thread_messages']:.0f} messages",
            f"{figures['open_ticket_ms']:.0f} ms (first {figures['open_ticket_first_ms']:.0f})",
            "",
        ),
        ("supervisors' dashboard: open to figures", f"{dashboard_s * 1000:.0f} ms", "<= 1000 ms"),
        (
            "resident memory at first paint",
            f"{cold['rss_painted_mb']:.0f} MB",
            f"<= {RSS_MB:.0f} MB",
        ),
        ("  queue fully loaded", f"{cold['rss_loaded_mb']:.0f} MB", f"<= {RSS_MB:.0f} MB"),
        ("  after all of the above", f"{figures['rss_mb']:.0f} MB", f"<= {RSS_MB:.0f} MB"),
    ]
    print(f"ui_bench: {args.tickets:,} tickets, {path}")
    for name, value, target in rows:
        print(f"{name:<40} {value:>22}  {target}")
    sys.stdout.flush()
    os._exit(0)  # see cold_child: no Qt teardown through the garbage collector


if __name__ == "__main__":
    raise SystemExit(main())
