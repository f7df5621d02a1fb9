"""A registry service -> a Prisma schema that follows the conventions.

Models carry `@@map` (the table) and fields `@map` (the column) whenever the Prisma
name differs; ids are `@db.Uuid`; indexes keep their registry names with `map:`; enums
carry `@@map` (their Postgres name). A `references: table.column` inside the service
becomes a relation (both sides); a reference to another service is a plain column with
a comment, never a relation. What Prisma cannot express is a `Note` with the YAML path.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ..models import Column, Index, Service, Table
from .ast import quote
from .naming import camel, lower_first, model_name, plural, unique_name
from .types import canonical_type, prisma_type

DEFAULT_FUNCTIONS = frozenset(
    {"uuid", "cuid", "now", "autoincrement", "dbgenerated", "nanoid", "ulid", "sequence", "auto"}
)
_FUNCTION = re.compile(r"^(\w+)\(.*\)$", re.DOTALL)
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_INDEX_TYPES = {
    "btree": "BTree", "hash": "Hash", "gist": "Gist",
    "gin": "Gin", "spgist": "SpGist", "brin": "Brin",
}  # fmt: skip
_NUMERIC = frozenset({"Int", "BigInt", "Float", "Decimal"})

YamlPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ExportNote:
    """Something of the registry the schema does not hold; `path` is in the YAML."""

    path: YamlPath
    message: str


@dataclass(slots=True)
class _Field:
    name: str
    type: str
    attributes: list[str] = field(default_factory=list)
    doc: str | None = None
    comment: str | None = None


@dataclass(slots=True)
class _Model:
    table: Table
    index: int  # position in `tables`
    name: str
    fields: dict[str, str] = field(default_factory=dict)  # column -> field name
    lines: list[_Field] = field(default_factory=list)
    relations: list[_Field] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)

    def taken(self) -> set[str]:
        return set(self.fields.values()) | {r.name for r in self.relations}


@dataclass(slots=True)
class _Relation:
    source: _Model
    target: _Model
    columns: list[str]  # in the source table
    referenced: list[str]  # in the target table
    path: YamlPath


class Exporter:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.notes: list[ExportNote] = []
        self.enum_names: dict[str, str] = {}  # registry type name -> Prisma enum name
        self.enum_values: dict[str, dict[str, str]] = {}  # Prisma enum -> stored -> Prisma value
        taken: set[str] = set()
        for enum in service.enums:
            taken.add(enum.name)
            self.enum_names[enum.name] = enum.name
            if enum.db_name:
                self.enum_names.setdefault(enum.db_name, enum.name)
        self.models: dict[str, _Model] = {}
        for i, table in enumerate(service.tables):
            name = unique_name(table.model or model_name(table.name), taken)
            taken.add(name)
            self.models[table.name] = _Model(table, i, name)

    def note(self, path: YamlPath, message: str) -> None:
        self.notes.append(ExportNote(path, message))

    # --- the schema -----------------------------------------------------------------
    def schema(self, header: list[str]) -> str:
        parts = ["".join(f"// {line}\n" for line in header)]
        parts.append('generator client {\n  provider = "prisma-client-js"\n}\n')
        parts.append(
            'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
        )
        parts.extend(self.enum(i) for i in range(len(self.service.enums)))
        for model in self.models.values():
            self.fields(model)
        self.relations()
        for model in self.models.values():
            self.block_attributes(model)
        parts.extend(self.model(m) for m in self.models.values())
        return "\n".join(p for p in parts if p)

    def enum(self, i: int) -> str:
        enum = self.service.enums[i]
        lines, names = [], {}
        taken: set[str] = set()
        for j, value in enumerate(enum.values):
            name = value if _IDENTIFIER.match(value) else unique_name(_identifier(value), taken)
            if name in taken:
                self.note(("enums", i, "values", j), f"enum value '{value}' is listed twice")
                continue
            taken.add(name)
            names[value] = name
            lines.append(f"  {name}" + ("" if name == value else f" @map({quote(value)})"))
        self.enum_values[enum.name] = names
        if enum.db_name and enum.db_name != enum.name:
            lines.append(f"\n  @@map({quote(enum.db_name)})")
        doc = "".join(f"{line}\n" for line in _doc(enum.description, ""))
        return f"{doc}enum {enum.name} {{\n" + "\n".join(lines) + "\n}\n"

    # --- fields ---------------------------------------------------------------------
    def fields(self, model: _Model) -> None:
        taken: set[str] = set()
        for column in model.table.columns:
            name = camel(column.name) if "_" in column.name else column.name
            if not _IDENTIFIER.match(name):
                name = _identifier(name)
            name = unique_name(name, taken)
            taken.add(name)
            model.fields[column.name] = name
        primary = model.table.key_columns()
        for j, column in enumerate(model.table.columns):
            model.lines.append(self.field(model, j, column, single_key=primary == [column.name]))

    def field(self, model: _Model, j: int, column: Column, single_key: bool) -> _Field:
        path: YamlPath = ("tables", model.index, "columns", j)
        name = model.fields[column.name]
        attributes: list[str] = []
        base = column.type.removesuffix("[]")
        is_list = column.type.endswith("[]")
        enum = self.enum_names.get(base)
        native = None
        if enum is not None:
            scalar = enum
        else:
            mapped = prisma_type(column.type)
            if mapped is None:
                scalar = f"Unsupported({quote(column.type.removesuffix('[]'))})"
                self.note(
                    (*path, "type"),
                    f"type '{column.type}' has no Prisma scalar: written as {scalar}",
                )
            else:
                scalar, native, is_list = mapped
        kind = scalar + ("[]" if is_list else "?" if column.nullable else "")
        if is_list and column.nullable:
            self.note((*path, "nullable"), "Prisma lists cannot be optional: written as required")
        if single_key:
            attributes.insert(0, "@id")
        if column.unique:
            attributes.append("@unique")
        if column.default is not None:
            attributes.append(f"@default({self.default(column, scalar, enum, is_list, path)})")
        if column.updated_at:
            attributes.append("@updatedAt")
        if name != column.name:
            attributes.append(f"@map({quote(column.name)})")
        if native:
            attributes.append(native)
        comment = None
        if column.references is not None and not isinstance(column.references, str):
            comment = f"references {column.references.column} (another service: no foreign key)"
        elif isinstance(column.references, str) and column.references.count(".") != 1:
            comment = f"references {column.references} (another service: no foreign key)"
        if column.copy_of is not None:
            comment = f"copy of {column.copy_of.column}"
        return _Field(name, kind, attributes, column.description, comment)

    def default(
        self, column: Column, scalar: str, enum: str | None, is_list: bool, path: YamlPath
    ) -> str:
        value = column.default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        assert isinstance(value, str)
        match = _FUNCTION.match(value)
        if match and match.group(1) in DEFAULT_FUNCTIONS:
            return value
        if is_list and value.startswith("["):
            return value
        if enum is not None:
            prisma_value = self.enum_values.get(enum, {}).get(value)
            if prisma_value is not None:
                return prisma_value
            self.note((*path, "default"), f"default '{value}' is not a value of enum {enum}")
        if scalar in _NUMERIC and re.fullmatch(r"-?\d+(\.\d+)?", value):
            return value
        return quote(value)

    # --- relations ------------------------------------------------------------------
    def relations(self) -> None:
        found: list[_Relation] = []
        for model in self.models.values():
            groups: dict[str, list[tuple[int, Column, str]]] = {}
            for j, column in enumerate(model.table.columns):
                ref = column.references
                if not isinstance(ref, str) or ref.count(".") != 1:
                    continue
                table, referenced = ref.split(".")
                if table not in self.models:
                    self.note(
                        ("tables", model.index, "columns", j, "references"),
                        f"'{ref}' is not a table of this service: no relation written",
                    )
                    continue
                groups.setdefault(table, []).append((j, column, referenced))
            for table, refs in groups.items():
                found.extend(self._group_relations(model, self.models[table], refs))
        pairs: dict[frozenset[str], int] = {}
        for relation in found:
            key = frozenset((relation.source.name, relation.target.name))
            pairs[key] = pairs.get(key, 0) + 1
        for relation in found:
            key = frozenset((relation.source.name, relation.target.name))
            self.relation(relation, named=pairs[key] > 1 or len(key) == 1)

    def _group_relations(
        self, model: _Model, target: _Model, refs: list[tuple[int, Column, str]]
    ) -> list[_Relation]:
        keys = _unique_sets(target.table)
        path_of = {c.name: ("tables", model.index, "columns", j, "references") for j, c, _ in refs}
        out, rest = [], []
        for _, column, referenced in refs:
            if (referenced,) in keys:
                out.append(
                    _Relation(model, target, [column.name], [referenced], path_of[column.name])
                )
            else:
                rest.append((column.name, referenced))
        if rest:
            wanted = {r for _, r in rest}
            key = next((k for k in keys if set(k) == wanted and len(k) == len(rest)), None)
            if key is None:
                for name, referenced in rest:
                    self.note(
                        path_of[name],
                        f"'{target.table.name}.{referenced}' is not unique: Prisma relations "
                        "need a unique target, no relation written",
                    )
            else:
                by_target = {r: n for n, r in rest}
                out.append(
                    _Relation(
                        model, target, [by_target[k] for k in key], list(key), path_of[rest[0][0]]
                    )
                )
        checked = []
        for relation in out:
            pairs = zip(relation.columns, relation.referenced, strict=True)
            mismatch = [
                (a, b) for a, b in pairs if _type_of(model.table, a) != _type_of(target.table, b)
            ]
            if mismatch:
                a, b = mismatch[0]
                self.note(
                    relation.path,
                    f"'{a}' and '{target.table.name}.{b}' have different types: no relation "
                    "written",
                )
            else:
                checked.append(relation)
        return checked

    def relation(self, relation: _Relation, named: bool) -> None:
        source, target = relation.source, relation.target
        base = relation.columns[0]
        stem = re.sub(r"(_id|Id|_ids|Ids)$", "", base) if len(relation.columns) == 1 else ""
        field_name = camel(stem) if stem and stem != base else lower_first(target.name)
        field_name = unique_name(field_name, source.taken())
        optional = any(_column(source.table, c).nullable for c in relation.columns)
        fields = ", ".join(source.fields[c] for c in relation.columns)
        refs = ", ".join(target.fields[c] for c in relation.referenced)
        relation_name = f"{source.name}{field_name[0].upper()}{field_name[1:]}"
        label = f"{quote(relation_name)}, " if named else ""
        kind = target.name + ("?" if optional else "")
        relation_attribute = f"@relation({label}fields: [{fields}], references: [{refs}])"
        source.relations.append(_Field(field_name, kind, [relation_attribute]))
        one_to_one = tuple(relation.columns) in _unique_sets(source.table)  # Prisma: same order
        back = lower_first(source.name) if one_to_one else plural(lower_first(source.name))
        if named:
            back += field_name[0].upper() + field_name[1:]
        back = unique_name(back, target.taken())
        back_label = [f"@relation({quote(relation_name)})"] if named else []
        target.relations.append(
            _Field(back, source.name + ("?" if one_to_one else "[]"), back_label)
        )

    # --- block attributes -------------------------------------------------------------
    def block_attributes(self, model: _Model) -> None:
        table = model.table
        primary = table.key_columns()
        if len(primary) > 1:
            model.attributes.append(f"@@id([{', '.join(model.fields[c] for c in primary)}])")
        for k, index in enumerate(table.indexes):
            line = self.index(model, k, index)
            if line:
                model.attributes.append(line)
        if not _has_unique_criterion(table, self.enum_names):
            model.attributes.append("@@ignore")
            self.note(
                ("tables", model.index),
                f"table '{table.name}' has no primary key or unique column: "
                "Prisma needs one, so the model is @@ignore'd",
            )
        if model.name != table.name:
            model.attributes.append(f"@@map({quote(table.name)})")

    def index(self, model: _Model, k: int, index: Index) -> str | None:
        path: YamlPath = ("tables", model.index, "indexes", k)
        missing = [c for c in index.columns if c not in model.fields]
        if missing:
            self.note(
                (*path, "columns"),
                f"index '{index.name}' names unknown column '{missing[0]}': not written",
            )
            return None
        args = [
            f"[{', '.join(_index_field(model.fields[c], index, c) for c in index.columns)}]",
            f"map: {quote(index.name)}",
        ]
        if index.type and index.type.lower() != "btree":
            kind = _INDEX_TYPES.get(index.type.lower())
            if kind is None:
                self.note(
                    (*path, "type"),
                    f"index type '{index.type}' is not one Prisma knows: not written",
                )
            elif kind in _NEEDS_OPERATOR_CLASS and not all(
                c in index.ops or _operator_class_known(kind, _column(model.table, c).type)
                for c in index.columns
            ):
                self.note(
                    (*path, "type"),
                    f"a {kind} index on these columns needs an operator class, which the "
                    "index does not give (ops:): written as a B-tree index",
                )
            else:
                args.append(f"type: {kind}")
        if index.where:
            self.note(
                (*path, "where"),
                f"Prisma cannot express the partial index condition of '{index.name}'",
            )
        return f"@@{'unique' if index.unique else 'index'}({', '.join(args)})"

    # --- text -----------------------------------------------------------------------
    def model(self, model: _Model) -> str:
        fields = model.lines + model.relations
        name_width = max((len(f.name) for f in fields), default=0)
        type_width = max((len(f.type) for f in fields), default=0)
        lines = _doc(model.table.description, "")
        body = []
        for f in fields:
            body.extend(_doc(f.doc, "  "))
            name, kind = f.name.ljust(name_width), f.type.ljust(type_width)
            text = f"  {name} {kind} {' '.join(f.attributes)}".rstrip()
            body.append(text + (f" // {f.comment}" if f.comment else ""))
        if model.attributes:
            body.append("")
            body.extend(f"  {a}" for a in model.attributes)
        return (
            "".join(f"{line}\n" for line in lines)
            + f"model {model.name} {{\n"
            + "\n".join(body)
            + "\n}\n"
        )


def _doc(text: str | None, indent: str) -> list[str]:
    return [f"{indent}/// {line}".rstrip() for line in text.splitlines()] if text else []


def _identifier(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", text).strip("_") or "value"
    return name if name[0].isalpha() else f"v_{name}"


_NEEDS_OPERATOR_CLASS = frozenset({"Gin", "Gist"})


def _index_field(field: str, index: Index, column: str) -> str:
    """`email(ops: raw("gin_trgm_ops"), sort: Desc)`, or the bare field name."""
    args = [f"ops: raw({quote(index.ops[column])})"] if column in index.ops else []
    args += ["sort: Desc"] if index.order.get(column) == "desc" else []
    return f"{field}({', '.join(args)})" if args else field


def _operator_class_known(kind: str, pg_type: str) -> bool:
    """Whether Prisma has a default operator class for a Gin / Gist index on this type."""
    mapped = prisma_type(pg_type)
    if kind == "Gin":
        return mapped is not None and (mapped[2] or mapped[0] == "Json")
    return canonical_type(pg_type) == "inet"


def _column(table: Table, name: str) -> Column:
    return next(c for c in table.columns if c.name == name)


def _type_of(table: Table, name: str) -> str:
    return canonical_type(_column(table, name).type)


def _unique_sets(table: Table) -> list[tuple[str, ...]]:
    """Column sets that identify a row: the primary key, unique columns, unique indexes."""
    keys = [tuple(table.key_columns())]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [tuple(i.columns) for i in table.indexes if i.unique]
    return [k for k in keys if k]


def _has_unique_criterion(table: Table, enums: Collection[str]) -> bool:
    required = {
        c.name
        for c in table.columns
        if not c.nullable and (c.type in enums or prisma_type(c.type) is not None)
    }
    required |= set(table.key_columns())
    return any(set(k) <= required for k in _unique_sets(table))


def export_service(service: Service, header: list[str]) -> tuple[str, list[ExportNote]]:
    """The schema text (starting with `header` as comment lines) and the notes."""
    exporter = Exporter(service)
    return exporter.schema(header), exporter.notes
