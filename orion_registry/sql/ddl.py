"""A service of the registry -> PostgreSQL DDL for its database.

Order: extensions whose types columns use (`citext`), enum types, tables (columns,
primary key, unique constraints), comments, indexes, then foreign keys as `ALTER TABLE`
(so tables may reference each other in any order). A foreign key comes only from a
two-part `references: table.column` to a table of this service: a reference to another
service's database never becomes a constraint, and one to a column not unique on its own
(part of a composite key) becomes a comment.
Identifiers and literals are quoted by psycopg; types must look like a type and
expressions (`where:`, `dbgenerated(...)`) must parse as one SQL expression.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass

from psycopg import sql

from ..loader import ServiceDoc
from ..models import Column, Index, Link, Service, Table
from .normal import (
    SAFE_TYPE,
    ExpressionError,
    column_type,
    enum_types,
    expression,
    index_key,
    is_json,
    registry_default,
    unique_columns,
)

Path = tuple[str | int, ...]

# Types that an extension shipped with PostgreSQL (contrib) provides: the DDL creates it.
EXTENSION_TYPES = {"citext": "citext", "hstore": "hstore", "ltree": "ltree"}


class DdlError(ValueError):
    """A registry value that cannot be written as DDL, with where it is in the YAML."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def ident(name: str) -> str:
    return sql.Identifier(name).as_string(None)


def literal(value: object) -> str:
    return sql.Literal(value).as_string(None).lstrip()  # ` E'a\\b'`: no leading space


OPERATOR_CLASS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def _names(names: list[str]) -> str:
    return ", ".join(ident(n) for n in names)


@dataclass(frozen=True, slots=True)
class ForeignKey:
    table: str
    column: str
    ref_table: str
    ref_column: str

    @property
    def name(self) -> str:
        return f"{self.table}_{self.column}_fkey"

    def sql(self) -> str:
        return (
            f"ALTER TABLE {ident(self.table)} ADD CONSTRAINT {ident(self.name)} "
            f"FOREIGN KEY ({ident(self.column)}) "
            f"REFERENCES {ident(self.ref_table)} ({ident(self.ref_column)});"
        )

    def note(self) -> str:
        """A comment instead of a key PostgreSQL refuses, when the target column is not
        unique on its own (one column of a composite relation, imported per column)."""
        text = (
            f"no foreign key {ident(self.table)}.{ident(self.column)} -> "
            f"{ident(self.ref_table)}.{ident(self.ref_column)}: the target is not unique on its own"
        )
        return "-- " + " ".join(text.split())  # a newline in a name must not end the comment


def foreign_key(table: Table, column: Column, tables: Container[str]) -> ForeignKey | None:
    """The in-database foreign key a column declares, if any (never across databases)."""
    ref = column.references
    if isinstance(ref, Link):
        if not ref.foreign_key:
            return None
        ref = ref.column
    if ref is None or ref.count(".") != 1:
        return None
    ref_table, ref_column = ref.split(".")
    if ref_table not in tables:
        return None  # another service's table (R401) or a typo (R402): no constraint
    return ForeignKey(table.name, column.name, ref_table, ref_column)


def extensions(service: Service, enums: dict[str, str]) -> list[str]:
    """The extensions whose types the service's columns use, sorted."""
    used = set()
    for table in service.tables:
        for col in table.columns:
            type_name, is_enum = column_type(col.type, enums)
            if not is_enum and type_name.split("[")[0] in EXTENSION_TYPES:
                used.add(EXTENSION_TYPES[type_name.split("[")[0]])
    return sorted(used)


def default_sql(column: Column, path: Path) -> str | None:
    """The DEFAULT clause's expression, or None (autoincrement is an identity instead)."""
    canonical = registry_default(column)
    if canonical is None or canonical == "autoincrement()":
        return None
    if canonical == "uuid()":
        return "gen_random_uuid()"
    if canonical == "now()":
        return "now()"
    if canonical.startswith("dbgenerated(") and canonical.endswith(")"):
        try:
            return expression(canonical[len("dbgenerated(") : -1])
        except ExpressionError as exc:
            raise DdlError(f"default: {exc}", (*path, "default")) from None
    if isinstance(column.default, bool | int | float):
        return literal(column.default)
    if isinstance(column.default, str) and is_json(column.type):
        return literal(column.default.strip())  # as written: `json` keeps its key order
    return literal(canonical)


def column_sql(column: Column, enums: dict[str, str], path: Path, key: bool = False) -> str:
    type_name, is_enum = column_type(column.type, enums)
    if is_enum:
        base = type_name.removesuffix("[]" * type_name.count("[]"))
        type_sql = ident(base) + "[]" * type_name.count("[]")
    elif SAFE_TYPE.match(type_name):
        type_sql = type_name
    else:
        raise DdlError(f"type {column.type!r} is not a PostgreSQL type name", (*path, "type"))
    parts = [ident(column.name), type_sql]
    if not column.nullable or column.primary_key or key:
        parts.append("NOT NULL")
    default = default_sql(column, path)
    if default is not None:
        parts.append(f"DEFAULT {default}")
    elif registry_default(column) == "autoincrement()":
        parts.append("GENERATED BY DEFAULT AS IDENTITY")
    return " ".join(parts)


def table_sql(table: Table, enums: dict[str, str], path: Path) -> str:
    lines = [
        column_sql(col, enums, (*path, "columns", i), table.is_key(col))
        for i, col in enumerate(table.columns)
    ]
    primary = table.key_columns()
    if primary:
        lines.append(f"CONSTRAINT {ident(table.name + '_pkey')} PRIMARY KEY ({_names(primary)})")
    for col in table.columns:
        if col.unique and primary != [col.name]:
            name = ident(f"{table.name}_{col.name}_key")
            lines.append(f"CONSTRAINT {name} UNIQUE ({ident(col.name)})")
    body = ",\n".join(f"    {line}" for line in lines)
    return f"CREATE TABLE {ident(table.name)} (\n{body}\n);"


def _index_key(index: Index, column: str, path: Path) -> str:
    """`"email" gin_trgm_ops DESC`: a key with its operator class and sort order."""
    ops = index.ops.get(column)
    if ops is not None and not OPERATOR_CLASS.match(ops):
        raise DdlError(f"operator class {ops!r} is not a name", (*path, "ops", column))
    return index_key(ident(column), ops, index.order.get(column) == "desc")


def index_sql(table: Table, index: Index, path: Path) -> str:
    unique = "UNIQUE " if index.unique else ""
    method = ""
    if index.type:
        if not SAFE_TYPE.match(index.type.lower()):
            raise DdlError(f"index type {index.type!r} is not an access method", (*path, "type"))
        method = f" USING {index.type.lower()}"
    keys = ", ".join(_index_key(index, c, path) for c in index.columns)
    text = f"CREATE {unique}INDEX {ident(index.name)} ON {ident(table.name)}{method} ({keys})"
    if index.where:
        try:
            text += f" WHERE {expression(index.where)}"
        except ExpressionError as exc:
            raise DdlError(f"where: {exc}", (*path, "where")) from None
    return text + ";"


def comments(table: Table) -> Iterator[str]:
    if table.description:
        yield f"COMMENT ON TABLE {ident(table.name)} IS {literal(table.description.strip())};"
    for col in table.columns:
        if col.description:
            target = f"{ident(table.name)}.{ident(col.name)}"
            yield f"COMMENT ON COLUMN {target} IS {literal(col.description.strip())};"


def service_ddl(doc: ServiceDoc, with_comments: bool = True) -> str:
    """The DDL that creates `doc`'s database objects; DdlError on a value it cannot write."""
    service = doc.model
    enums = enum_types(service)
    keys = {t.name: unique_columns(t) for t in service.tables}
    blocks = [f"-- Service {service.service}: database {service.database}"]
    blocks += [
        f"CREATE EXTENSION IF NOT EXISTS {ident(name)};" for name in extensions(service, enums)
    ]
    for enum in service.enums:
        values = ", ".join(literal(v) for v in enum.values)
        blocks.append(f"CREATE TYPE {ident(enum.db_name or enum.name)} AS ENUM ({values});")
    indexes, constraints = [], []
    for t, table in enumerate(service.tables):
        path: Path = ("tables", t)
        blocks.append(table_sql(table, enums, path))
        notes = list(comments(table)) if with_comments else []
        if notes:
            blocks.append("\n".join(notes))
        indexes += [
            index_sql(table, ix, (*path, "indexes", i)) for i, ix in enumerate(table.indexes)
        ]
        for col in table.columns:
            fk = foreign_key(table, col, keys)
            if fk is not None:
                constraints.append(fk.sql() if fk.ref_column in keys[fk.ref_table] else fk.note())
    sections = [*blocks, "\n".join(indexes), "\n".join(constraints)]
    return "\n\n".join(s for s in sections if s) + "\n"
