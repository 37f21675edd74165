"""Typed access to desk-wide settings: the priority matrix (P4) and SLA targets (E1)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.enums import Priority
from core.errors import ValidationError
from core.models import Setting
from core.priority import PriorityMatrix

PRIORITY_MATRIX = "priority_matrix"
SLA_TARGETS = "sla_targets"


@dataclass(frozen=True)
class SlaTarget:
    """How soon a ticket of one priority must get its first answer and be resolved."""

    first_response: timedelta
    resolution: timedelta


DEFAULT_SLA: dict[Priority, SlaTarget] = {
    Priority.HIGH: SlaTarget(timedelta(hours=1), timedelta(hours=8)),
    Priority.NORMAL: SlaTarget(timedelta(hours=4), timedelta(days=1)),
    Priority.LOW: SlaTarget(timedelta(days=1), timedelta(days=3)),
}


@dataclass(frozen=True)
class SlaTargets:
    targets: dict[Priority, SlaTarget]

    def due(self, priority: int, since: datetime, *, answered: bool) -> datetime:
        """When the next SLA clock runs out: first response until answered, then resolution."""
        target = self.targets[Priority(priority)]
        return since + (target.resolution if answered else target.first_response)

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            p.name.lower(): {
                "first_response_minutes": int(t.first_response.total_seconds() // 60),
                "resolution_minutes": int(t.resolution.total_seconds() // 60),
            }
            for p, t in self.targets.items()
        }

    @classmethod
    def from_json(cls, data: Any) -> SlaTargets:
        try:
            targets = {
                p: SlaTarget(
                    timedelta(minutes=int(data[p.name.lower()]["first_response_minutes"])),
                    timedelta(minutes=int(data[p.name.lower()]["resolution_minutes"])),
                )
                for p in Priority
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("sla_targets", f"SLA targets miss or mistype {exc}.") from exc
        if any(t.first_response.total_seconds() <= 0 for t in targets.values()):
            raise ValidationError("sla_targets", "SLA targets must be positive.")
        return cls(targets)

    @classmethod
    def default(cls) -> SlaTargets:
        return cls(dict(DEFAULT_SLA))


_CACHE = "hd_settings"


def _cache(session: Session) -> dict[str, Any]:
    """The settings read in the session's current transaction (another transaction may
    see other values, so the memo is dropped when the transaction changes)."""
    transaction = session.get_transaction()
    held = session.info.get(_CACHE)
    if held is None or transaction is None or held[0]() is not transaction:
        marker = weakref.ref(transaction) if transaction is not None else lambda: None
        held = session.info[_CACHE] = (marker, {})
    values: dict[str, Any] = held[1]
    return values


def _get(session: Session, key: str) -> Any:
    """A setting's value, read once per session: rules ask for the priority matrix and
    SLA targets on every ticket, and an absent row (defaults) would be asked for again
    each time."""
    cache = _cache(session)
    if key not in cache:
        row = session.get(Setting, key)
        cache[key] = None if row is None else row.value
    return cache[key]


def _put(session: Session, key: str, value: Any) -> None:
    _cache(session)[key] = value
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
        row.version += 1


def priority_matrix(session: Session) -> PriorityMatrix:
    stored = _get(session, PRIORITY_MATRIX)
    return PriorityMatrix.default() if stored is None else PriorityMatrix.from_json(stored)


def set_priority_matrix(session: Session, matrix: PriorityMatrix) -> None:
    _put(session, PRIORITY_MATRIX, matrix.to_json())


def sla_targets(session: Session) -> SlaTargets:
    stored = _get(session, SLA_TARGETS)
    return SlaTargets.default() if stored is None else SlaTargets.from_json(stored)


def set_sla_targets(session: Session, targets: SlaTargets) -> None:
    _put(session, SLA_TARGETS, targets.to_json())
