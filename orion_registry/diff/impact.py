"""Who depends on what, in the new registry: references, copies, consumed events, enum
types, the declared queries that name a column, and the consumers of an event whose payload
names a column.

Built once, in one walk over the columns and event lists, and only when a breaking change
needs it. Each dependency keeps where it is declared; its line is looked up only when it is
reported (positions are costly to compute for every file).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property

from ..changes import Change, Impact, Subject
from ..lang.words import normal_name
from ..loader import ServiceDoc
from ..models import Link
from ..rules.relationships import payload_names

Key = tuple[str, ...]
# (the dependent's file, its target, how it depends, the YAML path of the dependency)
Dependency = tuple[ServiceDoc, str, str, tuple[str | int, ...]]


class Dependents:
    def __init__(self, services: Mapping[str, ServiceDoc]) -> None:
        self.services = services

    @cached_property
    def _index(self) -> dict[Key, list[Dependency]]:
        """("column", svc, table, col) / ("table", svc, table) / ("service", svc) /
        ("event", name) -> dependencies on it."""
        index: dict[Key, list[Dependency]] = defaultdict(list)
        for name in sorted(self.services):
            doc = self.services[name]
            for ti, table in enumerate(doc.model.tables):
                for ci, col in enumerate(table.columns):
                    path = ("tables", ti, "columns", ci)
                    target = f"{name}.{table.name}.{col.name}"
                    for via in ("references", "copy_of"):
                        link = getattr(col, via)
                        if link is None:
                            continue
                        parts = (link if isinstance(link, str) else link.column).split(".")
                        parts = [name, *parts] if len(parts) == 2 else parts
                        if len(parts) != 3:
                            continue
                        _add(index, parts, (doc, target, via, (*path, via)))
                        if isinstance(link, Link):
                            for ei, event in enumerate(link.events):
                                index["event", event].append(
                                    (doc, target, "sync events", (*path, via, "events", ei))
                                )
                for qi, query in enumerate(table.queries):  # the service's own reads
                    dep = (
                        doc,
                        f"{name}.{table.name}.{query.name}",
                        "query",
                        ("tables", ti, "queries", qi),
                    )
                    named = [*query.where, *([query.range] if query.range else []), *query.order_by]
                    for col_name in dict.fromkeys(named):
                        index["column", name, table.name, col_name].append(dep)
            for ei, event in enumerate(doc.model.events.consumes):
                index["event", event].append((doc, name, "consumes", ("events", "consumes", ei)))
        return index

    def _enum_users(self, svc: str, names: set[str]) -> list[Impact]:
        """Columns of `svc` typed with the enum (enums are local to their service)."""
        doc = self.services.get(svc)
        if doc is None:
            return []
        return [
            _impact(
                doc,
                f"{svc}.{table.name}.{col.name}",
                "enum type",
                ("tables", ti, "columns", ci, "type"),
            )
            for ti, table in enumerate(doc.model.tables)
            for ci, col in enumerate(table.columns)
            if col.type in names
        ]

    def consumers(self, event: str) -> set[str]:
        """Services that consume `event` or keep data in sync with it."""
        return {doc.name for doc, *_ in self._index.get(("event", event), [])}

    @cached_property
    def _publishers(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = defaultdict(set)
        for name, doc in self.services.items():
            for event in doc.model.events.publishes:
                found[event.name].add(name)
        return found

    def publishers(self, event: str) -> set[str]:
        """Services that publish `event` now."""
        return self._publishers.get(event, set())

    def _payload_readers(self, svc: str, table: str, column: str) -> list[Impact]:
        """Consumers of `svc`'s events whose payload lists a field naming the column."""
        doc = self.services.get(svc)
        names = set(payload_names(table, column))
        found = []
        for event in doc.model.events.publishes if doc is not None else ():
            fields = [f for f in event.payload if normal_name(f) in names]
            for dep_doc, target, _, path in (
                self._index.get(("event", event.name), []) if fields else ()
            ):
                via = f"payload of {event.name} ('{fields[0]}')"
                found.append(_impact(dep_doc, target, via, path))
        return found

    def of(self, subject: Subject) -> list[Impact]:
        kind, *rest = subject
        if kind == "column":
            found = [_impact(*dep) for dep in self._index.get((kind, *rest), [])]
            found += self._payload_readers(*rest)
        elif kind == "enum":
            found = self._enum_users(rest[0], {n for n in rest[1:] if n})
        elif kind == "service":  # its columns, and its events that nobody publishes now
            svc, *events = rest
            keys = [("service", svc)]
            keys += [("event", e) for e in events if not self.publishers(e)]
            found = [_impact(*dep) for key in keys for dep in self._index.get(key, [])]
        else:
            found = [_impact(*dep) for dep in self._index.get((kind, *rest), [])]
        unique = {(i.file, i.line, i.target, i.via): i for i in found}
        return [unique[k] for k in sorted(unique)]


def _add(index: dict[Key, list[Dependency]], parts: list[str], dep: Dependency) -> None:
    svc, table, col = parts
    index["column", svc, table, col].append(dep)
    index["table", svc, table].append(dep)
    index["service", svc].append(dep)


def _impact(doc: ServiceDoc, target: str, via: str, path: tuple[str | int, ...]) -> Impact:
    line, _ = doc.source.locate(path)
    return Impact(doc.name, target, via, doc.file, line)


def attach(changes: Iterable[Change], dependents: Dependents) -> None:
    """Fill `impacted` of every breaking change from the new registry's dependencies."""
    for change in changes:
        if change.breaking and change.subject is not None:
            change.impacted = dependents.of(change.subject)
