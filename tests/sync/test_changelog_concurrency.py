"""The change log never lets a cursor skip a change committed late by a concurrent
transaction (issue 3, part 4), proven on PostgreSQL with real concurrent writers, and on
SQLite for the same reader logic."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, select, text
from sqlalchemy.orm import Session, sessionmaker

from core.models import Change, Tag
from sync.server.database import migrate, server_engine, server_sessions


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = server_engine(pg_url)
    migrate(engine)
    yield engine
    engine.dispose()


def _read_after(engine: Engine, cursor: int) -> list[tuple[int, str]]:
    with Session(engine) as s:
        return [
            (int(r.seq), str(r.entity_id))
            for r in s.execute(
                select(Change.seq, Change.entity_id).where(Change.seq > cursor).order_by(Change.seq)
            )
        ]


def test_a_late_commit_is_never_skipped_by_a_cursor(pg_engine: Engine) -> None:
    """A takes its number and stalls before committing; B wants a number meanwhile. B
    must wait for A (the counter row's lock), so a reader between them never sees B's
    number without A's."""
    factory = server_sessions(pg_engine)
    a_has_number = threading.Event()
    release_a = threading.Event()
    stalled = {"on": True}

    @event.listens_for(factory, "before_commit")
    def stall(session: Session) -> None:  # runs after the change log took its number
        if stalled["on"] and threading.current_thread().name == "A":
            a_has_number.set()
            release_a.wait(10)

    def write(name: str) -> None:
        with factory() as s:
            s.add(Tag(name=name))
            s.commit()

    a = threading.Thread(target=write, args=("tag-a",), name="A")
    a.start()
    assert a_has_number.wait(10)
    b = threading.Thread(target=write, args=("tag-b",), name="B")
    b.start()
    time.sleep(0.3)  # B is now blocked on the counter row, or (the bug) already committed
    seen_early = _read_after(pg_engine, 0)
    release_a.set()
    a.join(10)
    b.join(10)
    stalled["on"] = False
    assert seen_early == []  # nothing visible while A's number is in flight
    seen = _read_after(pg_engine, 0)
    assert [seq for seq, _ in seen] == [1, 2]


def test_the_naive_scheme_would_skip_so_the_check_can_fail(pg_engine: Engine) -> None:
    """The same choreography with a PostgreSQL sequence (numbers taken outside any lock)
    loses a change: the reader's cursor passes B's number before A commits."""
    with pg_engine.begin() as conn:
        conn.execute(text("CREATE SEQUENCE naive_seq"))
        conn.execute(text("CREATE TABLE naive_log (seq bigint primary key)"))
    a = pg_engine.connect()
    b = pg_engine.connect()
    try:
        a.begin()
        a.execute(text("INSERT INTO naive_log VALUES (nextval('naive_seq'))"))
        b.begin()
        b.execute(text("INSERT INTO naive_log VALUES (nextval('naive_seq'))"))
        b.commit()
        with pg_engine.connect() as reader:
            cursor = reader.execute(text("SELECT max(seq) FROM naive_log")).scalar_one()
        a.commit()
        with pg_engine.connect() as reader:
            later = reader.execute(
                text("SELECT seq FROM naive_log WHERE seq > :c"), {"c": cursor}
            ).all()
    finally:
        a.close()
        b.close()
    assert cursor == 2 and later == []  # change 1 was skipped for good


@pytest.mark.parametrize("writers", [6])
def test_concurrent_writers_and_a_polling_reader_lose_nothing(
    pg_engine: Engine, writers: int
) -> None:
    """Writers commit with random stalls after taking numbers while a reader pages by
    cursor as fast as it can: every change is seen, numbers have no holes."""
    factory = server_sessions(pg_engine)
    rng = random.Random(7)

    @event.listens_for(factory, "before_commit")
    def jitter(session: Session) -> None:
        time.sleep(rng.random() * 0.004)

    per_writer = 40
    done = threading.Event()
    seen: dict[int, str] = {}

    def writer(n: int) -> None:
        for i in range(per_writer):
            with factory() as s:
                s.add(Tag(name=f"w{n}-{i}"))
                s.commit()

    def reader() -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            for seq, entity_id in _read_after(pg_engine, cursor):
                assert seq == cursor + 1, f"cursor {cursor} jumped to {seq}"
                seen[seq] = entity_id
                cursor = seq
            if finished:
                return

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    done.set()
    watcher.join(60)
    total = writers * per_writer
    assert sorted(seen) == list(range(1, total + 1))
    with Session(pg_engine) as s:
        assert set(seen.values()) == set(s.scalars(select(Tag.id)))


def test_sqlite_writers_also_number_in_commit_order(tmp_path: object) -> None:
    engine = server_engine(f"sqlite:///{tmp_path}/log.sqlite3")
    migrate(engine)
    factory: sessionmaker[Session] = server_sessions(engine)

    def writer(n: int) -> None:
        for i in range(25):
            with factory() as s:
                s.add(Tag(name=f"s{n}-{i}"))
                s.commit()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    seqs = [seq for seq, _ in _read_after(engine, 0)]
    assert seqs == list(range(1, 101))
    engine.dispose()
