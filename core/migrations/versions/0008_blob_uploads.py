"""Who uploaded which file's bytes (O3, C2): `blob_uploads(content_hash, user_id,
uploaded_at)`, so a hash learned elsewhere no longer opens a file. The server fills it on
`PUT /attachments/{hash}`; a client cache leaves it empty.

Uploads made before this revision have no row: their files stay readable through the
tickets that carry them; a file not yet named on a ticket is uploaded again by its
client (a started sync engine sends every file's bytes before their `attachment.create`).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blob_uploads",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_blob_uploads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("content_hash", "user_id", name=op.f("pk_blob_uploads")),
    )


def downgrade() -> None:
    op.drop_table("blob_uploads")
