"""Every change between two versions of the registry: services, tables, columns, indexes,
enums and their values, events, and migration entries, each with its target and place.

Only the services whose files differ are compared (the caller decides which); each change
is classified as it is found (see `classify.py`) and points at the place in the new file
a reviewer should look at (the nearest surviving parent for something removed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..changes import Change, Path, Place, Subject, place, words
from ..loader import ServiceDoc
from ..models import Column, Index, Table
from ..sql.normal import registry_index_definition
from .classify import (
    is_breaking,
    needs_entry,
    new_column_required,
    pair_renames,
    same_column_shape,
    same_table_shape,
    same_type,
)
from .impact import Dependents


def compare(
    base: Mapping[str, ServiceDoc],
    head: Mapping[str, ServiceDoc],
    names: Iterable[str],
    dependents: Dependents,
) -> list[Change]:
    """The changes of the services `names` (in name order, each in file order)."""
    changes: list[Change] = []
    for name in sorted(names):
        old, new = base.get(name), head.get(name)
        if old is not None and new is not None:
            changes.extend(_ServiceDiff(old, new, dependents).run())
        elif new is not None:
            count = len(new.model.tables)
            changes.append(
                _make(
                    "service.added",
                    name,
                    name,
                    f"new service ({count} tables)",
                    place(new, ("service",)),
                    (words(name),),
                    ("service", name),
                )
            )
        elif old is not None:
            changes.append(
                _make(
                    "service.removed",
                    name,
                    name,
                    "service removed with its database",
                    place(old, ("service",)),
                    (words(name),),
                    ("service", name, *(e.name for e in old.model.events.publishes)),
                )
            )
    return changes


def _make(
    kind: str,
    service: str,
    target: str,
    detail: str,
    where: Place,
    mentions: tuple[frozenset[str], ...] = (),
    subject: Subject | None = None,
    *,
    required: bool = False,
    consumed: bool = False,
) -> Change:
    breaking = is_breaking(kind, required=required, consumed=consumed)
    return Change(
        kind,
        service,
        target,
        detail,
        breaking,
        needs_entry(kind, breaking),
        where,
        mentions,
        subject,
    )


Positioned = tuple[int, Any]  # (position in its list, item)


def _by_name(items: Sequence[Any], key: str = "name") -> dict[str, Positioned]:
    """name -> (position, item); the first wins on duplicates (a check finding elsewhere)."""
    result: dict[str, Positioned] = {}
    for i, item in enumerate(items):
        result.setdefault(getattr(item, key), (i, item))
    return result


@dataclass(frozen=True, slots=True)
class _Matched:
    """Two lists of named items matched by name; renames paired when asked for."""

    renamed: list[tuple[Positioned, Positioned]]
    removed: list[Positioned]  # without the renamed ones
    added: list[Positioned]  # without the renamed ones
    common: list[tuple[Positioned, Positioned]]


def _match(
    old_items: Sequence[Any],
    new_items: Sequence[Any],
    same: Callable[[Any, Any], bool] | None = None,
    any_position: bool = False,
) -> _Matched:
    """`same` (a shape test) pairs removed and added items as renames (see `pair_renames`)."""
    old, new = _by_name(old_items), _by_name(new_items)
    removed = [old[n] for n in old if n not in new]
    added = [new[n] for n in new if n not in old]
    common = [(old[n], new[n]) for n in new if n in old]
    renamed = pair_renames(removed, added, same, any_position) if same else []
    old_ids = {id(o[1]) for o, _ in renamed}
    new_ids = {id(n[1]) for _, n in renamed}
    return _Matched(
        renamed,
        [r for r in removed if id(r[1]) not in old_ids],
        [a for a in added if id(a[1]) not in new_ids],
        common,
    )


def _value_text(value: Any) -> str:
    return "none" if value is None else str(value)


def _link_text(link: Any) -> str:
    if link is None or isinstance(link, str):
        return _value_text(link)
    sync = f" (sync: {link.sync})" if link.sync else ""
    return f"{link.column}{sync}"


# Column attributes compared as a whole: (attribute, label, how a value is shown).
_COLUMN_ATTRIBUTES: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("default", "default", _value_text),
    ("unique", "unique", str),
    ("primary_key", "primary key", str),
    ("references", "references", _link_text),
    ("copy_of", "copy_of", _link_text),
    ("updated_at", "updated_at", str),
    ("external", "external", str),
)


class _ServiceDiff:
    def __init__(self, old: ServiceDoc, new: ServiceDoc, dependents: Dependents) -> None:
        self.old, self.new, self.dependents = old, new, dependents
        self.name = new.name

    def change(
        self,
        kind: str,
        target: str,
        detail: str,
        path: Path,
        mentions: tuple[frozenset[str], ...] = (),
        subject: Subject | None = None,
        **flags: bool,
    ) -> Change:
        """A change of this service, pointing at `path` in the new file."""
        where = place(self.new, path)
        return _make(kind, self.name, target, detail, where, mentions, subject, **flags)

    def was(self, path: Path) -> str:
        return f"was at {place(self.old, path)}"

    def run(self) -> Iterator[Change]:
        old, new, svc = self.old.model, self.new.model, self.name
        if old.database != new.database:
            yield self.change(
                "service.database",
                svc,
                f"database renamed {old.database} -> {new.database}",
                ("database",),
                (words(old.database), words(new.database)),
                ("service", svc),
            )
        if (old.owner or "") != (new.owner or ""):
            yield self.change("service.owner", svc, f"owner {old.owner} -> {new.owner}", ("owner",))
        yield from self.enums()
        yield from self.tables()
        yield from self.events()
        yield from self.migrations()

    # --- enums -------------------------------------------------------------------------
    def enums(self) -> Iterator[Change]:
        svc = self.name
        matched = _match(self.old.model.enums, self.new.model.enums)
        for i, enum in matched.removed:
            yield self.change(
                "enum.removed",
                f"{svc}.{enum.name}",
                f"enum {enum.name} removed ({self.was(('enums', i))})",
                ("enums",),
                (words(enum.name), words(enum.db_name)),
                ("enum", svc, enum.name, enum.db_name or ""),
            )
        for i, enum in matched.added:
            yield self.change(
                "enum.added",
                f"{svc}.{enum.name}",
                f"new enum {enum.name} ({', '.join(enum.values)})",
                ("enums", i),
                (words(enum.name), words(enum.db_name)),
            )
        for (_, a), (i, b) in matched.common:
            target, path = f"{svc}.{b.name}", ("enums", i)
            names = (words(b.name), words(b.db_name))
            subject = ("enum", svc, a.name, a.db_name or "")
            if (a.db_name or "") != (b.db_name or ""):
                yield self.change(
                    "enum.renamed",
                    target,
                    f"Postgres type renamed {a.db_name} -> {b.db_name}",
                    (*path, "db_name"),
                    names,
                    subject,
                )
            new_values = set(b.values)
            for value in a.values:
                if value not in new_values:
                    yield self.change(
                        "enum.value_removed",
                        target,
                        f"value {value} removed from enum {b.name}",
                        (*path, "values"),
                        tuple(n | words(value) for n in names),
                        subject,
                    )
            old_values = set(a.values)
            for j, value in enumerate(b.values):
                if value not in old_values:
                    yield self.change(
                        "enum.value_added",
                        target,
                        f"value {value} added to enum {b.name}",
                        (*path, "values", j),
                        tuple(n | words(value) for n in names),
                    )

    # --- tables ------------------------------------------------------------------------
    def tables(self) -> Iterator[Change]:
        svc = self.name
        matched = _match(
            self.old.model.tables, self.new.model.tables, same_table_shape, any_position=True
        )
        for (oi, a), (ni, b) in matched.renamed:
            yield self.change(
                "table.renamed",
                f"{svc}.{b.name}",
                f"looks like a rename of {a.name} (same columns; {self.was(('tables', oi))})",
                ("tables", ni, "name"),
                (words(a.name), words(b.name)),
                ("table", svc, a.name),
            )
            yield from self.table(a, b, ni, renamed=True)
        for i, table in matched.removed:
            yield self.change(
                "table.removed",
                f"{svc}.{table.name}",
                f"table {table.name} removed ({self.was(('tables', i))})",
                ("tables",),
                (words(table.name),),
                ("table", svc, table.name),
            )
        for i, table in matched.added:
            yield self.change(
                "table.added",
                f"{svc}.{table.name}",
                f"new table {table.name} ({len(table.columns)} columns)",
                ("tables", i),
                (words(table.name),),
            )
        for (_, a), (i, b) in matched.common:
            yield from self.table(a, b, i)

    def table(self, a: Table, b: Table, ti: int, renamed: bool = False) -> Iterator[Change]:
        svc, path = self.name, ("tables", ti)
        if (a.model or "") != (b.model or "") and not renamed:
            yield self.change(
                "table.model",
                f"{svc}.{b.name}",
                f"Prisma model {a.model} -> {b.model}",
                (*path, "model"),
                (words(b.name),),
            )
        if (a.primary_key or []) != (b.primary_key or []):  # the table-level key, in order
            yield self.change(
                "table.primary_key",
                f"{svc}.{b.name}",
                f"primary key ({', '.join(a.key_columns())}) -> ({', '.join(b.key_columns())})",
                (*path, "primary_key") if b.primary_key else (*path, "name"),
                (words(b.name, *b.key_columns()),),
            )
        yield from self.columns(a, b, path)
        yield from self.indexes(a, b, path)

    def columns(self, a: Table, b: Table, path: Path) -> Iterator[Change]:
        svc, table = self.name, b.name
        matched = _match(a.columns, b.columns, same_column_shape)
        for (_, old), (ni, new) in matched.renamed:
            yield self.change(
                "column.renamed",
                f"{svc}.{table}.{new.name}",
                f"looks like a rename of {a.name}.{old.name} (same type {new.type}, "
                f"position {ni + 1})",
                (*path, "columns", ni, "name"),
                (words(table, old.name), words(table, new.name)),
                ("column", svc, a.name, old.name),
            )
            yield from self.column(old, new, (*path, "columns", ni), table)
        for i, col in matched.removed:
            yield self.change(
                "column.removed",
                f"{svc}.{a.name}.{col.name}",
                f"column {a.name}.{col.name} removed "
                f"({self.was(('tables', _pos(self.old.model.tables, a), 'columns', i))})",
                (*path, "columns"),
                (words(table, col.name),),
                ("column", svc, a.name, col.name),
            )
        for i, col in matched.added:
            required = new_column_required(col)
            how = (
                "NOT NULL without a default"
                if required
                else ("nullable" if col.nullable else f"NOT NULL, default {col.default}")
            )
            yield self.change(
                "column.added",
                f"{svc}.{table}.{col.name}",
                f"new column {table}.{col.name} {col.type} ({how})",
                (*path, "columns", i),
                (words(table, col.name),),
                required=required,
            )
        for (_, old), (i, new) in matched.common:
            subject = ("column", svc, a.name, old.name)
            yield from self.column(old, new, (*path, "columns", i), table, subject)

    def column(
        self, a: Column, b: Column, path: Path, table: str, subject: Subject | None = None
    ) -> Iterator[Change]:
        target = f"{self.name}.{table}.{b.name}"
        mentions = (words(table, b.name),)
        name = f"{table}.{b.name}"
        if not same_type(a.type, b.type):
            yield self.change(
                "column.type",
                target,
                f"{name} type {a.type} -> {b.type}",
                (*path, "type"),
                mentions,
                subject,
            )
        if a.nullable != b.nullable:
            required = a.nullable and not b.nullable
            how = "nullable -> NOT NULL" if required else "NOT NULL -> nullable"
            yield self.change(
                "column.nullability",
                target,
                f"{name} {how}",
                (*path, "nullable"),
                mentions,
                subject,
                required=required,
            )
        for attr, label, text in _COLUMN_ATTRIBUTES:
            before, after = getattr(a, attr), getattr(b, attr)
            if before != after:
                yield self.change(
                    f"column.{attr}",
                    target,
                    f"{name} {label} {text(before)} -> {text(after)}",
                    (*path, attr),
                    mentions,
                )

    def indexes(self, a: Table, b: Table, path: Path) -> Iterator[Change]:
        svc, table = self.name, b.name
        matched = _match(a.indexes, b.indexes, _same_index, any_position=True)

        def names(ix: Index) -> tuple[frozenset[str], ...]:
            return (words(ix.name), words(table, *ix.columns))

        for (_, old), (ni, new) in matched.renamed:
            yield self.change(
                "index.renamed",
                f"{svc}.{table}.{new.name}",
                f"index {old.name} renamed to {new.name}",
                (*path, "indexes", ni, "name"),
                (*names(new), words(old.name)),
            )
        for _, ix in matched.removed:
            yield self.change(
                "index.removed",
                f"{svc}.{table}.{ix.name}",
                f"index {ix.name} ({', '.join(ix.columns)}) removed",
                (*path, "indexes"),
                names(ix),
            )
        for i, ix in matched.added:
            kind = "unique index" if ix.unique else "index"
            yield self.change(
                "index.added",
                f"{svc}.{table}.{ix.name}",
                f"new {kind} {ix.name} on {table} ({', '.join(ix.columns)})",
                (*path, "indexes", i),
                names(ix),
            )
        for (_, old), (i, new) in matched.common:
            if not _same_index(old, new):
                yield self.change(
                    "index.changed",
                    f"{svc}.{table}.{new.name}",
                    f"index {new.name} changed: {_index_text(old)} -> {_index_text(new)}",
                    (*path, "indexes", i),
                    names(new),
                )

    # --- events and the migration log --------------------------------------------------
    def events(self) -> Iterator[Change]:
        svc = self.name
        old, new = self.old.model.events, self.new.model.events
        matched = _match(old.publishes, new.publishes)
        for i, event in matched.removed:
            others = sorted(self.dependents.consumers(event.name) - {svc})
            moved = sorted(self.dependents.publishers(event.name) - {svc})
            if moved:  # its consumers still get it
                who, others = f"; now published by {', '.join(moved)}", []
            else:
                who = f"; consumed by {', '.join(others)}" if others else "; no service consumes it"
            yield self.change(
                "event.unpublished",
                f"{svc}.{event.name}",
                f"event {event.name} no longer published "
                f"({self.was(('events', 'publishes', i))}){who}",
                ("events",),
                (words(event.name),),
                ("event", event.name),
                consumed=bool(others),
            )
        for i, event in matched.added:
            yield self.change(
                "event.published",
                f"{svc}.{event.name}",
                f"new event {event.name}",
                ("events", "publishes", i),
            )
        for (_, a), (i, b) in matched.common:
            if a.payload != b.payload:
                yield self.change(
                    "event.payload",
                    f"{svc}.{b.name}",
                    f"payload of {b.name}: [{', '.join(a.payload)}] -> [{', '.join(b.payload)}]",
                    ("events", "publishes", i, "payload"),
                )
        before, after = set(old.consumes), set(new.consumes)
        for i, event in enumerate(new.consumes):
            if event not in before:
                yield self.change(
                    "event.consumed",
                    f"{svc}.{event}",
                    f"now consumes {event}",
                    ("events", "consumes", i),
                )
        for event in old.consumes:
            if event not in after:
                yield self.change(
                    "event.unconsumed",
                    f"{svc}.{event}",
                    f"no longer consumes {event}",
                    ("events",),
                )

    def migrations(self) -> Iterator[Change]:
        svc = self.name
        old = _by_name(self.old.model.migrations, "id")
        new = _by_name(self.new.model.migrations, "id")
        for mid, (i, entry) in old.items():
            if mid not in new:
                yield self.change(
                    "migration.removed",
                    f"{svc}.{mid}",
                    f"migration entry {mid} deleted ({self.was(('migrations', i))})",
                    ("migrations",),
                )
            elif new[mid][1] != entry:
                j = new[mid][0]
                keys = [k for k in _MIGRATION_KEYS if getattr(entry, k) != getattr(new[mid][1], k)]
                yield self.change(
                    "migration.edited",
                    f"{svc}.{mid}",
                    f"migration entry {mid} edited ({', '.join(keys)})",
                    ("migrations", j, keys[0] if keys else "id"),
                )
        for mid, (i, entry) in new.items():
            if mid not in old:
                yield self.change(
                    "migration.added",
                    f"{svc}.{mid}",
                    f"new {entry.type or 'untyped'} migration entry {mid}",
                    ("migrations", i),
                )


_MIGRATION_KEYS = ("date", "type", "purpose", "changes", "steps", "rollback")


def _pos(tables: Sequence[Table], table: Table) -> int:
    return next(i for i, t in enumerate(tables) if t is table)


def _same_index(a: Index, b: Index) -> bool:
    """The same definition: keys (with operator classes and sort order), uniqueness, type,
    predicate, compared in canonical form (a default operator class or ASC changes nothing)."""
    return registry_index_definition(a) == registry_index_definition(b)


def _index_text(ix: Index) -> str:
    keys, unique, method, where = registry_index_definition(ix)
    using = f" using {method}" if method != "btree" else ""
    shown = f" where {where}" if where else ""
    return f"{'unique ' if unique else ''}({', '.join(keys)}){using}{shown}"
