"""Helpers for window tests with the sync engine: qasync's loop on the test's Qt event
loop (as `helpdesk` runs it), and waiting for a coroutine through pytest-qt."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

T = TypeVar("T")
_CLOSED_LOOPS: list[asyncio.AbstractEventLoop] = []


@pytest.fixture
def aio(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's event loop, "already running" on Qt's: tasks turn whenever the test
    waits through qtbot (waitUntil, waitSignal), as they do under `app.exec()`."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        gc.unfreeze()  # the start-up flow froze the heap (desktop.app.settle_heap)
        for task in asyncio.all_tasks(loop):
            task.cancel()
        asyncio.events._set_running_loop(None)
        # not loop.stop(): it calls QApplication.exit(), which would end the next
        # QEventLoop.exec() of the session (qtbot.waitSignal) at once
        loop._QEventLoop__is_running = False
        loop.close()
        # qasync's close() leaves its timers registered until they fire; kill them here,
        # on the GUI thread, and keep the loop so that no garbage collection on a worker
        # thread ever destroys its QObjects ("Timers cannot be stopped from another
        # thread", then a crash)
        timer = loop._timer
        for timer_id in list(timer._SimpleTimer__callbacks):
            timer.killTimer(timer_id)
        timer._SimpleTimer__callbacks.clear()
        _CLOSED_LOOPS.append(loop)
        asyncio.set_event_loop(None)


def run(qtbot: QtBot, coro: Coroutine[Any, Any, T], timeout: int = 30_000) -> T:
    """Run `coro` on the qasync loop while Qt's events keep turning; its result."""
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


def flush_deletes() -> None:
    """Run pending `deleteLater()`s now, on this (the GUI) thread."""
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


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
