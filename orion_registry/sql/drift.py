"""The registry's description of one service vs its live database -> drift findings.

Each difference is a finding with a D7xx code (rules/drift.py documents them), located at
the registry object it concerns (the table, column, index or enum), or at the enclosing
list for an object only the database has; the message names the live object. Severity
overrides and waivers of `orion.yaml` apply as for `check`.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine import apply_waivers, rule_config, to_finding
from ..findings import Finding, sort_findings
from ..loader import Registry
from ..models import Link
from ..rules import RULES
from ..rules import drift as codes
from ..rules.base import Violation
from ..rules.context import ColumnRef, Context, Ref, TableRef
from .introspect import LiveIndex, LiveSchema, LiveTable
from .normal import (
    column_type,
    enum_types,
    index_definition,
    registry_default,
    registry_index_definition,
    unique_columns,
)

Difference = tuple[str, Violation]


def drift_findings(registry: Registry, service: str, live: LiveSchema) -> list[Finding]:
    """Every difference between `service` in `registry` and `live`, as sorted findings."""
    ctx = Context(registry)
    config = rule_config(registry)
    findings = []
    for code, violation in differences(ctx, service, live):
        rule = RULES[code]
        severity = config.severity.get(code, rule.severity)
        if severity != "off":
            findings.append(to_finding(rule, violation, severity))
    return sort_findings(apply_waivers(findings, ctx))


def differences(ctx: Context, service: str, live: LiveSchema) -> Iterator[Difference]:
    doc = ctx.registry.services[service]
    service_ref = Ref(doc, (), service)
    owners = {table: svc for svc, table in ctx.table_index if svc != service}
    tables = [t for t in ctx.tables if t.doc.name == service]
    declared = {t.table.name for t in tables}
    for tref in tables:
        table = live.tables.get(tref.table.name)
        if table is None:
            yield _diff(
                codes.MISSING_TABLE,
                tref,
                f"table '{tref.table.name}' is in the registry but not in the database",
                ("name",),
            )
            continue
        yield from _columns(ctx, tref, table)
        yield from _indexes(tref, table)
        yield from _foreign_keys(ctx, tref, table, declared, owners)
    for name in sorted(set(live.tables) - declared):
        owner = owners.get(name)
        note = f" (the registry gives a table '{name}' to service '{owner}')" if owner else ""
        extra = live.tables[name]
        count = len(extra.columns)
        yield _diff(
            codes.EXTRA_TABLE,
            service_ref,
            f"table '{name}' ({count} column{'' if count == 1 else 's'}) exists in the "
            f"database but not in the registry{note}",
            ("tables",),
            f"{service}.{name}",
        )
        for fk in extra.foreign_keys:
            yield _foreign_key_difference(service_ref, ("tables",), name, fk, owners, service)
    yield from _enums(ctx, service, service_ref, live)


def _columns(ctx: Context, tref: TableRef, table: LiveTable) -> Iterator[Difference]:
    enums = enum_types(tref.service)
    name = tref.table.name
    primary = tref.table.key_columns()
    unique_in_registry = unique_columns(tref.table)  # `unique: true`, a lone key, an index
    unique_live = {ix.columns[0] for ix in table.indexes.values() if _single_unique(ix)}
    for ref in ctx.columns_of(tref):
        col, where = ref.column, f"{name}.{ref.column.name}"
        found = table.columns.get(col.name)
        if found is None:
            yield _diff(
                codes.MISSING_COLUMN,
                ref,
                f"column {where} is in the registry but not in the database",
                ("name",),
            )
            continue
        expected, _ = column_type(col.type, enums)
        if expected != found.type:
            yield _diff(
                codes.COLUMN_TYPE,
                ref,
                f"column {where} is {expected} in the registry but {found.type} in the database",
                ("type",),
            )
        nullable = col.nullable and not tref.table.is_key(col)
        if nullable != found.nullable:
            said = "nullable" if nullable else "NOT NULL"
            live = "nullable" if found.nullable else "NOT NULL"
            yield _diff(
                codes.COLUMN_NULLABILITY,
                ref,
                f"column {where} is {said} in the registry but {live} in the database",
                ("nullable",),
            )
        default = registry_default(col)
        if default != found.default:
            yield _diff(
                codes.COLUMN_DEFAULT,
                ref,
                f"column {where} has default {_shown(default)} in the registry but "
                f"{_shown(found.default)} in the database",
                ("default",),
            )
        unique = col.name in unique_in_registry
        if unique != (col.name in unique_live):
            said, live = ("unique", "not unique") if unique else ("not unique", "unique")
            yield _diff(
                codes.COLUMN_UNIQUENESS,
                ref,
                f"column {where} is {said} in the registry but {live} in the database",
                ("unique",),
            )
    live_primary = next((ix.columns for ix in table.indexes.values() if ix.primary), ())
    if list(primary) != list(live_primary):
        yield _diff(
            codes.COLUMN_UNIQUENESS,
            tref,
            f"table {name} has primary key ({', '.join(primary) or 'none'}) in the registry "
            f"but ({', '.join(live_primary) or 'none'}) in the database",
            ("name",),
        )
    declared = {c.name for c in tref.table.columns}
    for extra in (c for c in table.columns.values() if c.name not in declared):
        null = "nullable" if extra.nullable else "NOT NULL"
        yield _diff(
            codes.EXTRA_COLUMN,
            tref,
            f"column {name}.{extra.name} ({extra.type}, {null}) exists in the database but "
            "not in the registry",
            ("columns",),
            f"{tref.target}.{extra.name}",
        )


def _single_unique(index: LiveIndex) -> bool:
    return index.unique and len(index.columns) == 1 and index.where is None


def _definition(index: LiveIndex) -> tuple:
    return index_definition(
        index.columns, index.unique, index.method, index.where, index.ops, index.descending
    )


def _indexes(tref: TableRef, table: LiveTable) -> Iterator[Difference]:
    matched: set[str] = set()
    pending = []
    for i, index in enumerate(tref.table.indexes):
        ref = Ref(tref.doc, (*tref.path, "indexes", i), f"{tref.target}.{index.name}")
        wanted = registry_index_definition(index)
        found = table.indexes.get(index.name)
        if found is None:
            pending.append((ref, index.name, wanted))
            continue
        matched.add(found.name)
        if _definition(found) != wanted:
            yield _diff(
                codes.INDEX_DEFINITION,
                ref,
                f"index {index.name} on {tref.table.name} is {_describe(wanted)} in the "
                f"registry but {_describe(_definition(found))} in the database",
                ("columns",),
            )
    for ref, name, wanted in pending:
        twin = next(
            (
                ix
                for ix in table.indexes.values()
                if ix.name not in matched and not ix.primary and _definition(ix) == wanted
            ),
            None,
        )
        if twin is not None:
            matched.add(twin.name)
            yield _diff(
                codes.INDEX_DEFINITION,
                ref,
                f"index {name} on {tref.table.name} is named '{twin.name}' in the database",
                ("name",),
            )
        else:
            yield _diff(
                codes.MISSING_INDEX,
                ref,
                f"index {name} on {tref.table.name} ({_describe(wanted)}) is in the "
                "registry but not in the database",
                ("name",),
            )
    for index in table.indexes.values():
        if index.name in matched or index.primary or _single_unique(index):
            continue  # the primary key and `unique: true` columns are D708's
        yield _diff(
            codes.EXTRA_INDEX,
            tref,
            f"index {index.name} on {tref.table.name} ({_describe(_definition(index))}) exists "
            "in the database but not in the registry",
            ("indexes",) if tref.table.indexes else ("name",),
            f"{tref.target}.{index.name}",
        )


def _describe(definition: tuple) -> str:
    columns, unique, method, where = definition
    text = f"{'unique ' if unique else ''}{method} ({', '.join(columns)})"
    return text + (f" WHERE {where}" if where else "")


def _declared_target(column: ColumnRef) -> str | None:
    """`table.column` a column declares as an in-database reference, if any."""
    ref = column.column.references
    if isinstance(ref, Link):
        ref = ref.column if ref.foreign_key else None
    return ref if ref is not None and ref.count(".") == 1 else None


def _foreign_keys(
    ctx: Context, tref: TableRef, table: LiveTable, declared: set[str], owners: dict[str, str]
) -> Iterator[Difference]:
    columns = {ref.column.name: ref for ref in ctx.columns_of(tref)}
    for fk in table.foreign_keys:
        column = columns.get(fk.columns[0]) if len(fk.columns) == 1 else None
        at: Ref = column or tref
        key = ("references",) if column is not None and column.column.references else ("name",)
        target = f"{fk.ref_table}.{fk.ref_columns[0]}" if len(fk.ref_columns) == 1 else None
        foreign = fk.ref_table in owners and fk.ref_table not in declared
        if foreign or column is None or target is None or _declared_target(column) != target:
            yield _foreign_key_difference(at, key, tref.table.name, fk, owners, tref.doc.name)


def _foreign_key_difference(
    at: Ref, key: tuple, table: str, fk, owners: dict[str, str], service: str
) -> Difference:
    shown = (
        f"foreign key {fk.name} ({table}.{', '.join(fk.columns)} -> "
        f"{fk.ref_table}.{', '.join(fk.ref_columns)})"
    )
    target = f"{service}.{table}" + (f".{fk.columns[0]}" if len(fk.columns) == 1 else "")
    owner = owners.get(fk.ref_table)
    if owner is not None:
        return _diff(
            codes.CROSS_SERVICE_FOREIGN_KEY,
            at,
            f"{shown} points at table '{fk.ref_table}', which the registry gives to service "
            f"'{owner}': a foreign key across databases; keep the id and sync by events",
            key,
            target,
        )
    return _diff(
        codes.UNEXPECTED_FOREIGN_KEY,
        at,
        f"{shown} exists in the database but the registry declares no such reference "
        f"(references: {fk.ref_table}.{', '.join(fk.ref_columns)})",
        key,
        target,
    )


def _enums(ctx: Context, service: str, service_ref: Ref, live: LiveSchema) -> Iterator[Difference]:
    declared = set()
    for ref in (e for e in ctx.enums if e.doc.name == service):
        name = ref.enum.db_name or ref.enum.name
        declared.add(name)
        values = live.enums.get(name)
        if values is None:
            yield _diff(
                codes.MISSING_ENUM_VALUE,
                ref,
                f"enum type '{name}' is in the registry but not in the database",
                ("name",),
            )
            continue
        for i, value in enumerate(ref.enum.values):
            if value not in values:
                yield _diff(
                    codes.MISSING_ENUM_VALUE,
                    ref,
                    f"enum type '{name}' has no value '{value}' in the database",
                    ("values", i),
                )
        extra = [v for v in values if v not in ref.enum.values]
        if extra:
            yield _diff(
                codes.EXTRA_ENUM_VALUE,
                ref,
                f"enum type '{name}' has value(s) {', '.join(map(repr, extra))} in the database "
                "that the registry does not list",
                ("values",),
            )
    for name in sorted(set(live.enums) - declared):
        yield _diff(
            codes.EXTRA_ENUM_VALUE,
            service_ref,
            f"enum type '{name}' ({', '.join(live.enums[name])}) exists in the database but "
            "not in the registry",
            ("enums",),
            f"{service}.{name}",
        )


def _diff(
    code: str, ref: Ref, message: str, key: tuple = (), target: str | None = None
) -> Difference:
    return code, Violation(ref, message, key, target)


def _shown(default: str | None) -> str:
    return "none" if default is None else default
