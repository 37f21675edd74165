"""Every entity can be created, related and read back from a migrated cache; create and
update refuse bad input (P4) and then change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.enums import (
    Category,
    Channel,
    CustomerState,
    FieldKind,
    Impact,
    MessageKind,
    Priority,
    Role,
    Severity,
    StaffState,
    Status,
    Visibility,
)
from core.errors import ValidationError
from core.ids import utcnow
from core.models import (
    Account,
    Attachment,
    CannedReply,
    Company,
    Contact,
    CustomFieldDef,
    Department,
    KbArticle,
    Lead,
    LeavePeriod,
    Message,
    OutboxMutation,
    SalesTeam,
    Setting,
    Stage,
    Subject,
    SyncState,
    Tag,
    Team,
    TeamFollower,
    TeamMember,
    Ticket,
    TicketFollower,
    TicketSubtype,
    User,
)
from core.tickets import create_ticket, update_ticket


def _reload(session: Session) -> None:
    session.commit()
    session.expunge_all()


def _ticket_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Ticket)) or 0


def test_s1_ticket_relates_to_an_account_and_several_contacts(session: Session) -> None:
    account = Account(name="شرکت نمونه", phone="021-1234", email="info@example.com")
    ali = Contact(name="علی", email="ali@example.com", account=account)
    sara = Contact(name="سارا", email="sara@example.com", mobile="09120000000", account=account)
    session.add_all([account, ali, sara])
    session.flush()
    ticket = create_ticket(
        session,
        title="ارسال پیامک انجام نمی‌شود",
        contact_email="ali@example.com",
        contact_id=ali.id,
        account_id=account.id,
    )
    ticket.contacts.extend([ali, sara])
    _reload(session)

    stored = session.get(Ticket, ticket.id)
    assert stored is not None
    assert stored.account is not None
    assert stored.account.name == "شرکت نمونه"
    assert stored.contact is not None
    assert stored.contact.name == "علی"
    assert sorted(c.name for c in stored.contacts) == ["سارا", "علی"]
    assert stored.title == "ارسال پیامک انجام نمی‌شود"
    acct = session.get(Account, account.id)
    assert acct is not None
    assert sorted(c.email or "" for c in acct.contacts) == ["ali@example.com", "sara@example.com"]


def test_o1_teams_with_ordered_stages_members_and_followers(session: Session) -> None:
    company = Company(name="پنل پیامک")
    agent = User(username="agent", display_name="کارشناس", role=Role.AGENT)
    contact = Contact(name="مشتری", email="c@example.com")
    session.add_all([company, agent, contact])
    session.flush()
    team = Team(
        name="پشتیبانی فنی",
        public_description="پاسخ به مشکلات فنی",
        company_id=company.id,
        visibility=Visibility.PUBLIC,
    )
    team.stages = [
        Stage(name="بسته", sequence=30, is_closed=True, folded=True),
        Stage(name="جدید", sequence=10),
        Stage(name="در حال بررسی", sequence=20),
    ]
    team.members = [TeamMember(user_id=agent.id, assignable=True)]
    team.followers = [TeamFollower(user_id=agent.id), TeamFollower(contact_id=contact.id)]
    session.add(team)
    _reload(session)

    stored = session.get(Team, team.id)
    assert stored is not None
    assert [s.name for s in stored.stages] == ["جدید", "در حال بررسی", "بسته"]
    assert [s.is_closed for s in stored.stages] == [False, False, True]
    assert stored.visibility is Visibility.PUBLIC
    assert stored.company_id == company.id
    assert [(m.user.username, m.assignable) for m in stored.members] == [("agent", True)]
    assert {(f.user_id, f.contact_id) for f in stored.followers} == {
        (agent.id, None),
        (None, contact.id),
    }


def test_o4_follower_must_be_exactly_one_party(session: Session) -> None:
    team = Team(name="t")
    session.add(team)
    session.flush()
    session.add(TeamFollower(team_id=team.id))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_c1_departments_with_their_subject_lists(session: Session) -> None:
    team = Team(name="مالی")
    session.add(team)
    session.flush()
    dept = Department(name="امور مالی", category=Category.FINANCE, team_id=team.id)
    dept.subjects = [
        Subject(name="صورتحساب", sequence=20),
        Subject(name="بازگشت وجه", sequence=10),
    ]
    session.add(dept)
    session.flush()
    ticket = create_ticket(
        session,
        title="فاکتور",
        contact_email="a@example.com",
        department_id=dept.id,
        subject_id=dept.subjects[0].id,
    )
    _reload(session)

    stored = session.get(Department, dept.id)
    assert stored is not None
    assert stored.category is Category.FINANCE
    assert [s.name for s in stored.subjects] == ["بازگشت وجه", "صورتحساب"]
    t = session.get(Ticket, ticket.id)
    assert t is not None
    assert t.department is not None
    assert t.department.name == "امور مالی"
    assert t.subject is not None
    assert t.subject.name == "صورتحساب"


def _subtype_with_fields(session: Session) -> TicketSubtype:
    subtype = TicketSubtype(name="شکایت", sequence=20)
    subtype.fields = [
        CustomFieldDef(key="order", label="شماره سفارش", kind=FieldKind.NUMBER, required=True),
        CustomFieldDef(
            key="channel", label="کانال", kind=FieldKind.CHOICE, choices=["sms", "email"]
        ),
        CustomFieldDef(key="when", label="تاریخ", kind=FieldKind.DATE, sequence=5),
        CustomFieldDef(key="urgent", label="فوری", kind=FieldKind.BOOLEAN),
    ]
    session.add(subtype)
    session.flush()
    return subtype


def test_p3_p5_subtypes_with_custom_field_definitions(session: Session) -> None:
    subtype = _subtype_with_fields(session)
    session.add(TicketSubtype(name="درخواست پشتیبانی", sequence=10))
    ticket = create_ticket(
        session,
        title="شکایت از تأخیر",
        contact_email="a@example.com",
        subtype_id=subtype.id,
        custom_values={"order": "۱۲۳", "channel": "sms", "when": "2024-03-20", "urgent": True},
    )
    _reload(session)

    stored = session.get(TicketSubtype, subtype.id)
    assert stored is not None
    assert [f.key for f in stored.fields] == ["when", "order", "channel", "urgent"]
    assert stored.fields[2].choices == ["sms", "email"]
    t = session.get(Ticket, ticket.id)
    assert t is not None
    assert t.subtype is not None
    assert t.subtype.name == "شکایت"
    assert t.custom_values == {
        "order": 123.0,
        "channel": "sms",
        "when": "2024-03-20",
        "urgent": True,
    }
    names = session.scalars(select(TicketSubtype.name).order_by(TicketSubtype.sequence)).all()
    assert names == ["درخواست پشتیبانی", "شکایت"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({}, "custom_values.order"),
        ({"order": "abc"}, "custom_values.order"),
        ({"order": 1, "channel": "fax"}, "custom_values.channel"),
        ({"order": 1, "when": "1403/01/01"}, "custom_values.when"),
        ({"order": 1, "urgent": "yes"}, "custom_values.urgent"),
        ({"order": 1, "nope": 1}, "custom_values"),
    ],
)
def test_p5_create_ticket_refuses_bad_custom_values(
    session: Session, values: dict[str, object], field: str
) -> None:
    subtype = _subtype_with_fields(session)
    session.commit()
    with pytest.raises(ValidationError) as err:
        create_ticket(
            session,
            title="t",
            contact_email="a@example.com",
            subtype_id=subtype.id,
            custom_values=values,
        )
    assert err.value.field == field
    session.commit()
    assert _ticket_count(session) == 0


def test_p5_custom_values_need_a_subtype(session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        create_ticket(session, title="t", contact_email="a@example.com", custom_values={"x": 1})
    assert err.value.field == "custom_values"


@pytest.mark.parametrize("email", [None, "", "   ", "not-an-email", "a@b", "a b@example.com"])
def test_p4_create_without_valid_contact_email_is_refused_and_writes_nothing(
    session: Session, email: str | None
) -> None:
    with pytest.raises(ValidationError) as err:
        create_ticket(session, title="بدون ایمیل", contact_email=email)
    assert err.value.field == "contact_email"
    session.commit()
    assert _ticket_count(session) == 0


def test_p4_persian_digits_in_email_are_accepted(session: Session) -> None:
    ticket = create_ticket(session, title="t", contact_email="user۱۲@Example.COM")
    assert ticket.contact_email == "user12@example.com"


def test_p4_priority_from_matrix_on_create_and_update(session: Session) -> None:
    ticket = create_ticket(
        session,
        title="قطعی کامل",
        contact_email="a@example.com",
        severity=Severity.CRITICAL,
        impact=Impact.CATASTROPHIC,
    )
    assert ticket.priority == Priority.HIGH
    assert ticket.sla_due_at is not None
    changed = update_ticket(session, ticket, {"severity": Severity.LOW, "impact": Impact.MINOR})
    assert changed == {"severity": Severity.LOW, "impact": Impact.MINOR}
    assert ticket.priority == Priority.LOW


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"contact_email": "broken", "title": "new title"}, "contact_email"),
        ({"title": "  ", "severity": Severity.CRITICAL}, "title"),
        ({"severity": 9}, "severity"),
        ({"impact": "x"}, "impact"),
        ({"number": 5}, "number"),
        ({"custom_values": {"x": 1}}, "custom_values"),
    ],
)
def test_p4_failed_update_changes_nothing(
    session: Session, changes: dict[str, object], field: str
) -> None:
    ticket = create_ticket(session, title="اصلی", contact_email="a@example.com")
    _reload(session)
    ticket = session.get(Ticket, ticket.id)  # type: ignore[assignment]
    assert ticket is not None
    before = {c.key: getattr(ticket, c.key) for c in Ticket.__table__.columns}
    with pytest.raises(ValidationError) as err:
        update_ticket(session, ticket, changes)
    assert err.value.field == field
    assert {c.key: getattr(ticket, c.key) for c in Ticket.__table__.columns} == before
    assert not session.dirty


def test_d4_conversation_messages_attachments_and_followers(session: Session) -> None:
    agent = User(username="a1", display_name="کارشناس")
    contact = Contact(name="مشتری", email="c@example.com")
    session.add_all([agent, contact])
    session.flush()
    ticket = create_ticket(session, title="t", contact_email="c@example.com", contact_id=contact.id)
    session.flush()
    msg = Message(
        ticket_id=ticket.id,
        kind=MessageKind.CUSTOMER_REPLY,
        body="سلام",
        author_contact_id=contact.id,
        channel=Channel.EMAIL,
        email_message_id="<abc@example.com>",
    )
    note = Message(
        ticket_id=ticket.id, kind=MessageKind.INTERNAL_NOTE, body="قفل", author_user_id=agent.id
    )
    session.add_all([msg, note])
    session.flush()
    session.add(
        Attachment(
            ticket_id=ticket.id,
            message_id=msg.id,
            filename="رسید.jpg",
            size=10,
            content_hash="a" * 64,
        )
    )
    ticket.followers.append(TicketFollower(user_id=agent.id))
    ticket.followers.append(TicketFollower(contact_id=contact.id))
    _reload(session)

    m = session.get(Message, msg.id)
    assert m is not None
    assert m.is_public
    assert m.author_contact is not None
    assert m.author_contact.name == "مشتری"
    assert [a.filename for a in m.attachments] == ["رسید.jpg"]
    n = session.get(Message, note.id)
    assert n is not None
    assert not n.is_public
    assert n.author_user is not None
    t = session.get(Ticket, ticket.id)
    assert t is not None
    assert {(f.user_id, f.contact_id) for f in t.followers} == {
        (agent.id, None),
        (None, contact.id),
    }
    assert t.staff_state in set(StaffState)
    assert t.customer_state in set(CustomerState)


def test_i6_c5_ticket_rating_outside_range_is_refused_by_the_database(session: Session) -> None:
    ticket = create_ticket(session, title="t", contact_email="a@example.com")
    ticket.rating = 7
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_e2_s8_tags_kb_articles_and_canned_replies(session: Session) -> None:
    team = Team(name="t")
    owner = User(username="o", display_name="o")
    session.add_all([team, owner])
    session.flush()
    tag = Tag(name="فوری", color="#ff0000")
    kb = KbArticle(title="بازیابی رمز", body="مراحل ...", keywords="رمز عبور")
    canned = CannedReply(
        title="سلام", body="با سلام و احترام", shortcut="/hi", team_id=team.id, owner_id=owner.id
    )
    session.add_all([tag, kb, canned])
    ticket = create_ticket(session, title="t", contact_email="a@example.com")
    ticket.tags.append(tag)
    _reload(session)

    t = session.get(Ticket, ticket.id)
    assert t is not None
    assert [x.name for x in t.tags] == ["فوری"]
    article = session.get(KbArticle, kb.id)
    assert article is not None
    assert (article.title, article.published) == ("بازیابی رمز", True)
    reply = session.get(CannedReply, canned.id)
    assert reply is not None
    assert (reply.shortcut, reply.team_id, reply.owner_id) == ("/hi", team.id, owner.id)


def test_o7_leads_and_sales_teams(session: Session) -> None:
    seller = User(username="s", display_name="فروشنده")
    account = Account(name="مشتری")
    session.add_all([seller, account])
    session.flush()
    sales = SalesTeam(name="فروش", leader_id=seller.id, members=[seller])
    session.add(sales)
    session.flush()
    ticket = create_ticket(session, title="ارتقا", contact_email="a@example.com")
    session.flush()
    lead = Lead(
        title="ارتقای پنل",
        ticket_id=ticket.id,
        sales_team_id=sales.id,
        salesperson_id=seller.id,
        account_id=account.id,
    )
    session.add(lead)
    session.flush()
    ticket.lead_id = lead.id
    ticket.archived = True
    _reload(session)

    st = session.get(SalesTeam, sales.id)
    assert st is not None
    assert [u.username for u in st.members] == ["s"]
    t = session.get(Ticket, ticket.id)
    assert t is not None
    assert t.archived
    stored_lead = session.get(Lead, t.lead_id)
    assert stored_lead is not None
    assert stored_lead.ticket_id == t.id
    assert stored_lead.account_id == account.id


def test_o5_leave_periods_belong_to_users(session: Session) -> None:
    user = User(username="u", display_name="u")
    start = utcnow()
    user.leaves.append(LeavePeriod(starts_at=start, ends_at=start + timedelta(days=3)))
    session.add(user)
    _reload(session)
    stored = session.get(User, user.id)
    assert stored is not None
    assert len(stored.leaves) == 1
    assert stored.leaves[0].ends_at - stored.leaves[0].starts_at == timedelta(days=3)
    assert stored.leaves[0].starts_at.tzinfo is not None
    assert stored.is_staff


def test_portal_user_is_not_staff_and_is_a_contacts_login(session: Session) -> None:
    contact = Contact(name="مشتری", email="c@example.com")
    session.add(contact)
    session.flush()
    user = User(username="p", display_name="p", role=Role.PORTAL, contact_id=contact.id)
    session.add(user)
    _reload(session)
    stored = session.get(User, user.id)
    assert stored is not None
    assert not stored.is_staff
    assert stored.contact_id == contact.id


def test_settings_outbox_and_sync_state_round_trip(session: Session) -> None:
    session.add(Setting(key="x", value={"a": [1, 2], "b": "ی"}))
    session.add(SyncState(key="cursor", value="1:42"))
    session.add(OutboxMutation(name="ticket.update", entity_id="e", payload={"title": "t"}))
    session.add(OutboxMutation(name="ticket.update", entity_id="e", payload={"title": "u"}))
    _reload(session)
    setting = session.get(Setting, "x")
    assert setting is not None
    assert setting.value == {"a": [1, 2], "b": "ی"}
    assert setting.version == 1
    cursor = session.get(SyncState, "cursor")
    assert cursor is not None
    assert cursor.value == "1:42"
    outbox = session.scalars(select(OutboxMutation).order_by(OutboxMutation.seq)).all()
    assert [o.payload["title"] for o in outbox] == ["t", "u"]
    assert outbox[0].seq < outbox[1].seq
    assert outbox[0].mutation_id != outbox[1].mutation_id


def test_status_enum_and_times_round_trip_aware_utc(session: Session) -> None:
    ticket = create_ticket(session, title="t", contact_email="a@example.com")
    update_ticket(session, ticket, {"status": Status.CLOSED})
    _reload(session)
    stored = session.get(Ticket, ticket.id)
    assert stored is not None
    assert stored.status is Status.CLOSED
    assert stored.closed_at is not None
    assert stored.closed_at.tzinfo is not None
    assert stored.created_at.tzinfo is not None
    assert stored.sla_due_at is None
