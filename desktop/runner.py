"""The one runner for the window's background database work: jobs run one at a time on a
single worker thread (so cache access is serialized), each with its own Session, and their
results or errors come back on the GUI thread (Anki's CollectionOp, Picard's run_task)."""

from __future__ import annotations

import itertools
import logging
import queue
import sqlite3
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.db import IMMEDIATE

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_ATTEMPTS = 3
BUSY_PAUSE = 0.02
"""Seconds before a retry, times the attempt number."""


def _snapshot_busy(exc: BaseException) -> bool:
    """A job whose transaction began with a read and then wrote after another connection
    (the sync engine's apply) committed gets SQLITE_BUSY at once: SQLite cannot upgrade a
    read snapshot that is no longer the newest, and busy_timeout does not wait for that."""
    orig = exc.orig if isinstance(exc, OperationalError) else exc
    return isinstance(orig, sqlite3.OperationalError) and "database is locked" in str(orig)


def _run_job(work: Callable[[Session], Any], factory: sessionmaker[Session]) -> tuple[bool, Any]:
    """(True, result) or (False, exception), on the worker thread."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            with factory() as session:
                if attempt > 1 and session.get_bind().dialect.name == "sqlite":
                    session.connection(execution_options={IMMEDIATE: True})
                return True, work(session)
        except Exception as exc:  # every error goes to the one handler on the GUI thread
            if attempt < BUSY_ATTEMPTS and _snapshot_busy(exc):
                # the sync engine committed between this job's first read and its first
                # write: the job, rolled back, runs again holding the write lock from its
                # start, so the retry cannot meet the same refusal
                time.sleep(BUSY_PAUSE * attempt)
                continue
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            return False, exc
    raise AssertionError("unreachable")


class DbRunner(QObject):
    """Runs `work(session)` on the worker thread and calls `on_done(result)` on the GUI
    thread; exceptions go to `error_handler` (one place that shows them to the agent).

    The worker is a plain Python thread with a queue, not a QThreadPool, and it never
    holds the last reference to anything the GUI made: a pool deletes each finished
    QRunnable on its own thread, and freeing a Python-made Qt object there takes the
    bindings' lock and then the GIL while the GUI thread, holding the GIL, may be freeing
    another and wait for that lock (a CI run hung so, every thread on a futex). The job's
    callable and its result travel back inside the queued signal, so they are released on
    the GUI thread after delivery."""

    error_raised = Signal(object)
    """A background job failed with this exception and no job-specific handler took it."""
    _finished = Signal(int, bool, object, object)
    """(job number, ok, result or exception, the job's callable): worker -> GUI thread."""

    def __init__(self, factory: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._callbacks: dict[int, tuple[Callable[[Any], None], Callable[[BaseException], None]]]
        self._callbacks = {}
        self._numbers = itertools.count(1)
        self._jobs: queue.SimpleQueue[tuple[int, Callable[[Session], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._idle = threading.Condition()
        self._queued = 0  # submitted and not yet finished on the worker
        self._finished.connect(self._deliver)
        # one worker: reads and writes never interleave
        self._worker = threading.Thread(target=self._serve, name="db-runner", daemon=True)
        self._worker.start()
        jobs = self._jobs
        self.destroyed.connect(lambda *_: jobs.put(None))  # the worker ends with the runner

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self._factory

    def submit(
        self,
        work: Callable[[Session], T],
        on_done: Callable[[T], None],
        *,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        number = next(self._numbers)
        self._callbacks[number] = (on_done, on_error or self._report)
        with self._idle:
            self._queued += 1
        self._jobs.put((number, work))

    def _serve(self) -> None:
        factory, jobs, idle, finished = self._factory, self._jobs, self._idle, self._finished
        while (job := jobs.get()) is not None:
            number, work = job
            job = None
            ok, value = _run_job(work, factory)
            finished.emit(number, ok, value, work)
            del work, value  # the signal's copies are the last, freed on the GUI thread
            with idle:
                self._queued -= 1
                idle.notify_all()

    @Slot(int, bool, object, object)
    def _deliver(self, number: int, ok: bool, value: object, _work: object) -> None:
        callbacks = self._callbacks.pop(number, None)
        if callbacks is None:
            return
        on_done, on_error = callbacks
        if ok:
            on_done(value)
        else:
            assert isinstance(value, BaseException)
            on_error(value)

    def _report(self, exc: BaseException) -> None:
        log.error("background job failed: %s", getattr(exc, "__traceback_text__", exc))
        self.error_raised.emit(exc)

    def busy(self) -> bool:
        """Whether a job is queued or running (tests wait on this)."""
        return bool(self._callbacks)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (shutdown and tests only, never from a slot)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._queued == 0, timeout=msecs / 1000)
