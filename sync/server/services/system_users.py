"""Users that stand for the desk's own channels (mail, the public web form): inactive
and without a password, so nobody can log in as them, and following nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enums import Role
from core.models import User


def system_user(session: Session, username: str, display_name: str, role: Role) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            active=False,
            auto_follow=False,
        )
        session.add(user)
        session.flush()
    return user
