"""`helpdesk --demo`: make the demo cache once (core.demo, on a worker thread, behind a
progress dialog) and find the demo agent to sign in as."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import User
from core.paths import data_dir

DEMO_TICKETS = 5_000


def demo_cache_path() -> Path:
    return data_dir() / "demo" / "cache.sqlite3"


def generate_demo(
    path: Path, *, tickets: int, progress: Callable[[int, int, int], None] | None = None
) -> None:
    """Fill `path` with demo data through core.demo (plain Python, no Qt)."""
    from core.demo import generate

    path.parent.mkdir(parents=True, exist_ok=True)
    generate(path, tickets=tickets, progress=progress)


class _Relay(QObject):
    """Carries the generator's progress from its thread to the dialog on the GUI thread."""

    progressed = Signal(int, int)
    """Tickets done so far, of this many."""
    finished = Signal(object)
    """The generator ended; the exception it raised, or None."""


def create_demo_cache(path: Path, *, tickets: int, parent: QWidget | None = None) -> None:
    """Generate the demo cache on a worker thread while a progress dialog turns; raises
    what the generator raised."""
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(QCoreApplication.translate("DemoSetup", "Helpdesk"))
    dialog.setLabelText(QCoreApplication.translate("DemoSetup", "Preparing the demo data…"))
    dialog.setCancelButton(None)
    dialog.setRange(0, tickets)
    dialog.setMinimumDuration(0)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    relay = _Relay()
    loop = QEventLoop()
    outcome: list[BaseException | None] = []

    @Slot(int, int)
    def on_progress(done: int, total: int) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)

    @Slot(object)
    def on_finished(error: object) -> None:
        outcome.append(error if isinstance(error, BaseException) else None)
        loop.quit()

    relay.progressed.connect(on_progress, Qt.ConnectionType.QueuedConnection)
    relay.finished.connect(on_finished, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            generate_demo(
                path,
                tickets=tickets,
                progress=lambda done, total, _rows: relay.progressed.emit(done, total),
            )
        except BaseException as exc:  # handed to the GUI thread, raised there
            relay.finished.emit(exc)
        else:
            relay.finished.emit(None)

    thread = threading.Thread(target=work, name="demo-data", daemon=True)
    dialog.show()
    thread.start()
    loop.exec()
    thread.join()
    dialog.close()
    if outcome and outcome[0] is not None:
        if path.exists():
            path.unlink()  # a half-written cache would be taken for a finished one next time
        raise outcome[0]


def first_agent(session: Session) -> User | None:
    """The demo agent to sign in as: the first active agent by user name."""
    stmt = (
        select(User)
        .where(User.role == Role.AGENT, User.active.is_(True))
        .order_by(User.username)
        .limit(1)
    )
    return session.scalars(stmt).first()
