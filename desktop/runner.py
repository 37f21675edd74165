"""The one runner for the window's background database work: jobs run one at a time on a
single worker thread (so cache access is serialized), each with its own Session, and their
results or errors come back on the GUI thread (Anki's CollectionOp, Picard's run_task)."""

from __future__ import annotations

import logging
import sqlite3
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
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


class _Relay(QObject):
    """Lives on the GUI thread; a signal the worker emits is queued to its slots, so the
    callbacks run on the GUI thread (a plain lambda receiver would not guarantee that)."""

    succeeded = Signal(object)
    """The job returned this value."""
    failed = Signal(object)
    """The job raised this exception."""

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        forget: Callable[[_Relay], None],
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._forget = forget
        self.succeeded.connect(self._succeeded)
        self.failed.connect(self._failed)

    @Slot(object)
    def _succeeded(self, value: object) -> None:
        self._forget(self)
        self._on_done(value)

    @Slot(object)
    def _failed(self, exc: object) -> None:
        self._forget(self)
        assert isinstance(exc, BaseException)
        self._on_error(exc)


class _Job(QRunnable):
    def __init__(
        self, work: Callable[[Session], Any], factory: sessionmaker[Session], relay: _Relay
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.relay = relay
        self._work = work
        self._factory = factory

    def run(self) -> None:
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                with self._factory() as session:
                    if attempt > 1 and session.get_bind().dialect.name == "sqlite":
                        session.connection(execution_options={IMMEDIATE: True})
                    result = self._work(session)
            except Exception as exc:  # every error goes to the one handler on the GUI thread
                if attempt < BUSY_ATTEMPTS and _snapshot_busy(exc):
                    # the sync engine committed between this job's first read and its
                    # first write: the job, rolled back, runs again holding the write
                    # lock from its start, so the retry cannot meet the same refusal
                    time.sleep(BUSY_PAUSE * attempt)
                    continue
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                self.relay.failed.emit(exc)
            else:
                self.relay.succeeded.emit(result)
            return


class DbRunner(QObject):
    """Runs `work(session)` on the worker thread and calls `on_done(result)` on the GUI
    thread; exceptions go to `error_handler` (one place that shows them to the agent)."""

    error_raised = Signal(object)
    """A background job failed with this exception and no job-specific handler took it."""

    def __init__(self, factory: sessionmaker[Session], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one worker: reads and writes never interleave
        self._pending: set[_Relay] = set()

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
        relay = _Relay(on_done, on_error or self._report, self._pending.discard)
        self._pending.add(relay)
        self._pool.start(_Job(work, self._factory, relay))

    def _report(self, exc: BaseException) -> None:
        log.error("background job failed: %s", getattr(exc, "__traceback_text__", exc))
        self.error_raised.emit(exc)

    def busy(self) -> bool:
        """Whether a job is queued or running (tests wait on this)."""
        return bool(self._pending)

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until the worker is idle (shutdown and tests only, never from a slot)."""
        return self._pool.waitForDone(msecs)
