"""A diff's result as text, JSON, GitHub workflow commands or SARIF (markdown lives in
`reporters/markdown.py`). Findings are rendered by the `check` reporters."""

from __future__ import annotations

import json

from ..findings import summarize
from ..reporters import github, sarif, text
from . import DiffResult

MARK = {
    "covered": "covered",
    "uncovered": "NOT COVERED",
    "mislabelled": "MISLABELLED",
    "forbidden": "FORBIDDEN",
    "not-required": "no entry needed",
}


def verdict(result: DiffResult) -> str:
    changes = [c for c in result.changes if c.kind != "migration.added"]
    entries = len(result.changes) - len(changes)
    breaking = sum(c.breaking for c in changes)
    bad = sum(c.status in ("uncovered", "mislabelled", "forbidden") for c in changes)
    errors = sum(f.severity == "error" for f in result.findings)
    text = (
        f"{len(changes)} change(s) since {result.base_label}, {breaking} breaking, "
        f"{entries} new migration entr{'y' if entries == 1 else 'ies'}; "
    )
    text += f"{bad} not covered by the migration log" if bad else "all covered"
    return text + (f"; {errors} error finding(s)." if errors else "; no error findings.")


def render_text(result: DiffResult) -> str:
    lines = (
        [f"Changes since {result.base_label}:"]
        if result.changes
        else [f"No registry changes since {result.base_label}."]
    )
    for c in result.changes:
        flag = "BREAKING " if c.breaking else ""
        covered = f" by {', '.join(c.covered_by)}" if c.covered_by else ""
        lines.append(f"  {flag}{c.kind} {c.target}: {c.detail} [{MARK[c.status]}{covered}]")
        lines += [f"      impacts {i.target} ({i.via}) at {i.file}:{i.line}" for i in c.impacted]
    lines += ["", verdict(result), ""]
    return "\n".join(lines) + text.render(result.all_findings)


def render_json(result: DiffResult) -> str:
    findings = result.all_findings
    payload = {
        "base": result.base_label,
        "changes": [c.as_dict() for c in result.changes],
        "findings": [f.as_dict() for f in findings],
        "summary": {
            **summarize(findings),
            "changes": len(result.changes),
            "breaking": sum(c.breaking for c in result.changes),
            "uncovered": sum(c.status != "covered" and c.needs_entry for c in result.changes),
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render_github(result: DiffResult) -> str:
    """Annotations for the findings, a notice for every breaking change that is covered."""
    notices = [
        f"::notice file={github.escape_property(c.place.file)},line={c.place.line},"
        "title=breaking change::"
        + github.escape_data(
            f"{c.target}: {c.detail}"
            + (
                f"; impacts {', '.join(sorted({i.service for i in c.impacted}))}"
                if c.impacted
                else ""
            )
        )
        for c in result.changes
        if c.breaking and c.status == "covered"
    ]
    return github.render(result.all_findings) + "".join(n + "\n" for n in notices)


def render_sarif(result: DiffResult, render=sarif.render) -> str:
    """`render`: the SARIF reporter with the rule catalogue (the command passes it)."""
    return render(result.all_findings)
