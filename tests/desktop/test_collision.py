"""E3 collision notice in the window: the agent's ticket window (real widgets, the real
sync engine on qasync's loop, a real server on loopback) shows "Reza is viewing this
ticket" / "Reza is writing a reply" while a second agent (an API client) announces it,
clears the banner on "gone" and when the server forgets an unrenewed announcement; and
the window announces its own agent: viewing on open, replying while the composer holds
text, gone on close."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pytestqt.qtbot import QtBot

from core.enums import Role
from core.models import TeamMember, Ticket
from desktop.i18n import Localization
from desktop.views.ticket_view import TicketView
from tests.desktop.conftest import Desk
from tests.desktop.test_queue_window import SCREENSHOTS
from tests.desktop.test_sync_indicator import close, first_open_ticket, open_synced

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: no raise()

REZA = "رضا احمدی"


def _second_agent(desk: Desk, ticket_id: str) -> tuple[str, httpx.Client]:
    """Reza, an agent who may see the ticket (a member of its team, if it has one)."""
    reza, client = desk.server.user_client(Role.AGENT, name=REZA)
    with desk.server.sessions() as s:
        ticket = s.get(Ticket, ticket_id)
        assert ticket is not None
        if ticket.team_id is not None:
            s.add(TeamMember(team_id=ticket.team_id, user_id=reza.id))
            s.commit()
    return reza.id, client


def _others(client: httpx.Client, ticket_id: str) -> dict[str, str]:
    reply = client.get(f"/tickets/{ticket_id}/presence")
    assert reply.status_code == 200, reply.text
    return {p["user"]: p["state"] for p in reply.json()["others"]}


def _say(client: httpx.Client, ticket_id: str, state: str) -> None:
    reply = client.post(f"/tickets/{ticket_id}/presence", json={"state": state})
    assert reply.status_code == 200, reply.text


def test_e3_banner_shows_the_second_agent_live_and_clears(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    ticket_id = first_open_ticket(desk)
    _reza_id, reza = _second_agent(desk, ticket_id)
    opened = open_synced(desk, persian, qtbot)
    bridge = opened.sync
    assert bridge is not None
    try:
        opened.start_sync()  # the event stream, which carries presence
        qtbot.waitUntil(lambda: bridge.state.status == "online", timeout=15_000)
        view = opened.window.open_ticket(ticket_id)
        assert isinstance(view, TicketView)
        qtbot.waitExposed(view)
        banner = view.collision
        assert banner.isHidden()
        # opening announces the agent as viewing: Reza sees it on the server
        qtbot.waitUntil(lambda: _others(reza, ticket_id).get(desk.user_id) == "viewing")

        _say(reza, ticket_id, "viewing")
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
        assert banner.label.text() == f"{REZA} در حال دیدن این تیکت است"
        assert banner.isRightToLeft()

        _say(reza, ticket_id, "replying")
        qtbot.waitUntil(lambda: "نوشتن پاسخ" in banner.label.text(), timeout=10_000)
        assert banner.label.text() == f"{REZA} در حال نوشتن پاسخ است"
        qtbot.waitUntil(lambda: not opened.runner.busy())
        view.resize(1200, 780)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / "collision_fa.png"
        assert view.grab().save(str(target))
        assert target.stat().st_size > 20_000

        _say(reza, ticket_id, "gone")
        qtbot.waitUntil(banner.isHidden, timeout=10_000)
        assert banner.others == {}

        # the agent types: Reza sees "replying" (after the debounce); emptied: viewing
        view.composer.editor.setFocus()
        view.composer.editor.insertPlainText("سلام")
        qtbot.waitUntil(lambda: _others(reza, ticket_id).get(desk.user_id) == "replying")
        view.composer.editor.clear()
        qtbot.waitUntil(lambda: _others(reza, ticket_id).get(desk.user_id) == "viewing")

        # an announcement nobody renews fades: the server forgets it, the banner clears
        desk.server.app.state.presence.ttl = 1.0
        _say(reza, ticket_id, "viewing")
        qtbot.waitUntil(lambda: not banner.isHidden(), timeout=10_000)
        qtbot.waitUntil(banner.isHidden, timeout=6_000)

        # the agent writes again, then closes the window with the draft kept: gone
        desk.server.app.state.presence.ttl = 30.0
        view.composer.editor.insertPlainText("پاسخ")
        qtbot.waitUntil(lambda: _others(reza, ticket_id).get(desk.user_id) == "replying")
        view.close()
        qtbot.waitUntil(lambda: desk.user_id not in _others(reza, ticket_id))
    finally:
        reza.close()
        close(opened, qtbot)
