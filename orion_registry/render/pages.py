"""Registry -> the generated pages of the site, by src_uri. No MkDocs here.

`render_site` builds the cross-service index once, then renders every page from its
Jinja2 template. The order of the result is stable (sorted), so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..findings import Finding, summarize
from ..loader import Registry, ServiceDoc
from ..models import Migration
from ..rules import RULES, Rule
from ..waivers import rule_config
from .blocks import GeneratedPage, HtmlBlocks, mermaid_html
from .cells import column_rows, column_table_rows, kept_fresh, migration_kind
from .index import SiteIndex, build_index, owner_of
from .links import Links, table_anchor
from .mermaid import (
    er_diagram,
    flowchart,
    owner_ids,
    owner_overview,
    service_edges,
    team_map,
)
from .paths import SitePaths
from .queries import estimated_total, index_anchor, query_table_rows, rows_text
from .templates import make_env

# Above this many services the map page shows owners, and each owner gets its own map.
FULL_MAP_LIMIT = 40
STYLESHEET = "orion-registry.css"


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
    services: Collection[str] | None = None,
) -> Site:
    """Every generated page of `registry`. `show_findings` adds the findings page;
    `index` reuses a `build_index(registry)` already made; `services` renders only those
    service pages (the caller has the others: `mkdocs serve` rebuilds)."""
    env = env or make_env()
    paths = paths or SitePaths()
    renderer = _Renderer(registry, env, paths, index or build_index(registry))
    return renderer.render(list(findings), show_findings, services)


class _Renderer:
    def __init__(
        self, registry: Registry, env: Environment, paths: SitePaths, index: SiteIndex
    ) -> None:
        self.registry = registry
        self.env = env
        self.paths = paths
        self.index = index
        self.owner_ids = owner_ids(self.index.owners)
        self.site = Site()

    def page(self, uri: str, template: str, **context: Any) -> None:
        links = Links(self.paths, self.index, uri, self.owner_ids)
        blocks = HtmlBlocks()
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
            **context,
        )
        self.site.pages[uri] = GeneratedPage(markdown, blocks.blocks)

    def render(
        self, findings: list[Finding], show_findings: bool, services: Collection[str] | None
    ) -> Site:
        self.services_index()
        for name in self.index.names:
            if services is None or name in services:
                self.service(name)
        self.maps()
        self.migrations()
        self.rules()
        if show_findings:
            self.page(
                self.paths.findings,
                "findings.md.j2",
                findings=[replace(f, file=shown_file(self.registry, f.file)) for f in findings],
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
        doc = self.index.doc(name)
        near = self.index.neighbours(name)
        self.page(
            self.paths.service(name),
            "service.md.j2",
            doc=doc,
            source_file=source_file(self.registry, doc),
            service=doc.model,
            owner=owner_of(doc),
            er=er_diagram(doc.model, self.index) if doc.model.tables else "",
            neighbourhood=flowchart(
                self.index, near | {name}, service_edges(self.index, [name]), highlight=name
            )
            if near
            else None,
            refs_out=self.index.refs_out[name],
            refs_in=sorted(self.index.refs_in[name], key=lambda r: (r.holder, r.table, r.column)),
            consumed=self.index.consumed[name],
            migrations=newest_first(doc.model.migrations),
            waivers=self.index.waivers[name],
        )

    def maps(self) -> None:
        full = len(self.index.names) <= FULL_MAP_LIMIT
        self.page(
            self.paths.map,
            "map_index.md.j2",
            full=full,
            limit=FULL_MAP_LIMIT,
            diagram=flowchart(
                self.index, self.index.names, service_edges(self.index, self.index.names)
            )
            if full
            else owner_overview(self.index, self.owner_ids),
            owners=sorted(self.index.owners),
        )
        for owner in sorted(self.index.owners):
            own = self.index.owners[owner]
            near = {n for name in own for n in self.index.neighbours(name)}
            self.page(
                self.paths.owner_map(self.owner_ids[owner]),
                "map_owner.md.j2",
                owner=owner,
                services=own,
                outside=sorted(near - set(own)),
                diagram=team_map(self.index, owner, self.owner_ids),
            )

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
            (name, rule.options[name], options.get(name), rule.option_docs[name])
            for name in sorted(rule.options)
        ],
    }


def source_file(registry: Registry, doc: ServiceDoc) -> str:
    """The service file as `<registry folder>/services/<file>`, never an absolute path."""
    return shown_file(registry, doc.path, f"services/{doc.path.name}")


def shown_file(registry: Registry, path: Path | str, fallback: str | None = None) -> str:
    """A registry file as `<registry folder>/<path inside it>`: pages never show the
    absolute paths of the machine that built them."""
    try:
        inner = Path(path).resolve().relative_to(registry.root.resolve()).as_posix()
    except ValueError:
        inner = fallback or Path(path).name
    return f"{registry.root.resolve().name}/{inner}"


def newest_first(migrations: list[Migration]) -> list[Migration]:
    return sorted(migrations, key=lambda m: (_date_key(m), m.id), reverse=True)


def _date_key(migration: Migration) -> dt.date:
    return migration.date or dt.date.min
