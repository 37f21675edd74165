"""O6 (D5): merging duplicates from the queue through the real dialog, on a real cache,
synced to a real server on loopback; a second agent's cache sees the same; "Undo merge"
restores the tickets on both sides, and is refused after a reply; "Find duplicates"
proposes the similar ticket."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from core.cache import open_cache
from core.db import session_factory
from core.enums import MessageKind, Role, Status
from core.errors import DomainError
from core.local_edits import create_ticket_locally, post_message_locally
from core.models import Message, OutboxMutation, TeamMember, Ticket, TicketFollower, User
from desktop.actions import TicketActions
from desktop.app import OpenCache
from desktop.views.main_window import MainWindow
from desktop.views.merge_dialog import MergeActions, MergeDialog
from sync.server.services import tickets as ticket_services
from tests.core.factories import make_portal_user
from tests.desktop.conftest import Desk

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
NOTE = "یادداشت داخلی: رمز موقت مشتری ۱۲۳۴"


def _merge_actions(window: MainWindow) -> MergeActions:
    actions = window.ticket_actions
    assert isinstance(actions, TicketActions)
    return actions.merge_actions


def _select(qtbot: QtBot, window: MainWindow, *ticket_ids: str) -> None:
    actions = window.ticket_actions
    assert isinstance(actions, TicketActions)
    actions.select_ids(ticket_ids)
    qtbot.waitUntil(lambda: sorted(actions.selected_ids()) == sorted(ticket_ids))


def _three(desk: Desk) -> tuple[list[str], str]:
    """Three open tickets of one team in the agent's cache, and a colleague of that team."""
    with desk.server.sessions() as session:
        for (team_id,) in session.execute(
            select(Ticket.team_id).where(Ticket.team_id.is_not(None)).distinct()
        ):
            colleague = session.scalar(
                select(TeamMember.user_id)
                .join(User, User.id == TeamMember.user_id)
                .where(
                    TeamMember.team_id == team_id,
                    TeamMember.user_id != desk.user_id,
                    User.role == Role.AGENT,
                )
            )
            tickets = list(
                session.scalars(
                    select(Ticket)
                    .where(
                        Ticket.team_id == team_id,
                        Ticket.archived.is_(False),
                        Ticket.merged_into_id.is_(None),
                        Ticket.status != Status.CLOSED,
                    )
                    .order_by(Ticket.number)
                )
            )
            if colleague is None or len(tickets) < 3:
                continue
            ids = [t.id for t in tickets[:3]]
            if _cached_ids(desk, ids) == set(ids):
                return ids, colleague
    raise AssertionError("the demo has a team with three open tickets and two agents")


def _cached_ids(desk: Desk, ids: list[str]) -> set[str]:
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            return set(session.scalars(select(Ticket.id).where(Ticket.id.in_(ids))))
    finally:
        engine.dispose()


def _server_note(desk: Desk, ticket_id: str) -> str:
    """An internal note on a ticket, written on the server and pulled into the cache."""
    with desk.server.sessions() as session:
        note = Message(
            ticket_id=ticket_id,
            kind=MessageKind.INTERNAL_NOTE,
            body=NOTE,
            author_user_id=desk.user_id,
        )
        session.add(note)
        session.commit()
        note_id = note.id
    desk.sync()
    return note_id


def _state(path_engine: object, ids: list[str]) -> dict[str, tuple[str | None, bool, list[str]]]:
    """Per ticket: merged into, archived, its message ids (system events left out)."""
    factory = session_factory(path_engine)  # type: ignore[arg-type]
    with factory() as session:
        out = {}
        for tid in ids:
            ticket = session.get(Ticket, tid)
            assert ticket is not None
            messages = sorted(
                session.scalars(
                    select(Message.id).where(
                        Message.ticket_id == tid, Message.kind != MessageKind.SYSTEM_EVENT
                    )
                )
            )
            out[tid] = (ticket.merged_into_id, ticket.archived, messages)
        return out


def _cache_state(path: Path, ids: list[str]) -> dict[str, tuple[str | None, bool, list[str]]]:
    engine = open_cache(path)
    try:
        return _state(engine, ids)
    finally:
        engine.dispose()


def _server_state(desk: Desk, ids: list[str]) -> dict[str, tuple[str | None, bool, list[str]]]:
    with desk.server.sessions() as session:
        engine = session.get_bind()
    return _state(engine, ids)


def _pushed_ok(desk: Desk) -> None:
    desk.sync()
    engine = desk.engine()
    try:
        with session_factory(engine)() as session:
            rows = session.scalars(select(OutboxMutation)).all()
            assert [(r.name, r.state, r.reason) for r in rows if r.state != "applied"] == []
    finally:
        engine.dispose()


def _merge_through_dialog(
    qtbot: QtBot, window: MainWindow, ids: list[str], keep: str, screenshot: bool = False
) -> None:
    _select(qtbot, window, *ids)
    merge = _merge_actions(window)
    assert merge.merge.isEnabled()
    merge.merge.trigger()
    qtbot.waitUntil(lambda: merge.dialog is not None and merge.dialog.loaded)
    dialog = merge.dialog
    assert isinstance(dialog, MergeDialog)
    assert dialog.isRightToLeft()
    before = [item.text(3) for item in dialog.rows().values()]
    dialog.keep_combo.setCurrentIndex(dialog.keep_combo.findData(keep))
    qtbot.waitUntil(lambda: dialog.loaded and dialog.keep_id() == keep)
    rows = dialog.rows()
    assert sorted(rows) == sorted(ids)
    # the kept ticket is marked, the others show their similarity to it in percent
    assert rows[keep].text(3) == "نگه‌داشته"
    assert all(rows[i].text(3).endswith("٪") for i in ids if i != keep)
    assert before != [item.text(3) for item in rows.values()]
    assert dialog.counts.text().startswith("به تیکت نگه‌داشته منتقل می‌شود")
    if screenshot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "merge_dialog_fa.png"
        assert dialog.grab().save(str(target))
        assert target.stat().st_size > 10_000
    with qtbot.waitSignal(dialog.merged, timeout=10_000):
        QTest.mouseClick(dialog.merge_button, Qt.MouseButton.LeftButton)


def test_o6_d5_merge_three_in_the_queue_syncs_everywhere_and_notes_stay_internal(
    qtbot: QtBot, desk: Desk, opened: OpenCache, tmp_path: Path
) -> None:
    window = opened.window
    ids, colleague = _three(desk)
    keep = ids[0]
    note_id = _server_note(desk, ids[1])
    opened.window.model.reload()
    qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
    before = _server_state(desk, ids)

    _merge_through_dialog(qtbot, window, [ids[1], ids[2], keep], keep, screenshot=True)
    # merged in the cache at once, before any sync
    local = _cache_state(desk.cache_path, ids)
    assert local[ids[1]][:2] == (keep, True) and local[ids[2]][:2] == (keep, True)
    assert note_id in local[keep][2]

    _pushed_ok(desk)
    server = _server_state(desk, ids)
    moved = sorted(before[keep][2] + before[ids[1]][2] + before[ids[2]][2])
    assert server[keep] == (None, False, moved)
    assert server[ids[1]] == (keep, True, []) and server[ids[2]] == (keep, True, [])
    assert _cache_state(desk.cache_path, ids) == server

    # a colleague of the team syncing a fresh cache sees the same
    other = tmp_path / "colleague.sqlite3"
    open_cache(other).dispose()
    desk.sync(other, desk.server.token_for(colleague))
    assert _cache_state(other, ids) == server

    # the customer of the kept ticket never sees the merged ticket's internal note
    with desk.server.sessions() as session:
        customer = make_portal_user(session)
        session.add(TicketFollower(ticket_id=keep, contact_id=customer.contact_id))
        session.commit()
        customer_id = customer.id
    with desk.api(desk.server.token_for(customer_id)) as portal:
        reply = portal.get(f"/portal/tickets/{keep}/messages")
        assert reply.status_code == 200, reply.text
        bodies = [m["body"] for m in reply.json()["items"]]
    assert bodies and NOTE not in bodies
    with desk.api() as api:
        staff = api.get(f"/tickets/{keep}/messages", params={"limit": 200})
        assert staff.status_code == 200, staff.text
        assert NOTE in [m["body"] for m in staff.json()["items"]]


def test_o6_undo_merge_through_the_ui_restores_on_the_server(
    qtbot: QtBot, desk: Desk, opened: OpenCache, tmp_path: Path
) -> None:
    window = opened.window
    ids, colleague = _three(desk)
    keep = ids[0]
    before = _server_state(desk, ids)
    _merge_through_dialog(qtbot, window, ids, keep)
    _pushed_ok(desk)
    assert _server_state(desk, ids) != before

    _select(qtbot, window, keep)
    merge = _merge_actions(window)
    assert merge.undo.isEnabled()
    merge.undo.trigger()
    qtbot.waitUntil(lambda: not merge.undo.isEnabled() and not opened.runner.busy())
    assert _cache_state(desk.cache_path, ids) == before
    _pushed_ok(desk)
    assert _server_state(desk, ids) == before
    assert _cache_state(desk.cache_path, ids) == before
    other = tmp_path / "colleague.sqlite3"
    open_cache(other).dispose()
    desk.sync(other, desk.server.token_for(colleague))
    assert _cache_state(other, ids) == before


def test_o6_undo_refused_after_a_reply_in_the_window_and_on_the_server(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ids, _colleague = _three(desk)
    keep = ids[0]
    _merge_through_dialog(qtbot, window, ids, keep)
    _pushed_ok(desk)
    engine = desk.engine()
    with session_factory(engine)() as session:
        post_message_locally(
            session,
            keep,
            kind=MessageKind.AGENT_REPLY,
            body="پاسخ پس از ادغام",
            author_user_id=desk.user_id,
        )
    engine.dispose()
    _pushed_ok(desk)
    _select(qtbot, window, keep)
    merge = _merge_actions(window)
    merge.update_enabled()  # the reply was written beside the window
    assert not merge.undo.isEnabled()
    assert "پاسخ" in merge.undo.toolTip()
    # the context menu keeps it, disabled, so the agent sees why
    table = window.table
    table.customContextMenuRequested.emit(table.visualRect(table.currentIndex()).center())
    menu = table.findChild(QMenu, "ticketContextMenu")
    assert menu is not None
    shown = next(a for a in menu.actions() if a.objectName() == "undoMerge")
    assert shown.isVisible() and not shown.isEnabled()
    menu.close()
    # the server decides the same
    with desk.server.sessions() as session:
        actor = session.get(User, desk.user_id)
        kept = session.get(Ticket, keep)
        assert actor is not None and kept is not None
        with pytest.raises(DomainError) as refused:
            ticket_services.unmerge(session, actor, kept, ids[1:])
        assert refused.value.code == "reply_after_merge"
        session.rollback()


def test_o6_find_duplicates_proposes_the_similar_ticket(
    qtbot: QtBot, desk: Desk, opened: OpenCache
) -> None:
    window = opened.window
    ids, _colleague = _three(desk)
    engine = desk.engine()
    with session_factory(engine)() as session:
        original = session.get(Ticket, ids[0])
        assert original is not None
        twin = create_ticket_locally(
            session,
            title=original.title + " (دوباره)",
            description=original.description,
            contact_email=original.contact_email,
            team_id=original.team_id,
        )
        twin_id = twin.id
    engine.dispose()
    window.model.reload()
    qtbot.waitUntil(lambda: window.model.is_complete and not opened.runner.busy())
    _select(qtbot, window, ids[0])
    table = window.table
    table.customContextMenuRequested.emit(table.visualRect(table.currentIndex()).center())
    menu = table.findChild(QMenu, "ticketContextMenu")
    assert menu is not None
    find = next(a for a in menu.actions() if a.objectName() == "findDuplicates")
    assert find.isVisible() and find.isEnabled()
    menu.close()
    find.trigger()
    merge = _merge_actions(window)
    qtbot.waitUntil(lambda: merge.dialog is not None and merge.dialog.loaded)
    dialog = merge.dialog
    assert dialog is not None
    assert dialog.keep_id() == ids[0]
    listed = {ident: item.text(3) for ident, item in dialog.rows().items()}
    assert twin_id in listed
    percent = int(listed[twin_id].rstrip("٪").translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))
    assert percent >= 80
    dialog.reject()
