"""P4: priority is computed from severity x impact through the matrix kept in settings."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.enums import Impact, Priority, Severity
from core.errors import ValidationError
from core.priority import PriorityMatrix
from core.settings import priority_matrix, set_priority_matrix


def test_p4_default_matrix_covers_every_cell() -> None:
    matrix = PriorityMatrix.default()
    assert matrix.priority_for(Severity.LOW, Impact.MINOR) is Priority.LOW
    assert matrix.priority_for(Severity.MEDIUM, Impact.SERIOUS) is Priority.NORMAL
    assert matrix.priority_for(Severity.CRITICAL, Impact.CATASTROPHIC) is Priority.HIGH
    assert {matrix.priority_for(s, i) for s in Severity for i in Impact} == set(Priority)


def test_p4_matrix_is_configurable_and_persists(session: Session) -> None:
    assert priority_matrix(session).priority_for(Severity.LOW, Impact.MINOR) is Priority.LOW
    cells = PriorityMatrix.default().cells
    cells[Severity.LOW][Impact.MINOR] = Priority.HIGH
    set_priority_matrix(session, PriorityMatrix(cells))
    session.commit()
    session.expire_all()
    assert priority_matrix(session).priority_for(Severity.LOW, Impact.MINOR) is Priority.HIGH


def test_p4_explain_names_the_deciding_cell() -> None:
    assert PriorityMatrix.default().explain(2, 1) == (
        Severity.CRITICAL,
        Impact.SERIOUS,
        Priority.HIGH,
    )


def test_p4_incomplete_matrix_is_refused_with_field_named() -> None:
    data = PriorityMatrix.default().to_json()
    del data["critical"]["serious"]
    with pytest.raises(ValidationError) as err:
        PriorityMatrix.from_json(data)
    assert err.value.field == "priority_matrix"


def test_p4_round_trip_through_json() -> None:
    matrix = PriorityMatrix.default()
    assert PriorityMatrix.from_json(matrix.to_json()) == matrix
