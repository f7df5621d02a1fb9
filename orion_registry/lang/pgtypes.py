"""PostgreSQL type names and column defaults: spellings of one thing reduced to one form.

`normalize` gives the canonical spelling (`TIMESTAMP(3) WITH TIME ZONE` -> `timestamptz(3)`);
the `is_*` predicates classify a type by its base name. An enum-typed column is not a
Postgres base type: callers pass the service's enum names (`Context.enum_names`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int2": "smallint",
    "int8": "bigint",
    "bool": "boolean",
    "float4": "real",
    "float8": "double precision",
    "decimal": "numeric",
    "character varying": "varchar",
    "character": "char",
    "bpchar": "char",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time with time zone": "timetz",
    "time without time zone": "time",
    "serial4": "serial",
    "serial8": "bigserial",
}
_TYPE = re.compile(r"^(?P<base>[^(\[]+?)\s*(?:\((?P<args>[^)]*)\))?\s*(?P<array>(?:\[\])*)$")
# `timestamp(3) with time zone`: the precision sits between the name and the zone words.
_ZONED = re.compile(r"^(?P<base>timestamp|time)\s*(?P<args>\([^)]*\))\s*(?P<zone>with|without)")

UUID_TYPES = frozenset({"uuid"})
TIMESTAMP_TYPES = frozenset({"timestamp", "timestamptz"})
TEXT_TYPES = frozenset({"text", "varchar", "char", "citext"})
JSON_TYPES = frozenset({"json", "jsonb"})

# Defaults that generate a uuid / the current time (Prisma functions and Postgres ones).
_UUID_DEFAULT = re.compile(
    r"^(uuid\(\d*\)|gen_random_uuid\(\)|uuid_generate_v\w+\(\)|uuidv[47]\(\)|dbgenerated\(.*\))$",
    re.IGNORECASE,
)
_NOW_DEFAULT = re.compile(
    r"^(now\(\)|current_timestamp(\(\d*\))?|localtimestamp(\(\d*\))?|"
    r"(clock|statement|transaction)_timestamp\(\)|dbgenerated\(.*now\(\).*\))$",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def normalize(type_name: str) -> str:
    """`VARCHAR( 255 )` -> `varchar(255)`, `int4` -> `integer`; unknown names kept, lowercased."""
    text = " ".join(type_name.strip().lower().split())
    zoned = _ZONED.match(text)
    if zoned:  # move the precision to the end: `timestamp(3) with time zone` -> `timestamptz(3)`
        text = f"{zoned['base']} {zoned['zone']}{text[zoned.end() :]}{zoned['args']}"
    match = _TYPE.match(text)
    if match is None:
        return text
    base = _ALIASES.get(match["base"], match["base"])
    args = match["args"]
    suffix = f"({','.join(a.strip() for a in args.split(','))})" if args else ""
    return f"{base}{suffix}{match['array']}"


@lru_cache(maxsize=4096)
def base_name(type_name: str) -> str:
    """The type without length, precision or array brackets: `varchar(255)[]` -> `varchar`."""
    return re.split(r"[(\[]", normalize(type_name), maxsplit=1)[0]


@lru_cache(maxsize=4096)
def is_array(type_name: str) -> bool:
    return normalize(type_name).endswith("[]")


def has_length(type_name: str) -> bool:
    """`varchar(255)` has one; `varchar` and `text` do not."""
    return "(" in normalize(type_name)


def _scalar_base(type_name: str, enums: Collection[str]) -> str | None:
    """The base name of a non-array, non-enum type; None otherwise."""
    if type_name in enums or is_array(type_name):
        return None
    return base_name(type_name)


def is_uuid(type_name: str, enums: Collection[str] = ()) -> bool:
    return _scalar_base(type_name, enums) in UUID_TYPES


def is_timestamp(type_name: str, enums: Collection[str] = ()) -> bool:
    return _scalar_base(type_name, enums) in TIMESTAMP_TYPES


def is_text(type_name: str, enums: Collection[str] = ()) -> bool:
    """A free-text type (text, varchar, char, citext); enum types and arrays are not."""
    return _scalar_base(type_name, enums) in TEXT_TYPES


def is_json(type_name: str, enums: Collection[str] = ()) -> bool:
    """json or jsonb, also as an array."""
    return type_name not in enums and base_name(type_name) in JSON_TYPES


def is_uuid_default(default: object) -> bool:
    """A default that generates a uuid: `uuid()`, `gen_random_uuid()`, `dbgenerated(...)`..."""
    return isinstance(default, str) and bool(_UUID_DEFAULT.match(default.strip()))


def is_now_default(default: object) -> bool:
    """A default that is the current time: `now()`, `CURRENT_TIMESTAMP`..."""
    return isinstance(default, str) and bool(_NOW_DEFAULT.match(default.strip()))
