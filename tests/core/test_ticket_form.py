"""The ticket form's rules (core.ticket_form) over a real migrated cache: choice lists
(C1 department -> subjects, team -> assignees, P3 subtypes), related-to search (P2), every
problem of a draft at once (P4 email, P5 custom fields) and saving through local edits
with the outbox intents the server will receive."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.blobs import BlobStore
from core.enums import FieldKind, Impact, Priority, Severity, Visibility
from core.models import (
    Attachment,
    CustomFieldDef,
    Department,
    OutboxMutation,
    Subject,
    Ticket,
    TicketSubtype,
)
from core.priority import PriorityMatrix
from core.settings import set_priority_matrix
from core.ticket_form import (
    RelatedKind,
    TicketDraft,
    assignees_of,
    check_draft,
    custom_fields_of,
    form_options,
    load_draft,
    related_contact,
    save_draft,
    search_related,
    subjects_of,
)
from tests.core.factories import (
    add_member,
    make_account,
    make_contact,
    make_stage,
    make_tag,
    make_team,
    make_user,
)


def _department(session: Session, name: str, subjects: list[str]) -> Department:
    dept = Department(name=name)
    dept.subjects = [Subject(name=s, sequence=(i + 1) * 10) for i, s in enumerate(subjects)]
    session.add(dept)
    session.flush()
    return dept


def _complaint(session: Session) -> TicketSubtype:
    subtype = TicketSubtype(name="شکایت")
    subtype.fields = [
        CustomFieldDef(
            key="about",
            label="موضوع شکایت",
            kind=FieldKind.CHOICE,
            choices=["تأخیر", "هزینه"],
            required=True,
            sequence=10,
        ),
        CustomFieldDef(key="amount", label="مبلغ", kind=FieldKind.NUMBER, sequence=20),
        CustomFieldDef(key="seen_on", label="تاریخ", kind=FieldKind.DATE, sequence=30),
    ]
    session.add(subtype)
    session.flush()
    return subtype


def test_c1_subjects_follow_their_department(session: Session) -> None:
    finance = _department(session, "مالی", ["فاکتور", "بازگشت وجه"])
    _department(session, "فنی", ["خطای ورود"])
    assert [c.name for c in subjects_of(session, finance.id)] == ["فاکتور", "بازگشت وجه"]
    assert subjects_of(session, None) == []


def test_c3_assignees_are_the_teams_active_staff(session: Session) -> None:
    team = make_team(session, "پشتیبانی")
    ali, sara = make_user(session, "علی"), make_user(session, "سارا")
    gone = make_user(session, "رفته", active=False)
    for user in (ali, gone):
        add_member(session, team, user)
    assert [c.id for c in assignees_of(session, team.id)] == [ali.id]
    assert {ali.id, sara.id} <= {c.id for c in assignees_of(session, None)}


def test_p3_options_list_subtypes_and_only_teams_the_agent_may_file_to(session: Session) -> None:
    agent = make_user(session, "علی")
    open_team = make_team(session, "عمومی")
    private = make_team(session, "خصوصی", visibility=Visibility.PRIVATE)
    _complaint(session)
    options = form_options(session, agent.id)
    assert [c.name for c in options.subtypes] == ["شکایت"]
    assert [c.id for c in options.teams] == [open_team.id]
    add_member(session, private, agent)
    assert {c.id for c in form_options(session, agent.id).teams} == {open_team.id, private.id}


def test_p4_priority_matrix_comes_from_the_settings(session: Session) -> None:
    cells = PriorityMatrix.default().cells
    cells[Severity.LOW][Impact.MINOR] = Priority.HIGH
    set_priority_matrix(session, PriorityMatrix(cells))
    session.commit()
    matrix = form_options(session, None).matrix
    assert matrix.priority_for(Severity.LOW, Impact.MINOR) is Priority.HIGH


def test_p2_related_finds_contacts_and_accounts_with_persian_folding(session: Session) -> None:
    account = make_account(session, "شرکت كيميا")  # Arabic kaf and yeh
    make_contact(session, "مریم کیانی", email="maryam@example.com", account_id=account.id)
    session.commit()
    hits = search_related(session, "کیمیا")  # typed with Persian letters
    assert [(h.kind, h.name) for h in hits] == [(RelatedKind.ACCOUNT, "شرکت كيميا")]
    hits = search_related(session, "مریم")
    assert hits[0].kind is RelatedKind.CONTACT
    assert hits[0].email == "maryam@example.com"
    assert hits[0].account_name == "شرکت كيميا"
    assert search_related(session, "maryam@ex")[0].name == "مریم کیانی"
    assert search_related(session, "   ") == []


def test_p4_p5_every_problem_of_a_draft_in_form_order(session: Session) -> None:
    subtype = _complaint(session)
    draft = TicketDraft(
        title="  ",
        contact_email="not-an-email",
        subtype_id=subtype.id,
        custom_values={"amount": "دوازده", "seen_on": "1404-13-40"},
    )
    problems = check_draft(session, draft)
    assert [(p.field, p.code) for p in problems] == [
        ("title", "required"),
        ("contact_email", "email_invalid"),
        ("custom_values.about", "required"),
        ("custom_values.amount", "invalid"),
        ("custom_values.seen_on", "invalid"),
    ]
    draft.contact_email = ""
    assert ("contact_email", "email_required") in [
        (p.field, p.code) for p in check_draft(session, draft)
    ]
    draft.title = "شکایت از تأخیر"
    draft.contact_email = "a@example.com"
    draft.custom_values = {"about": "تأخیر", "amount": "۱۲٫۵", "seen_on": "2025-03-21"}
    assert check_draft(session, draft) == []
    assert [s.key for s in custom_fields_of(session, subtype.id)] == ["about", "amount", "seen_on"]


def test_p4_a_refused_draft_writes_nothing(session: Session) -> None:
    outcome = save_draft(session, TicketDraft(title="x", contact_email="bad"))
    assert outcome.ticket_id is None
    assert [p.field for p in outcome.problems] == ["contact_email"]
    assert session.scalars(select(Ticket)).all() == []
    assert session.scalars(select(OutboxMutation)).all() == []


def test_d3_save_new_ticket_queues_create_tags_and_keeps_attachments(
    session: Session, tmp_path: Path
) -> None:
    team = make_team(session, "پشتیبانی")
    stage = make_stage(session, team, "جدید")
    agent = make_user(session, "علی")
    add_member(session, team, agent)
    tag = make_tag(session, "فوری")
    dept = _department(session, "مالی", ["فاکتور"])
    subtype = _complaint(session)
    contact = make_contact(session, "مریم", email="maryam@example.com")
    session.commit()
    receipt = tmp_path / "رسید.png"
    receipt.write_bytes(b"\x89PNG fake receipt")
    draft = TicketDraft(
        title="فاکتور اشتباه",
        contact_email="Maryam@Example.COM",
        related=related_contact(session, contact.id),
        severity=Severity.CRITICAL,
        impact=Impact.SERIOUS,
        department_id=dept.id,
        subject_id=dept.subjects[0].id,
        team_id=team.id,
        assignee_id=agent.id,
        subtype_id=subtype.id,
        tag_ids=[tag.id],
        custom_values={"about": "هزینه", "amount": "۱۲۰۰"},
        attachments=[receipt],
    )
    outcome = save_draft(session, draft, blobs=BlobStore(tmp_path / "blobs"))
    assert outcome.problems == [] and outcome.ticket_id is not None
    ticket = session.get(Ticket, outcome.ticket_id)
    assert ticket is not None
    assert ticket.priority == Priority.HIGH
    assert ticket.contact_email == "maryam@example.com"
    assert ticket.contact_id == contact.id
    assert ticket.stage_id == stage.id
    assert ticket.custom_values == {"about": "هزینه", "amount": 1200.0}
    assert [t.name for t in ticket.tags] == ["فوری"]
    intents = session.scalars(select(OutboxMutation).order_by(OutboxMutation.seq)).all()
    assert [m.name for m in intents] == ["ticket.create", "ticket.tags", "attachment.create"]
    assert intents[1].payload == {"add": [tag.id], "remove": []}
    (attachment,) = session.scalars(select(Attachment)).all()
    assert intents[2].entity_id == attachment.id
    assert intents[2].payload["content_hash"] == attachment.content_hash
    assert attachment.filename == "رسید.png" and attachment.ticket_id == ticket.id
    assert BlobStore(tmp_path / "blobs").read(attachment.content_hash) == receipt.read_bytes()
    assert load_draft(session, ticket.id)[0].existing_attachments == ("رسید.png",)


def test_d3_edit_sends_only_what_changed(session: Session) -> None:
    subtype = _complaint(session)
    tag = make_tag(session, "فوری")
    session.commit()
    created = save_draft(
        session,
        TicketDraft(
            title="t",
            contact_email="a@example.com",
            subtype_id=subtype.id,
            custom_values={"about": "تأخیر"},
            tag_ids=[tag.id],
        ),
    )
    assert created.ticket_id is not None
    draft, _ticket = load_draft(session, created.ticket_id)
    assert draft.custom_values == {"about": "تأخیر"} and draft.tag_ids == [tag.id]
    draft.impact = Impact.CATASTROPHIC
    draft.tag_ids = []
    outcome = save_draft(session, draft, ticket_id=created.ticket_id)
    assert outcome.problems == []
    intents = session.scalars(select(OutboxMutation).order_by(OutboxMutation.seq)).all()
    assert [m.name for m in intents][-2:] == ["ticket.update", "ticket.tags"]
    assert intents[-2].payload == {"impact": int(Impact.CATASTROPHIC)}
    assert intents[-1].payload == {"add": [], "remove": [tag.id]}


def test_d3_e7_edit_sends_only_what_the_agent_changed_not_what_a_sync_brought(
    session: Session,
) -> None:
    team = make_team(session, "پشتیبانی")
    ali, sara = make_user(session, "علی"), make_user(session, "سارا")
    add_member(session, team, ali)
    add_member(session, team, sara)
    urgent, vip = make_tag(session, "فوری"), make_tag(session, "VIP")
    session.commit()
    created = save_draft(
        session,
        TicketDraft(title="t", contact_email="a@example.com", team_id=team.id, assignee_id=ali.id),
    )
    assert created.ticket_id is not None
    shown, _ticket = load_draft(session, created.ticket_id)
    # meanwhile a sync brings another agent's edits: reassigned to Sara, tagged VIP
    ticket = session.get(Ticket, created.ticket_id)
    assert ticket is not None
    ticket.assignee_id = sara.id
    ticket.tags.append(vip)
    session.commit()
    seq = session.scalar(select(func.max(OutboxMutation.seq)))
    edited = replace(shown, title="عنوان تازه", tag_ids=[*shown.tag_ids, urgent.id])
    outcome = save_draft(session, edited, ticket_id=created.ticket_id, original=shown)
    assert outcome.problems == []
    new = session.scalars(
        select(OutboxMutation).where(OutboxMutation.seq > seq).order_by(OutboxMutation.seq)
    ).all()
    assert [(m.name, m.payload) for m in new] == [
        ("ticket.update", {"title": "عنوان تازه"}),
        ("ticket.tags", {"add": [urgent.id], "remove": []}),
    ]
    session.refresh(ticket)
    assert ticket.assignee_id == sara.id  # Sara's assignment stands
    assert {t.name for t in ticket.tags} == {"فوری", "VIP"}
