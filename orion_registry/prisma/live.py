"""A Prisma schema -> the `LiveSchema` that drift compares with the registry.

The schema is imported as `import prisma` imports it, then read as PostgreSQL would read
the DDL of `export sql` for that import (the same canonical types, defaults, keys and
foreign keys), so a registry imported from a schema agrees with it. What only the Prisma
schema knows is used where it is the truth: the names of keys and indexes.
Every object has the line of its declaration, in the file that declares it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..models import Index, Service, Table
from ..sql.ddl import foreign_key
from ..sql.live import LiveColumn, LiveForeignKey, LiveIndex, LiveSchema, LiveTable
from ..sql.normal import (
    column_type,
    enum_types,
    is_default_operator_class,
    predicate,
    registry_default,
    unique_columns,
)
from .ast import Attribute, Block, Schema
from .importer import Importer, default_name, field_names, index_name
from .parser import PrismaSyntaxError, parse_files, schema_sources

LABEL = "the Prisma schema"
_SERVICE = TypeAdapter(Service)


@dataclass(slots=True)
class PrismaLiveSchema(LiveSchema):
    """A LiveSchema read from a Prisma schema (its objects may live in several files)."""


def read_prisma_schema(path: Path, shown: str) -> PrismaLiveSchema:
    """The schema at `path` (a .prisma file or a folder of them), named `shown` in messages;
    PrismaSyntaxError when it cannot be read."""
    sources = schema_sources(path, shown)
    if not sources:
        raise PrismaSyntaxError(shown, 1, 1, "no .prisma files in this folder")
    live = live_schema(parse_files(list(sources), sources))
    live.file = shown
    return live


def live_schema(schema: Schema) -> PrismaLiveSchema:
    """A parsed schema as PostgreSQL would hold it after `prisma migrate`."""
    importer = Importer(schema)
    data = importer.service("prisma", "prisma")
    try:
        service = _SERVICE.validate_python(data)
    except ValidationError as exc:  # a bug of the importer, not of the schema
        first = schema.files[0] if schema.files else "schema"
        raise PrismaSyntaxError(first, 1, 1, f"the import does not load: {exc}") from None
    live = PrismaLiveSchema(label=LABEL, file=schema.files[0] if schema.files else None)
    blocks = {model.table: model for model in importer.models.values()}
    keys = {t.name: unique_columns(t) for t in service.tables}
    enums = enum_types(service)
    for table in service.tables:
        model = blocks[table.name]
        live.tables[table.name] = _table(table, enums, keys, _primary_name(table.name, model.block))
        _place(live, table.name, model.block, model.block.pos[0])
        fields = {
            model.columns[f.name]: f
            for f in model.block.members
            if f.type is not None and f.type.name not in importer.models
        }
        for name, f in fields.items():
            if name in live.tables[table.name].columns:
                _place(live, f"{table.name}.{name}", model.block, f.pos[0])
        _index_lines(live, table.name, model.block, model.columns, fields)
    for enum in service.enums:
        name = enum.db_name or enum.name
        live.enums[name] = list(enum.values)
        block = importer.enums[enum.name]
        _place(live, name, block, block.pos[0])
    return live


def _table(
    table: Table, enums: dict[str, str], keys: dict[str, set[str]], primary_name: str
) -> LiveTable:
    live = LiveTable(table.name)
    for col in table.columns:
        type_name, is_enum = column_type(col.type, enums)
        nullable = col.nullable and not table.is_key(col)
        live.columns[col.name] = LiveColumn(
            col.name, type_name, is_enum, nullable, registry_default(col)
        )
    primary = tuple(table.key_columns())  # in key order (`@@id([b, a])`)
    if primary:
        live.indexes[primary_name] = LiveIndex(primary_name, primary, True, True, "btree", None)
    for col in table.columns:
        if col.unique and primary != (col.name,):
            name = default_name(table.name, [col.name], "_key")
            live.indexes[name] = LiveIndex(name, (col.name,), True, False, "btree", None)
    for ix in table.indexes:
        live.indexes[ix.name] = _index(ix)
    for col in table.columns:
        fk = foreign_key(table, col, keys)
        if fk is not None and fk.ref_column in keys[fk.ref_table]:
            live.foreign_keys.append(
                LiveForeignKey(fk.name, (fk.column,), "public", fk.ref_table, (fk.ref_column,))
            )
    return live


def _index(ix: Index) -> LiveIndex:
    """An index as PostgreSQL reports it: a default operator class is no operator class."""
    method = (ix.type or "btree").lower()
    ops = [ix.ops.get(c) for c in ix.columns]
    return LiveIndex(
        ix.name,
        tuple(ix.columns),
        ix.unique,
        False,
        method,
        predicate(ix.where),
        tuple(None if o is None or is_default_operator_class(method, o) else o for o in ops),
        tuple(ix.order.get(c) == "desc" for c in ix.columns),
    )


def _primary_name(table: str, block: Block) -> str:
    """The primary key's name: `@@id(map: ...)` / `@id(map: ...)`, else `<table>_pkey`."""
    attribute = block.attribute("id") or next(
        (f.attribute("id") for f in block.members if f.attribute("id")), None
    )
    return index_name(table, attribute, []) if attribute else f"{table}_pkey"


def _place(live: PrismaLiveSchema, key: str, block: Block, line: int) -> None:
    live.lines[key] = line
    live.files[key] = block.file


def _mapped(attribute: Attribute, columns: dict[str, str]) -> list[str]:
    return [columns.get(n, n) for n, _ in field_names(attribute.arg("fields", 0))]


def _index_lines(
    live: PrismaLiveSchema, table: str, block: Block, columns: dict[str, str], fields: dict
) -> None:
    """The line of each index and key: its `@@` attribute, or the field's `@id`/`@unique`."""
    for column, f in fields.items():
        for attribute in (f.attribute("id"), f.attribute("unique")):
            if attribute is not None:
                name = index_name(table, attribute, [column])
                _place(live, f"{table}.{name}", block, attribute.pos[0])
    for attribute in block.attributes:
        if attribute.name in ("id", "unique", "index"):
            name = index_name(table, attribute, _mapped(attribute, columns))
            _place(live, f"{table}.{name}", block, attribute.pos[0])
    for name in list(live.tables[table].indexes):
        if f"{table}.{name}" not in live.lines:
            _place(live, f"{table}.{name}", block, block.pos[0])
