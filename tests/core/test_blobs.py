"""C2, I2: attachments kept once per content hash, written atomically, never outside the
store's folder."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from core.blobs import BlobStore, attach_file
from core.conversation import add_message
from core.enums import MessageKind
from core.errors import NotFoundError, ValidationError
from core.models import Attachment, Message
from tests.core.factories import make_ticket

RECEIPT = "رسید پرداخت ۱۲۳".encode() * 1000


def test_c2_put_returns_sha256_and_lays_out_ab_cd(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    digest = store.put(RECEIPT)
    assert digest == hashlib.sha256(RECEIPT).hexdigest()
    path = tmp_path / "blobs" / digest[:2] / digest[2:4] / digest
    assert path.read_bytes() == RECEIPT
    assert store.exists(digest)
    assert store.read(digest) == RECEIPT
    with store.open(digest) as f:
        assert f.read(10) == RECEIPT[:10]


def test_c2_same_bytes_are_stored_once_and_no_temp_files_remain(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    first = store.put(RECEIPT)
    second = store.put(io.BytesIO(RECEIPT))  # a stream gives the same hash
    assert first == second
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [store.path_for(first)]


def test_c2_streams_larger_than_a_chunk(tmp_path: Path) -> None:
    data = bytes(range(256)) * 9000  # > 2 MiB: several chunks
    store = BlobStore(tmp_path)
    digest = store.put(io.BytesIO(data))
    assert digest == hashlib.sha256(data).hexdigest()
    assert store.read(digest) == data


@pytest.mark.parametrize(
    "bad",
    ["../../etc/passwd", "ab" * 31, "g" * 64, "A" * 64, "/" + "a" * 63, "a" * 64 + "\n", ""],
)
def test_c2_refuses_anything_but_a_hex_digest(tmp_path: Path, bad: str) -> None:
    store = BlobStore(tmp_path)
    with pytest.raises(ValidationError) as err:
        store.exists(bad)
    assert err.value.field == "content_hash"
    with pytest.raises(ValidationError):
        store.read(bad)


def test_c2_missing_blob_is_not_found(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    missing = hashlib.sha256(b"nothing").hexdigest()
    assert not store.exists(missing)
    with pytest.raises(NotFoundError):
        store.read(missing)


def test_i2_attach_file_records_the_row(session: Session, tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    ticket = make_ticket(session)
    message = add_message(session, ticket, kind=MessageKind.CUSTOMER_REPLY, body="رسید")
    session.flush()
    attachment = attach_file(
        session,
        store,
        ticket_id=ticket.id,
        message_id=message.id,
        filename="C:\\Users\\me\\رسید.png",
        data=RECEIPT,
        mime_type="image/png",
    )
    session.commit()
    session.expire_all()
    stored = session.get(Attachment, attachment.id)
    assert stored is not None
    assert stored.filename == "رسید.png"
    assert stored.size == len(RECEIPT)
    assert stored.mime_type == "image/png"
    assert store.read(stored.content_hash) == RECEIPT
    reloaded = session.get(Message, message.id)
    assert reloaded is not None
    assert [a.id for a in reloaded.attachments] == [attachment.id]


def test_i2_attach_file_needs_a_name(session: Session, tmp_path: Path) -> None:
    ticket = make_ticket(session)
    with pytest.raises(ValidationError) as err:
        attach_file(
            session,
            BlobStore(tmp_path),
            ticket_id=ticket.id,
            message_id=None,
            filename=" ",
            data=b"x",
        )
    assert err.value.field == "filename"
