"""D1, D6: starting `helpdesk` against a real server on loopback, through real widgets on
qasync's loop: sign in (token kept by TokenStore), first sync, then the window; a wrong
password or an unreachable server is told in Persian and nothing typed is lost; later
starts open the cache at once and sync in the background; "work offline"; `--demo`'s
embedded server, whose edits really reach it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.cache import open_cache
from core.db import session_factory
from core.local_edits import edit_ticket_locally
from core.models import Ticket, User
from core.outbox import pending_count
from desktop.app import OpenCache
from desktop.i18n import Localization
from desktop.startup import (
    Account,
    Startup,
    cache_owner,
    claim_cache,
    owner_key,
    save_account,
    saved_account,
)
from desktop.views.login_dialog import LoginDialog
from sync.client.credentials import TokenStore, Where
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import flush_deletes, run
from tests.sync.server_fixture import free_port

FAST = {"backoff": 0.05, "max_backoff": 0.2, "retries": 1, "timeout": 5.0}
PASSWORD = "demo-pass"  # the desk fixture's demo password


@pytest.fixture(autouse=True)
def clean_account(persian: Localization) -> Iterator[None]:
    """No account remembered from another test (QSettings in test mode)."""
    QSettings().remove("account")
    yield
    QSettings().remove("account")


def username(desk: Desk) -> str:
    with desk.server.sessions() as session:
        user = session.get(User, desk.user_id)
        assert user is not None
        return user.username


def wait_dialog(qtbot: QtBot, startup: Startup) -> LoginDialog:
    qtbot.waitUntil(lambda: startup.login_dialog is not None and startup.login_dialog.isVisible())
    assert startup.login_dialog is not None
    return startup.login_dialog


def fill(dialog: LoginDialog, server: str, user: str, password: str) -> None:
    for edit, text in (
        (dialog.server_edit, server),
        (dialog.user_edit, user),
        (dialog.password_edit, password),
    ):
        edit.clear()
        QTest.keyClicks(edit, text)


def tickets_in(path: Path) -> int:
    engine = open_cache(path)
    with session_factory(engine)() as s:
        n = s.scalar(select(func.count()).select_from(Ticket)) or 0
    engine.dispose()
    return n


def close(opened: OpenCache, qtbot: QtBot) -> None:
    run(qtbot, opened.aclose())
    flush_deletes()


def test_d6_sign_in_keeps_token_first_sync_then_window(
    qtbot: QtBot,
    persian: Localization,
    desk: Desk,
    tmp_path: Path,
    aio: asyncio.AbstractEventLoop,
) -> None:
    cache = tmp_path / "agent" / "cache.sqlite3"
    startup = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(startup.start(cache))
    dialog = wait_dialog(qtbot, startup)
    assert dialog.offline_button is None  # no cache yet: nothing to work offline with
    assert dialog.isRightToLeft()
    fill(dialog, desk.server.url, username(desk), PASSWORD)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=30_000)
    opened = task.result()
    assert opened is not None
    try:
        assert opened.window.isVisible() and opened.sync is not None
        assert opened.indicator is not None and opened.indicator.isVisible()
        # the first sync ran before the window: the cache holds the agent's tickets
        assert tickets_in(cache) == tickets_in(desk.cache_path) > 10
        state = opened.sync.state
        assert state.done == state.total > 0 and state.last_sync_at is not None
        found = TokenStore().load(desk.server.url, username(desk))
        assert found is not None
        # without an OS keyring the token lasts for this process only, and the agent is told
        told = any("جاکلیدی" in m for m in startup.messages)
        assert told == (found[1] is Where.PROCESS)
        with httpx.Client(base_url=desk.server.api, timeout=5) as api:
            me = api.get("/auth/me", headers={"Authorization": f"Bearer {found[0]}"})
        assert me.status_code == 200 and me.json()["id"] == desk.user_id
        account = saved_account()
        assert account is not None and account.user_id == desk.user_id
        assert desk.user_name in opened.window.user_label.text()
    finally:
        close(opened, qtbot)

    # a later start: the cache and the stored token open the window at once, no dialog
    later = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(later.start(cache))
    qtbot.waitUntil(task.done)
    assert later.login_dialog is None
    reopened = task.result()
    assert reopened is not None and reopened.sync is not None
    try:
        bridge = reopened.sync
        qtbot.waitUntil(lambda: bridge.state.status == "online", timeout=15_000)
        assert bridge.running  # and stays live in the background
    finally:
        close(reopened, qtbot)


def test_d6_wrong_password_is_told_and_keeps_what_was_typed(
    qtbot: QtBot,
    persian: Localization,
    desk: Desk,
    tmp_path: Path,
    aio: asyncio.AbstractEventLoop,
) -> None:
    cache = tmp_path / "agent" / "cache.sqlite3"
    startup = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(startup.start(cache))
    dialog = wait_dialog(qtbot, startup)
    fill(dialog, desk.server.url, username(desk), "not-the-password")
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "نادرست" in dialog.error_label.text(), timeout=15_000)
    assert dialog.isVisible() and not task.done()
    assert dialog.server_edit.text() == desk.server.url
    assert dialog.user_edit.text() == username(desk)
    assert dialog.password_edit.text() == "not-the-password"
    assert dialog.password_edit.hasFocus() and dialog.password_edit.isEnabled()
    assert not cache.exists()  # nothing made before a successful sign-in

    # an unreachable server: told so, fields kept
    dead = f"http://127.0.0.1:{free_port()}"
    fill(dialog, dead, username(desk), PASSWORD)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "دسترسی" in dialog.error_label.text(), timeout=15_000)
    assert dead in dialog.error_label.text()
    assert dialog.password_edit.text() == PASSWORD and dialog.server_edit.text() == dead

    # corrected: signs in
    dialog.server_edit.setText(desk.server.url)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=30_000)
    opened = task.result()
    assert opened is not None
    close(opened, qtbot)


def test_d6_work_offline_opens_the_cache_without_a_server(
    qtbot: QtBot,
    persian: Localization,
    desk: Desk,
    aio: asyncio.AbstractEventLoop,
) -> None:
    # this agent's cache and account are on this computer, but no token is stored
    claim_cache(desk.cache_path, owner_key(desk.server.url, desk.user_id))
    save_account(Account(desk.server.url, username(desk), desk.user_id, desk.user_name))
    startup = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(startup.start(desk.cache_path))
    dialog = wait_dialog(qtbot, startup)
    assert dialog.offline_button is not None
    QTest.mouseClick(dialog.offline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done)
    opened = task.result()
    assert opened is not None
    try:
        assert opened.sync is None and opened.window.isVisible()
        assert opened.window._context.cache_path == desk.cache_path
        qtbot.waitUntil(lambda: opened.window.model.is_complete)
    finally:
        close(opened, qtbot)


def test_d6_another_agent_signing_in_gets_a_cache_of_their_own(
    qtbot: QtBot, persian: Localization, desk: Desk, tmp_path: Path, aio: asyncio.AbstractEventLoop
) -> None:
    base = tmp_path / "agent" / "cache.sqlite3"
    first = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(first.start(base))
    fill(wait_dialog(qtbot, first), desk.server.url, username(desk), PASSWORD)
    QTest.mouseClick(first.login_dialog.sign_in_button, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]
    qtbot.waitUntil(task.done, timeout=30_000)
    opened = task.result()
    assert opened is not None
    close(opened, qtbot)
    assert cache_owner(base) == owner_key(desk.server.url, desk.user_id)

    from sync.server.auth import hash_password
    from tests.core.factories import make_user

    with desk.server.sessions() as s:
        other = make_user(s, "همکار دیگر", username="other-agent")
        other.password_hash = hash_password(PASSWORD)
        s.commit()
        other_id = other.id
    # the first agent leaves an edit not yet sent, and signs out
    engine = open_cache(base)
    with session_factory(engine)() as s:
        ticket_id = s.scalars(select(Ticket.id).order_by(Ticket.number)).first()
        assert ticket_id is not None
        edit_ticket_locally(s, ticket_id, {"title": "کار نیمه‌تمام نفر اول"})
    engine.dispose()
    TokenStore().delete(desk.server.url, username(desk))
    second = Startup(persian, engine_options=FAST)
    task = asyncio.ensure_future(second.start(base))
    dialog = wait_dialog(qtbot, second)
    fill(dialog, desk.server.url, "other-agent", PASSWORD)
    QTest.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(task.done, timeout=30_000)
    theirs = task.result()
    assert theirs is not None
    try:
        path = theirs.window._context.cache_path
        assert path != base and path.parent == base.parent
        assert cache_owner(path) == owner_key(desk.server.url, other_id)
        assert cache_owner(base) == owner_key(desk.server.url, desk.user_id)  # untouched
        # the other agent's sync never sent the first agent's edit
        engine = open_cache(base)
        with session_factory(engine)() as s:
            assert pending_count(s) == 1
        engine.dispose()
        with desk.api() as api:
            assert api.get(f"/tickets/{ticket_id}").json()["title"] != "کار نیمه‌تمام نفر اول"
    finally:
        close(theirs, qtbot)


def test_d1_demo_starts_embedded_server_and_edits_reach_it(
    qtbot: QtBot, persian: Localization, tmp_path: Path, aio: asyncio.AbstractEventLoop
) -> None:
    startup = Startup(persian, engine_options=FAST)
    folder = tmp_path / "demo"
    started = run(qtbot, startup.demo(folder, 100), timeout=120_000)
    opened = started.opened
    bridge = opened.sync
    assert bridge is not None
    url = bridge.server_url
    try:
        assert (folder / "server.sqlite3").exists() and tickets_in(folder / "cache.sqlite3") > 20
        with opened.runner.session_factory() as s:
            ticket = s.scalars(select(Ticket).order_by(Ticket.number)).first()
            assert ticket is not None
            ticket_id = ticket.id
            edit_ticket_locally(s, ticket_id, {"title": "ویرایش در نسخهٔ نمایشی"})
        with qtbot.waitSignal(bridge.synced, timeout=20_000):
            opened.window._context.local_edit_done()
        token = TokenStore().load(url, "x")  # the demo never stores a token
        assert token is None
        from desktop.demo import DEMO_PASSWORD, DemoServer

        user = DemoServer(folder).agent_username()
        with httpx.Client(base_url=f"{url}/api/v1", timeout=10) as api:
            login = api.post("/auth/login", json={"username": user, "password": DEMO_PASSWORD})
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            got = api.get(f"/tickets/{ticket_id}", headers=auth).json()
        assert got["title"] == "ویرایش در نسخهٔ نمایشی"
    finally:
        run(qtbot, started.aclose())
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/api/v1/health", timeout=2)


def test_d6_closing_the_window_ends_the_run_and_stops_the_engine(
    qtbot: QtBot, persian: Localization, desk: Desk, aio: asyncio.AbstractEventLoop
) -> None:
    """`helpdesk`'s whole life (desktop.startup.run, as main() runs it on qasync's loop):
    a cache and a stored token open the window at once; closing it ends the run cleanly."""
    from desktop.startup import run as run_app
    from desktop.views.main_window import MainWindow

    claim_cache(desk.cache_path, owner_key(desk.server.url, desk.user_id))
    save_account(Account(desk.server.url, username(desk), desk.user_id, desk.user_name))
    TokenStore().save(desk.server.url, username(desk), desk.token)
    try:
        task = asyncio.ensure_future(run_app(persian, cache_path=desk.cache_path))

        def window() -> MainWindow | None:
            shown = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ]
            return shown[0] if shown else None

        qtbot.waitUntil(lambda: window() is not None)
        shown = window()
        assert shown is not None
        bridge = shown._context.sync
        assert bridge is not None
        qtbot.waitUntil(lambda: bridge.running and bridge.state.status == "online")
        shown.close()
        qtbot.waitUntil(task.done, timeout=15_000)
        assert task.result() == 0
        assert not bridge.running
        flush_deletes()
    finally:
        TokenStore().delete(desk.server.url, username(desk))
