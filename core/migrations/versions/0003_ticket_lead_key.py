"""The foreign key tickets.lead_id -> leads.id on databases other than SQLite.

Tickets and leads point at each other, so `tickets.lead_id` is a `use_alter` key, which
PostgreSQL's CREATE TABLE leaves out (SQLite keeps it inline). It lives in its own
revision so regenerating 0001 from the models (allowed until the first release) cannot
drop it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "fk_tickets_lead_id_leads"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.create_foreign_key(NAME, "tickets", "leads", ["lead_id"], ["id"])


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        op.drop_constraint(NAME, "tickets", type_="foreignkey")
