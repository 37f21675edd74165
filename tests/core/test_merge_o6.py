"""O6: merging duplicates: similarity for the dialog, and a merge that moves everything into
the kept ticket, archives the others and refuses bad requests without changing anything."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core.enums import MessageKind
from core.errors import DomainError, NotFoundError, ValidationError
from core.merge import merge_tickets, similarity, similarity_report
from core.models import Attachment, Message, Ticket, TicketFollower, ticket_contacts, ticket_tags
from tests.core.factories import make_account, make_contact, make_tag, make_ticket, make_user

LOGIN_TITLE = "مشکل در ورود به سیستم حسابداری"
LOGIN_TEXT = "از دیروز نمی‌توانم وارد پنل کاربری شوم و پیغام خطای ۴۰۳ می‌دهد"


def _ticket(**fields: Any) -> Ticket:
    """An unsaved ticket, enough for similarity()."""
    values: dict[str, Any] = {
        "title": LOGIN_TITLE,
        "description": LOGIN_TEXT,
        "contact_email": "reza@example.com",
    }
    values.update(fields)
    return Ticket(**values)


def _message(session: Session, ticket: Ticket, body: str) -> Message:
    message = Message(ticket_id=ticket.id, kind=MessageKind.CUSTOMER_REPLY, body=body)
    session.add(message)
    session.flush()
    return message


def test_o6_near_duplicates_score_higher_than_unrelated() -> None:
    base = _ticket()
    near = _ticket(
        title="مشکل ورود به سیستم حسابداری",
        description="از دیروز نمی‌توانم وارد پنل شوم، خطای ۴۰۳ می‌دهد",
    )
    unrelated = _ticket(
        title="درخواست فاکتور رسمی برای تمدید سالانه",
        description="لطفا فاکتور رسمی با کد اقتصادی شرکت صادر کنید",
        contact_email="someone@other.org",
    )
    same_customer_unrelated = _ticket(title=unrelated.title, description=unrelated.description)
    assert similarity(base, base) == pytest.approx(1.0)
    assert similarity(base, near) > 0.8
    assert similarity(base, unrelated) < 0.4
    assert similarity(base, near) > similarity(base, same_customer_unrelated)
    assert similarity(base, same_customer_unrelated) > similarity(base, unrelated)
    for other in (near, unrelated):
        assert 0.0 <= similarity(base, other) <= 1.0
        assert similarity(base, other) == pytest.approx(similarity(other, base))


def test_o6_arabic_and_persian_spellings_score_like_identical() -> None:
    persian = _ticket(title="مشکل کیبورد یک کاربر", description="کد خطای ۴۰۴ در صفحه‌ی ورود")
    arabic = _ticket(
        # Arabic kaf and yeh, Arabic-Indic digits, a harakah, and no half-space
        title="مشكل كيبورد يك كاربَر",
        description="كد خطاي ٤٠٤ در صفحهي ورود",
    )
    assert similarity(persian, arabic) == pytest.approx(similarity(persian, persian))
    assert similarity(persian, arabic) == pytest.approx(1.0)


def test_o6_same_customer_counts_contact_then_email_then_account(session: Session) -> None:
    account = make_account(session)
    contact = make_contact(session, "Reza", account_id=account.id)
    a = _ticket(contact_email="a@example.com", contact_id=contact.id)
    same_contact = _ticket(contact_email="b@example.com", contact_id=contact.id)
    same_email = _ticket(contact_email="A@Example.com")
    same_account = _ticket(contact_email="c@example.com", account_id=account.id)
    a.account_id = account.id
    stranger = _ticket(contact_email="d@example.com")
    assert similarity(a, same_contact) == pytest.approx(1.0)
    assert similarity(a, same_email) == pytest.approx(1.0)
    assert 1.0 > similarity(a, same_account) > similarity(a, stranger)


def test_o6_report_gives_best_average_and_pairwise_scores(session: Session) -> None:
    one = make_ticket(session, LOGIN_TITLE, description=LOGIN_TEXT, number=1)
    two = make_ticket(session, LOGIN_TITLE + "!", description=LOGIN_TEXT, number=2)
    other = make_ticket(
        session,
        "درخواست فاکتور رسمی",
        description="فاکتور سالانه",
        contact_email="x@other.org",
        number=3,
    )
    report = similarity_report(session, [two.id, one.id, other.id, one.id])
    assert [r.ticket_id for r in report] == [two.id, one.id, other.id]
    rows = {r.ticket_id: r for r in report}
    assert rows[one.id].best_match_id == two.id
    assert rows[two.id].best_match_id == one.id
    assert rows[one.id].best == pytest.approx(1.0)
    assert rows[one.id].scores[other.id] == rows[other.id].scores[one.id]
    assert set(rows[other.id].scores) == {one.id, two.id}
    assert rows[other.id].average < rows[one.id].average
    assert rows[one.id].average == pytest.approx(
        (rows[one.id].scores[two.id] + rows[one.id].scores[other.id]) / 2
    )
    assert rows[one.id].number == 1
    assert rows[one.id].title == LOGIN_TITLE


def test_o6_report_refuses_fewer_than_two_and_unknown_ids(session: Session) -> None:
    one = make_ticket(session)
    with pytest.raises(ValidationError):
        similarity_report(session, [one.id, one.id])
    with pytest.raises(NotFoundError):
        similarity_report(session, [one.id, "no-such-ticket"])


def test_o6_merge_moves_everything_and_archives_the_others(session: Session) -> None:
    agent, other_agent = make_user(session, "Ali"), make_user(session, "Bahar")
    c1, c2, c3 = (make_contact(session, n) for n in ("C1", "C2", "C3"))
    t1, t2 = make_tag(session, "login"), make_tag(session, "urgent")
    keep = make_ticket(session, "keep", number=30)
    first = make_ticket(session, "first", number=31)
    second = make_ticket(session, "second", number=32, contact_id=c3.id)
    keep.contacts.append(c1)
    keep.tags.append(t1)
    keep.followers.append(TicketFollower(user_id=agent.id))
    first.contacts.append(c2)
    first.tags.extend([t1, t2])
    first.followers.extend([TicketFollower(user_id=agent.id), TicketFollower(contact_id=c2.id)])
    second.followers.extend(
        [TicketFollower(user_id=other_agent.id), TicketFollower(contact_id=c2.id)]
    )
    kept_message = _message(session, keep, "kept")
    moved = [_message(session, first, "a"), _message(session, second, "b")]
    file = Attachment(
        ticket_id=first.id,
        message_id=moved[0].id,
        filename="receipt.png",
        size=10,
        content_hash="ab" * 32,
    )
    session.add(file)
    session.commit()
    versions = {t.id: t.version for t in (keep, first, second)}

    result = merge_tickets(
        session, keep_id=keep.id, merged_ids=[first.id, second.id], actor_id=agent.id
    )
    session.commit()
    session.expire_all()

    assert result.kept_id == keep.id
    assert result.merged_ids == (first.id, second.id)
    assert result.ticket_ids == (keep.id, first.id, second.id)
    assert set(result.moved_message_ids) == {m.id for m in moved}
    assert result.moved_attachment_ids == (file.id,)
    on_keep = session.scalars(select(Message).where(Message.ticket_id == keep.id)).all()
    assert {m.id for m in on_keep} >= {kept_message.id, *result.moved_message_ids}
    assert all(m.version == 2 for m in on_keep if m.id in result.moved_message_ids)
    assert session.get(Attachment, file.id).ticket_id == keep.id  # type: ignore[union-attr]
    parties = session.execute(
        select(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id)
    ).all()
    assert sorted(parties, key=str) == sorted(
        [
            (keep.id, agent.id, None),
            (keep.id, None, c2.id),
            (keep.id, other_agent.id, None),
        ],
        key=str,
    )
    assert {c.id for c in keep.contacts} == {c1.id, c2.id, c3.id}
    assert {t.id for t in keep.tags} == {t1.id, t2.id}
    assert session.execute(select(ticket_tags.c.ticket_id).distinct()).scalars().all() == [keep.id]
    assert session.execute(select(ticket_contacts.c.ticket_id).distinct()).scalars().all() == [
        keep.id
    ]
    for ticket in (first, second):
        assert ticket.archived
        assert ticket.merged_into_id == keep.id
    assert not keep.archived
    assert keep.merged_into_id is None
    for ticket in (keep, first, second):
        assert ticket.version > versions[ticket.id]

    events = {
        m.ticket_id: m
        for m in session.scalars(select(Message).where(Message.id.in_(result.event_message_ids)))
    }
    assert events[keep.id].body == "Merged #31, #32 into this ticket."
    assert events[first.id].body == "Merged into #30."
    assert events[second.id].body == "Merged into #30."
    assert {m.kind for m in events.values()} == {MessageKind.SYSTEM_EVENT}
    assert {m.author_user_id for m in events.values()} == {agent.id}
    # the search index's message map follows the moved messages
    mapped = session.execute(
        text("SELECT ticket_id FROM messages_fts_map WHERE id = :id"), {"id": moved[1].id}
    ).scalar_one()
    assert mapped == keep.id


def test_o6_unnumbered_tickets_are_named_pending(session: Session) -> None:
    keep = make_ticket(session, "keep")
    other = make_ticket(session, "other", number=7)
    result = merge_tickets(session, keep_id=keep.id, merged_ids=[other.id])
    bodies = {
        m.ticket_id: m.body
        for m in session.scalars(select(Message).where(Message.id.in_(result.event_message_ids)))
    }
    assert bodies == {keep.id: "Merged #7 into this ticket.", other.id: "Merged into pending."}


def _state(session: Session) -> list[Any]:
    session.expire_all()
    return [
        sorted(
            session.execute(
                select(Ticket.id, Ticket.version, Ticket.archived, Ticket.merged_into_id)
            ).all()
        ),
        sorted(session.execute(select(Message.id, Message.ticket_id)).all()),
        sorted(
            session.execute(
                select(TicketFollower.ticket_id, TicketFollower.user_id, TicketFollower.contact_id)
            ).all(),
            key=str,
        ),
        sorted(session.execute(select(ticket_tags)).all()),
        sorted(session.execute(select(ticket_contacts)).all()),
    ]


@pytest.mark.parametrize(
    ("case", "error", "code"),
    [
        ("into_itself", ValidationError, "merge_into_self"),
        ("nothing_to_merge", ValidationError, "too_few"),
        ("unknown_id", NotFoundError, "ticket_not_found"),
        ("already_merged", DomainError, "already_merged"),
        ("keep_archived", DomainError, "archived"),
        ("merged_archived", DomainError, "archived"),
        ("unknown_actor", ValidationError, "not_found"),
    ],
)
def test_o6_refusals_change_nothing(
    session: Session, case: str, error: type[DomainError], code: str
) -> None:
    user = make_user(session, "Ali")
    contact = make_contact(session, "C")
    tag = make_tag(session, "t")
    keep = make_ticket(session, "keep", number=1)
    other = make_ticket(session, "other", number=2)
    done = make_ticket(session, "done", number=3, archived=True, merged_into_id=keep.id)
    old = make_ticket(session, "old", number=4, archived=True)
    other.tags.append(tag)
    other.contacts.append(contact)
    other.followers.append(TicketFollower(user_id=user.id))
    _message(session, other, "hello")
    session.commit()
    keep_id, merged, actor = keep.id, [other.id], None
    if case == "into_itself":
        merged = [other.id, keep.id]
    elif case == "nothing_to_merge":
        merged = []
    elif case == "unknown_id":
        merged = [other.id, "no-such-ticket"]
    elif case == "already_merged":
        merged = [other.id, done.id]
    elif case == "keep_archived":
        keep_id = old.id
    elif case == "merged_archived":
        merged = [other.id, old.id]
    elif case == "unknown_actor":
        actor = "no-such-user"
    before = _state(session)
    with pytest.raises(error) as refused:
        merge_tickets(session, keep_id=keep_id, merged_ids=merged, actor_id=actor)
    assert refused.value.code == code
    assert refused.value.message
    session.flush()
    assert _state(session) == before
