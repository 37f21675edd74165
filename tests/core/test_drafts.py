"""Drafts and the stale-reply guard (issue 5 item 7), canned replies (E2), KB insert (S8)
and the thread reader (D4, S6) over a real SQLite cache."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.conversation import add_message
from core.db import session_factory
from core.drafts import discard_draft, load_draft, news_since, save_draft
from core.enums import MessageKind, StaffState
from core.local_edits import mark_opened_locally, post_message_locally
from core.merge import merge_tickets
from core.models import CannedReply, KbArticle, OutboxMutation, Ticket
from core.replies import (
    canned_replies,
    fill_placeholders,
    kb_insert_text,
    placeholder_values,
    search_kb,
)
from core.thread import load_thread
from tests.core.factories import make_contact, make_ticket, make_user


def test_item7_draft_is_kept_across_sessions_and_blank_text_removes_it(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as s:
        ticket = make_ticket(s)
        s.commit()
        tid = ticket.id
        save_draft(s, tid, body="سلام، user@example.com", seen_message_ids=["a", "b"])
        # typing more keeps the baseline of when the draft started
        save_draft(s, tid, body="سلام، user@example.com را بررسی کردم", seen_message_ids=["c"])
    with factory() as s:  # a new session: what a restarted window reads
        draft = load_draft(s, tid)
        assert draft is not None
        assert draft.body == "سلام، user@example.com را بررسی کردم"
        assert draft.seen_message_ids == {"a", "b"}
        assert draft.kind is MessageKind.AGENT_REPLY
        assert save_draft(s, tid, body="   ") is None
        assert load_draft(s, tid) is None
        save_draft(s, tid, body="یادداشت", kind=MessageKind.INTERNAL_NOTE)
        assert discard_draft(s, tid) is True
        assert discard_draft(s, tid) is False


def test_item7_draft_of_a_merged_ticket_follows_to_the_kept_one(session: Session) -> None:
    keep = make_ticket(session, "اصلی")
    gone = make_ticket(session, "تکراری")
    session.commit()
    save_draft(session, keep.id, body="پاسخ اول")
    save_draft(session, gone.id, body="پاسخ دوم", kind=MessageKind.AGENT_REPLY)
    merge_tickets(session, keep_id=keep.id, merged_ids=[gone.id])
    session.commit()
    draft = load_draft(session, keep.id)
    assert draft is not None
    assert draft.body == "پاسخ اول\n\nپاسخ دوم"
    assert draft.merged_from == (gone.id,)
    assert load_draft(session, gone.id) is None  # moved, not copied
    # a merged ticket whose kept ticket had no draft: the draft moves whole
    other = make_ticket(session, "سوم")
    session.commit()
    save_draft(session, other.id, body="فقط این", kind=MessageKind.INTERNAL_NOTE)
    keep2 = make_ticket(session, "چهارم")
    merge_tickets(session, keep_id=keep2.id, merged_ids=[other.id])
    session.commit()
    moved = load_draft(session, keep2.id)
    assert moved is not None
    assert (moved.body, moved.kind) == ("فقط این", MessageKind.INTERNAL_NOTE)


def test_item7_news_since_lists_customer_and_other_agents_replies_only(session: Session) -> None:
    me = make_user(session, "من")
    colleague = make_user(session, "همکار")
    contact = make_contact(session, "مشتری", email="c@example.com")
    ticket = make_ticket(session, contact_id=contact.id)
    first = add_message(session, ticket, kind=MessageKind.CUSTOMER_REPLY, body="اول")
    session.commit()
    seen = {first.id}
    assert news_since(session, ticket.id, seen=seen, user_id=me.id) == []
    add_message(session, ticket, kind=MessageKind.AGENT_REPLY, body="من", author_user_id=me.id)
    add_message(
        session, ticket, kind=MessageKind.INTERNAL_NOTE, body="note", author_user_id=colleague.id
    )
    theirs = add_message(
        session, ticket, kind=MessageKind.AGENT_REPLY, body="همکار", author_user_id=colleague.id
    )
    again = add_message(
        session,
        ticket,
        kind=MessageKind.CUSTOMER_REPLY,
        body="باز هم",
        author_contact_id=contact.id,
    )
    session.commit()
    news = news_since(session, ticket.id, seen=seen, user_id=me.id)
    assert [n.id for n in news] == [theirs.id, again.id]
    assert [n.author for n in news] == ["همکار", "مشتری"]


def test_i6_opening_marks_under_review_once_with_an_intent(session: Session) -> None:
    ticket = make_ticket(session, staff_state=StaffState.UNREAD)
    session.commit()
    assert mark_opened_locally(session, ticket.id) is True
    assert mark_opened_locally(session, ticket.id) is False
    session.refresh(ticket)
    assert ticket.staff_state is StaffState.UNDER_REVIEW
    intents = session.query(OutboxMutation).filter_by(name="ticket.mark_opened").all()
    assert [i.entity_id for i in intents] == [ticket.id]
    # until the server has it, a pulled copy of the ticket does not undo the open
    from sync.client.apply import intent_changes

    assert intent_changes("ticket.mark_opened", intents[0].payload) == {
        "staff_state": "under_review"
    }


def test_e2_canned_reply_placeholders_are_filled(session: Session) -> None:
    agent = make_user(session, "سارا احمدی")
    contact = make_contact(session, "علی رضایی", email="ali@example.com")
    ticket = make_ticket(session, "ورود", contact_id=contact.id, number=1234)
    session.add(CannedReply(title="سلام", body="{نام_مشتری} عزیز، تیکت {ticket_number} {json}"))
    session.commit()
    choices = canned_replies(session, agent.id)
    assert [c.title for c in choices] == ["سلام"]
    values = placeholder_values(session, ticket.id, agent.id)
    text = fill_placeholders(choices[0].body + " — {agent_name}", values)
    assert text == "علی رضایی عزیز، تیکت 1234 {json} — سارا احمدی"


def test_s8_kb_search_folds_arabic_letters_and_insert_has_summary(session: Session) -> None:
    body = "اول کلید API را بسازید.\n\nبعد..."
    session.add(KbArticle(title="تنظیم پیامک", body=body, keywords=""))
    session.add(KbArticle(title="پنهان", body="x", keywords="", published=False))
    session.commit()
    hits = search_kb(session, "پيامك")  # Arabic yeh and kaf
    assert [h.title for h in hits] == ["تنظیم پیامک"]
    assert hits[0].summary == "اول کلید API را بسازید."
    text = kb_insert_text(hits[0], reference="مرجع")
    assert text.startswith("تنظیم پیامک\nاول کلید API را بسازید.\nمرجع: KB-")


def test_d4_s6_thread_has_every_kind_with_authors_and_pending_marks(session: Session) -> None:
    agent = make_user(session, "سارا")
    contact = make_contact(session, "علی", email="ali@example.com")
    ticket = make_ticket(session, contact_id=contact.id)
    add_message(
        session, ticket, kind=MessageKind.CUSTOMER_REPLY, body="کمک", author_contact_id=contact.id
    )
    session.commit()
    note = post_message_locally(
        session, ticket.id, kind=MessageKind.INTERNAL_NOTE, body="محرمانه", author_user_id=agent.id
    )
    thread = load_thread(session, ticket.id)
    assert [(m.kind, m.author, m.pending) for m in thread.messages] == [
        (MessageKind.CUSTOMER_REPLY, "علی", False),
        (MessageKind.INTERNAL_NOTE, "سارا", True),
    ]
    assert not thread.messages[1].is_public
    assert note.id in thread.message_ids
    assert thread.header.contact == "علی"
    assert session.get(Ticket, ticket.id) is not None
