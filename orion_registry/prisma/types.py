"""Prisma scalar and `@db.*` native types <-> PostgreSQL type names, both directions.

Registry types are PostgreSQL spellings (`varchar(255)`, `timestamptz(3)`, `text[]`);
the aliases a person may write (`int`, `character varying(255)`) are folded by
`lang/pgtypes.normalize`, whose spelling is the one the importer writes.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ..lang.pgtypes import normalize

# The PostgreSQL type of a Prisma scalar without `@db.*` (Prisma's own defaults).
SCALAR_TYPES = {
    "String": "text",
    "Boolean": "boolean",
    "Int": "integer",
    "BigInt": "bigint",
    "Float": "double precision",
    "Decimal": "numeric(65,30)",
    "DateTime": "timestamp(3)",
    "Json": "jsonb",
    "Bytes": "bytea",
}

# `@db.<Native>` -> the PostgreSQL type name; arguments go in parentheses.
NATIVE_TYPES = {
    "Text": "text",
    "VarChar": "varchar",
    "Char": "char",
    "Uuid": "uuid",
    "Xml": "xml",
    "Inet": "inet",
    "Citext": "citext",
    "Bit": "bit",
    "VarBit": "varbit",
    "SmallInt": "smallint",
    "Integer": "integer",
    "Oid": "oid",
    "BigInt": "bigint",
    "Real": "real",
    "DoublePrecision": "double precision",
    "Decimal": "numeric",
    "Money": "money",
    "Timestamp": "timestamp",
    "Timestamptz": "timestamptz",
    "Date": "date",
    "Time": "time",
    "Timetz": "timetz",
    "Boolean": "boolean",
    "Json": "json",
    "JsonB": "jsonb",
    "ByteA": "bytea",
}

# Which Prisma scalar holds each PostgreSQL type (for export).
_SCALAR_OF = {
    "text": "String", "varchar": "String", "char": "String", "uuid": "String", "xml": "String",
    "inet": "String", "citext": "String", "bit": "String", "varbit": "String",
    "smallint": "Int", "integer": "Int", "oid": "Int", "bigint": "BigInt",
    "real": "Float", "double precision": "Float", "numeric": "Decimal", "money": "Decimal",
    "timestamp": "DateTime", "timestamptz": "DateTime", "date": "DateTime", "time": "DateTime",
    "timetz": "DateTime", "boolean": "Boolean", "json": "Json", "jsonb": "Json", "bytea": "Bytes",
    "serial": "Int", "bigserial": "BigInt",
}  # fmt: skip
_NATIVE_OF = {pg: native for native, pg in NATIVE_TYPES.items()}
_DEFAULT_OF = {pg: scalar for scalar, pg in SCALAR_TYPES.items()}

_TYPE = re.compile(r"^(?P<base>[^(\[]+?)(?:\((?P<args>[^)]*)\))?(?P<list>(?:\[\])*)$")


def native_type(name: str, args: list[str]) -> str | None:
    """`@db.VarChar(255)` (as "VarChar", ["255"]) -> `varchar(255)`; None when unknown."""
    base = NATIVE_TYPES.get(name)
    if base is None:
        return None
    return f"{base}({','.join(args)})" if args else base


def split_type(pg_type: str) -> tuple[str, list[str], bool]:
    """`NUMERIC(10, 2)[]` -> ("numeric", ["10", "2"], True), spellings normalized."""
    match = _TYPE.match(normalize(pg_type))
    if match is None:
        return normalize(pg_type), [], False
    args = match["args"].split(",") if match["args"] else []
    return match["base"], args, bool(match["list"])


def canonical_type(pg_type: str, enums: Collection[str] = ()) -> str:
    """One spelling of a type (`int4` -> `integer`); enum names are kept as they are."""
    return pg_type if pg_type.removesuffix("[]") in enums else normalize(pg_type)


def prisma_type(pg_type: str) -> tuple[str, str | None, bool] | None:
    """A PostgreSQL type -> (Prisma scalar, `@db.*` attribute or None, is a list); None if
    Prisma has no scalar for it (export it as `Unsupported(...)`)."""
    base, args, is_list = split_type(pg_type)
    canonical = f"{base}({','.join(args)})" if args else base
    if canonical in _DEFAULT_OF:
        return _DEFAULT_OF[canonical], None, is_list
    scalar = _SCALAR_OF.get(base)
    if scalar is None:
        return None
    native = _NATIVE_OF.get(base)
    if native is None or (base in _DEFAULT_OF and not args):
        return scalar, None, is_list  # the scalar's own type (or serial: Int / BigInt)
    return scalar, f"@db.{native}" + (f"({', '.join(args)})" if args else ""), is_list
