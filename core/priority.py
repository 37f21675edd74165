"""Priority from severity x impact through the configurable matrix (P4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.enums import Impact, Priority, Severity
from core.errors import ValidationError

DEFAULT_MATRIX: dict[Severity, dict[Impact, Priority]] = {
    Severity.LOW: {
        Impact.MINOR: Priority.LOW,
        Impact.SERIOUS: Priority.LOW,
        Impact.CATASTROPHIC: Priority.NORMAL,
    },
    Severity.MEDIUM: {
        Impact.MINOR: Priority.LOW,
        Impact.SERIOUS: Priority.NORMAL,
        Impact.CATASTROPHIC: Priority.HIGH,
    },
    Severity.CRITICAL: {
        Impact.MINOR: Priority.NORMAL,
        Impact.SERIOUS: Priority.HIGH,
        Impact.CATASTROPHIC: Priority.HIGH,
    },
}


@dataclass(frozen=True)
class PriorityMatrix:
    """A complete severity x impact table; incomplete tables are refused when loaded."""

    cells: dict[Severity, dict[Impact, Priority]]

    def priority_for(self, severity: int, impact: int) -> Priority:
        return self.cells[Severity(severity)][Impact(impact)]

    def explain(self, severity: int, impact: int) -> tuple[Severity, Impact, Priority]:
        """The cell that decided, so the form can say why ("critical x serious -> high")."""
        sev, imp = Severity(severity), Impact(impact)
        return sev, imp, self.cells[sev][imp]

    def to_json(self) -> dict[str, dict[str, str]]:
        return {
            s.name.lower(): {i.name.lower(): p.name.lower() for i, p in row.items()}
            for s, row in self.cells.items()
        }

    @classmethod
    def from_json(cls, data: Any) -> PriorityMatrix:
        """Parse the stored form; every cell must be present and valid."""
        if not isinstance(data, dict):
            raise ValidationError("priority_matrix", "The matrix must be an object.")
        cells: dict[Severity, dict[Impact, Priority]] = {}
        try:
            for sev in Severity:
                row = data[sev.name.lower()]
                cells[sev] = {imp: Priority[str(row[imp.name.lower()]).upper()] for imp in Impact}
        except (KeyError, TypeError) as exc:
            raise ValidationError(
                "priority_matrix", f"The matrix misses or mistypes the cell {exc}."
            ) from exc
        return cls(cells)

    @classmethod
    def default(cls) -> PriorityMatrix:
        return cls({s: dict(row) for s, row in DEFAULT_MATRIX.items()})
