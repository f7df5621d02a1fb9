"""Compiler-style lines, `path:line:col: CODE message [target]`, then a summary."""

from __future__ import annotations

from ..findings import Finding, summarize


def render(findings: list[Finding]) -> str:
    lines = [
        f"{f.file}:{f.line}:{f.column}: {f.rule} {f.message} [{f.target}]"
        + (" (warning)" if f.severity == "warning" else "")
        for f in findings
        if not f.baselined
    ]
    lines.append(summary_line(findings))
    return "\n".join(lines) + "\n"


def summary_line(findings: list[Finding]) -> str:
    counts = summarize(findings)
    baselined = counts.get("baselined", 0)
    known = f" ({baselined} baselined, not shown)" if baselined else ""
    if not counts["total"]:
        return f"All checks passed: no findings{known}."
    return (
        f"Found {_plural(counts['errors'], 'error')} and "
        f"{_plural(counts['warnings'], 'warning')}{known}."
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
