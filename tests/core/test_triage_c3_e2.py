"""C3, E2, O1, P6, S1: the queue actions' local edits queue exactly the intents the
server's push commands read; a bulk edit is one transaction per ticket; the triage reads
(colleagues with load and leave, stages) and the customer file over a real cache."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.customer_file import account_file, contact_file
from core.enums import MessageKind, Status, Visibility
from core.local_edits import (
    apply_to_each,
    archive_ticket_locally,
    assign_ticket_locally,
    close_ticket_locally,
    follow_ticket_locally,
    reopen_ticket_locally,
    set_stage_locally,
)
from core.models import Message, OutboxMutation
from core.models.ticket import ticket_contacts
from core.triage import colleagues, teams
from tests.core.factories import (
    add_member,
    make_account,
    make_contact,
    make_leave,
    make_stage,
    make_team,
    make_ticket,
    make_user,
)

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def _intents(session: Session) -> list[tuple[str, dict[str, object]]]:
    rows = session.scalars(select(OutboxMutation).order_by(OutboxMutation.seq))
    return [(m.name, m.payload) for m in rows]


def test_c3_refer_with_a_note_queues_assign_and_internal_note(session: Session) -> None:
    team = make_team(session)
    make_stage(session, team, "New")
    me, colleague = make_user(session, "من"), make_user(session, "همکار")
    ticket = make_ticket(session, "ارجاع", team=team, assignee=me)
    session.commit()
    changed = assign_ticket_locally(
        session, ticket.id, assignee_id=colleague.id, note=" لطفاً بررسی شود ", author_user_id=me.id
    )
    assert changed == {"assignee_id": colleague.id}
    assert _intents(session) == [
        ("ticket.assign", {"assignee_id": colleague.id, "base": {"assignee_id": me.id}}),
        (
            "message.create",
            {"ticket_id": ticket.id, "kind": "internal_note", "body": "لطفاً بررسی شود"},
        ),
    ]
    note = session.scalars(select(Message).where(Message.ticket_id == ticket.id)).one()
    assert note.kind is MessageKind.INTERNAL_NOTE and note.author_user_id == me.id


def test_c3_refer_to_another_team_sends_the_team_and_lands_in_its_first_open_stage(
    session: Session,
) -> None:
    first, second = make_team(session, "یک"), make_team(session, "دو")
    make_stage(session, first, "New")
    done = make_stage(session, second, "Done", closed=True, sequence=5)
    landing = make_stage(session, second, "Intake", sequence=10)
    ticket = make_ticket(session, team=first)
    session.commit()
    assign_ticket_locally(session, ticket.id, assignee_id=None, team_id=second.id)
    session.refresh(ticket)
    assert ticket.team_id == second.id and ticket.stage_id == landing.id != done.id
    ((name, payload),) = _intents(session)
    assert name == "ticket.assign"
    assert payload == {
        "assignee_id": None,
        "team_id": second.id,
        "base": {"assignee_id": None, "team_id": first.id},
    }


def test_o1_stage_close_reopen_archive_follow_intents(session: Session) -> None:
    team = make_team(session)
    new = make_stage(session, team, "New", sequence=10)
    doing = make_stage(session, team, "Doing", sequence=20)
    closed = make_stage(session, team, "Solved", closed=True, sequence=30)
    me = make_user(session)
    ticket = make_ticket(session, team=team)
    ticket.stage_id = new.id
    session.commit()

    set_stage_locally(session, ticket.id, doing.id)
    close_ticket_locally(session, ticket.id)
    session.refresh(ticket)
    assert ticket.status is Status.CLOSED and ticket.stage_id == closed.id
    reopen_ticket_locally(session, ticket.id)
    session.refresh(ticket)
    assert ticket.status is Status.IN_PROGRESS and ticket.stage_id == new.id
    assert follow_ticket_locally(session, ticket.id, me.id)
    assert not follow_ticket_locally(session, ticket.id, me.id)  # already: no intent
    assert follow_ticket_locally(session, ticket.id, me.id, follow=False)
    assert archive_ticket_locally(session, ticket.id)
    assert not archive_ticket_locally(session, ticket.id)
    names = [name for name, _ in _intents(session)]
    assert names == [
        "ticket.set_stage",
        "ticket.update",
        "ticket.update",
        "ticket.follow",
        "ticket.unfollow",
        "ticket.archive",
    ]
    payloads = [payload for _, payload in _intents(session)]
    assert payloads[0] == {"stage_id": doing.id, "base": {"stage_id": new.id}}
    assert payloads[1] == {
        "changes": {"status": "closed", "stage_id": closed.id},
        "base": {"status": "new", "stage_id": doing.id},
    }
    assert payloads[5] == {"archived": True}


def test_e2_bulk_is_one_transaction_per_ticket(session: Session) -> None:
    team, other = make_team(session, "الف"), make_team(session, "ب")
    stage = make_stage(session, team, "Doing")
    make_stage(session, other, "Other")
    ok1, ok2 = make_ticket(session, "a", team=team), make_ticket(session, "b", team=team)
    foreign = make_ticket(session, "c", team=other)
    session.commit()
    result = apply_to_each(
        session,
        [ok1.id, foreign.id, ok2.id],
        lambda s, ticket_id: set_stage_locally(s, ticket_id, stage.id),
    )
    assert result.changed == [ok1.id, ok2.id]
    assert list(result.failed) == [foreign.id]
    assert result.failed[foreign.id].code == "stage_not_in_team"
    assert [n for n, _ in _intents(session)] == ["ticket.set_stage", "ticket.set_stage"]
    again = apply_to_each(session, [ok1.id], lambda s, i: set_stage_locally(s, i, stage.id))
    assert again.unchanged == [ok1.id] and not again.changed


def test_c3_colleagues_who_may_see_the_team_with_open_load_and_leave(session: Session) -> None:
    private = make_team(session, "خصوصی", visibility=Visibility.PRIVATE)
    inside, outside, away = (
        make_user(session, "الف"),
        make_user(session, "ب"),
        make_user(session, "پ"),
    )
    add_member(session, private, inside)
    add_member(session, private, away)
    make_ticket(session, "1", team=private, assignee=inside)
    make_ticket(session, "2", team=private, assignee=inside)
    make_ticket(session, "3", team=private, assignee=inside, status=Status.CLOSED)
    make_leave(session, away, NOW - timedelta(days=1), NOW + timedelta(days=2))
    session.commit()
    found = {c.id: c for c in colleagues(session, private.id, NOW)}
    assert set(found) == {inside.id, away.id}
    assert found[inside.id].open_tickets == 2 and not found[inside.id].on_leave
    assert found[away.id].on_leave_until == NOW + timedelta(days=2)
    assert outside.id in {c.id for c in colleagues(session, None, NOW)}
    assert [t.name for t in teams(session, [private.id])] == ["خصوصی"]


def test_p6_s1_contact_and_account_files_hold_every_ticket(session: Session) -> None:
    account = make_account(session, "شرکت نمونه")
    person = make_contact(session, "مشتری", email="c@example.com", account_id=account.id)
    colleague = make_contact(session, "همکار مشتری", account_id=account.id)
    own = make_ticket(session, "own")
    own.contact_id = person.id
    old = make_ticket(session, "old", status=Status.CLOSED, archived=True)
    old.contact_id = person.id
    shared = make_ticket(session, "shared")  # S1: one of several contacts
    other = make_ticket(session, "other")
    other.contact_id = colleague.id
    make_ticket(session, "stranger")
    session.flush()
    session.execute(ticket_contacts.insert().values(ticket_id=shared.id, contact_id=person.id))
    session.commit()
    file = contact_file(session, person.id)
    assert {t.id for t in file.tickets} == {own.id, old.id, shared.id}
    assert file.account is not None and file.account.id == account.id
    assert file.total == 3 and file.open_count == 2
    assert next(t for t in file.tickets if t.id == old.id).archived
    whole = account_file(session, account.id)
    assert {t.id for t in whole.tickets} == {own.id, old.id, other.id}
    assert {c.name for c in whole.contacts} == {"مشتری", "همکار مشتری"}
