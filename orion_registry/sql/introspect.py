"""A live PostgreSQL database -> the shape of the registry (read-only, via pg_catalog).

Tables, columns (canonical types, nullability, canonical defaults), indexes (columns,
uniqueness, access method, predicate, whether they back the primary key), enum types
with their values in order, and foreign keys. Types and defaults use the canonical
forms of `normal.py`, so they compare directly with the registry's.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg

from ..lang.pgtypes import normalize
from .live import LiveColumn, LiveForeignKey, LiveIndex, LiveSchema, LiveTable
from .normal import database_default, predicate

IGNORED_TABLES = frozenset({"_prisma_migrations"})  # Prisma's own bookkeeping


class Unreachable(Exception):
    """The database cannot be reached; the message never contains the password."""


def redact(dsn: str) -> str:
    """The DSN without its password, for messages (URL or key=value form)."""
    if "://" in dsn:
        parts = urlsplit(dsn)
        if parts.password is not None:
            host = parts.hostname or ""
            if ":" in host:
                host = f"[{host}]"
            netloc = f"{parts.username}:***@{host}" if parts.username else f":***@{host}"
            if parts.port:
                netloc += f":{parts.port}"
            parts = parts._replace(netloc=netloc)
        query = "&".join(
            "password=***" if q.lower().startswith("password=") else q
            for q in parts.query.split("&")
            if q
        )
        return urlunsplit(parts._replace(query=query))
    words = [("password=***" if w.lower().startswith("password=") else w) for w in dsn.split()]
    return " ".join(words)


_TABLES = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname
"""
_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
       CASE WHEN t.typtype = 'e' THEN t.typname WHEN e.typtype = 'e' THEN e.typname || '[]' END,
       a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity <> ''
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum
"""
_INDEXES = """
SELECT c.relname, i.relname, x.indisunique, x.indisprimary, am.amname,
       pg_get_expr(x.indpred, x.indrelid, true),
       ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)
             FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k),
       ARRAY(SELECT CASE WHEN o.opcdefault THEN NULL ELSE o.opcname END
             FROM generate_series(1, x.indnkeyatts) AS k
             JOIN pg_opclass o ON o.oid = x.indclass[k - 1] ORDER BY k),
       ARRAY(SELECT (x.indoption[k - 1] & 1) = 1
             FROM generate_series(1, x.indnkeyatts) AS k ORDER BY k)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, i.relname
"""
_ENUMS = """
SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = %(schema)s
GROUP BY t.typname ORDER BY t.typname
"""
_FOREIGN_KEYS = """
SELECT c.relname, con.conname, rn.nspname, rc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num
             ORDER BY k.ord),
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY AS k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num
             ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class rc ON rc.oid = con.confrelid
JOIN pg_namespace rn ON rn.oid = rc.relnamespace
WHERE con.contype = 'f' AND n.nspname = %(schema)s
ORDER BY c.relname, con.conname
"""


def _unquote(name: str) -> str:
    """`"userId"` (as pg_get_indexdef prints it) -> `userId`; expressions are kept."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name


def introspect(dsn: str, schema: str = "public", timeout: int = 10) -> LiveSchema:
    """Read `schema` of the database at `dsn`; Unreachable when it cannot connect."""
    try:
        conn = psycopg.connect(dsn, connect_timeout=timeout, autocommit=True)
    except (psycopg.Error, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Unreachable(f"cannot connect to {redact(dsn)}: {redact_text(reason, dsn)}") from None
    with conn:
        return read_schema(conn, schema)


def redact_text(text: str, dsn: str) -> str:
    """`text` with the DSN's password (if any) masked, in case a driver echoes it."""
    password = urlsplit(dsn).password if "://" in dsn else None
    for word in dsn.split():
        if word.lower().startswith("password="):
            password = word.split("=", 1)[1]
    return text.replace(password, "***") if password else text


def read_schema(conn: psycopg.Connection, schema: str = "public") -> LiveSchema:
    live = LiveSchema()
    params = {"schema": schema}
    for (name,) in conn.execute(_TABLES, params):
        if name not in IGNORED_TABLES:
            live.tables[name] = LiveTable(name)
    for table, name, type_name, enum, not_null, default, identity in conn.execute(_COLUMNS, params):
        if table in live.tables:
            canonical = (
                "autoincrement()"
                if identity
                else (database_default(default) if default is not None else None)
            )
            live.tables[table].columns[name] = LiveColumn(
                name, enum or normalize(type_name), enum is not None, not not_null, canonical
            )
    for table, name, unique, primary, method, where, columns, ops, desc in conn.execute(
        _INDEXES, params
    ):
        if table in live.tables:
            live.tables[table].indexes[name] = LiveIndex(
                name, tuple(_unquote(c) for c in columns), unique, primary, method,
                predicate(where), tuple(ops), tuple(desc),
            )  # fmt: skip
    for name, values in conn.execute(_ENUMS, params):
        live.enums[name] = list(values)
    for table, name, ref_schema, ref_table, columns, ref_columns in conn.execute(
        _FOREIGN_KEYS, params
    ):
        if table in live.tables:
            live.tables[table].foreign_keys.append(
                LiveForeignKey(name, tuple(columns), ref_schema, ref_table, tuple(ref_columns))
            )
    return live
