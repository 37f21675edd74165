"""E6: Persian-aware search over the real cache: every spelling finds every other, the
index follows every writer (ORM and raw sqlite3), and no input is an FTS5 syntax error."""

from __future__ import annotations

import importlib.util
import sqlite3
import time
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.conversation import add_message
from core.db import connect_raw
from core.enums import MessageKind
from core.ids import new_id, utcnow
from core.models import Contact, KbArticle, Message, Ticket, ticket_contacts
from core.models.base import sql_time
from core.search import (
    INDEXED_TEXT,
    ensure_search_index,
    match_expression,
    rebuild_search_index,
    search_contact_ids,
    search_kb_ids,
    search_message_ids,
    search_ticket_ids,
)
from core.tickets import create_ticket, update_ticket

MIGRATION = Path(__file__).parents[2] / "core/migrations/versions/0002_search_index.py"


def _ticket(session: Session, title: str, **fields: object) -> Ticket:
    ticket = create_ticket(
        session,
        title=title,
        contact_email=str(fields.pop("contact_email", "c@example.com")),
        **fields,
    )
    session.flush()
    return ticket


def _msg(session: Session, ticket: Ticket, body: str) -> Message:
    message = add_message(session, ticket, kind=MessageKind.CUSTOMER_REPLY, body=body)
    session.flush()
    return message


def _integrity(session: Session) -> None:
    for table in INDEXED_TEXT:
        session.execute(text(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('integrity-check')"))


def test_e6_arabic_yeh_kaf_in_data_found_by_persian_query_and_back(session: Session) -> None:
    arabic = _ticket(session, "مشكل در پرداخت علي")
    persian = _ticket(session, "کیف پول یاسر")
    session.commit()
    assert search_ticket_ids(session, "مشکل علی") == [arabic.id]
    assert search_ticket_ids(session, "كيف ياسر") == [persian.id]
    assert search_ticket_ids(session, "مشكل كيف") == []


def test_e6_zwnj_space_and_joined_spellings_match_each_other(session: Session) -> None:
    half = _ticket(session, "من می‌خواهم بازپرداخت")
    spaced = _ticket(session, "او نمی خواهد بازپرداخت")
    joined = _ticket(session, "کتابها را فرستادم")
    session.commit()
    for query in ("می‌خواهم", "می خواهم", "میخواهم"):
        assert search_ticket_ids(session, query) == [half.id], query
    for query in ("نمی‌خواهد", "نمی خواهد", "نمیخواهد"):
        assert search_ticket_ids(session, query) == [spaced.id], query
    for query in ("کتاب‌ها", "کتاب ها", "کتابها"):
        assert search_ticket_ids(session, query) == [joined.id], query


def test_e6_diacritics_tatweel_and_bidi_marks_are_ignored(session: Session) -> None:
    marked = _ticket(session, "کِتابٌ\u200f مُهِمّ")
    stretched = _ticket(session, "گـــزارش مـــاهانه")
    session.commit()
    assert search_ticket_ids(session, "کتاب مهم") == [marked.id]
    assert search_ticket_ids(session, "گزارش") == [stretched.id]
    assert search_ticket_ids(session, "گُزارِش ماهـانه") == [stretched.id]


def test_e6_digit_sets_match_in_text_number_and_phone(session: Session) -> None:
    order = _ticket(session, "سفارش ۴۵۶۷۸ نرسید", contact_mobile="۰۹۱۲ ۳۴۵ ۶۷۸۹")
    numbered = _ticket(session, "درخواست عادی")
    numbered.number = 98765
    contact = Contact(name="رضا", mobile="٠٩٣٥-١١١-٢٢٣٣")
    session.add(contact)
    session.commit()
    for query in ("45678", "۴۵۶۷۸", "٤٥٦٧٨", "456"):
        assert search_ticket_ids(session, query) == [order.id], query
    for query in ("98765", "۹۸۷۶۵", "٩٨٧٦٥"):
        assert search_ticket_ids(session, query) == [numbered.id], query
    # the ticket's mobile, typed with or without its spaces, in any digits
    for query in ("09123456789", "۰۹۱۲۳۴۵۶۷۸۹", "0912 345"):
        assert search_ticket_ids(session, query) == [order.id], query
    for query in ("09351112233", "۰۹۳۵", "0935-111"):
        assert search_contact_ids(session, query) == [contact.id], query


def test_e6_message_text_finds_its_ticket(session: Session) -> None:
    ticket = _ticket(session, "مشکل ورود")
    other = _ticket(session, "سوال دیگر")
    message = _msg(session, ticket, "رمز عبورم را فراموش كردم")
    _msg(session, other, "سلام")
    session.commit()
    assert search_ticket_ids(session, "فراموش کردم") == [ticket.id]
    assert search_message_ids(session, "رمز عبور") == [message.id]
    assert search_message_ids(session, "رمز", ticket_id=ticket.id) == [message.id]
    assert search_message_ids(session, "رمز", ticket_id=other.id) == []


def test_e6_contact_name_finds_that_contacts_tickets(session: Session) -> None:
    contact = Contact(name="مريم كاظمي", email="maryam@example.com")
    second = Contact(name="سارا")
    session.add_all([contact, second])
    session.flush()
    own = _ticket(session, "چاپگر خراب است", contact_id=contact.id)
    linked = _ticket(session, "شبکه قطع است")
    session.execute(ticket_contacts.insert().values(ticket_id=linked.id, contact_id=contact.id))
    _ticket(session, "ربطی ندارد", contact_id=second.id)
    session.commit()
    assert search_contact_ids(session, "مریم کاظمی") == [contact.id]
    assert set(search_ticket_ids(session, "مریم کاظمی")) == {own.id, linked.id}
    assert search_contact_ids(session, "maryam@") == [contact.id]


def test_e6_updates_reindex_old_words_gone_new_words_found(session: Session) -> None:
    ticket = _ticket(session, "عنوان قدیمی")
    message = _msg(session, ticket, "متن اول")
    contact = Contact(name="نام قبلی")
    session.add(contact)
    session.commit()
    update_ticket(session, ticket, {"title": "عنوان تازه", "description": "شرح جدید"})
    message.body = "متن دوم"
    contact.name = "نام بعدی"
    session.commit()
    assert search_ticket_ids(session, "قدیمی") == []
    assert search_ticket_ids(session, "تازه") == [ticket.id]
    assert search_ticket_ids(session, "شرح جدید") == [ticket.id]
    assert search_message_ids(session, "اول") == []
    assert search_message_ids(session, "دوم") == [message.id]
    assert search_contact_ids(session, "قبلی") == []
    assert search_contact_ids(session, "بعدی") == [contact.id]
    _integrity(session)


def test_e6_deletes_drop_from_index(session: Session) -> None:
    ticket = _ticket(session, "حذف شدنی")
    message = _msg(session, ticket, "پیام حذف شدنی")
    contact = Contact(name="مخاطب حذفی")
    session.add(contact)
    session.commit()
    session.delete(message)
    session.delete(contact)
    session.flush()
    session.delete(ticket)
    session.commit()
    assert search_ticket_ids(session, "حذف") == []
    assert search_message_ids(session, "حذف") == []
    assert search_contact_ids(session, "حذفی") == []
    for table in ("tickets", "messages", "contacts"):
        assert session.execute(text(f"SELECT count(*) FROM {table}_fts_map")).scalar() == 0
        assert session.execute(text(f"SELECT count(*) FROM {table}_fts")).scalar() == 0
    _integrity(session)


@pytest.mark.parametrize(
    "query",
    ['"', "-", "a:b", "*", "(", ")", "NOT", "AND OR", "^x", "x NEAR y", "'", "\\", "{a}", "+"],
)
def test_e6_hostile_input_never_raises(session: Session, query: str) -> None:
    _ticket(session, "and or not near x y a b")
    session.commit()
    search_ticket_ids(session, query)
    search_message_ids(session, query)
    search_contact_ids(session, query)
    search_kb_ids(session, query)


def test_e6_blank_query_finds_nothing(session: Session) -> None:
    _ticket(session, "چیزی")
    session.commit()
    for query in ("", "   ", "\u200c", "\u200f", "ـ"):
        assert search_ticket_ids(session, query) == []
        assert match_expression(query) is None


def test_e6_mixed_persian_and_latin(session: Session) -> None:
    ticket = _ticket(
        session,
        "سفارش ORD-2024-77 ارسال نشد",
        contact_email="Reza.Karimi@Example.com",
    )
    session.commit()
    for query in ("ord-2024", "ORD 2024 77", "سفارش ord", "reza.karimi@example.com", "karimi"):
        assert search_ticket_ids(session, query) == [ticket.id], query
    assert search_ticket_ids(session, "ord-2025") == []


def test_e6_every_word_is_a_prefix_and_all_must_match(session: Session) -> None:
    both = _ticket(session, "پرداخت اینترنتی ناموفق")
    _ticket(session, "پرداخت حضوری")
    session.commit()
    assert search_ticket_ids(session, "پردا اینتر") == [both.id]
    assert len(search_ticket_ids(session, "پرداخت")) == 2


def test_e6_most_recently_updated_first_and_limit(session: Session) -> None:
    tickets = [_ticket(session, f"گزارش شماره {i}") for i in range(5)]
    session.commit()
    base = utcnow()
    for i, ticket in enumerate(tickets):
        ticket.updated_at = base - timedelta(minutes=i)
    tickets[3].updated_at = base + timedelta(minutes=1)
    session.commit()
    expected = [tickets[3].id, tickets[0].id, tickets[1].id, tickets[2].id, tickets[4].id]
    assert search_ticket_ids(session, "گزارش") == expected
    assert search_ticket_ids(session, "گزارش", limit=3) == expected[:3]
    # best effort past the candidate pool: newer matches win over an old ticket
    assert search_ticket_ids(session, "گزارش", limit=1) == [tickets[3].id]


def test_e6_merged_ticket_hits_count_for_the_kept_ticket(session: Session) -> None:
    keep = _ticket(session, "اصلی")
    merged = _ticket(session, "تکراری یخچال")
    session.commit()
    merged.merged_into_id = keep.id
    merged.archived = True
    session.commit()
    assert search_ticket_ids(session, "یخچال") == [keep.id]


def test_e6_moved_message_follows_its_new_ticket(session: Session) -> None:
    first = _ticket(session, "اول")
    second = _ticket(session, "دوم")
    message = _msg(session, first, "کولر کار نمی‌کند")
    session.commit()
    message.ticket_id = second.id
    session.commit()
    assert search_ticket_ids(session, "کولر") == [second.id]
    assert search_message_ids(session, "کولر", ticket_id=second.id) == [message.id]
    assert search_message_ids(session, "کولر", ticket_id=first.id) == []


def test_e6_kb_search_published_only_unless_asked(session: Session) -> None:
    live = KbArticle(title="بازنشانی رمز عبور", body="مراحل...", keywords="پسورد")
    draft = KbArticle(title="رمز پیش‌نویس", body="", published=False)
    session.add_all([live, draft])
    session.commit()
    assert search_kb_ids(session, "رمز") == [live.id]
    assert set(search_kb_ids(session, "رمز", published_only=False)) == {live.id, draft.id}
    assert search_kb_ids(session, "پسورد") == [live.id]
    assert search_kb_ids(session, "پیش نویس", published_only=False) == [draft.id]


def test_e6_pending_orm_edits_are_found(session: Session) -> None:
    ticket = _ticket(session, "قبل")
    ticket.title = "بعد از ویرایش"  # not flushed yet
    assert search_ticket_ids(session, "ویرایش") == [ticket.id]


def _raw_ticket(conn: sqlite3.Connection, ticket_id: str, title: str) -> None:
    now = sql_time(utcnow())
    conn.execute(
        "INSERT INTO tickets (id, version, created_at, updated_at, title, description,"
        " contact_email, status, severity, impact, priority, channel, custom_values,"
        " archived, staff_state, customer_state) VALUES (?, 1, ?, ?, ?, '', 'a@example.com',"
        " 'new', 0, 0, 0, 'agent', '{}', 0, 'unread', 'read')",
        (ticket_id, now, now, title),
    )


def test_e6_raw_sqlite_writers_keep_the_index(cache_path: Path, session: Session) -> None:
    conn = connect_raw(cache_path)
    ids = [new_id() for _ in range(3)]
    conn.execute("BEGIN")
    for i, ticket_id in enumerate(ids):
        _raw_ticket(conn, ticket_id, f"بار انبوه شماره {i}")
    conn.execute("COMMIT")
    # a sync-style upsert of the same row re-indexes it
    conn.execute(
        "INSERT INTO tickets (id, version, created_at, updated_at, title, description,"
        " contact_email, status, severity, impact, priority, channel, custom_values,"
        " archived, staff_state, customer_state) SELECT id, 2, created_at, updated_at,"
        " 'سرور عوض کرد', description, contact_email, status, severity, impact, priority,"
        " channel, custom_values, archived, staff_state, customer_state FROM tickets"
        " WHERE id = ? ON CONFLICT (id) DO UPDATE SET title = excluded.title",
        (ids[0],),
    )
    conn.execute("DELETE FROM tickets WHERE id = ?", (ids[1],))
    # REPLACE deletes without firing the delete trigger: the map row is replaced too (a
    # trigger takes the outer conflict rule), so the stale tokens point at no record
    conn.execute(
        "INSERT OR REPLACE INTO tickets (id, version, created_at, updated_at, title,"
        " description, contact_email, status, severity, impact, priority, channel,"
        " custom_values, archived, staff_state, customer_state) SELECT id, 2, created_at,"
        " updated_at, 'جایگزین کامل', description, contact_email, status, severity, impact,"
        " priority, channel, custom_values, archived, staff_state, customer_state"
        " FROM tickets WHERE id = ?",
        (ids[2],),
    )
    conn.close()
    assert search_ticket_ids(session, "انبوه") == []
    assert search_ticket_ids(session, "سرور عوض") == [ids[0]]
    assert search_ticket_ids(session, "جایگزین") == [ids[2]]
    _integrity(session)


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("search_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_e6_rebuild_uses_the_trigger_expressions(session: Session) -> None:
    sources = _migration().SOURCES
    assert {table: expr for table, (expr, _, _) in sources.items()} == INDEXED_TEXT


def test_e6_rebuild_after_version_change_gives_same_results(session: Session) -> None:
    ticket = _ticket(session, "مانیتور سوخته", contact_mobile="0912 000 1111")
    message = _msg(session, ticket, "می خواهم تعویض شود")
    session.commit()
    conn = session.connection()
    assert ensure_search_index(conn) is False
    conn.execute(text("UPDATE search_meta SET value = 'old' WHERE name = 'search_key_version'"))
    assert ensure_search_index(conn) is True
    session.commit()
    assert search_ticket_ids(session, "مانیتور 09120001111") == [ticket.id]
    assert search_message_ids(session, "میخواهم تعویض") == [message.id]
    rebuild_search_index(session.connection())
    session.commit()
    # deletes after a rebuild still find the tokens they must remove
    session.delete(message)
    session.commit()
    assert search_message_ids(session, "تعویض") == []
    _integrity(session)


@pytest.mark.slow
def test_e6_search_stays_fast_at_scale(
    cache_path: Path, session: Session, request: pytest.FixtureRequest
) -> None:
    """200k messages on 40k tickets, loaded through the triggers: each search < 100 ms."""
    if "slow" not in str(request.config.getoption("markexpr")):
        pytest.skip("slow: run with -m slow")
    words = [
        "سلام",
        "پرداخت",
        "سفارش",
        "ارسال",
        "کالا",
        "پشتیبانی",
        "مشکل",
        "درخواست",
        "پیگیری",
        "می\u200cخواهم",
        "شماره",
        "رمز",
        "عبور",
        "حساب",
        "کاربری",
        "فاکتور",
        "تحویل",
        "مرجوعی",
        "تعویض",
        "گارانتی",
        "لطفا",
        "بررسی",
        "کنید",
    ]
    conn = connect_raw(cache_path)
    now = utcnow()
    conn.execute("BEGIN")
    tickets = []
    for i in range(40_000):
        ticket_id = new_id()
        tickets.append(ticket_id)
        _raw_ticket(conn, ticket_id, f"{words[i % len(words)]} {words[(i * 7) % len(words)]} {i}")
    rows = []
    for i in range(200_000):
        body = " ".join(words[(i * k) % len(words)] for k in (1, 3, 5, 11, 13, 17)) + f" ک{i}"
        rows.append((new_id(), tickets[i % len(tickets)], body, sql_time(now), sql_time(now)))
    started = time.perf_counter()
    conn.executemany(
        "INSERT INTO messages (id, version, ticket_id, kind, body, channel, created_at,"
        " updated_at) VALUES (?, 1, ?, 'customer_reply', ?, 'email', ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    load = time.perf_counter() - started
    conn.close()
    timings = {}
    queries = ("سلام", "می", "پرداخت سفارش", "پرد سفا", "ک19999", "م", "12", "نیست", "می خواهم")
    for query in queries:
        started = time.perf_counter()
        search_ticket_ids(session, query)
        timings[query] = time.perf_counter() - started
    print(f"load 200k messages: {load:.1f}s", {q: f"{t * 1000:.1f}ms" for q, t in timings.items()})
    # measured 0.5-6 ms each on 2 cores; the target is 100 ms at 25x this size
    assert max(timings.values()) < 0.05
