"""Markdown for the guide's macros: live rule boxes and tables of registry data.

Pure functions (no mkdocs import): `orion_registry/macros.py` is the thin mkdocs-macros
layer over them. Registry text is data, never markup: every value taken from the registry
goes through `escape` (or into a code fence) before it reaches the page.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..loader import Registry
from ..models import Link, Migration
from ..rules import Rule
from .escape import escape_markdown as escape
from .index import CrossLink, SiteIndex
from .links import Links
from .paths import SitePaths, relative

SYNC_STRATEGIES = ("event", "api", "cache")
SECTIONS = ("services", "map", "migrations", "rules")
SEVERITY_ADMONITION = {"error": "danger", "warning": "warning", "off": "note"}

_BACKTICKS = re.compile(r"`+")


def option_value(value: object) -> str:
    """An option's value as YAML flow text (`[data, metadata]`, `5`, `true`), escaped."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10**6).strip()
    return escape(text.removesuffix("...").strip())


def code(text: object) -> str:
    """Inline code for registry text (a Markdown code span cannot hold arbitrary text)."""
    return f"<code>{escape(text)}</code>"


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that no backtick run inside `text` can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def links_for(index: SiteIndex, page: str, paths: SitePaths | None = None) -> Links:
    """Links from the guide page `page` (its src_uri) to the generated pages."""
    return Links(paths or SitePaths(), index, page, owner_ids={})


def page_url(ln: Links, name: str) -> str:
    """The link to a generated section page: `services`, `map`, `migrations` or `rules`."""
    if name not in SECTIONS:
        raise KeyError(f"unknown page {name!r}; known: {', '.join(SECTIONS)}")
    return relative(ln.page, getattr(ln.paths, name))


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A Markdown table; cells must already be escaped."""
    headers = list(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _more(shown: int, total: int, what: str) -> str:
    return f"\n\n*…and {total - shown} more {what}.*" if total > shown else ""


# --- rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Effective:
    """How this registry's `orion.yaml` configures a rule."""

    severity: str
    options: Mapping[str, Any]


def rule_box(rule: Rule, ln: Links, effective: Effective | None = None) -> str:
    """A collapsible box: the rule's code and live summary, then severity, examples, options."""
    severity = effective.severity if effective else rule.severity
    title = f"{rule.code} · {rule.summary}".replace('"', "'")
    facts = [f"`{rule.name}`", f"default severity **{rule.severity}**"]
    if severity != rule.severity:
        facts.append(f"**{severity}** in this registry (`orion.yaml`)")
    facts.append("checked by " + " and ".join(f"`orion-registry {c}`" for c in rule.commands))
    facts.append(ln.to(ln.paths.rule(rule.code), "rule page"))
    tabs = [
        ("❌ Bad", fence(rule.example("Bad"), "yaml")),
        ("✅ Good", fence(rule.example("Good"), "yaml")),
        ("What it checks", _details(rule, effective)),
    ]
    body = [" · ".join(facts)]
    body += [f'=== "{label}"\n\n{indent(content)}' for label, content in tabs]
    return f'??? {SEVERITY_ADMONITION[severity]} "{title}"\n\n' + indent("\n\n".join(body))


def _details(rule: Rule, effective: Effective | None) -> str:
    text = rule.sections.get("What it checks", "")
    if not rule.options:
        return text
    options = effective.options if effective else rule.options
    rows = [
        (
            code(name),
            f"<code>{option_value(rule.options[name])}</code>",
            f"<code>{option_value(options.get(name, rule.options[name]))}</code>",
            _trusted_cell(rule.option_docs.get(name, "")),
        )
        for name in sorted(rule.options)
    ]
    return text + "\n\n" + table(("Option", "Default", "This registry", "Meaning"), rows)


def _trusted_cell(markdown: str) -> str:
    """Rule docs are the project's own Markdown: keep it, but on one line and pipe-safe."""
    return " ".join(markdown.split()).replace("|", "\\|")


def rules_table(rules: Iterable[Rule], ln: Links) -> str:
    rows = [
        (
            ln.rule(r.code),
            r.name,
            r.severity,
            _trusted_cell(r.summary),
        )
        for r in sorted(rules, key=lambda r: r.code)
    ]
    return table(("Code", "Name", "Severity", "Summary"), rows)


# --- registry data -------------------------------------------------------------------


def databases_table(ln: Links) -> str:
    """Every service: its database, owner and size."""
    rows = [
        (
            ln.service(name),
            code(doc.model.database),
            escape(doc.model.owner or "—"),
            str(len(doc.model.tables)),
            escape(doc.model.title or ""),
        )
        for name, doc in sorted(ln.index.registry.services.items())
    ]
    return table(("Service", "Database", "Owner", "Tables", "Title"), rows)


def _sync(link: CrossLink) -> str | None:
    return getattr(link.link, "sync", None)  # a malformed string reference has none


def _kept_by(link: CrossLink) -> str:
    sync, data = _sync(link), link.link
    if not isinstance(data, Link):
        return "—"
    if sync == "api":
        return code(data.endpoint or "—")
    parts = [code(event) for event in data.events]
    if sync == "cache" and data.ttl_seconds is not None:
        parts.append(f"TTL {data.ttl_seconds} s")
    return ", ".join(parts) or "—"


def cross_links(index: SiteIndex) -> list[CrossLink]:
    """Every column holding another service's data, by holder service then registry order."""
    return [link for name in index.names for link in index.refs_out.get(name, ())]


def sync_strategies_table(ln: Links) -> str:
    """How many cross-service links use each sync strategy, and which services hold them."""
    holders: dict[str, set[str]] = {s: set() for s in SYNC_STRATEGIES}
    counts: Counter[str] = Counter()
    for link in cross_links(ln.index):
        sync = _sync(link) or "undeclared"
        counts[sync] += 1
        holders.setdefault(sync, set()).add(link.holder)
    rows = [(f"`{sync}`", str(counts[sync]), ln.services(names)) for sync, names in holders.items()]
    return table(("Strategy", "Links", "Held by"), rows)


def cross_links_table(ln: Links, sync: str | None = None, limit: int = 20) -> str:
    """Columns that hold other services' data (optionally only one sync strategy's)."""
    links = [lk for lk in cross_links(ln.index) if sync is None or _sync(lk) == sync]
    if not links:
        return f"*No cross-service link uses `{escape(sync or 'any')}` sync in this registry yet.*"
    rows = [
        (
            code(f"{lk.holder}.{lk.table}.{lk.column}"),
            lk.kind,
            ln.column(lk.target),
            f"`{_sync(lk)}`" if _sync(lk) else "—",
            _kept_by(lk),
        )
        for lk in links[:limit]
    ]
    headers = ("Column", "Kind", "Holds data of", "Sync", "Kept fresh by")
    return table(headers, rows) + _more(len(rows), len(links), "links")


def events_table(ln: Links, limit: int = 30) -> str:
    """Events with the services that publish and consume them."""
    index, services = ln.index, ln.services
    events = sorted(index.publishers.keys() | index.consumers.keys())
    rows = [
        (
            code(e),
            services(set(index.publishers.get(e, ()))),
            services(set(index.consumers.get(e, ()))),
        )
        for e in events[:limit]
    ]
    return table(("Event", "Published by", "Consumed by"), rows) + _more(
        len(rows), len(events), "events"
    )


def migration_counts(registry: Registry) -> Counter[str]:
    return Counter(
        m.type or "untyped" for doc in registry.services.values() for m in doc.model.migrations
    )


def migration_example(ln: Links, kind: str) -> str:
    """The newest migration entry of type `kind`, as the registry YAML that declares it."""
    found = [
        (m.date.isoformat() if m.date else "", m.id, name, m)
        for name, doc in ln.index.registry.services.items()
        for m in doc.model.migrations
        if m.type == kind
    ]
    if not found:
        return f"*This registry has no `{escape(kind)}` migration yet.*"
    *_, name, migration = max(found, key=lambda item: item[:3])
    entry = yaml.safe_dump([_migration_data(migration)], sort_keys=False, allow_unicode=True)
    caption = f"From the {ln.service(name)} service ({code(f'services/{name}.yaml')}):"
    return f"{caption}\n\n" + fence("migrations:\n" + indent(entry, 2), "yaml")


def _migration_data(migration: Migration) -> dict[str, Any]:
    data = {
        "id": migration.id,
        "date": migration.date,
        "type": migration.type,
        "purpose": migration.purpose,
        "changes": list(migration.changes),
        "steps": list(migration.steps),
        "rollback": migration.rollback,
    }
    return {key: value for key, value in data.items() if value not in (None, [])}
