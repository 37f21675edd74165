"""System events are stored as codes with parameters, so each agent reads them in their
own language; the English body is the fallback."""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.conversation import add_system_event
from core.enums import MessageKind
from core.system_events import TEMPLATES, SystemEvent, render
from tests.core.factories import make_ticket


def test_d4_system_event_keeps_code_and_parameters(session: Session) -> None:
    ticket = make_ticket(session)
    message = add_system_event(session, ticket, SystemEvent.MERGED_INTO, ticket="#12")
    session.flush()
    assert message.kind is MessageKind.SYSTEM_EVENT
    assert (message.event, message.event_params) == ("merged_into", {"ticket": "#12"})
    assert message.body == "Merged into #12."
    persian = "در {ticket} ادغام شد."
    assert render(SystemEvent(message.event), message.event_params, persian) == "در #12 ادغام شد."


def test_d4_missing_parameter_renders_as_dash_not_error() -> None:
    assert render(SystemEvent.MERGED_INTO, {}) == "Merged into —."
    assert set(TEMPLATES) == set(SystemEvent)
