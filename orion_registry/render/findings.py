"""A broken registry on the site (while serving): the banner of every page, the findings of
each service grouped by the object they name, the note on a page whose file no longer loads.

Pure HTML snippets (`Markup`); registry text and messages are escaped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from ..findings import Finding, summarize
from .escape import escape_markdown as esc


def counted(count: int, word: str) -> str:
    """`1 error`, `2 errors`, `0 warnings`."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def tally(findings: Sequence[Finding]) -> str:
    counts = summarize(list(findings))
    return f"{counted(counts['errors'], 'error')} and {counted(counts['warnings'], 'warning')}"


@dataclass
class ServiceFindings:
    """One service's findings, and the same by table (target `svc.table` or inside it)."""

    all: list[Finding] = field(default_factory=list)
    by_table: dict[str, list[Finding]] = field(default_factory=lambda: defaultdict(list))

    def table(self, name: str) -> list[Finding]:
        return self.by_table.get(name, [])

    def columns(self, table: str) -> dict[str, Markup]:
        """Badges by column name, for the columns of `table` that have findings."""
        found: dict[str, list[Finding]] = defaultdict(list)
        for f in self.table(table):
            parts = f.target.split(".")
            if len(parts) == 3:
                found[parts[2]].append(f)
        return {column: badges(fs) for column, fs in found.items()}


def by_service(findings: Iterable[Finding], services: Iterable[str]) -> dict[str, ServiceFindings]:
    """Findings by the service their target names (the target's first dotted part)."""
    known = set(services)
    grouped: dict[str, ServiceFindings] = defaultdict(ServiceFindings)
    for finding in findings:
        name = finding.target.split(".", 1)[0]
        if name in known:
            grouped[name].all.append(finding)
            parts = finding.target.split(".")
            if len(parts) >= 2:
                grouped[name].by_table[parts[1]].append(finding)
    return dict(grouped)


def badges(findings: Sequence[Finding]) -> Markup:
    """Rule codes as severity badges, each with its message as a tooltip."""
    return Markup(" ").join(
        Markup(
            f'<span class="orion-severity orion-{f.severity}" title="{esc(f.message)}">'
            f"{esc(f.rule)}</span>"
        )
        for f in findings
    )


def banner(findings: Sequence[Finding], href: str) -> Markup:
    """The note on top of every page while the registry does not pass its checks."""
    return Markup(
        '<div class="admonition danger orion-banner" data-search-exclude>'
        '<p class="admonition-title">The registry does not pass its checks</p>'
        f'<p>{tally(findings)}: <a href="{esc(href)}">see the registry findings</a>. '
        "<code>mkdocs build</code> fails until the errors are fixed; save a fix and the "
        "site reloads.</p></div>\n"
    )


def stale_note(file: str, problems: Sequence[Finding], href: str) -> Markup:
    """On the page of a service whose file does not load: the content is the last good one."""
    first = problems[0] if problems else None
    where = f"{esc(first.file)}:{first.line}:{first.column}" if first else esc(file)
    why = f" ({esc(first.rule)} {esc(first.message)})" if first else ""
    return Markup(
        '<div class="admonition warning orion-stale" data-search-exclude>'
        '<p class="admonition-title">Stale: this page shows the last version that loaded</p>'
        f"<p><code>{where}</code> does not load{why}. "
        f'<a href="{esc(href)}">All registry findings</a>.</p></div>\n'
    )
