"""Registry -> the generated pages of the site, by src_uri. No MkDocs here.

`render_site` builds the cross-service index once, then renders every page from its
Jinja2 template. The order of the result is stable (sorted), so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..cache import digest
from ..findings import Finding, summarize
from ..loader import Registry, ServiceDoc
from ..models import Migration
from ..paths import repository_root
from ..rules import RULES, Rule
from ..waivers import rule_config
from . import collector, search
from .blocks import GeneratedPage, HtmlBlocks, mermaid_html
from .cells import column_rows, column_table_rows, kept_fresh, migration_kind
from .escape import escape_markdown
from .findings import ServiceFindings, badges, by_service, tally
from .graph import MapLink, TeamBox, link_summary, links_by_service, map_links, team_boxes
from .guide import option_cell, trusted_cell
from .index import SiteIndex, build_index, owner_of
from .links import Links, table_anchor
from .memo import PageMemo
from .mermaid import Chart, er_diagram, flowchart, owner_ids, service_edges
from .paths import SitePaths
from .queries import estimated_total, index_anchor, query_table_rows, rows_text
from .templates import make_env

# Above this many services the interactive map opens with every team collapsed to one box.
COLLAPSE_TEAMS_ABOVE = 60
# A service page draws each neighbour up to this many; past it, one box per team (HTML).
NEIGHBOURS_DRAWN = 12
# Browser libraries of the map, vendored into docs/assets/vendor by setup (see dev.py).
MAP_LIBRARIES = ("cytoscape.min.js", "layout-base.js", "cose-base.js", "cytoscape-fcose.js")
STYLESHEET = "orion-registry.css"
MAP_SCRIPT = "orion-map.js"


@dataclass
class Site:
    """The generated pages and what the plugin needs to place them in the navigation."""

    pages: dict[str, GeneratedPage] = field(default_factory=dict)  # by src_uri
    services_by_owner: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    rules: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # family -> (title, uri)


def render_site(
    registry: Registry,
    findings: Sequence[Finding] = (),
    env: Environment | None = None,
    paths: SitePaths | None = None,
    show_findings: bool = False,
    index: SiteIndex | None = None,
    memo: PageMemo | None = None,
) -> Site:
    """Every generated page of `registry`. `show_findings` adds the findings page;
    `index` reuses a `build_index(registry)` already made; `memo` (started by the caller)
    gives the service pages whose inputs did not change since its last build."""
    env = env or make_env()
    paths = paths or SitePaths()
    with collector.paused():
        renderer = _Renderer(registry, env, paths, index or build_index(registry), memo)
        return renderer.render(list(findings), show_findings)


class _Renderer:
    def __init__(
        self,
        registry: Registry,
        env: Environment,
        paths: SitePaths,
        index: SiteIndex,
        memo: PageMemo | None = None,
    ) -> None:
        self.registry = registry
        self.env = env
        self.paths = paths
        self.index = index
        self.memo = memo
        self.findings_of: dict[str, list[Finding]] = defaultdict(list)  # service -> its findings
        self.owner_ids = owner_ids(self.index.owners)
        self.site = Site()
        self.prisma_differences: Counter[str] = Counter()  # service -> drift findings
        self.baselined: Counter[str] = Counter()  # service -> baselined findings
        self.flagged: dict[str, ServiceFindings] = {}
        self.links: dict[str, list[MapLink]] | None = None  # by service, made on first use

    def page(self, uri: str, template: str, **context: Any) -> None:
        links = Links(self.paths, self.index, uri, self.owner_ids)
        blocks = HtmlBlocks()
        with blocks.active():  # long values become blocks too (escape_markdown)
            markdown = self.env.get_template(template).render(
                html=blocks,
                mermaid_html=mermaid_html,
                column_rows=column_rows,
                column_table_rows=column_table_rows,
                kept_fresh=kept_fresh,
                migration_kind=migration_kind,
                ln=links,
                paths=self.paths,
                index=self.index,
                registry=self.registry,
                organization=self.registry.settings.model.organization or "",
                table_anchor=table_anchor,
                index_anchor=index_anchor,
                query_table_rows=query_table_rows,
                rows_text=rows_text,
                estimated_total=estimated_total,
                rule_codes=RULES,
                search=search,
                badges=badges,
                tally=tally,
                **context,
            )
        self.site.pages[uri] = GeneratedPage(markdown, blocks.blocks, blocks.search)

    def render(self, findings: list[Finding], show_findings: bool) -> Site:
        # per service, counted once (not once per page)
        self.prisma_differences = Counter(_service(f) for f in findings if f.rule[:2] == "D7")
        self.baselined = Counter(_service(f) for f in findings if f.baselined)
        shown = (
            [replace(f, file=shown_file(self.registry, f.file)) for f in findings]
            if show_findings
            else []
        )
        if show_findings:  # mark the objects with findings on their service pages
            self.flagged = by_service(shown, self.index.names)
        if self.memo is not None:  # a service page's key holds the findings on it
            for finding in findings:
                self.findings_of[_service(finding)].append(finding)
        self.services_index()
        for name in self.index.names:
            self.service(name)
        self.maps()
        self.migrations()
        self.rules()
        if show_findings:
            self.page(
                self.paths.findings,
                "findings.md.j2",
                findings=shown,
                counts=summarize(findings),
            )
        self.site.services_by_owner = {
            owner: [(name, self.paths.service(name)) for name in self.index.owners[owner]]
            for owner in sorted(self.index.owners)
        }
        self.site.pages = dict(sorted(self.site.pages.items()))
        return self.site

    def services_index(self) -> None:
        self.page(
            self.paths.services,
            "services_index.md.j2",
            rows=[self.index.doc(n).model for n in self.index.names],
            databases=len({self.index.doc(n).model.database for n in self.index.names}),
        )

    def service(self, name: str) -> None:
        uri = self.paths.service(name)
        key = self.memo.key(self.index, name, self.findings_of[name]) if self.memo else ""
        kept = self.memo.get(key) if self.memo else None
        if kept is not None:
            self.site.pages[uri] = kept
            return
        doc = self.index.doc(name)
        near = self.index.neighbours(name)
        self.page(
            uri,
            "service.md.j2",
            doc=doc,
            source_file=source_file(self.registry, doc),
            service=doc.model,
            owner=owner_of(doc),
            er=er_diagram(doc.model, self.index) if doc.model.tables else "",
            neighbours=len(near),
            neighbourhood=self.neighbourhood(name, near),
            teams=self.team_boxes(name) if len(near) > NEIGHBOURS_DRAWN else [],
            refs_out=self.index.refs_out[name],
            refs_in=sorted(self.index.refs_in[name], key=lambda r: (r.holder, r.table, r.column)),
            consumed=self.index.consumed[name],
            migrations=newest_first(doc.model.migrations),
            waivers=self.index.waivers[name],
            prisma_file=prisma_file(self.registry, doc),
            prisma_differences=self.prisma_differences[name],
            baselined=self.baselined[name],
            flagged=self.flagged.get(name) or ServiceFindings(),
        )
        if self.memo is not None:
            self.memo.put(key, self.site.pages[uri])

    def team_boxes(self, name: str) -> list[TeamBox]:
        if self.memo is not None:  # serving: a few pages, each scans only its own links
            return team_boxes(self.index, name)
        if self.links is None:
            self.links = links_by_service(map_links(self.index))
        return team_boxes(self.index, name, self.links.get(name, []))

    def neighbourhood(self, name: str, near: set[str]) -> Chart | None:
        """The service and its neighbours as a diagram, unless there are too many to draw."""
        if not near or len(near) > NEIGHBOURS_DRAWN:
            return None
        edges = service_edges(self.index, [name])
        return flowchart(self.index, near | {name}, edges, highlight=name)

    def maps(self) -> None:
        paths = self.paths
        libraries = [paths.file_url(paths.map, f"assets/vendor/{n}") for n in MAP_LIBRARIES]
        self.kept_page(
            paths.map,
            self.memo.map if self.memo else "",
            lambda: self.page(
                paths.map,
                "map_index.md.j2",
                graph_url=paths.file_url(paths.map, paths.map_data),
                scripts=[*libraries, paths.file_url(paths.map, paths.map_script)],
                collapse_above=COLLAPSE_TEAMS_ABOVE,
                owners=sorted(self.index.owners),
                outgoing=link_summary(self.index),
            ),
        )
        for owner in sorted(self.index.owners):
            own = self.index.owners[owner]
            uri = paths.owner_map(self.owner_ids[owner])
            near = {n for name in own for n in self.index.neighbours(name)}
            context = {"owner": owner, "services": own, "outside": sorted(near - set(own))}
            shown = [(name, self.index.doc(name).model.description) for name in own]
            self.kept_page(
                uri,
                digest(self.memo.map, owner, shown) if self.memo else "",
                partial(self.page, uri, "map_owner.md.j2", **context),
            )

    def kept_page(self, uri: str, key: str, render: Callable[[], None]) -> None:
        """`render()` the page `uri`, unless the memo keeps it under `key` (while serving)."""
        kept = self.memo.get(key) if self.memo and key else None
        if kept is not None:
            self.site.pages[uri] = kept
            return
        render()
        if self.memo is not None and key:
            self.memo.put(key, self.site.pages[uri])

    def migrations(self) -> None:
        entries = [
            (m, name) for name in self.index.names for m in self.index.doc(name).model.migrations
        ]
        entries.sort(key=lambda e: (_date_key(e[0]), e[0].id, e[1]), reverse=True)
        months: dict[str, list[tuple[Migration, str]]] = defaultdict(list)
        for migration, name in entries:
            month = migration.date.strftime("%Y-%m") if migration.date else "undated"
            months[month].append((migration, name))
        breaking = sum(1 for m, _ in entries if m.type == "breaking")
        self.page(
            self.paths.migrations,
            "migrations.md.j2",
            months=months,
            total=len(entries),
            breaking=breaking,
        )

    def rules(self) -> None:
        config = rule_config(self.registry)
        rules = [RULES[code] for code in sorted(RULES)]
        for rule in rules:
            self.page(self.paths.rule(rule.code), "rule.md.j2", **rule_context(rule, config))
            family = rule.family
            entry = (f"{rule.code} {rule.name}", self.paths.rule(rule.code))
            self.site.rules.setdefault(family, []).append(entry)
        self.page(
            self.paths.rules,
            "rules_index.md.j2",
            rules=[rule_context(rule, config) for rule in rules],
        )


def rule_context(rule: Rule, config: Any = None) -> dict[str, Any]:
    """What a rule page (and the guide's rule box) shows about `rule`."""
    severity = config.severity.get(rule.code, rule.severity) if config else rule.severity
    options = config.options.get(rule.code, rule.options) if config else rule.options
    return {
        "rule": rule,
        "summary": Markup(rule.summary),  # rule docs are our code, not registry data
        "sections": {title: Markup(text) for title, text in rule.sections.items()},
        "severity": severity,
        "options": [
            (
                name,
                Markup(option_cell(rule.options[name])),
                Markup(option_cell(options.get(name, rule.options[name]))),
                Markup(trusted_cell(rule.option_docs[name])),  # the project's own docs
            )
            for name in sorted(rule.options)
        ],
    }


def source_file(registry: Registry, doc: ServiceDoc) -> str:
    """The service file as `<registry folder>/services/<file>`, never an absolute path."""
    return shown_file(registry, doc.path, f"services/{doc.path.name}")


def prisma_file(registry: Registry, doc: ServiceDoc) -> str | None:
    """The service's `prisma_schema` relative to the repository top (as declared when it
    lies outside: the loader reports that)."""
    declared = doc.model.prisma_schema
    if declared is None:
        return None
    path = Path(os.path.normpath(doc.path.parent.resolve() / declared))
    top = repository_root(registry.root)
    return path.relative_to(top).as_posix() if path.is_relative_to(top) else declared


def shown_file(registry: Registry, path: Path | str, fallback: str | None = None) -> str:
    """A registry file as `<registry folder>/<path inside it>`: pages never show the
    absolute paths of the machine that built them."""
    root = registry.root.resolve()
    try:
        inner = Path(path).resolve().relative_to(root).as_posix()
    except ValueError:
        inner = fallback or Path(path).name
    return f"{root.name}/{inner}"


def newest_first(migrations: list[Migration]) -> list[Migration]:
    return sorted(migrations, key=lambda m: (_date_key(m), m.id), reverse=True)


def _date_key(migration: Migration) -> dt.date:
    return migration.date or dt.date.min


def unloadable_page(name: str) -> GeneratedPage:
    """The page of a service whose file has not loaded yet (while serving)."""
    title = escape_markdown(name)
    return GeneratedPage(
        f"---\nrender_macros: false\ngenerated_by: orion-registry\n---\n# {title}\n\n"
        "This service's file does not load yet, so there is nothing to show.\n"
    )


def _service(finding: Finding) -> str:
    return finding.target.split(".", 1)[0]
