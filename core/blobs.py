"""Attachment bytes kept once per SHA-256 (C2, I2): a file written whole or not at all, so
a crash never leaves half a receipt under a valid name, and the same file sent twice
costs its size once."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from core.errors import NotFoundError, ValidationError
from core.models import Attachment

_HASH = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def check_hash(content_hash: str) -> str:
    """The hash if it is 64 lower-case hex characters; anything else could escape the
    store's folder (`../`), so it is refused."""
    if not isinstance(content_hash, str) or not _HASH.fullmatch(content_hash):
        raise ValidationError("content_hash", "Not a SHA-256 hex digest.", code="invalid_hash")
    return content_hash


class BlobStore:
    """Files under `root` at `ab/cd/<hash>`, named by the SHA-256 of their bytes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, content_hash: str) -> Path:
        h = check_hash(content_hash)
        return self.root / h[:2] / h[2:4] / h

    def exists(self, content_hash: str) -> bool:
        return self.path_for(content_hash).is_file()

    def put(self, data: bytes | BinaryIO) -> str:
        """Store `data` (bytes or a binary stream) and return its hash; storing the same
        bytes again writes nothing new."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                if isinstance(data, bytes | bytearray | memoryview):
                    digest.update(data)
                    out.write(data)
                else:
                    while chunk := data.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            content_hash = digest.hexdigest()
            target = self.path_for(content_hash)
            if target.is_file():
                tmp.unlink()
                return content_hash
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)  # atomic on one file system, Windows included
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return content_hash

    def open(self, content_hash: str) -> BinaryIO:
        """The stored file for reading; NotFoundError when it is not here."""
        path = self.path_for(content_hash)
        try:
            return path.open("rb")
        except FileNotFoundError as exc:
            raise NotFoundError(f"No blob {content_hash}.") from exc

    def read(self, content_hash: str) -> bytes:
        with self.open(content_hash) as f:
            return f.read()


def attach_file(
    session: Session,
    store: BlobStore,
    *,
    ticket_id: str,
    message_id: str | None,
    filename: str,
    data: bytes | BinaryIO,
    mime_type: str = "application/octet-stream",
) -> Attachment:
    """Store the bytes and add the Attachment row that names them. The caller commits."""
    name = Path(filename.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationError("filename", "A file name is required.", code="required")
    content_hash = store.put(data)
    attachment = Attachment(
        ticket_id=ticket_id,
        message_id=message_id,
        filename=name[:255],
        mime_type=mime_type or "application/octet-stream",
        size=store.path_for(content_hash).stat().st_size,
        content_hash=content_hash,
    )
    session.add(attachment)
    return attachment
