"""Mermaid sources: a service's ER diagram and service maps (flowcharts).

Node ids are derived from validated service slugs (`s_<name>`) or positions (`t3`); every
label goes through `mermaid_label`, so registry text cannot break out of a diagram.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import Service
from .escape import mermaid_label, mermaid_type, mermaid_word, slug
from .index import SiteIndex, owner_of

# Mermaid refuses diagrams beyond `maxEdges` (500) edges or `maxTextSize` (50,000
# characters); Material cannot raise them, so diagrams stay below with some margin.
MAX_EDGES = 450
MAX_TEXT = 45_000


def er_diagram(service: Service, index: SiteIndex) -> str:
    """The service's tables, columns and same-database references."""
    ids = {table.name: f"t{i}" for i, table in enumerate(service.tables)}
    fk_columns = {(r.table, r.column) for r in index.local_refs[service.service]}
    lines = ["erDiagram"]
    for table in service.tables:
        lines.append(f'  {ids[table.name]}["{mermaid_label(table.name)}"] {{')
        for column in table.columns:
            keys = [
                key
                for key, on in (
                    ("PK", column.primary_key),
                    ("FK", (table.name, column.name) in fk_columns),
                    ("UK", column.unique and not column.primary_key),
                )
                if on
            ]
            kind, comment = mermaid_type(column.type)
            attribute = f"{kind} {mermaid_word(column.name)} {','.join(keys)}".rstrip()
            lines.append(f'    {attribute} "{comment}"' if comment else f"    {attribute}")
        lines.append("  }")
    uniques = {(t.name, c.name) for t in service.tables for c in t.columns if c.unique}
    for ref in index.local_refs[service.service]:
        if ref.table not in ids or ref.target_table not in ids:
            continue  # a dangling reference is a rule's finding, not a diagram edge
        many = "o|" if (ref.table, ref.column) in uniques else "o{"
        label = mermaid_label(ref.column)
        lines.append(f'  {ids[ref.target_table]} ||--{many} {ids[ref.table]} : "{label}"')
    return "\n".join(lines)


@dataclass
class Edges:
    """Service-to-service edges, aggregated per pair: sync strategies and event names."""

    syncs: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    events: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def pairs(self) -> set[tuple[str, str]]:
        return set(self.syncs) | set(self.events)


def service_edges(index: SiteIndex, names: Iterable[str]) -> Edges:
    """Edges touching any of `names`: references (holder -> owner), events (pub -> consumer)."""
    edges = Edges()
    for name in names:
        for link in index.refs_out[name] + index.refs_in[name]:
            if link.holder != link.owner and index.has(link.owner):
                edges.syncs[(link.holder, link.owner)].add(link.sync)
        for event in index.consumed[name]:
            for publisher in index.publishers.get(event, ()):
                _add_event(edges, publisher, name, event)
        for published in index.doc(name).model.events.publishes:
            for consumer in index.consumers.get(published.name, ()):
                _add_event(edges, name, consumer, published.name)
    return edges


def _add_event(edges: Edges, publisher: str, consumer: str, event: str) -> None:
    if publisher == consumer:
        return  # looking the pair up first would add an empty (self-loop) pair
    names = edges.events[(publisher, consumer)]
    if event not in names:
        names.append(event)


@dataclass(frozen=True, slots=True)
class Chart:
    """A Mermaid source and how many edges were left out to stay within Mermaid's limits."""

    source: str
    omitted: int = 0

    def __bool__(self) -> bool:
        return bool(self.source)


def flowchart(
    index: SiteIndex,
    nodes: Iterable[str],
    edges: Edges,
    highlight: str | None = None,
    group: bool = True,
) -> Chart:
    """A `flowchart LR` of services, in one subgraph per owner when `group`."""
    shown = sorted(set(nodes))
    lines = ["flowchart LR"]
    by_owner: dict[str, list[str]] = defaultdict(list)
    for name in shown:
        by_owner[owner_of(index.doc(name)) if group else ""].append(name)
    for number, owner in enumerate(sorted(by_owner)):
        indent = "  "
        if owner:
            lines.append(f'  subgraph g{number}["{mermaid_label(owner)}"]')
            indent = "    "
        lines += [f'{indent}s_{name}["{name}"]' for name in by_owner[owner]]
        if owner:
            lines.append("  end")
    if highlight:
        lines.append(f"  class s_{highlight} focus")
        lines.append("  classDef focus stroke-width:3px")
    visible = set(shown)
    references, events = [], []
    for source, target in sorted(edges.pairs()):
        if source not in visible or target not in visible:
            continue
        syncs = edges.syncs.get((source, target))
        if syncs:
            label = mermaid_label(", ".join(sorted(syncs)))
            references.append(f'  s_{source} -->|"{label}"| s_{target}')
        names = edges.events.get((source, target))
        if names:
            events.append(f'  s_{source} -.->|"{event_label(names)}"| s_{target}')
    return _bounded(lines, references + events)  # data references first, then events


def _bounded(lines: list[str], edges: list[str]) -> Chart:
    """Add edges while Mermaid can still draw the diagram (edge and text-size limits)."""
    size = sum(len(line) + 1 for line in lines)
    kept = 0
    for edge in edges:
        if kept == MAX_EDGES or size + len(edge) + 1 > MAX_TEXT:
            break
        lines.append(edge)
        size += len(edge) + 1
        kept += 1
    return Chart("\n".join(lines), len(edges) - kept)


def event_label(events: list[str]) -> str:
    """Every event of the edge, in full (the diagram's size is bounded by `_bounded`)."""
    return mermaid_label(", ".join(events), limit=MAX_TEXT)


def owner_ids(owners: Iterable[str]) -> dict[str, str]:
    """A unique slug per owner (for page paths and node ids), stable across builds."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for owner in sorted(owners):
        base = slug(owner).replace("-", "_")
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[owner] = candidate
    return ids
