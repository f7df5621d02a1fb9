"""Cross-service lookups for the site, computed in one pass over the registry.

Pages ask the index ("who points at auth?", "who consumes user.created?") instead of
scanning every service, so a build stays linear in the size of the registry.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..loader import Registry, ServiceDoc
from ..models import Link, Waiver


@dataclass(frozen=True, slots=True)
class CrossLink:
    """A column of `holder` that references or copies a column of service `owner`."""

    holder: str
    table: str
    column: str
    kind: str  # "reference" | "copy"
    owner: str
    target: str  # "service.table.column" as written
    link: Link

    @property
    def sync(self) -> str:
        return self.link.sync or "undeclared"


@dataclass(frozen=True, slots=True)
class LocalRef:
    """A same-database reference `table.column -> target_table.target_column`."""

    table: str
    column: str
    target_table: str
    target_column: str
    foreign_key: bool


@dataclass
class SiteIndex:
    registry: Registry
    names: list[str] = field(default_factory=list)  # service names, sorted
    refs_out: dict[str, list[CrossLink]] = field(default_factory=lambda: defaultdict(list))
    refs_in: dict[str, list[CrossLink]] = field(default_factory=lambda: defaultdict(list))
    local_refs: dict[str, list[LocalRef]] = field(default_factory=lambda: defaultdict(list))
    publishers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    consumers: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    consumed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    dependents: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    owners: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    waivers: dict[str, list[Waiver]] = field(default_factory=lambda: defaultdict(list))
    tables: set[tuple[str, str]] = field(default_factory=set)  # (service, table)
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # once

    def doc(self, name: str) -> ServiceDoc:
        return self.registry.services[name]

    def has(self, name: str) -> bool:
        return name in self.registry.services

    def neighbours(self, name: str) -> set[str]:
        """Services one hop away: data or events in either direction."""
        near = {link.owner for link in self.refs_out[name]}
        near |= {link.holder for link in self.refs_in[name]}
        for event in self.consumed[name]:
            near.update(self.publishers.get(event, ()))
        for event in self.doc(name).model.events.publishes:
            near.update(self.consumers.get(event.name, ()))
        near.discard(name)
        return {n for n in near if self.has(n)}


NO_OWNER = "(no owner)"


def owner_of(doc: ServiceDoc) -> str:
    return (doc.model.owner or "").strip() or NO_OWNER


def build_index(registry: Registry) -> SiteIndex:
    """Walk every service once and fill every lookup the pages need."""
    index = SiteIndex(registry, names=sorted(registry.services))
    for name in index.names:
        doc = registry.services[name]
        service = doc.model
        index.owners[owner_of(doc)].append(name)
        for event in service.events.publishes:
            index.publishers[event.name].append(name)
        consumed = list(dict.fromkeys(service.events.consumes))
        for table in service.tables:
            index.tables.add((name, table.name))
            for column in table.columns:
                if column.references is None and column.copy_of is None:
                    continue
                links = [("reference", column.references), ("copy", column.copy_of)]
                for kind, link in links:
                    _add_link(index, name, table.name, column.name, kind, link)
                    if isinstance(link, Link) and link.column.count(".") == 2:
                        consumed += [e for e in link.events if e not in consumed]
        index.consumed[name] = consumed
        for event in consumed:
            index.consumers[event].append(name)
    for event, consumers in index.consumers.items():
        for publisher in index.publishers.get(event, ()):
            index.dependents[publisher].update(c for c in consumers if c != publisher)
    for holder_links in index.refs_out.values():
        for link in holder_links:
            if link.owner != link.holder:
                index.dependents[link.owner].add(link.holder)
    _index_waivers(index)
    return index


def _add_link(
    index: SiteIndex, name: str, table: str, column: str, kind: str, link: str | Link | None
) -> None:
    if link is None:
        return
    target = link if isinstance(link, str) else link.column
    parts = target.split(".")
    if len(parts) == 3:
        owner = parts[0]
        cross = CrossLink(name, table, column, kind, owner, target, link)  # type: ignore[arg-type]
        index.refs_out[name].append(cross)
        index.refs_in[owner].append(cross)
    elif len(parts) == 2 and kind == "reference":
        fk = isinstance(link, str) or link.foreign_key
        index.local_refs[name].append(LocalRef(table, column, parts[0], parts[1], fk))


def _index_waivers(index: SiteIndex) -> None:
    """Each waiver under the service(s) its target names (`user.users...`, or a glob)."""
    for waiver in index.registry.settings.model.waivers:
        head = waiver.target.split(".", 1)[0]
        if "*" not in head:
            names = [head] if index.has(head) else []
        else:
            names = [n for n in index.names if fnmatch.fnmatchcase(n, head)]
        for name in names:
            index.waivers[name].append(waiver)
