"""D2, I3: a queue's first screen is read on the GUI thread, small and at once; the rest of
its ids comes from the DB worker only a moment later, on a timer (so the worker does
not share the GIL with the first paint), and a query replaced before then never reaches
the worker. The model over a real migrated cache, its jobs on the real DbRunner."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from core.queues import QueueKind, QueueQuery, SortKey, ticket_ids
from desktop.i18n import Localization
from desktop.models.queue_model import FIRST_PAGE, Column, QueueTableModel, TicketIdRole
from desktop.runner import DbRunner
from tests.core.factories import make_ticket

NOW = datetime(2025, 3, 21, 15, 0, tzinfo=UTC)
TICKETS = FIRST_PAGE + 35


def _many(session: Session) -> None:
    for i in range(TICKETS):
        make_ticket(
            session,
            f"ticket {i:03d}",
            priority=i % 3,
            number=1000 + (i * 37) % TICKETS,
            updated_at=NOW - timedelta(minutes=(i * 11) % 50),  # ties: the id breaks them
        )
    session.commit()


def _ids(model: QueueTableModel) -> list[str]:
    return [model.index(r, 0).data(TicketIdRole) for r in range(model.rowCount())]


def _complete(model: QueueTableModel) -> bool:
    """Read afresh (an earlier assert must not narrow it for the type checker)."""
    return model.is_complete


class _Submits:
    """Counts the jobs the model hands the real runner (which still runs them)."""

    def __init__(self, runner: DbRunner, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = runner.submit

        def submit(work: Callable[[Session], Any], on_done: Callable[[Any], None]) -> None:
            self.count += 1
            real(work, on_done)

        monkeypatch.setattr(runner, "submit", submit)


def test_d2_first_screen_now_rest_from_worker_after_the_event_loop_runs(
    qtbot: QtBot,
    session: Session,
    runner: DbRunner,
    persian: Localization,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _many(session)
    submits = _Submits(runner, monkeypatch)
    model = QueueTableModel(runner=runner, formatter=persian.formatter, clock=lambda: NOW)
    query = QueueQuery(kind=QueueKind.ALL_OPEN)
    model.set_query(query)
    # a screenful, with its rows, before any event is processed; the worker not yet asked
    assert model.rowCount() == FIRST_PAGE and not model.is_complete
    assert submits.count == 0
    whole = ticket_ids(session, query)
    assert _ids(model) == whole[:FIRST_PAGE]
    assert model.index(FIRST_PAGE - 1, Column.TITLE).data(Qt.ItemDataRole.DisplayRole)
    with qtbot.waitSignal(model.loading_finished, timeout=10_000):
        pass
    assert submits.count == 1
    assert _complete(model) and _ids(model) == whole
    last = model.index(TICKETS - 1, Column.TITLE).data(Qt.ItemDataRole.DisplayRole)
    assert last.startswith("ticket ")  # past the first screen: loaded on demand


def test_d2_a_query_replaced_before_the_event_loop_runs_never_reaches_the_worker(
    qtbot: QtBot,
    session: Session,
    runner: DbRunner,
    persian: Localization,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _many(session)
    submits = _Submits(runner, monkeypatch)
    model = QueueTableModel(runner=runner, formatter=persian.formatter, clock=lambda: NOW)
    model.set_query(QueueQuery(kind=QueueKind.ALL_OPEN))
    by_number = QueueQuery(kind=QueueKind.ALL_OPEN, sort=SortKey.NUMBER, descending=False)
    with qtbot.waitSignal(model.loading_finished, timeout=10_000) as done:
        model.set_query(by_number)
    assert done.args == [2]
    qtbot.waitUntil(lambda: not runner.busy())
    assert submits.count == 1  # only the newer query's id list was asked for
    assert _ids(model) == ticket_ids(session, by_number)


@pytest.mark.parametrize(
    "order",
    [
        (SortKey.PRIORITY, True),
        (SortKey.UPDATED, False),
        (SortKey.NUMBER, True),
        (SortKey.TITLE, False),
    ],
)
def test_i3_order_across_the_first_screen_matches_sql(
    qtbot: QtBot,
    session: Session,
    runner: DbRunner,
    persian: Localization,
    order: tuple[SortKey, bool],
) -> None:
    sort, descending = order
    _many(session)
    model = QueueTableModel(runner=runner, formatter=persian.formatter, clock=lambda: NOW)
    query = QueueQuery(kind=QueueKind.ALL, sort=sort, descending=descending)
    with qtbot.waitSignal(model.loading_finished, timeout=10_000):
        model.set_query(query)
    assert model.rowCount() == TICKETS
    assert _ids(model) == ticket_ids(session, query)
    # every line has its row: the first screen's from set_query, the rest loaded on demand
    titles = [
        model.index(r, Column.TITLE).data(Qt.ItemDataRole.DisplayRole) for r in range(TICKETS)
    ]
    assert len(set(titles)) == TICKETS
