"""Persian-aware full-text index of the local cache (E6).

Each searched table gets an FTS5 index over its folded text (core.textnorm.search_key,
registered as the SQL function hd_search_key on every connection) and a map from FTS
rowids to record ids, kept by triggers so every writer (ORM, sync apply, demo data)
keeps the index right. SQLite only: the server searches with its own database's tools.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (text expression over NEW/OLD row, columns whose update re-indexes, extra map columns)
SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "tickets": (
        "{r}.title || ' ' || {r}.description || ' ' || {r}.contact_email"
        " || ' ' || coalesce({r}.number, '')",
        "title, description, contact_email, number",
        (),
    ),
    # a merge (O6) moves messages to another ticket: the map's ticket_id must follow
    "messages": ("{r}.body", "body, ticket_id", ("ticket_id",)),
    "contacts": (
        "{r}.name || ' ' || coalesce({r}.email, '') || ' ' || coalesce({r}.mobile, '')",
        "name, email, mobile",
        (),
    ),
    "kb_articles": (
        "{r}.title || ' ' || {r}.keywords || ' ' || {r}.body",
        "title, keywords, body",
        (),
    ),
}


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table, (expr, columns, extra) in SOURCES.items():
        fts, fmap = f"{table}_fts", f"{table}_fts_map"
        extra_defs = "".join(f", {c} TEXT" for c in extra)
        extra_cols = "".join(f", {c}" for c in extra)
        extra_new = "".join(f", new.{c}" for c in extra)
        op.execute(
            f"CREATE TABLE {fmap} (doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE{extra_defs})"
        )
        for c in extra:
            op.execute(f"CREATE INDEX ix_{fmap}_{c} ON {fmap} ({c})")
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5(key, tokenize='unicode61')")
        new_text = f"hd_search_key({expr.format(r='new')})"
        set_extra = ", ".join(f"{c} = new.{c}" for c in extra)
        upd_map = f"UPDATE {fmap} SET {set_extra} WHERE id = new.id;" if extra else ""
        op.execute(
            f"""CREATE TRIGGER {table}_fts_ins AFTER INSERT ON {table} BEGIN
                INSERT INTO {fmap} (id{extra_cols}) VALUES (new.id{extra_new});
                INSERT INTO {fts} (rowid, key) VALUES (last_insert_rowid(), {new_text});
            END"""
        )
        op.execute(
            f"""CREATE TRIGGER {table}_fts_upd AFTER UPDATE OF {columns} ON {table} BEGIN
                UPDATE {fts} SET key = {new_text}
                 WHERE rowid = (SELECT doc FROM {fmap} WHERE id = new.id);
                {upd_map}
            END"""
        )
        op.execute(
            f"""CREATE TRIGGER {table}_fts_del AFTER DELETE ON {table} BEGIN
                DELETE FROM {fts} WHERE rowid = (SELECT doc FROM {fmap} WHERE id = old.id);
                DELETE FROM {fmap} WHERE id = old.id;
            END"""
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table in SOURCES:
        for suffix in ("ins", "upd", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts_map")
