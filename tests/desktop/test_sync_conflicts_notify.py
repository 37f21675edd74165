"""E7: a real conflict from two clients (a supervisor's API client and the agent's window)
shown in the conflicts list and resolved both ways; E5: a desktop notification when
another agent's new ticket lands in the agent's queue, none for the agent's own."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.enums import Role
from core.local_edits import create_ticket_locally, edit_ticket_locally
from core.models import TeamMember, Ticket, User
from core.outbox import pending_count
from core.queues import QueueKind
from desktop.app import OpenCache
from desktop.i18n import Localization
from desktop.views.conflicts_dialog import ConflictsDialog
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import run
from tests.desktop.test_queue_window import SCREENSHOTS
from tests.desktop.test_sync_indicator import close, open_synced


def _join_team(desk: Desk) -> tuple[str, str, str]:
    """Make the agent a member of the busiest team that has another agent (on the server,
    as a supervisor would); returns the team, that colleague and the colleague's name."""
    with desk.server.sessions() as s:
        busiest = s.execute(
            select(Ticket.team_id, func.count())
            .where(Ticket.team_id.is_not(None))
            .group_by(Ticket.team_id)
            .order_by(func.count().desc())
        ).all()
        for team_id, _n in busiest:
            colleague = s.execute(
                select(User.id, User.display_name)
                .join(TeamMember, TeamMember.user_id == User.id)
                .where(
                    TeamMember.team_id == team_id,
                    User.id != desk.user_id,
                    User.role == Role.AGENT,
                    User.active.is_(True),
                )
            ).first()
            if colleague is None:
                continue
            if s.get(TeamMember, (team_id, desk.user_id)) is None:
                s.add(TeamMember(team_id=team_id, user_id=desk.user_id))
                s.commit()
            return str(team_id), colleague[0], colleague[1]
    raise AssertionError("the demo data has no team with another agent")


def _team_tickets(opened: OpenCache, team_id: str, user_id: str) -> list[str]:
    with opened.runner.session_factory() as s:
        return list(
            s.scalars(
                select(Ticket.id)
                .where(
                    Ticket.team_id == team_id,
                    Ticket.assignee_id.is_(None) | (Ticket.assignee_id != user_id),
                )
                .order_by(Ticket.number)
            )
        )


def _row_texts(dialog: ConflictsDialog, row: int) -> list[str]:
    cells = [dialog.table.item(row, c) for c in range(dialog.table.columnCount())]
    return [c.text() if c is not None else "" for c in cells]


def test_e7_conflict_from_two_clients_keep_servers_and_use_mine(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    team, colleague, colleague_name = _join_team(desk)
    _sup, supervisor = desk.server.user_client(Role.SUPERVISOR)
    opened = open_synced(desk, persian, qtbot)
    bridge, indicator = opened.sync, opened.indicator
    assert bridge is not None and indicator is not None
    try:
        run(qtbot, bridge.sync_once())  # the team's tickets arrive
        keep_id, mine_id = _team_tickets(opened, team, desk.user_id)[:2]
        # the agent takes both tickets offline, and renames them
        with opened.runner.session_factory() as s:
            for ticket_id in (keep_id, mine_id):
                edit_ticket_locally(
                    s, ticket_id, {"assignee_id": desk.user_id, "title": f"گرفتم {ticket_id[-4:]}"}
                )
        # meanwhile the supervisor gives both to the colleague
        with supervisor:
            for ticket_id in (keep_id, mine_id):
                reply = supervisor.patch(f"/tickets/{ticket_id}", json={"assignee_id": colleague})
                assert reply.status_code == 200, reply.text
        run(qtbot, bridge.sync_once())
        qtbot.waitUntil(lambda: indicator.conflict_count == 2)
        assert not indicator.conflicts_button.isHidden()
        assert "۲" in indicator.conflicts_button.text()

        QTest.mouseClick(indicator.conflicts_button, Qt.MouseButton.LeftButton)
        dialog = opened.conflicts_dialog
        assert isinstance(dialog, ConflictsDialog)
        qtbot.waitUntil(lambda: not dialog.loading and len(dialog.conflict_rows) == 2)
        assert dialog.isVisible() and dialog.isRightToLeft()
        rows = {c.ticket_id: i for i, c in enumerate(dialog.conflict_rows)}
        for row in rows.values():
            # the field, the server's value, the agent's value
            assert _row_texts(dialog, row)[1:] == ["کارشناس", colleague_name, desk.user_name]

        # keep the server's: dismissed, nothing queued
        dialog.table.setCurrentCell(rows[keep_id], 0)
        QTest.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.loading and len(dialog.conflict_rows) == 1)
        with opened.runner.session_factory() as s:
            assert pending_count(s) == 0
        # use mine: a new intent, sent by the engine, the server takes it
        assert dialog.conflict_rows[0].ticket_id == mine_id
        dialog.table.setCurrentCell(0, 0)
        with qtbot.waitSignal(bridge.poked):
            QTest.mouseClick(dialog.mine_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.loading and not dialog.conflict_rows)
        with opened.runner.session_factory() as s:
            assert pending_count(s) == 1
        run(qtbot, bridge.sync_once())
        with desk.api() as api:
            assert api.get(f"/tickets/{mine_id}").json()["assignee_id"] == desk.user_id
            kept = api.get(f"/tickets/{keep_id}").json()
        assert kept["assignee_id"] == colleague
        assert kept["title"] == f"گرفتم {keep_id[-4:]}"  # the plain field went through
        qtbot.waitUntil(lambda: indicator.conflict_count == 0)
        qtbot.waitUntil(indicator.conflicts_button.isHidden)
    finally:
        close(opened, qtbot)


def test_e7_refused_change_is_listed_with_its_reason_and_dismissed(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    team, colleague, _name = _join_team(desk)
    _sup, supervisor = desk.server.user_client(Role.SUPERVISOR)
    opened = open_synced(desk, persian, qtbot)
    bridge, indicator = opened.sync, opened.indicator
    assert bridge is not None and indicator is not None
    try:
        run(qtbot, bridge.sync_once())
        tickets = _team_tickets(opened, team, desk.user_id)
        with opened.runner.session_factory() as s:  # only a contested field: refused whole
            edit_ticket_locally(s, tickets[0], {"assignee_id": desk.user_id})
        with supervisor:
            supervisor.patch(f"/tickets/{tickets[0]}", json={"assignee_id": colleague})
        run(qtbot, bridge.sync_once())
        qtbot.waitUntil(lambda: indicator.rejected_count == 1)
        indicator.conflicts_button.click()
        dialog = opened.conflicts_dialog
        assert dialog is not None
        qtbot.waitUntil(lambda: not dialog.loading and len(dialog.rejected_rows) == 1)
        reason = dialog.rejected_table.item(0, 1)
        assert reason is not None and "someone else" in reason.text()
        dialog.rejected_table.setCurrentCell(0, 0)  # (selectRow misses under RTL offscreen)
        dialog.dismiss_button.click()
        qtbot.waitUntil(lambda: not dialog.loading and not dialog.rejected_rows)
        qtbot.waitUntil(lambda: indicator.rejected_count == 0)
    finally:
        close(opened, qtbot)


def test_e5_notification_for_a_colleagues_new_ticket_not_for_my_own(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    team, _colleague, _name = _join_team(desk)
    _sup, supervisor = desk.server.user_client(Role.SUPERVISOR)
    opened = open_synced(desk, persian, qtbot)
    bridge, notifier = opened.sync, opened.notifier
    assert bridge is not None and notifier is not None
    try:
        opened.start_sync()  # live: the event stream brings the colleague's ticket
        qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online")
        assert notifier.shown == []  # the cache as it was is not news
        with supervisor:
            reply = supervisor.post(
                "/tickets",
                json={
                    "title": "چاپگر طبقهٔ دوم کار نمی‌کند",
                    "contact_email": "someone@example.com",
                    "team_id": team,
                },
            )
            assert reply.status_code in (200, 201), reply.text
            number = reply.json()["number"]
        qtbot.waitUntil(lambda: len(notifier.shown) == 1, timeout=15_000)
        title, text = notifier.shown[0]
        assert title == "۱ درخواست تازه در صف‌های شما"
        assert "چاپگر طبقهٔ دوم کار نمی‌کند" in text
        assert persian.formatter.number(number) in text

        # the agent's own new ticket syncs (and comes back numbered) without a notification
        with opened.runner.session_factory() as s:
            mine = create_ticket_locally(
                s, title="درخواست خودم", contact_email="me@example.com", team_id=team
            )
            mine_id = mine.id
        with qtbot.waitSignal(bridge.synced, timeout=15_000):
            opened.window._context.local_edit_done()
        with desk.api() as api:
            qtbot.waitUntil(lambda: api.get(f"/tickets/{mine_id}").status_code == 200)
        run(qtbot, bridge.sync_once())
        qtbot.wait(300)
        assert len(notifier.shown) == 1
    finally:
        close(opened, qtbot)


def test_e7_screenshot_of_main_window_with_sync_indicator(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    """build/screenshots/main_window_sync_fa.png: online, last sync, one change not yet
    sent and a conflict badge, right-to-left."""
    team, colleague, _name = _join_team(desk)
    _sup, supervisor = desk.server.user_client(Role.SUPERVISOR)
    opened = open_synced(desk, persian, qtbot)
    bridge, indicator, window = opened.sync, opened.indicator, opened.window
    assert bridge is not None and indicator is not None
    try:
        run(qtbot, bridge.sync_once())
        first, second = _team_tickets(opened, team, desk.user_id)[:2]
        with opened.runner.session_factory() as s:
            edit_ticket_locally(s, first, {"assignee_id": desk.user_id, "title": "گرفتم"})
        with supervisor:
            supervisor.patch(f"/tickets/{first}", json={"assignee_id": colleague})
        run(qtbot, bridge.sync_once())
        with opened.runner.session_factory() as s:
            edit_ticket_locally(s, second, {"severity": 2})
        indicator.refresh_counts()
        window.sidebar.select(QueueKind.ALL)
        window.refresh_counts()
        qtbot.waitUntil(lambda: indicator.conflict_count == 1)
        qtbot.waitUntil(lambda: not indicator.pending_label.isHidden())
        qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
        assert "برخط" in indicator.status_label.text()
        assert "همگام‌شده" in indicator.last_label.text()
        assert indicator.pending_label.text() == "۱ تغییر هنوز فرستاده نشده"
        # under right-to-left the indicator sits at the status bar's left end
        assert indicator.mapTo(window, indicator.rect().topLeft()).x() < window.width() // 2
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "main_window_sync_fa.png"
        assert window.grab().save(str(target))
        assert target.stat().st_size > 20_000
    finally:
        close(opened, qtbot)


def test_e5_notification_for_a_customer_reply_in_my_queue(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    with desk.server.sessions() as s:
        found = s.execute(
            select(User.username, Ticket.id, Ticket.title)
            .join(Ticket, Ticket.contact_id == User.contact_id)
            .where(User.role == Role.PORTAL, User.active.is_(True), Ticket.status != "closed")
            .order_by(Ticket.number)
        ).first()
    assert found is not None, "the demo data has no customer with an open ticket"
    customer, ticket_id, title = found
    _sup, supervisor = desk.server.user_client(Role.SUPERVISOR)
    with supervisor:  # the ticket is the agent's (before the window opens: not news)
        reply = supervisor.patch(f"/tickets/{ticket_id}", json={"assignee_id": desk.user_id})
        assert reply.status_code == 200, reply.text
    opened = open_synced(desk, persian, qtbot)
    bridge, notifier = opened.sync, opened.notifier
    assert bridge is not None and notifier is not None
    try:
        opened.start_sync()
        qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online")
        with desk.server.client() as portal:
            token = portal.post(
                "/auth/login", json={"username": customer, "password": "demo-pass"}
            ).json()["token"]
            sent = portal.post(
                f"/portal/tickets/{ticket_id}/replies",
                json={"text": "هنوز درست نشده است"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert sent.status_code == 201, sent.text
        qtbot.waitUntil(lambda: len(notifier.shown) == 1, timeout=15_000)
        assert notifier.shown[0][0] == "۱ پاسخ تازه از مشتری"
        assert title in notifier.shown[0][1]
    finally:
        close(opened, qtbot)
