"""Persian-aware full-text index of the local cache (E6).

Each searched table gets a contentless FTS5 index over its folded text
(core.textnorm.search_key, registered as the SQL function hd_search_key on every
connection) and a map from FTS rowids to record ids, kept by triggers so every writer (ORM,
sync apply, demo data) keeps the index right. SQLite only: the server searches with its
own database's tools.

Why this shape (measured on 200k messages, notes in core/search.py):
- contentless (`content=''`) and `detail=none`: the index is ~25 MB instead of ~130 MB,
  because it does not keep a second copy of every message; we never need snippets or
  phrase positions from it (the window shows the real text).
- `prefix='1 2 3'`: every query word is a prefix match; without prefix indexes a short
  prefix such as "می" merges thousands of terms per query (15-200 ms at 200k rows).
- The map's `doc` is AUTOINCREMENT so a rowid is never reused: it is the insertion order
  that "newest first" searches read backwards.

A contentless index forgets its text, so a delete must hand it the very tokens it got:
the triggers recompute them from the OLD row. When core.textnorm.SEARCH_KEY_VERSION
changes, core.search.ensure_search_index rebuilds the index from the tables.

Writers must use `INSERT ... ON CONFLICT DO UPDATE`, never `INSERT OR REPLACE`: the
implicit delete of REPLACE fires no trigger, and the map's unique id then makes the write
fail loudly instead of leaving the index wrong.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from core.textnorm import SEARCH_KEY_VERSION

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# a phone is also indexed with its separators removed, so "0912 345 6789" is one token too
_PHONE = (
    "coalesce({c}, '') || ' ' || replace(replace(replace(replace(replace("
    "coalesce({c}, ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')"
)

# table -> (text expression over a row {r}, columns whose change re-indexes, extra map columns)
SOURCES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "tickets": (
        "{r}.title || ' ' || {r}.description || ' ' || {r}.contact_email"
        " || ' ' || coalesce({r}.number, '') || ' ' || " + _PHONE.format(c="{r}.contact_mobile"),
        ("title", "description", "contact_email", "number", "contact_mobile"),
        (),
    ),
    "messages": ("{r}.body", ("body",), ("ticket_id",)),
    "contacts": (
        "{r}.name || ' ' || coalesce({r}.email, '') || ' ' || " + _PHONE.format(c="{r}.mobile"),
        ("name", "email", "mobile"),
        (),
    ),
    "kb_articles": (
        "{r}.title || ' ' || {r}.keywords || ' ' || {r}.body",
        ("title", "keywords", "body"),
        (),
    ),
}

FTS_OPTIONS = "key, content='', detail=none, prefix='1 2 3', tokenize='unicode61'"


def upgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE search_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    for table, (expr, columns, extra) in SOURCES.items():
        fts, fmap = f"{table}_fts", f"{table}_fts_map"
        extra_defs = "".join(f", {c} TEXT" for c in extra)
        extra_cols = "".join(f", {c}" for c in extra)
        extra_new = "".join(f", new.{c}" for c in extra)
        op.execute(
            f"CREATE TABLE {fmap} (doc INTEGER PRIMARY KEY AUTOINCREMENT,"
            f" id TEXT NOT NULL UNIQUE{extra_defs})"
        )
        for c in extra:
            op.execute(f"CREATE INDEX ix_{fmap}_{c} ON {fmap} ({c})")
        op.execute(f"CREATE VIRTUAL TABLE {fts} USING fts5({FTS_OPTIONS})")
        new_key = f"hd_search_key({expr.format(r='new')})"
        old_key = f"hd_search_key({expr.format(r='old')})"
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns)
        op.execute(
            f"""CREATE TRIGGER {table}_fts_ins AFTER INSERT ON {table} BEGIN
                INSERT INTO {fmap} (id{extra_cols}) VALUES (new.id{extra_new});
                INSERT INTO {fts} (rowid, key) VALUES (last_insert_rowid(), {new_key});
            END"""
        )
        op.execute(
            f"""CREATE TRIGGER {table}_fts_upd AFTER UPDATE OF {", ".join(columns)}
                ON {table} WHEN {changed} BEGIN
                INSERT INTO {fts} ({fts}, rowid, key)
                    SELECT 'delete', doc, {old_key} FROM {fmap} WHERE id = old.id;
                INSERT INTO {fts} (rowid, key)
                    SELECT doc, {new_key} FROM {fmap} WHERE id = new.id;
            END"""
        )
        if extra:
            sets = ", ".join(f"{c} = new.{c}" for c in extra)
            moved = " OR ".join(f"old.{c} IS NOT new.{c}" for c in extra)
            op.execute(
                f"""CREATE TRIGGER {table}_fts_move AFTER UPDATE OF {", ".join(extra)}
                    ON {table} WHEN {moved} BEGIN
                    UPDATE {fmap} SET {sets} WHERE id = new.id;
                END"""
            )
        op.execute(
            f"""CREATE TRIGGER {table}_fts_del AFTER DELETE ON {table} BEGIN
                INSERT INTO {fts} ({fts}, rowid, key)
                    SELECT 'delete', doc, {old_key} FROM {fmap} WHERE id = old.id;
                DELETE FROM {fmap} WHERE id = old.id;
            END"""
        )
        # rows written before this revision (none in a new cache) are indexed now
        op.execute(f"INSERT INTO {fmap} (id{extra_cols}) SELECT id{extra_cols} FROM {table}")
        op.execute(
            f"INSERT INTO {fts} (rowid, key) SELECT m.doc, hd_search_key({expr.format(r='t')})"
            f" FROM {fmap} m JOIN {table} t ON t.id = m.id"
        )
    op.execute(
        "INSERT INTO search_meta (name, value) VALUES ('search_key_version', "
        f"'{SEARCH_KEY_VERSION}')"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "sqlite":
        return
    for table in SOURCES:
        for suffix in ("ins", "upd", "move", "del"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts")
        op.execute(f"DROP TABLE IF EXISTS {table}_fts_map")
    op.execute("DROP TABLE IF EXISTS search_meta")
