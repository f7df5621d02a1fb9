"""The shape of a schema to compare the registry with: a live database or a Prisma schema.

Types and defaults use the canonical forms of `normal.py`, so they compare directly with
the registry's. Nothing here talks to a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LiveColumn:
    name: str
    type: str  # canonical (`varchar(255)`, `timestamptz`); an enum's type name
    is_enum: bool
    nullable: bool
    default: str | None  # canonical: uuid() | now() | autoincrement() | literal | dbgenerated(..)


@dataclass(frozen=True, slots=True)
class LiveIndex:
    name: str
    columns: tuple[str, ...]  # column names; an expression as PostgreSQL prints it
    unique: bool
    primary: bool
    method: str
    where: str | None  # canonical predicate
    ops: tuple[str | None, ...] = ()  # each key's operator class; None for the type's default
    descending: tuple[bool, ...] = ()  # each key's sort order


@dataclass(frozen=True, slots=True)
class LiveForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_schema: str
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(slots=True)
class LiveTable:
    name: str
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    indexes: dict[str, LiveIndex] = field(default_factory=dict)
    foreign_keys: list[LiveForeignKey] = field(default_factory=list)


@dataclass(slots=True)
class LiveSchema:
    tables: dict[str, LiveTable] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    label: str = "the database"  # how messages name the other side ("the Prisma schema")
    file: str | None = None  # the schema file, when the other side is one
    lines: dict[str, int] = field(default_factory=dict)  # object key -> line in `file`

    def where(self, key: str) -> str:
        """` (file:line)` for an object (`table`, `table.column`, `table.index`, `enum`)."""
        line = self.lines.get(key)
        return f" ({self.file}:{line})" if self.file and line else ""
