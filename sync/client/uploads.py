"""Attachment bytes between the cache's blob store and the server (C2, I2).

A file added in the window is kept in the cache's blob store (`core.blobs.BlobStore`,
beside the cache file) and queued as an `attachment.create` intent naming its SHA-256.
Before a batch that names files is pushed, the engine uploads their bytes
(`PUT /attachments/{hash}`, idempotent: the server keeps each hash once), so the server
never meets an attachment whose bytes it lacks. An attachment pulled from the server is
only a row: its bytes are fetched when the agent opens it (`SyncEngine.fetch_blob`).

These helpers do the file work; they run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.blobs import BlobStore
from core.errors import NotFoundError, ValidationError
from core.local_edits import ATTACH_INTENT
from sync.client.push import Pending


@dataclass(frozen=True)
class FileRef:
    """A file an outbox intent names: where it sits in the batch and what to send."""

    index: int
    content_hash: str
    filename: str
    mime_type: str


def file_refs(batch: list[Pending]) -> list[FileRef]:
    """The files the batch's `attachment.create` intents name, in batch order."""
    out: list[FileRef] = []
    for index, item in enumerate(batch):
        if item.mutation.name != ATTACH_INTENT:
            continue
        payload = item.mutation.payload
        out.append(
            FileRef(
                index=index,
                content_hash=str(payload.get("content_hash", "")),
                filename=str(payload.get("filename") or "file"),
                mime_type=str(payload.get("mime_type") or "application/octet-stream"),
            )
        )
    return out


def read_blob(store: BlobStore, content_hash: str) -> bytes | None:
    """The bytes kept for `content_hash`, or None when they are gone from this computer
    (deleted, or a hash that names no file)."""
    try:
        return store.read(content_hash)
    except (ValidationError, NotFoundError, OSError):
        return None


def keep_verified(store: BlobStore, content_hash: str, data: bytes) -> bool:
    """Keep downloaded bytes under their hash, only when they are what the hash names."""
    if hashlib.sha256(data).hexdigest() != content_hash:
        return False
    store.put(data)
    return True
