"""What rules see: the loaded registry as located objects (`Ref`s), shared lookups, and
the other inputs a command may give (`Inputs`).

Every object a rule can report on is a `Ref`: its service file, its path inside the YAML
(for the source position) and its target (`service.table.column`...). The walks and the
lookups are computed once per run and shared by all rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..changes import Change
from ..loader import BaselineDoc, Registry, ServiceDoc, SettingsDoc
from ..models import Column, Enum, Index, Migration, PublishedEvent, Service, Table
from ..sql.live import LiveSchema

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Ref:
    """An object of the registry, where it is, and how findings name it."""

    doc: ServiceDoc | SettingsDoc | BaselineDoc
    path: Path
    target: str

    @property
    def service(self) -> Service:
        return self.doc.model  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class TableRef(Ref):
    table: Table


@dataclass(frozen=True, slots=True)
class ColumnRef(Ref):
    table: Table
    column: Column


@dataclass(frozen=True, slots=True)
class IndexRef(Ref):
    table: Table
    index: Index


@dataclass(frozen=True, slots=True)
class EnumRef(Ref):
    enum: Enum


@dataclass(frozen=True, slots=True)
class MigrationRef(Ref):
    migration: Migration


@dataclass(frozen=True, slots=True)
class EventRef(Ref):
    event: PublishedEvent


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a command gives the rules besides the registry. A rule names the ones it needs
    (`@rule(..., needs=(...))`) and runs only when they are here."""

    base: Mapping[str, ServiceDoc] | None = None  # `diff`: changed services at the base
    changes: Sequence[Change] = ()  # `diff`: what changed since the base
    live: Mapping[str, LiveSchema] | None = None  # service -> a database or Prisma schema

    @property
    def available(self) -> frozenset[str]:
        given = {"base": self.base is not None, "live": self.live is not None}
        return frozenset(name for name, present in given.items() if present)


def _column_ref(table: TableRef, i: int, column: Column) -> ColumnRef:
    path = (*table.path, "columns", i)
    return ColumnRef(table.doc, path, f"{table.target}.{column.name}", table.table, column)


class Context:
    """The registry as rules see it. Build once per run; everything is computed lazily."""

    def __init__(self, registry: Registry, inputs: Inputs | None = None) -> None:
        self.registry = registry
        self.inputs = inputs or Inputs()
        self.settings = registry.settings.model
        self.docs: list[ServiceDoc] = [registry.services[k] for k in sorted(registry.services)]
        self.today: dt.date = dt.date.today()  # set by the engine
        self.active_waivers: set[int] = set()  # waivers that S602 and S604 accept
        self.used_waivers: set[int] = set()  # indexes of waivers that suppressed a finding
        self.baseline_matches: dict[int, int] = {}  # baseline entry -> findings it matched
        self.ran: set[str] = set()  # codes of the rules the engine ran (S603 judges only those)
        self.memo: dict[Any, Any] = {}  # what a family of rules computes once and shares

    # --- walks -------------------------------------------------------------------------
    @cached_property
    def services(self) -> list[Ref]:
        return [Ref(doc, (), doc.name) for doc in self.docs]

    @cached_property
    def tables(self) -> list[TableRef]:
        return [
            TableRef(doc, ("tables", i), f"{doc.name}.{table.name}", table)
            for doc in self.docs
            for i, table in enumerate(doc.model.tables)
        ]

    @cached_property
    def columns(self) -> list[ColumnRef]:
        return [ref for refs in self._columns_by_table.values() for ref in refs]

    @cached_property
    def _columns_by_table(self) -> dict[tuple[int, Path], list[ColumnRef]]:
        """(id of the Table model, table path) -> its columns: built once, for `columns_of`."""
        return {
            (id(t.table), t.path): [_column_ref(t, i, col) for i, col in enumerate(t.table.columns)]
            for t in self.tables
        }

    @cached_property
    def linked_columns(self) -> list[ColumnRef]:
        """The columns with `references` or `copy_of`, in file order (without walking every
        column into a `ColumnRef`: the cross-service rules need only these)."""
        return [
            _column_ref(t, i, col)
            for t in self.tables
            for i, col in enumerate(t.table.columns)
            if col.references is not None or col.copy_of is not None
        ]

    @cached_property
    def indexes(self) -> list[IndexRef]:
        return [
            IndexRef(
                t.doc,
                (*t.path, "indexes", i),
                f"{t.doc.name}.{t.table.name}.{ix.name}",
                t.table,
                ix,
            )
            for t in self.tables
            for i, ix in enumerate(t.table.indexes)
        ]

    @cached_property
    def enums(self) -> list[EnumRef]:
        return [
            EnumRef(doc, ("enums", i), f"{doc.name}.{enum.name}", enum)
            for doc in self.docs
            for i, enum in enumerate(doc.model.enums)
        ]

    @cached_property
    def migrations(self) -> list[MigrationRef]:
        return [
            MigrationRef(doc, ("migrations", i), f"{doc.name}.{m.id}", m)
            for doc in self.docs
            for i, m in enumerate(doc.model.migrations)
        ]

    @cached_property
    def published_events(self) -> list[EventRef]:
        return [
            EventRef(doc, ("events", "publishes", i), f"{doc.name}.{event.name}", event)
            for doc in self.docs
            for i, event in enumerate(doc.model.events.publishes)
        ]

    def columns_of(self, table: TableRef) -> Iterator[ColumnRef]:
        """The columns of one of `self.tables`, in file order."""
        return iter(self._columns_by_table[(id(table.table), table.path)])

    # --- lookups -----------------------------------------------------------------------
    def column_at(self, service: str, table: str, column: str) -> ColumnRef | None:
        """The column `service.table.column`; the first one wins on duplicates."""
        for ref in self._tables_named.get((service, table), ()):
            for i, col in enumerate(ref.table.columns):
                if col.name == column:
                    return _column_ref(ref, i, col)
        return None

    @cached_property
    def _tables_named(self) -> dict[tuple[str, str], list[TableRef]]:
        named: dict[tuple[str, str], list[TableRef]] = {}
        for ref in self.tables:
            named.setdefault((ref.doc.name, ref.table.name), []).append(ref)
        return named

    @cached_property
    def table_index(self) -> dict[tuple[str, str], TableRef]:
        index: dict[tuple[str, str], TableRef] = {}
        for ref in self.tables:
            index.setdefault((ref.doc.name, ref.table.name), ref)
        return index

    @cached_property
    def publishers(self) -> dict[str, set[str]]:
        """event name -> services that publish it."""
        result: dict[str, set[str]] = {}
        for ref in self.published_events:
            result.setdefault(ref.event.name, set()).add(ref.doc.name)
        return result

    @property
    def unloaded_services(self) -> set[str]:
        """Services whose file exists but failed to load: cross-service checks skip them."""
        return self.registry.unloaded

    @cached_property
    def targets(self) -> set[str]:
        """Every target a finding (and so a waiver) can name."""
        walks = (
            self.services,
            self.tables,
            self.columns,
            self.indexes,
            self.enums,
            self.migrations,
            self.published_events,
        )
        return {ref.target for walk in walks for ref in walk}

    def enum_names(self, doc: ServiceDoc) -> set[str]:
        return {e.name for e in doc.model.enums} | {e.db_name for e in doc.model.enums if e.db_name}
