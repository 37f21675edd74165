"""Passwords (argon2id) and bearer tokens (random, stored as SHA-256, expiring and
revocable). The server resolves the user from the token on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.ids import utcnow
from core.models import AuthToken, User

_hasher = PasswordHasher()
_TOKEN_PREFIX = "hd_"
# argon2 work is spent even for unknown names, so timing does not reveal who exists
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def issue_token(session: Session, user: User, ttl: timedelta, label: str | None = None) -> str:
    """A new token for `user`; only its digest is stored. The caller commits."""
    raw = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        AuthToken(
            user_id=user.id,
            token_hash=token_digest(raw),
            label=label,
            expires_at=utcnow() + ttl,
        )
    )
    return raw


def resolve_token(session: Session, raw: str) -> tuple[User, AuthToken] | None:
    if not raw.startswith(_TOKEN_PREFIX):
        return None
    token = session.scalar(select(AuthToken).where(AuthToken.token_hash == token_digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return user, token


def revoke(session: Session, token: AuthToken) -> None:
    token.revoked_at = utcnow()


def revoke_all(session: Session, user_id: str) -> int:
    result = session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
