"""The settings window (O2-O5, P3-P5, C1, E1, E2, S8) against a real server on loopback:
admins and supervisors edit teams, stages, the priority matrix, SLA targets and canned
replies through the server's REST resources; the cache gets them through pull; agents see
the pages read-only and the server refuses them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from core.cache import open_cache
from core.db import session_factory
from core.enums import Impact, Priority, Role, Severity, Visibility
from core.models import (
    CannedReply,
    Contact,
    Stage,
    Team,
    TeamFollower,
    Ticket,
    TicketFollower,
    User,
)
from core.priority import PriorityMatrix
from desktop.context import WindowContext
from desktop.i18n import Localization
from desktop.runner import DbRunner
from desktop.views.main_window import MainWindow
from desktop.views.settings_common import SettingsPage
from desktop.views.settings_window import SettingsWindow
from desktop.views.ticket_form import TicketFormDialog, open_new_ticket
from sync.client.admin_api import AdminApi, AdminError
from tests.core.factories import make_user
from tests.desktop.conftest import Desk
from tests.desktop.sync_helpers import aio, in_thread, run  # noqa: F401 - the `aio` fixture

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@dataclass
class Seat:
    """One staff user's window pieces: cache, runner, context and REST client."""

    context: WindowContext
    api: AdminApi
    token: str
    engine: Engine

    def session(self) -> Session:
        return self.context.runner.session_factory()


def _seat(qtbot: QtBot, desk: Desk, persian: Localization, role: Role, tmp: Path) -> Seat:
    if role is Role.AGENT:
        user_id, name, token, cache = desk.user_id, desk.user_name, desk.token, desk.cache_path
    else:
        with desk.server.sessions() as s:
            user = make_user(s, "سرپرست میز" if role is Role.SUPERVISOR else "مدیر میز", role=role)
            s.commit()
            user_id, name = user.id, user.display_name
        token = desk.server.token_for(user_id)
        cache = tmp / f"{role.value}.sqlite3"
        open_cache(cache).dispose()
        _sync(qtbot, desk, cache, token)
    engine = open_cache(cache)
    context = WindowContext(
        runner=DbRunner(session_factory(engine)),
        localization=persian,
        user_id=user_id,
        user_name=name,
        cache_path=cache,
    )
    return Seat(context, AdminApi(desk.server.url, token), token, engine)


@pytest.fixture
def seats(
    desk: Desk,
    persian: Localization,
    tmp_path: Path,
    qtbot: QtBot,
    aio: object,  # noqa: F811 - after `desk`: its first sync runs before the loop does
) -> Iterator[dict[Role, Seat]]:
    made: dict[Role, Seat] = {}

    def get(role: Role) -> Seat:
        if role not in made:
            made[role] = _seat(qtbot, desk, persian, role, tmp_path)
        return made[role]

    class Lazy(dict[Role, Seat]):
        def __missing__(self, role: Role) -> Seat:
            return get(role)

    yield Lazy()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, SettingsWindow | TicketFormDialog):
            widget.close()
    QApplication.processEvents()
    for seat in made.values():
        run(qtbot, seat.api.aclose())
        seat.context.runner.wait_idle()
        seat.engine.dispose()


def _sync(qtbot: QtBot, desk: Desk, path: Path | None = None, token: str | None = None) -> None:
    """Another client's blocking sync, on a thread while the window's loop turns."""
    in_thread(lambda: desk.sync(path, token), qtbot)


def _window(qtbot: QtBot, seat: Seat) -> SettingsWindow:
    window = SettingsWindow(seat.context, seat.api)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.loads >= 1, timeout=10_000)
    return window


def _settle(qtbot: QtBot, page: SettingsPage) -> None:
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    QApplication.processEvents()


def _reload_after_sync(qtbot: QtBot, desk: Desk, seat: Seat, window: SettingsWindow) -> None:
    _sync(qtbot, desk, seat.context.cache_path, seat.token)
    before = window.loads
    window.reload()
    qtbot.waitUntil(lambda: window.loads > before, timeout=10_000)


def _first_team(s: Session, visibility: Visibility) -> Team | None:
    """The demo's first active team of this visibility, by name."""
    return s.scalars(
        select(Team).where(Team.active, Team.visibility == visibility).order_by(Team.name)
    ).first()


def _screenshot_with(window: QWidget, dialog: QWidget, path: Path) -> None:
    """The window with its dialog drawn where it stands (offscreen, a dialog is its own
    top-level and a grab of the window alone misses it)."""
    shot = window.grab()
    painter = QPainter(shot)
    where = window.mapFromGlobal(dialog.mapToGlobal(dialog.rect().topLeft()))
    if not window.rect().contains(where):
        where = window.rect().center() - dialog.rect().center()
    painter.drawPixmap(where, dialog.grab())
    painter.end()
    path.parent.mkdir(parents=True, exist_ok=True)
    assert shot.save(str(path))


def test_o1_o2_admin_renames_a_team_and_adds_a_stage_server_then_cache(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    admin = seats[Role.ADMIN]
    window = _window(qtbot, admin)
    page = window.teams
    team = page.current_team()
    assert team is not None and page.name.isEnabled()
    stages_before = len(team.stages)
    page.name.setText("تیم پشتیبانی ویژه")
    page.description.setPlainText("پاسخ در کمتر از یک روز کاری")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    assert page.message.text() == "روی سرور ذخیره شد."
    page.stage_name.setText("در انتظار قطعه")
    QTest.mouseClick(page.add_stage_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)

    with desk.api(admin.token) as http:
        got = http.get(f"/teams/{team.id}").json()
        stages = http.get(f"/teams/{team.id}/stages").json()
    assert got["name"] == "تیم پشتیبانی ویژه"
    assert got["public_description"] == "پاسخ در کمتر از یک روز کاری"
    assert stages[-1]["name"] == "در انتظار قطعه" and len(stages) == stages_before + 1

    with admin.session() as s:  # not in the cache before a pull
        assert s.get(Team, team.id).name == team.name  # type: ignore[union-attr]
    _reload_after_sync(qtbot, desk, admin, window)
    with admin.session() as s:
        assert s.get(Team, team.id).name == "تیم پشتیبانی ویژه"  # type: ignore[union-attr]
        names = list(
            s.scalars(select(Stage.name).where(Stage.team_id == team.id).order_by(Stage.sequence))
        )
    assert names[-1] == "در انتظار قطعه"
    page.select_team(team.id)
    assert page.stage_list.item(page.stage_list.count() - 1).text() == "در انتظار قطعه"

    # reorder: the new stage moves up one place, on the server
    page.stage_list.setCurrentRow(page.stage_list.count() - 1)
    QTest.mouseClick(page.up_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(admin.token) as http:
        order = [s["name"] for s in http.get(f"/teams/{team.id}/stages").json()]
    assert order[-2] == "در انتظار قطعه"


def test_p4_e1_matrix_change_reaches_the_server_and_a_new_tickets_priority(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    admin = seats[Role.ADMIN]
    window = _window(qtbot, admin)
    window.show_page(window.priority)
    page = window.priority
    cell = page.cells[Severity.LOW, Impact.MINOR]
    assert PriorityMatrix.default().priority_for(Severity.LOW, Impact.MINOR) is Priority.LOW
    cell.setCurrentIndex(cell.findData("high"))
    QTest.mouseClick(page.save_matrix_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    page.targets[Priority.HIGH, "first_response_minutes"].setValue(25)
    QTest.mouseClick(page.save_sla_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(admin.token) as http:
        got = http.get("/settings").json()
    assert got["priority_matrix"]["low"]["minor"] == "high"
    assert got["sla_targets"]["high"]["first_response_minutes"] == 25
    window.grab().save(str(SCREENSHOTS / "settings_priority_fa.png"))

    # the agent's form follows the new matrix once their cache has pulled it
    agent = seats[Role.AGENT]
    _sync(qtbot, desk)
    dialog = open_new_ticket(agent.context, None)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not agent.context.runner.busy(), timeout=10_000)
    form = dialog.form
    form.severity.setCurrentIndex(form.severity.findData(int(Severity.LOW)))
    form.impact.setCurrentIndex(form.impact.findData(int(Impact.MINOR)))
    assert form.priority_line.property("priority") == int(Priority.HIGH)


def test_o3_public_to_private_warns_with_the_portal_follower_count_and_cancel_keeps(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat], persian: Localization
) -> None:
    sup = seats[Role.SUPERVISOR]
    with desk.server.sessions() as s:
        team = _first_team(s, Visibility.PUBLIC)
        assert team is not None  # a public team of the demo, with its stages
        contacts = list(s.scalars(select(Contact).order_by(Contact.id).limit(2)))
        for n, contact in enumerate(contacts):
            make_user(s, contact.name, role=Role.PORTAL, contact_id=contact.id)
            s.add(TeamFollower(team_id=team.id, contact_id=contact.id))
            if n == 0:  # and following one of the team's tickets
                ticket = s.scalars(select(Ticket).where(Ticket.team_id == team.id)).first()
                assert ticket is not None
                s.add(TicketFollower(ticket_id=ticket.id, contact_id=contact.id))
        s.commit()
        team_id = team.id
        portal_ids = {c.id for c in contacts}
        portal = select(User.contact_id).where(User.role == Role.PORTAL)
        expected = len(
            s.scalars(
                select(TeamFollower.id).where(
                    TeamFollower.team_id == team_id, TeamFollower.contact_id.in_(portal)
                )
            ).all()
        ) + len(
            s.scalars(
                select(TicketFollower.id)
                .join(Ticket, Ticket.id == TicketFollower.ticket_id)
                .where(Ticket.team_id == team_id, TicketFollower.contact_id.in_(portal))
            ).all()
        )
    assert expected >= 3  # two followers of the team, one of its ticket (and the demo's)
    _sync(qtbot, desk, sup.context.cache_path, sup.token)
    window = _window(qtbot, sup)
    page = window.teams
    page.select_team(team_id)
    assert page.visibility.currentData() == Visibility.PUBLIC
    page.visibility.setCurrentIndex(page.visibility.findData(str(Visibility.PRIVATE)))
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.warning is not None and page.warning.isVisible(), timeout=10_000)
    warning = page.warning
    assert warning is not None
    assert persian.formatter.number(expected) in warning.text()
    _screenshot_with(window, warning, SCREENSHOTS / "settings_fa.png")
    warning.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.waitUntil(lambda: page.warning is None, timeout=5_000)
    assert page.visibility.currentData() == Visibility.PUBLIC
    with desk.api(sup.token) as http:
        got = http.get(f"/teams/{team_id}").json()
    assert got["visibility"] == "public" and len(got["followers"]) >= 2

    # confirmed: the server makes it private and drops the portal followers
    page.visibility.setCurrentIndex(page.visibility.findData(str(Visibility.PRIVATE)))
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.warning is not None and page.warning.isVisible(), timeout=10_000)
    page.warning.button(QMessageBox.StandardButton.Ok).click()  # type: ignore[union-attr]
    _settle(qtbot, page)
    qtbot.waitUntil(lambda: page.message.text() == "روی سرور ذخیره شد.", timeout=10_000)
    with desk.api(sup.token) as http:
        got = http.get(f"/teams/{team_id}").json()
    assert got["visibility"] == "private"
    assert not portal_ids & {f["contact_id"] for f in got["followers"]}


def test_o2_e2_server_validation_error_beside_the_field_keeps_what_was_typed(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    window = _window(qtbot, sup)
    page = window.teams
    team = page.current_team()
    assert team is not None
    page.name.setText("   ")
    page.description.setPlainText("شرحی که نباید گم شود")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.error_labels["name"].isVisible, timeout=10_000)
    assert page.error_labels["name"].text() == "این نمی‌تواند خالی باشد."
    assert page.name.text() == "   "
    assert page.description.toPlainText() == "شرحی که نباید گم شود"
    with desk.api(sup.token) as http:
        assert http.get(f"/teams/{team.id}").json()["name"] == team.name

    # a canned reply with no text: the body is named, the title typed stays
    window.show_page(window.canned)
    canned = window.canned
    QTest.mouseClick(canned.new_button, Qt.MouseButton.LeftButton)
    canned.title.setText("سلام و پوزش")
    QTest.mouseClick(canned.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(canned.error_labels["body"].isVisible, timeout=10_000)
    assert canned.title.text() == "سلام و پوزش"
    canned.body.setPlainText("از تأخیر پیش‌آمده پوزش می‌خواهیم.")
    QTest.mouseClick(canned.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, canned)
    assert not canned.error_labels["body"].isVisible()
    _reload_after_sync(qtbot, desk, sup, window)
    assert "سلام و پوزش" in [r.title for r in canned.rows()]


def test_o2_p4_agent_sees_read_only_pages_and_the_server_refuses_if_forced(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    agent = seats[Role.AGENT]
    window = _window(qtbot, agent)
    assert window.banner.isVisible() and window.banner.text()
    page = window.teams
    assert page.current_team() is not None
    for widget in (page.name, page.save_button, page.add_stage_button, page.visibility):
        assert not widget.isEnabled()
    assert not window.priority.save_matrix_button.isEnabled()
    assert not any(c.isEnabled() for c in window.priority.cells.values())
    assert not window.canned.save_button.isEnabled()
    assert window.canned.rows()  # read from the cache all the same

    # forced: the page's own save path, enabled by hand, is refused by the server
    page.name.setEnabled(True)
    page.name.setText("نام ممنوع")
    page.save_team()
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=10_000)
    assert "سرپرست" in page.message.text()
    team = page.current_team()
    assert team is not None
    with pytest.raises(AdminError) as refused:
        run(qtbot, agent.api.update_team(team.id, {"name": "نام ممنوع"}))
    assert refused.value.status == 403
    with pytest.raises(AdminError) as refused_matrix:
        run(qtbot, agent.api.put_priority_matrix(PriorityMatrix.default().to_json()))
    assert refused_matrix.value.status == 403
    with desk.api() as http:
        assert http.get(f"/teams/{team.id}").json()["name"] == team.name


def test_o2_offline_says_it_needs_the_server_and_keeps_the_edit(
    qtbot: QtBot, seats: dict[Role, Seat]
) -> None:
    admin = seats[Role.ADMIN]
    offline = AdminApi("http://127.0.0.1:9", "x")  # nothing listens on the discard port
    window = SettingsWindow(admin.context, offline)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.loads >= 1, timeout=10_000)
    page = window.teams
    page.name.setText("تیم تازه")
    page.save_team()
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=10_000)
    assert "اتصال به سرور" in page.message.text()
    assert page.name.text() == "تیم تازه"
    run(qtbot, offline.aclose())


def test_o2_main_window_tools_menu_opens_the_settings_window(
    qtbot: QtBot, seats: dict[Role, Seat]
) -> None:
    admin = seats[Role.ADMIN]
    window = MainWindow(admin.context)
    qtbot.addWidget(window)
    window.show()
    action = window.findChild(QAction, "actionSettings")
    assert action is not None and action.text() == "&تنظیمات"
    action.trigger()
    settings = window.settings.settings
    assert settings is not None and settings.isVisible()
    qtbot.waitUntil(lambda: settings.loads >= 1, timeout=10_000)
    assert settings.page_list.count() == len(settings.pages)
    assert settings.layoutDirection() == Qt.LayoutDirection.RightToLeft
    # no sync bridge in this context: the edits need the server, and the page says so
    assert settings.banner.text() == "کار بدون اتصال: تغییرات به اتصال به سرور نیاز دارند."
    settings.teams.name.setText("نام تازه")
    settings.teams.save_team()
    assert "اتصال به سرور" in settings.teams.message.text()
    assert settings.teams.name.text() == "نام تازه"
    settings.close()
    window.close()


def test_c1_supervisor_adds_a_department_with_a_subject_server_then_cache(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    window = _window(qtbot, sup)
    window.show_page(window.departments)
    page = window.departments
    assert page.parent_list.count() > 0
    QTest.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.name.text() == ""
    page.name.setText("خدمات پس از فروش")
    page.team.setCurrentIndex(1)
    team_id = page.team.currentData()
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    assert page.editing_id is not None
    _reload_after_sync(qtbot, desk, sup, window)
    department = page.current_parent()
    assert department is not None and department.name == "خدمات پس از فروش"
    assert department.team_id == team_id
    page.child_name.setText("گارانتی")
    QTest.mouseClick(page.add_child_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(sup.token) as http:
        subjects = http.get(f"/departments/{department.id}/subjects").json()
    assert [s["name"] for s in subjects] == ["گارانتی"]
    _reload_after_sync(qtbot, desk, sup, window)
    assert [c.name for c in page.current_parent().children] == ["گارانتی"]  # type: ignore[union-attr]


def test_p3_p5_subtype_choice_field_and_a_bad_key_beside_its_field(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    window = _window(qtbot, sup)
    window.show_page(window.subtypes)
    page = window.subtypes
    existing = page.parents()[0].name
    QTest.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    page.name.setText(existing)  # subtype names are unique on the server
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=10_000)
    assert page.message.text() == "این نام پیش‌تر به کار رفته است."
    assert page.name.text() == existing

    page.name.setText("درخواست بازدید")
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    _reload_after_sync(qtbot, desk, sup, window)
    subtype = page.current_parent()
    assert subtype is not None and subtype.name == "درخواست بازدید"

    page.key.setText("Visit Day")  # not a key: lower-case Latin, digits and _
    page.child_name.setText("روز بازدید")
    page.kind.setCurrentIndex(page.kind.findData("choice"))
    page.choices.setText("شنبه، یکشنبه، دوشنبه")
    QTest.mouseClick(page.add_child_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.error_labels["key"].isVisible, timeout=10_000)
    assert page.child_name.text() == "روز بازدید" and page.key.text() == "Visit Day"
    page.key.setText("visit_day")
    QTest.mouseClick(page.add_child_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(sup.token) as http:
        fields = http.get(f"/subtypes/{subtype.id}/fields").json()
    assert [(f["key"], f["label"], f["kind"], f["choices"]) for f in fields] == [
        ("visit_day", "روز بازدید", "choice", ["شنبه", "یکشنبه", "دوشنبه"])
    ]
    _reload_after_sync(qtbot, desk, sup, window)
    assert [c.key for c in page.current_parent().children] == ["visit_day"]  # type: ignore[union-attr]


def _confirm(qtbot: QtBot, page: SettingsPage, *, go: bool) -> None:
    """Answer the page's "are you sure?" box."""
    qtbot.waitUntil(
        lambda: page.confirmation is not None and page.confirmation.isVisible(), timeout=5_000
    )
    box = page.confirmation
    assert box is not None
    button = QMessageBox.StandardButton.Ok if go else QMessageBox.StandardButton.Cancel
    box.button(button).click()
    qtbot.waitUntil(lambda: page.confirmation is None, timeout=5_000)


def test_o1_o5_admin_creates_a_team_with_an_assignable_member_toggles_and_deactivates(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    admin = seats[Role.ADMIN]
    window = _window(qtbot, admin)
    page = window.teams
    assert page.data is not None
    agent_row = page.member_row(desk.user_id)
    QTest.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert page.name.text() == "" and page.creating
    page.name.setText("تیم نصب و راه‌اندازی")
    page.visibility.setCurrentIndex(page.visibility.findData(str(Visibility.PRIVATE)))
    if page.data.companies:
        page.company.setCurrentIndex(1)
    company_id = page.company.currentData()
    # ticking "assignable" makes the agent a member too (O5 chooses among members)
    page.members.item(agent_row, 1).setCheckState(Qt.CheckState.Checked)  # type: ignore[union-attr]
    assert page.members.item(agent_row, 0).checkState() == Qt.CheckState.Checked  # type: ignore[union-attr]
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    assert page.message.text() == "روی سرور ذخیره شد."

    with desk.api(admin.token) as http:
        made = [
            t
            for t in http.get("/teams?limit=200").json()["items"]
            if t["name"] == "تیم نصب و راه‌اندازی"
        ]
    assert len(made) == 1
    team = made[0]
    assert team["visibility"] == "private" and team["company_id"] == company_id
    assert {(m["user_id"], m["assignable"]) for m in team["members"]} == {(desk.user_id, True)}

    _reload_after_sync(qtbot, desk, admin, window)
    with admin.session() as s:
        cached = s.get(Team, team["id"])
        assert cached is not None and cached.name == "تیم نصب و راه‌اندازی"
    shown = page.current_team()  # the new team is the one shown after the pull
    assert shown is not None and shown.id == team["id"] and shown.members == {desk.user_id: True}

    # the agent stays a member but auto-assignment may no longer choose them
    page.members.item(page.member_row(desk.user_id), 1).setCheckState(Qt.CheckState.Unchecked)  # type: ignore[union-attr]
    QTest.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(admin.token) as http:
        members = http.get(f"/teams/{team['id']}").json()["members"]
    assert [(m["user_id"], m["assignable"]) for m in members] == [(desk.user_id, False)]

    # deactivate: asked first; cancel changes nothing, confirm reaches the server
    assert page.active_button.text() == "غیرفعال کردن تیم"
    QTest.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=False)
    with desk.api(admin.token) as http:
        assert http.get(f"/teams/{team['id']}").json()["active"] is True
    QTest.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=True)
    _settle(qtbot, page)
    with desk.api(admin.token) as http:
        assert http.get(f"/teams/{team['id']}").json()["active"] is False
    _reload_after_sync(qtbot, desk, admin, window)
    assert "(غیرفعال)" in page.team_list.currentItem().text()
    assert page.active_button.text() == "فعال کردن دوباره تیم"


def test_o4_supervisor_adds_a_contact_and_a_staff_follower_and_a_portal_login_is_refused(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    with desk.server.sessions() as s:
        team = _first_team(s, Visibility.COMPANY)
        assert team is not None
        followed = {
            f.contact_id
            for f in s.scalars(select(TeamFollower).where(TeamFollower.team_id == team.id))
        }
        free = [c for c in s.scalars(select(Contact).order_by(Contact.id)) if c.id not in followed]
        contact, portal_contact = free[0], free[1]
        make_user(s, portal_contact.name, role=Role.PORTAL, contact_id=portal_contact.id)
        s.commit()
        team_id, contact_id, portal_id = team.id, contact.id, portal_contact.id
    window = _window(qtbot, sup)
    page = window.teams
    page.select_team(team_id)

    page.follower_pick.setCurrentIndex(page.follower_pick.findData(f"contact:{contact_id}"))
    QTest.mouseClick(page.add_follower_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    page.follower_pick.setCurrentIndex(page.follower_pick.findData(f"user:{desk.user_id}"))
    QTest.mouseClick(page.add_follower_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(sup.token) as http:
        followers = http.get(f"/teams/{team_id}").json()["followers"]
    assert {"contact_id": contact_id, "user_id": None} in [
        {"contact_id": f["contact_id"], "user_id": f["user_id"]} for f in followers
    ]
    assert desk.user_id in {f["user_id"] for f in followers}

    # a customer with a portal login may follow only a public team: said beside the picker
    page.follower_pick.setCurrentIndex(page.follower_pick.findData(f"contact:{portal_id}"))
    QTest.mouseClick(page.add_follower_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.error_labels["follower"].isVisible, timeout=10_000)
    assert "عمومی" in page.error_labels["follower"].text()
    assert page.follower_pick.currentData() == f"contact:{portal_id}"  # the pick is kept

    _reload_after_sync(qtbot, desk, sup, window)
    page.select_team(team_id)
    listed = [
        str(page.followers.item(i).data(Qt.ItemDataRole.UserRole))
        for i in range(page.followers.count())
    ]
    assert f"contact:{contact_id}" in listed and f"user:{desk.user_id}" in listed
    page.followers.setCurrentRow(listed.index(f"user:{desk.user_id}"))
    QTest.mouseClick(page.remove_follower_button, Qt.MouseButton.LeftButton)
    _settle(qtbot, page)
    with desk.api(sup.token) as http:
        followers = http.get(f"/teams/{team_id}").json()["followers"]
    assert desk.user_id not in {f["user_id"] for f in followers}


def test_e2_deleting_a_canned_reply_asks_then_it_is_gone_on_the_server_and_in_the_cache(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    window = _window(qtbot, sup)
    window.show_page(window.canned)
    page = window.canned
    rows = page.rows()
    assert rows
    doomed = rows[0]
    page.record_list.setCurrentRow(0)
    QTest.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=False)  # cancel: nothing sent
    with desk.api(sup.token) as http:
        assert http.get(f"/canned-replies/{doomed.id}").status_code == 200
    QTest.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=True)
    _settle(qtbot, page)
    assert page.message.text() == "روی سرور ذخیره شد."
    with desk.api(sup.token) as http:
        assert http.get(f"/canned-replies/{doomed.id}").status_code == 404
    _reload_after_sync(qtbot, desk, sup, window)
    with sup.session() as s:
        assert s.get(CannedReply, doomed.id) is None
    assert doomed.id not in [r.id for r in page.rows()]


def test_o1_a_stage_holding_tickets_is_refused_kept_and_the_reason_shown_beside_it(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    with desk.server.sessions() as s:
        ticket = s.scalars(
            select(Ticket).where(Ticket.stage_id.is_not(None)).order_by(Ticket.id)
        ).first()
        assert ticket is not None and ticket.team_id and ticket.stage_id
        team_id, stage_id = ticket.team_id, ticket.stage_id
    window = _window(qtbot, sup)
    page = window.teams
    page.select_team(team_id)
    assert page._shown is not None
    row = [st.id for st in page._shown.stages].index(stage_id)
    page.stage_list.setCurrentRow(row)
    name = page.stage_name.text()
    QTest.mouseClick(page.delete_stage_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=True)
    qtbot.waitUntil(page.error_labels["stage_name"].isVisible, timeout=10_000)
    assert page.error_labels["stage_name"].text().startswith("تا وقتی")
    assert page.stage_list.count() == len(page._shown.stages) and page.stage_name.text() == name
    with desk.api(sup.token) as http:
        assert http.get(f"/stages/{stage_id}").status_code == 200
    window.grab().save(str(SCREENSHOTS / "settings_stage_in_use_fa.png"))


def test_c1_s8_a_subject_on_tickets_is_refused_beside_it_and_a_kb_article_is_deleted(
    qtbot: QtBot, desk: Desk, seats: dict[Role, Seat]
) -> None:
    sup = seats[Role.SUPERVISOR]
    with desk.server.sessions() as s:
        ticket = s.scalars(
            select(Ticket).where(Ticket.subject_id.is_not(None)).order_by(Ticket.id)
        ).first()
        assert ticket is not None and ticket.subject is not None
        subject_id, department_id = ticket.subject_id, ticket.subject.department_id
    window = _window(qtbot, sup)
    window.show_page(window.departments)
    page = window.departments
    page.select_parent(department_id)
    parent = page.current_parent()
    assert parent is not None
    page.child_list.setCurrentRow([c.id for c in parent.children].index(str(subject_id)))
    QTest.mouseClick(page.delete_child_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, page, go=True)
    qtbot.waitUntil(page.error_labels["child_name"].isVisible, timeout=10_000)
    assert page.error_labels["child_name"].text().startswith("تا وقتی")
    assert page.child_list.count() == len(parent.children)
    with desk.api(sup.token) as http:
        assert http.get(f"/subjects/{subject_id}").status_code == 200

    window.show_page(window.kb)
    kb = window.kb
    assert kb.rows()
    article = kb.rows()[0]
    kb.record_list.setCurrentRow(0)
    QTest.mouseClick(kb.delete_button, Qt.MouseButton.LeftButton)
    _confirm(qtbot, kb, go=True)
    _settle(qtbot, kb)
    with desk.api(sup.token) as http:
        assert http.get(f"/kb-articles/{article.id}").status_code == 404
    _reload_after_sync(qtbot, desk, sup, window)
    assert article.id not in [r.id for r in kb.rows()]
