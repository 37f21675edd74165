"""Covering indexes for the supervisors' dashboard (D7, core/dashboard.py).

Its figures over a 1,000,000-ticket cache then read index entries only: the open tickets
by team, stage, priority and assignee; tickets created in a range with their first
response and verdict; tickets closed in a range with their creation time; tickets per
assignee and team.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES: dict[str, list[str]] = {
    "ix_tickets_dash_open": [
        "archived",
        "status",
        "team_id",
        "stage_id",
        "priority",
        "assignee_id",
        "staff_state",
        "sla_due_at",
    ],
    "ix_tickets_dash_created": [
        "created_at",
        "team_id",
        "assignee_id",
        "first_response_at",
        "resolution",
        "rating",
    ],
    "ix_tickets_dash_closed": ["closed_at", "team_id", "assignee_id", "created_at"],
    "ix_tickets_dash_assignee": ["assignee_id", "team_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "tickets", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="tickets")
