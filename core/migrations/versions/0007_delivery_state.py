"""What became of an agent reply's mail and SMS (S7, I4), synced with the message.

`messages.delivery_state` / `delivery_error` summarise the server's deliveries of each
message (None, pending, sent or failed, and why); `deliveries.claimed_at` is when a sender
moved a delivery to `sending`, so one left there by a crash can be told apart and failed.

Messages that already have deliveries get their summary here, one version step and a
change-log entry (where the change counter exists, i.e. on a server), so every agent's
next pull brings them; a client cache has no deliveries and nothing happens there.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ERROR_LIMIT = 2000

_messages = sa.table(
    "messages",
    sa.column("id", sa.String),
    sa.column("ticket_id", sa.String),
    sa.column("version", sa.Integer),
    sa.column("delivery_state", sa.String),
    sa.column("delivery_error", sa.Text),
)
_deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Integer),
    sa.column("message_id", sa.String),
    sa.column("recipient", sa.String),
    sa.column("state", sa.String),
    sa.column("last_error", sa.Text),
)
_counters = sa.table("sync_counters", sa.column("name", sa.String), sa.column("value", sa.Integer))
_changes = sa.table(
    "changes",
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("op", sa.String),
    sa.column("ticket_id", sa.String),
)


def upgrade() -> None:
    op.add_column("messages", sa.Column("delivery_state", sa.String(length=12), nullable=True))
    op.add_column("messages", sa.Column("delivery_error", sa.Text(), nullable=True))
    op.add_column("deliveries", sa.Column("claimed_at", sa.DateTime(), nullable=True))
    _backfill()


def _summary(rows: list[tuple[str, str, str | None]]) -> tuple[str, str | None]:
    """The same rule as sync.server.mail_out.delivery_summary (kept here as it was when
    this revision was written)."""
    failed = [
        f"{recipient}: {error or 'failed'}" for state, recipient, error in rows if state == "failed"
    ]
    if failed:
        return "failed", "\n".join(failed)[:ERROR_LIMIT]
    if any(state in ("pending", "sending") for state, _, _ in rows):
        return "pending", None
    return "sent", None


def _backfill() -> None:
    conn = op.get_bind()
    per_message: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for message_id, recipient, state, error in conn.execute(
        sa.select(
            _deliveries.c.message_id,
            _deliveries.c.recipient,
            _deliveries.c.state,
            _deliveries.c.last_error,
        ).order_by(_deliveries.c.id)
    ):
        per_message[message_id].append((state, recipient, error))
    if not per_message:
        return
    tickets: dict[str, str] = {}
    ids = sorted(per_message)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        tickets.update(
            conn.execute(
                sa.select(_messages.c.id, _messages.c.ticket_id).where(_messages.c.id.in_(chunk))
            ).all()
        )
    ids = [i for i in ids if i in tickets]
    for message_id in ids:
        state, error = _summary(per_message[message_id])
        conn.execute(
            _messages.update()
            .where(_messages.c.id == message_id)
            .values(
                delivery_state=state,
                delivery_error=error,
                version=_messages.c.version + 1,
            )
        )
    top = conn.execute(
        _counters.update()
        .where(_counters.c.name == "changes")
        .values(value=_counters.c.value + len(ids))
        .returning(_counters.c.value)
    ).scalar_one_or_none()
    if top is None:
        return  # no change log here (a client cache)
    base = int(top) - len(ids) + 1
    # the backfilled messages are exactly those with a summary (the column is new)
    summarised = sa.select(_messages.c.id).where(_messages.c.delivery_state.is_not(None))
    conn.execute(
        _changes.delete().where(
            _changes.c.entity == "message", _changes.c.entity_id.in_(summarised)
        )
    )
    conn.execute(
        _changes.insert(),
        [
            {
                "entity": "message",
                "entity_id": message_id,
                "seq": base + offset,
                "op": "upsert",
                "ticket_id": tickets[message_id],
            }
            for offset, message_id in enumerate(ids)
        ],
    )


def downgrade() -> None:
    op.drop_column("deliveries", "claimed_at")
    op.drop_column("messages", "delivery_error")
    op.drop_column("messages", "delivery_state")
