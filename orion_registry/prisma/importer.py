"""A parsed Prisma schema -> the data of a registry service file, plus warnings.

Names are the database's: tables from `@@map` (else the model name), columns from
`@map`, enum values as stored (`@map` of a value). What the registry cannot express is
a `Note` (a warning with the schema position), never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..lang.words import to_snake
from .ast import Attribute, Block, Call, Field, Ident, Num, Schema, Str, Value, render
from .parser import PrismaSyntaxError
from .types import SCALAR_TYPES, native_type

POSTGRES_PROVIDERS = {"postgresql", "postgres"}
MAX_IDENTIFIER = 63  # bytes, PostgreSQL's NAMEDATALEN - 1
_INDEX_TYPES = {
    "BTree": "btree", "Hash": "hash", "Gist": "gist",
    "Gin": "gin", "SpGist": "spgist", "Brin": "brin",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Note:
    """Something of the schema the registry file does not hold as written."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: warning: {self.message}"


def default_name(table: str, columns: list[str], suffix: str) -> str:
    """Prisma's name for an unnamed index (`_idx`) or unique constraint (`_key`): the table
    and columns, cut to fit PostgreSQL's 63-byte identifiers with the suffix."""
    return f"{table}_{'_'.join(columns)}"[: MAX_IDENTIFIER - len(suffix)] + suffix


@dataclass(slots=True)
class _Model:
    """A model with the database names of its table and scalar fields."""

    block: Block
    table: str
    columns: dict[str, str] = field(default_factory=dict)  # field name -> column name
    key: list[str] = field(default_factory=list)  # a composite primary key, in key order


def attribute_name(attribute: Attribute | None, default: str) -> str:
    """`@map("x")` / `@map(name: "x")` -> "x"; `default` without the attribute."""
    value = attribute.arg("name", 0) if attribute else None
    return value.value if isinstance(value, Str) else default


def string_arg(attribute: Attribute, name: str) -> str:
    """The string argument `name:` of an attribute, or ""."""
    value = attribute.arg(name)
    return value.value if isinstance(value, Str) else ""


def field_names(value: Value | None) -> list[tuple[str, Call | None]]:
    """`[a, b(sort: Desc)]` or a bare `a` -> [(name, the call when it has arguments)]."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    out: list[tuple[str, Call | None]] = []
    for item in items:
        if isinstance(item, Ident):
            out.append((item.name, None))
        elif isinstance(item, Call):
            out.append((item.name, item))
    return out


class Importer:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.notes: list[Note] = []
        self.models: dict[str, _Model] = {}
        self.views: dict[str, Block] = {}
        self.composites: dict[str, Block] = {}
        self.enums: dict[str, Block] = {}
        self.enum_values: dict[str, dict[str, str]] = {}  # enum -> value name -> stored value
        self._index_names()

    # --- helpers --------------------------------------------------------------------
    def note(self, block: Block, pos: tuple[int, int], message: str) -> None:
        self.notes.append(Note(block.file, pos[0], pos[1], message))

    def _index_names(self) -> None:
        seen: dict[str, Block] = {}
        kinds = {"model": self.models, "view": self.views, "type": self.composites}
        for block in self.schema.of_kind("model", "view", "type", "enum"):
            if block.name in seen:
                first = seen[block.name]
                raise PrismaSyntaxError(
                    block.file,
                    *block.pos,
                    f"'{block.name}' is defined twice (first at {first.file}:{first.pos[0]})",
                )
            seen[block.name] = block
            if block.kind == "enum":
                self.enums[block.name] = block
                self.enum_values[block.name] = {
                    v.name: attribute_name(v.attribute("map"), v.name) for v in block.members
                }
            elif block.kind == "model":
                model = _Model(block, attribute_name(block.attribute("map"), block.name))
                for f in block.members:
                    model.columns[f.name] = attribute_name(f.attribute("map"), f.name)
                self.models[block.name] = model
            else:
                kinds[block.kind][block.name] = block

    # --- the service ----------------------------------------------------------------
    def service(self, name: str, database: str) -> dict:
        self._check_datasources()
        data: dict = {"service": name, "owner": None, "description": None, "database": database}
        enums = [self.enum(block) for block in self.enums.values()]
        tables = [self.table(model) for model in self.models.values()]
        for block in self.views.values():
            self.note(
                block, block.pos, f"view '{block.name}' is not imported: the registry has no views"
            )
        for block in self.composites.values():
            self.note(
                block, block.pos, f"composite type '{block.name}' is not imported (MongoDB only)"
            )
        if enums:
            data["enums"] = enums
        data["tables"] = tables
        return data

    def _check_datasources(self) -> None:
        sources = self.schema.of_kind("datasource")
        for extra in sources[1:]:
            self.note(extra, extra.pos, f"a second datasource '{extra.name}' is ignored")
        for source in sources[:1]:
            provider = source.entries.get("provider")
            name = provider.value if isinstance(provider, Str) else render(provider or [])
            if name not in POSTGRES_PROVIDERS:
                self.note(
                    source,
                    source.pos,
                    f"provider '{name}' is not PostgreSQL: types are read as PostgreSQL types",
                )
            for key in ("extensions", "schemas"):
                if key in source.entries:
                    self.note(
                        source, source.pos, f"datasource `{key}` are not recorded in the registry"
                    )

    def enum(self, block: Block) -> dict:
        values = self.enum_values[block.name]
        mapped = [f"{k} -> {v!r}" for k, v in values.items() if k != v]
        if mapped:
            self.note(
                block,
                block.pos,
                f"enum '{block.name}': the registry keeps the stored values ({', '.join(mapped)})",
            )
        data: dict = {"name": block.name}
        db_name = attribute_name(block.attribute("map"), "")
        if db_name:
            data["db_name"] = db_name
        data["values"] = list(values.values())
        if block.doc:
            data["description"] = block.doc
        self._unsupported_block_attributes(block, {"map"})
        return data

    def table(self, model: _Model) -> dict:
        block = model.block
        data: dict = {"name": model.table, "model": block.name}
        if block.doc:
            data["description"] = block.doc
        columns: dict[str, dict] = {}
        relations: list[Field] = []
        unique_indexes: list[dict] = []
        for f in block.members:
            assert f.type is not None
            if f.type.name in self.models or f.type.name in self.views:
                relations.append(f)
            elif f.type.name in self.composites:
                self.note(
                    block,
                    f.pos,
                    f"field '{f.name}' has composite type '{f.type.name}' (MongoDB only): not "
                    "imported",
                )
            else:
                column = self.column(model, f, unique_indexes)
                if column is not None:
                    columns[column["name"]] = column
        for f in relations:
            self.relation(model, f, columns)
        indexes = self.block_indexes(model, columns) + unique_indexes
        if len(model.key) > 1:
            data["primary_key"] = model.key
        data["columns"] = list(columns.values())
        if indexes:
            data["indexes"] = indexes
        if block.attribute("ignore"):
            self.note(
                block,
                block.attribute("ignore").pos,
                f"model '{block.name}' is @@ignore'd by Prisma Client; imported as a table",
            )  # type: ignore[union-attr]
        self._unsupported_block_attributes(block, {"map", "id", "unique", "index", "ignore"})
        return data

    def _unsupported_block_attributes(self, block: Block, known: set[str]) -> None:
        for attribute in block.attributes:
            if attribute.name not in known:
                self.note(
                    block,
                    attribute.pos,
                    f"@@{attribute.name} on '{block.name}' is not recorded in the registry",
                )

    # --- columns --------------------------------------------------------------------
    def column(self, model: _Model, f: Field, unique_indexes: list[dict]) -> dict | None:
        block = model.block
        kind = self.column_type(block, f)
        if kind is None:
            return None
        name = model.columns[f.name]
        column: dict = {"name": name, "type": kind}
        unique = f.attribute("unique")
        if f.attribute("id"):
            column["primary_key"] = True
            self._default_name(block, f.attribute("id"), f"{model.table}_pkey", "primary key")
        if f.type.optional:  # type: ignore[union-attr]
            column["nullable"] = True
        if unique:
            custom = string_arg(unique, "map")
            if custom and custom != default_name(model.table, [name], "_key"):
                unique_indexes.append({"name": custom, "columns": [name], "unique": True})
            else:
                column["unique"] = True
        default = f.attribute("default")
        if default:
            value = default.arg("value", 0)
            if value is not None:
                column["default"] = self.default(f, value)
        if f.attribute("updatedAt"):
            column["updated_at"] = True
        if f.doc:
            column["description"] = f.doc
        known = {"id", "unique", "default", "updatedAt", "map", "ignore", "relation"}
        for attribute in f.attributes:
            if attribute.name not in known and not attribute.name.startswith("db."):
                self.note(
                    block,
                    attribute.pos,
                    f"@{attribute.name} on '{block.name}.{f.name}' is not recorded in the registry",
                )
        return column

    def column_type(self, block: Block, f: Field) -> str | None:
        kind = f.type
        assert kind is not None
        suffix = "[]" if kind.is_list else ""
        if kind.unsupported is not None:
            self.note(
                block,
                f.pos,
                f"'{block.name}.{f.name}' is Unsupported(\"{kind.unsupported}\"): recorded as "
                f"type '{kind.unsupported}', which Prisma Client cannot read",
            )
            return kind.unsupported + suffix
        if kind.name in self.enums:
            return kind.name + suffix
        if kind.name not in SCALAR_TYPES:
            self.note(
                block,
                f.pos,
                f"'{block.name}.{f.name}' has unknown type '{kind.name}': not imported",
            )
            return None
        native = next((a for a in f.attributes if a.name.startswith("db.")), None)
        if native is None:
            return SCALAR_TYPES[kind.name] + suffix
        args = [a.value.text if isinstance(a.value, Num) else render(a.value) for a in native.args]
        pg_type = native_type(native.name[3:], args)
        if pg_type is None:
            self.note(
                block,
                native.pos,
                f"unknown native type @{native.name}: recorded as '{native.name[3:].lower()}'",
            )
            pg_type = native.name[3:].lower()
        return pg_type + suffix

    def default(self, f: Field, value: Value) -> str | int | float | bool:
        assert f.type is not None
        if isinstance(value, Str):
            return value.value
        if isinstance(value, Num):
            return value.value
        if isinstance(value, Ident):
            if value.name in ("true", "false") and f.type.name not in self.enums:
                return value.name == "true"
            return self.enum_values.get(f.type.name, {}).get(value.name, value.name)
        return render(value)  # a function (`uuid()`, `dbgenerated("...")`) or a list

    def _default_name(
        self, block: Block, attribute: Attribute | None, default: str, what: str
    ) -> None:
        custom = attribute.arg("map") if attribute else None
        if isinstance(custom, Str) and custom.value != default:
            self.note(
                block,
                attribute.pos,
                f"the {what} name '{custom.value}' of '{block.name}' is not recorded (the "
                "registry does not name it)",
            )  # type: ignore[union-attr]

    # --- relations and indexes ----------------------------------------------------------
    def relation(self, model: _Model, f: Field, columns: dict[str, dict]) -> None:
        attribute = f.attribute("relation")
        fields = field_names(attribute.arg("fields") if attribute else None)
        references = field_names(attribute.arg("references") if attribute else None)
        if not fields:
            return  # the other side of a relation: no column here
        block = model.block
        assert f.type is not None
        target = self.models.get(f.type.name)
        if target is None:
            self.note(
                block,
                f.pos,
                f"relation '{block.name}.{f.name}' points at view '{f.type.name}': no reference "
                "recorded",
            )
            return
        if len(fields) != len(references):
            self.note(
                block,
                f.pos,
                f"relation '{block.name}.{f.name}' has {len(fields)} fields but "
                f"{len(references)} references: not recorded",
            )
            return
        if len(fields) > 1:
            self.note(
                block,
                f.pos,
                f"composite foreign key '{block.name}.{f.name}' is recorded as one reference per "
                "column",
            )
        for (source, _), (referenced, _) in zip(fields, references, strict=True):
            column = columns.get(model.columns.get(source, source))
            if column is None:
                continue
            reference = f"{target.table}.{target.columns.get(referenced, referenced)}"
            if "references" in column and column["references"] != reference:
                self.note(
                    block,
                    f.pos,
                    f"column '{column['name']}' is in several relations; the registry keeps the "
                    f"first ({column['references']})",
                )
                continue
            column["references"] = reference
            _order_keys(column)

    def block_indexes(self, model: _Model, columns: dict[str, dict]) -> list[dict]:
        block, table = model.block, model.table
        indexes: list[dict] = []
        for attribute in block.attributes:
            if attribute.name not in ("id", "unique", "index"):
                continue
            names = [
                (model.columns.get(n, n), call)
                for n, call in field_names(attribute.arg("fields", 0))
            ]
            cols = [n for n, _ in names]
            ops: dict[str, str] = {}
            order: dict[str, str] = {}
            for n, call in names:
                if n not in columns:
                    self.note(
                        block,
                        attribute.pos,
                        f"@@{attribute.name} on '{block.name}' names unknown field '{n}'",
                    )
                if call is not None and call.args:
                    self._key_options(block, attribute, n, call, ops, order)
            if not cols:
                continue
            if attribute.name == "id":
                self.primary_key(model, attribute, cols, columns)
                continue
            default = default_name(table, cols, "_key" if attribute.name == "unique" else "_idx")
            name = string_arg(attribute, "map")
            if attribute.name == "index" and not name:
                name = string_arg(attribute, "name")  # Prisma 2's spelling of `map`
            if (
                attribute.name == "unique"
                and len(cols) == 1
                and name in ("", default)
                and cols[0] in columns
            ):
                columns[cols[0]]["unique"] = True
                continue
            index: dict = {"name": name or default, "columns": cols}
            if attribute.name == "unique":
                index["unique"] = True
            kind = attribute.arg("type")
            if isinstance(kind, Ident):
                index["type"] = _INDEX_TYPES.get(kind.name, kind.name.lower())
            if ops:
                index["ops"] = ops
            if order:
                index["order"] = order
            indexes.append(index)
        return indexes

    def _key_options(
        self,
        block: Block,
        attribute: Attribute,
        column: str,
        call: Call,
        ops: dict[str, str],
        order: dict[str, str],
    ) -> None:
        """`name(ops: raw("gin_trgm_ops"), sort: Desc)`: the key's operator class and order
        into `ops` / `order`. What the registry has no key for is a note: `length:`, a
        primary key's sort order, a sort order on an index that is not a B-tree."""
        kind = attribute.arg("type")
        btree = not isinstance(kind, Ident) or kind.name == "BTree"
        unknown = []
        for arg in call.args:
            value = arg.value
            if arg.name == "ops" and attribute.name != "id" and operator_class(value):
                ops[column] = operator_class(value)  # type: ignore[assignment]
            elif arg.name == "sort" and isinstance(value, Ident) and value.name == "Asc":
                continue
            elif (
                arg.name == "sort" and render(value) == "Desc" and btree and attribute.name != "id"
            ):
                order[column] = "desc"
            else:
                unknown.append(
                    render(value) if arg.name is None else f"{arg.name}: {render(value)}"
                )
        if unknown:
            self.note(
                block,
                attribute.pos,
                f"@@{attribute.name} on '{block.name}': '{column}({', '.join(unknown)})' is "
                f"recorded as '{column}' (the registry keeps a B-tree key's sort order and an "
                "index key's operator class only)",
            )

    def primary_key(
        self, model: _Model, attribute: Attribute, cols: list[str], columns: dict[str, dict]
    ) -> None:
        block = model.block
        self._default_name(block, attribute, f"{model.table}_pkey", "primary key")
        for name in cols:
            if name in columns:
                columns[name]["primary_key"] = True
                _order_keys(columns[name])
        model.key = [name for name in cols if name in columns]


_KEY_ORDER = (
    "name",
    "type",
    "primary_key",
    "nullable",
    "unique",
    "default",
    "updated_at",
    "references",
    "description",
)


# Prisma's operator class names that do not read as their snake_case (`TextMinMaxOps`).
_OPS_WORDS = {"min_max_multi": "minmax_multi", "min_max": "minmax"}


def operator_class(value: Value) -> str | None:
    """`raw("gin_trgm_ops")` -> gin_trgm_ops; `JsonbPathOps` -> jsonb_path_ops."""
    if isinstance(value, Call) and value.name == "raw":
        raw = value.arg("value", 0)
        return raw.value if isinstance(raw, Str) else None
    if isinstance(value, Ident):
        name = to_snake(value.name)
        for words, spelled in _OPS_WORDS.items():
            name = name.replace(words, spelled)
        return name
    return None


def _order_keys(column: dict) -> None:
    """Keep a column's keys in the registry's usual order after adding one."""
    ordered = sorted(column.items(), key=lambda kv: _KEY_ORDER.index(kv[0]))
    column.clear()
    column.update(ordered)


def import_schema(schema: Schema, service: str, database: str) -> tuple[dict, list[Note]]:
    """The service file's data and the warnings; PrismaSyntaxError on duplicate names."""
    importer = Importer(schema)
    data = importer.service(service, database)
    order = {file: i for i, file in enumerate(schema.files)}
    notes = sorted(
        importer.notes, key=lambda n: (order.get(n.file, 0), n.line, n.column, n.message)
    )
    return data, notes
