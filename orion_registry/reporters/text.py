"""Compiler-style lines, `path:line:col: CODE message [target]`, then a summary."""

from __future__ import annotations

from ..findings import Finding, summarize
from .escape import inert


def render(findings: list[Finding]) -> str:
    lines = [
        inert(f"{f.file}:{f.line}:{f.column}: {f.rule} {f.message} [{f.target}]")
        + (" (warning)" if f.severity == "warning" else "")
        for f in findings
    ]
    lines.append(summary_line(findings))
    return "\n".join(lines) + "\n"


def summary_line(findings: list[Finding]) -> str:
    counts = summarize(findings)
    if not counts["total"]:
        return "All checks passed: no findings."
    return (
        f"Found {_plural(counts['errors'], 'error')} and {_plural(counts['warnings'], 'warning')}."
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
