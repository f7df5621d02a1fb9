"""The relationship map's data: every service, team and cross-service link as one JSON
document, which the map page's script reads (`map/graph.json`).

Registry text stays data: the page script only puts it in `textContent` and Cytoscape
labels, and the JSON escapes `<`, `>` and `&` besides, so it is inert even if inlined.
The document is deterministic: same registry, same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from . import collector
from .index import SiteIndex, owner_of
from .paths import SitePaths

KINDS = ("reference", "copy", "event")
SYNCS = ("event", "api", "cache", "undeclared")
FORMAT_VERSION = 1
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass
class MapLink:
    """Everything `source` -> `target` of one kind and sync strategy: its columns as
    (table, column, target table, target column) for references and copies, its event names
    for events."""

    source: str
    target: str
    kind: str
    sync: str
    columns: list[tuple[str, str, str, str]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)


def map_links(index: SiteIndex) -> list[MapLink]:
    """Cross-service links between existing services, aggregated and sorted.

    References and copies run from the service holding the data to its owner; events from
    publisher to consumer. Self-links are left out (they are not relationships between
    services). Computed once per index (the map pages, the map data and the service
    pages all read it).
    """
    if "map_links" not in index.derived:
        index.derived["map_links"] = _links(index, index.names)
    return index.derived["map_links"]


def _links(index: SiteIndex, names: list[str], touching: str | None = None) -> list[MapLink]:
    """The links held (references, copies) or consumed (events) by `names`; with
    `touching`, only those from or to that service."""
    grouped: dict[tuple[str, str, str, str], MapLink] = {}

    def at(source: str, target: str, kind: str, sync: str) -> MapLink:
        key = (source, target, kind, sync)
        if key not in grouped:
            grouped[key] = MapLink(*key)
        return grouped[key]

    for name in names:
        for link in index.refs_out[name]:
            if link.owner == name or not index.has(link.owner):
                continue
            if touching is not None and touching not in (name, link.owner):
                continue
            sync = getattr(link.link, "sync", None) or "undeclared"
            table, _, column = link.target.partition(".")[2].partition(".")
            at(name, link.owner, link.kind, sync).columns.append(
                (link.table, link.column, table, column)
            )
        for event in index.consumed[name]:
            for publisher in index.publishers.get(event, ()):
                if touching is not None and touching not in (name, publisher):
                    continue
                if publisher != name:
                    at(publisher, name, "event", "event").events.append(event)
    for link in grouped.values():
        link.columns = sorted(set(link.columns))
        link.events = sorted(set(link.events))
    return [grouped[key] for key in sorted(grouped)]


def map_inputs(index: SiteIndex, name: str) -> tuple:
    """All the map (its data, its page) reads of one service: its owner, title, the
    cross-service links it holds, the events it consumes and publishes."""
    doc = index.doc(name)
    refs = [(r.table, r.column, r.kind, r.owner, r.target, r.sync) for r in index.refs_out[name]]
    published = [event.name for event in doc.model.events.publishes]
    return (name, owner_of(doc), doc.model.title, refs, index.consumed[name], published)


def link_summary(index: SiteIndex) -> dict[str, list[tuple[str, str]]]:
    """For each service, the services it links to with the kinds of link, as text:
    `[("user", "reference · event, copy · cache"), ("billing", "events")]`."""
    kinds: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for link in map_links(index):
        text = "events" if link.kind == "event" else f"{link.kind} · {link.sync}"
        kinds[link.source][link.target].append(text)
    return {
        name: [(target, ", ".join(texts)) for target, texts in sorted(kinds[name].items())]
        for name in index.names
    }


@dataclass
class TeamBox:
    """The neighbours of a service in one team, and the kinds of link each way."""

    team: str
    services: list[str]
    outgoing: list[str]  # "reference (api, event)", "events": from the service to the team
    incoming: list[str]  # links from the team's services to the service


def team_boxes(index: SiteIndex, name: str, links: list[MapLink] | None = None) -> list[TeamBox]:
    """The one-hop neighbours of `name` grouped by team (sorted), with the kinds of link:
    `reference (api, event)`, `copy (event)`, `events`. `links`: the service's own links,
    when the caller has them (`links_by_service`)."""
    services: dict[str, set[str]] = defaultdict(set)
    kinds: dict[tuple[str, bool], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for link in map_links_of(index, name) if links is None else links:
        outgoing = link.source == name
        other = link.target if outgoing else link.source
        team = owner_of(index.doc(other))
        services[team].add(other)
        kinds[(team, outgoing)][link.kind].add(link.sync)

    def described(team: str, outgoing: bool) -> list[str]:
        found = kinds.get((team, outgoing), {})
        data = [k for k in ("reference", "copy") if k in found]
        texts = [f"{kind} ({', '.join(sorted(found[kind]))})" for kind in data]
        return texts + (["events"] if "event" in found else [])

    return [
        TeamBox(team, sorted(services[team]), described(team, True), described(team, False))
        for team in sorted(services)
    ]


def map_links_of(index: SiteIndex, name: str) -> list[MapLink]:
    """The links from or to `name` (`map_links` restricted to one service's neighbourhood)."""
    near = index.neighbours(name) | {name}
    sub = [n for n in index.names if n in near]
    return _links(index, sub, touching=name)


def links_by_service(links: list[MapLink]) -> dict[str, list[MapLink]]:
    """`map_links` by service, each link under both its ends (in `map_links` order): the
    same as `map_links_of` for every service, in one pass instead of one per service."""
    grouped: dict[str, list[MapLink]] = defaultdict(list)
    for link in links:
        grouped[link.source].append(link)
        grouped[link.target].append(link)
    return grouped


def map_document(index: SiteIndex, paths: SitePaths) -> dict[str, Any]:
    """The map's data. Services carry their page URL as seen from the map page. A link is a
    row `[source, target, kind, sync, details]` of numbers: services, `kinds` and `syncs` by
    position; `details` are positions in `strings`, four per column of a reference or copy
    (table, column, target table, target column), one per event of an event link."""
    teams = sorted(index.owners)
    team_number = {team: i for i, team in enumerate(teams)}
    number = {name: i for i, name in enumerate(index.names)}
    links = map_links(index)
    strings = sorted(
        {text for link in links for column in link.columns for text in column}
        | {event for link in links for event in link.events}
    )
    string_number = {text: i for i, text in enumerate(strings)}
    rows = []
    for link in links:
        texts = [text for column in link.columns for text in column] + link.events
        sync = SYNCS.index(link.sync if link.sync in SYNCS else "undeclared")
        details = [string_number[text] for text in texts]
        rows.append(
            [number[link.source], number[link.target], KINDS.index(link.kind), sync, details]
        )
    services = [
        {
            "name": name,
            "team": team_number[owner_of(index.doc(name))],
            "title": index.doc(name).model.title or "",
            "url": paths.url(paths.map, paths.service(name)),
        }
        for name in index.names
    ]
    return {
        "version": FORMAT_VERSION,
        "kinds": list(KINDS),
        "syncs": list(SYNCS),
        "teams": teams,
        "services": services,
        "strings": strings,
        "links": rows,
    }


def map_json(index: SiteIndex, paths: SitePaths) -> str:
    """`map_document` as compact, deterministic JSON with `<`, `>` and `&` escaped."""
    with collector.paused():
        document = map_document(index, paths)
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.translate(_JSON_ESCAPES)
