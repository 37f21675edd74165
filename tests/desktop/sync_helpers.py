"""Helpers for window tests with the sync engine: qasync's loop on the test's Qt event
loop (as `helpdesk` runs it), and waiting for a coroutine through pytest-qt."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

T = TypeVar("T")


@pytest.fixture
def aio(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's event loop, "already running" on Qt's: tasks turn whenever the test
    waits through qtbot (waitUntil, waitSignal), as they do under `app.exec()`."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        asyncio.events._set_running_loop(None)
        # not loop.stop(): it calls QApplication.exit(), which would end the next
        # QEventLoop.exec() of the session (qtbot.waitSignal) at once
        loop._QEventLoop__is_running = False
        loop.close()
        asyncio.set_event_loop(None)


def run(qtbot: QtBot, coro: Coroutine[Any, Any, T], timeout: int = 30_000) -> T:
    """Run `coro` on the qasync loop while Qt's events keep turning; its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def in_thread(fn: Callable[[], T], qtbot: QtBot, timeout: int = 60_000) -> T:
    """Call blocking `fn` (e.g. another client's `asyncio.run` sync) on a thread while the
    window's loop keeps turning."""
    out: list[Any] = []

    def work() -> None:
        try:
            out.append(("ok", fn()))
        except BaseException as exc:
            out.append(("err", exc))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    qtbot.waitUntil(lambda: bool(out), timeout=timeout)
    kind, value = out[0]
    if kind == "err":
        raise value
    return value  # type: ignore[no-any-return]
