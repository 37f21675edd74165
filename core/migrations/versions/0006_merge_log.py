"""The merge log (O6): what each merge moved, for "Undo merge".

Local to each database (not synced): the server's log is written by its merge command,
the client's by its local merge.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "merge_log",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kept_id", sa.String(length=36), nullable=False),
        sa.Column("merged_ids", sa.JSON(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("undone_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_log")),
    )
    op.create_index(op.f("ix_merge_log_kept_id"), "merge_log", ["kept_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_merge_log_kept_id"), table_name="merge_log")
    op.drop_table("merge_log")
