"""A diff as a pull-request comment: the guide's Schema Change Request, one per changed
service, then the Database Lead's review checklist evaluated from the findings.

Registry text is data: free text is escaped, names sit in code spans, schemas in fences.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import yaml
from pydantic import TypeAdapter

from ..diff.coverage import new_entries
from ..diff.queries import performance_notes
from ..diff.report import verdict
from ..findings import Finding
from ..models import Enum, Migration, Table
from ..render.escape import escape_markdown as esc
from ..render.guide import code, fence, table

if TYPE_CHECKING:
    from ..diff import Change, DiffResult
    from ..loader import ServiceDoc

_DUMP: dict[type, TypeAdapter] = {Table: TypeAdapter(Table), Enum: TypeAdapter(Enum)}
STATUS = {
    "covered": "✅ covered by {}",
    "uncovered": "❌ not covered",
    "mislabelled": "❌ mislabelled",
    "forbidden": "❌ log is append-only",
    "not-required": "no entry needed",
}
TYPE_OF_CHANGE = (
    ("New table", {"table.added", "service.added"}),
    (
        "Modify existing table",
        {"table.renamed", "table.model"}
        | {
            f"column.{k}"
            for k in (
                "added",
                "removed",
                "renamed",
                "type",
                "nullability",
                "default",
                "unique",
                "primary_key",
                "references",
                "copy_of",
            )
        },
    ),
    ("Add index", {"index.added"}),
    ("Remove column (breaking)", {"column.removed", "column.renamed", "table.removed"}),
)
LIMIT = 8  # reasons listed per checklist item


def render(result: DiffResult) -> str:
    parts = [f"# Orion registry review\n\n{esc(verdict(result))}"]
    by_service: dict[str, list[Change]] = {}
    for change in result.changes:
        by_service.setdefault(change.service, []).append(change)
    for name, changes in by_service.items():
        parts.append(_request(result, name, changes))
    parts.append(_review(result, set(by_service)))
    return "\n\n".join(parts) + "\n"


# --- the Schema Change Request ---------------------------------------------------------
def _request(result: DiffResult, name: str, changes: list[Change]) -> str:
    new = result.registry.services.get(name)
    old = result.base.get(name)
    doc = new or old
    assert doc is not None
    entries = _new_entries(old, new)
    model = doc.model
    about = (
        f"{esc(model.title or name)} ({code(name)}, database {code(model.database)}, "
        f"owner {code(model.owner or 'none')})"
    )
    if new is None:
        about += " — **removed**"
    kinds = {c.kind for c in changes}
    boxes = [_box(any(k in kinds for k in wanted), label) for label, wanted in TYPE_OF_CHANGE]
    data = any(m.type == "data" for m in entries) or any(
        "backfill" in s.lower() or "populate" in s.lower() for m in entries for s in m.steps
    )
    boxes.append(_box(data, "Data migration required"))
    rows = [
        [
            "⚠️ breaking" if c.breaking else "",
            code(c.kind),
            code(c.target),
            esc(c.detail),
            esc(STATUS[c.status].format(", ".join(c.covered_by))),
        ]
        for c in changes
        if c.kind != "migration.added"  # listed under Migration Strategy
    ]
    sections = [
        "## Schema Change Request",
        f"### Service\n{about}",
        "### Type of Change\n" + "\n".join(boxes),
        "### Changes\n"
        + (
            table(["", "Change", "Target", "Detail", "Migration log"], rows)
            if rows
            else "_No schema change: new migration entries only._"
        ),
        "### Proposed Schema\n" + _schema(old, new, changes),
        "### Rationale\n" + _bullets(esc(m.purpose) for m in entries if m.purpose),
        "### Relationships\n" + _relationships(new, changes),
        "### Performance Considerations\n" + _performance(result, new, changes),
        "### Migration Strategy\n" + _strategy(entries),
        "### Rollback Plan\n" + _rollback(entries),
    ]
    return "\n\n".join(sections)


def _box(ticked: bool, label: str) -> str:
    return f"- [{'x' if ticked else ' '}] {label}"


def _bullets(items: Iterable[str], empty: str = "_None._") -> str:
    lines = [f"- {item}" for item in items]
    return "\n".join(lines) if lines else empty


def _new_entries(old: ServiceDoc | None, new: ServiceDoc | None) -> list[Migration]:
    return new_entries(old, new) if new is not None else []


def _dump(item: Table | Enum | None) -> list[str]:
    if item is None:
        return []
    data = _without_descriptions(
        _DUMP[type(item)].dump_python(item, mode="json", exclude_defaults=True)
    )
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=100)
    return text.splitlines()


def _without_descriptions(data: object) -> object:
    """The structure only: descriptions would drown the schema in a review."""
    if isinstance(data, dict):
        return {k: _without_descriptions(v) for k, v in data.items() if k != "description"}
    if isinstance(data, list):
        return [_without_descriptions(v) for v in data]
    return data


def _schema(old: ServiceDoc | None, new: ServiceDoc | None, changes: list[Change]) -> str:
    """The changed tables and enums as a YAML diff of the service file's entries."""
    touched = {c.target.split(".")[1] for c in changes if c.target.count(".") >= 1}
    blocks = []
    for attr in ("enums", "tables"):
        before = {i.name: i for i in (getattr(old.model, attr) if old else [])}
        after = {i.name: i for i in (getattr(new.model, attr) if new else [])}
        for name in [*after, *(n for n in before if n not in after)]:
            if name not in touched or before.get(name) == after.get(name):
                continue
            lines = difflib.unified_diff(
                _dump(before.get(name)), _dump(after.get(name)), lineterm="", n=1000
            )
            body = [line for line in lines if not line.startswith(("---", "+++", "@@"))]
            blocks.append(fence("\n".join(body), "diff"))
    return "\n\n".join(blocks) if blocks else "_No table or enum changed._"


def _relationships(new: ServiceDoc | None, changes: list[Change]) -> str:
    items = []
    touched = {c.target.split(".")[1] for c in changes if c.target.count(".") >= 1}
    for t in new.model.tables if new else []:
        if t.name not in touched:
            continue
        for col in t.columns:
            ref = col.references
            if isinstance(ref, str):
                items.append(
                    f"{code(f'{t.name}.{col.name}')} references {code(ref)} (same database)"
                )
            for label, link in (("references", ref), ("copies", col.copy_of)):
                if link is None or isinstance(link, str):
                    continue
                fk = (
                    " ⚠️ declared as a foreign key"
                    if link.foreign_key
                    else " (NO foreign key, application-level)"
                )
                sync = f"; kept in sync by {code(link.sync)}" if link.sync else "; no sync declared"
                events = f" ({', '.join(code(e) for e in link.events)})" if link.events else ""
                items.append(
                    f"{code(f'{t.name}.{col.name}')} {label} {code(link.column)}{fk}{sync}{events}"
                )
    for c in changes:
        for i in c.impacted:
            items.append(
                f"⚠️ {code(i.target)} ({esc(i.via)}, {code(f'{i.file}:{i.line}')}) depends on "
                f"{code(c.target)}: {esc(c.detail)}"
            )
    return _bullets(items, "_No relationships of the changed tables._")


def _performance(result: DiffResult, new: ServiceDoc | None, changes: list[Change]) -> str:
    items = [f"{esc(c.detail)}" for c in changes if c.kind.startswith(("index.", "query."))]
    items += [
        f"{esc(i.target)} ({esc(i.via)}) loses its index: {esc(c.detail)}"
        for c in changes
        if c.kind.startswith("index.")
        for i in c.impacted
    ]
    if new is not None:
        items = performance_notes(result.base.get(new.name), new, changes) + items
        items += [
            f"{code(f.rule)} {esc(f.message)} ({code(f'{f.file}:{f.line}')})"
            for f in result.findings
            if f.file == new.file and f.rule[:1] == "I"
        ]
    return _bullets(items, "_No index added or missing._")


def _strategy(entries: list[Migration]) -> str:
    if not entries:
        return "_No new migration entry._"
    blocks = []
    for m in entries:
        lines = [f"- **{code(m.id)}** ({esc(m.type or 'no type')}): {esc(m.purpose or '')}"]
        if m.changes:
            lines.append(f"  - Changes: {'; '.join(esc(c) for c in m.changes)}")
        if m.steps:
            lines.append("  - Steps:")
            lines += [f"    {i}. {esc(s)}" for i, s in enumerate(m.steps, 1)]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _rollback(entries: list[Migration]) -> str:
    if not entries:
        return "_No new migration entry._"
    return "\n".join(
        f"{i}. {code(m.id)}: {esc(m.rollback) if m.rollback else '❌ no rollback given'}"
        for i, m in enumerate(entries, 1)
    )


# --- the review checklist --------------------------------------------------------------
def _review(result: DiffResult, changed: set[str]) -> str:
    """The checklist over the findings of the changed services and of those they impact."""
    files = {result.registry.services[n].file for n in changed if n in result.registry.services}
    files |= {i.file for c in result.changes for i in c.impacted}
    scoped = [f for f in result.findings if f.file in files or f.rule == "M504"]
    entries = [
        m
        for n in changed
        for m in _new_entries(result.base.get(n), result.registry.services.get(n))
    ]
    irreversible = [
        f"{code(m.id)} has no rollback" for m in entries if not (m.rollback or "").strip()
    ]

    shown: set[Finding] = set()

    def picked(*prefixes: str) -> list[str]:
        found = [f for f in scoped if f.rule.startswith(prefixes)]
        shown.update(found)
        return [_reason(f) for f in found]

    items = [
        ("Naming follows conventions", picked("N")),
        ("Proper indexes defined", picked("I301", "I305", "I306", "T201")),
        ("No cross-database relationships", picked("R")),
        ("Migration is reversible", irreversible + picked("M501")),
        ("Breaking changes documented", picked("M502", "M504")),
        ("Performance considered", picked("I302", "I303", "I304", "I307", "I308", "T204")),
    ]
    lines = []
    for label, reasons in items:
        lines.append(_box(not reasons, label))
        lines += [f"  - {r}" for r in reasons[:LIMIT]]
        if len(reasons) > LIMIT:
            lines.append(f"  - …and {len(reasons) - LIMIT} more")
    approved = result.exit_code == 0
    errors = sum(f.severity == "error" for f in result.findings)
    why = f" ({errors} error finding(s), see below)" if errors else ""
    status = "\n".join([_box(approved, "Approved"), _box(not approved, "Requires changes" + why)])
    other = [f for f in result.all_findings if f not in shown]
    extra = ""
    if other:
        extra = (
            f"\n\n### Other findings\n<details><summary>{len(other)} finding(s) outside the "
            "checklist</summary>\n\n"
            + _bullets(_reason(f) for f in other[:200])
            + _more(len(other), 200)
            + "\n\n</details>"
        )
    return (
        "## Database Lead Review (automated)\n\n### Approval Status\n"
        + status
        + "\n\n### Review Checklist\n"
        + "\n".join(lines)
        + extra
    )


def _more(total: int, shown: int) -> str:
    return f"\n- …and {total - shown} more (run `orion-registry check`)" if total > shown else ""


def _reason(f: Finding) -> str:
    level = "" if f.severity == "error" else " (warning)"
    return f"{code(f.rule)}{level} {esc(f.message)} — {code(f'{f.file}:{f.line}')}"
