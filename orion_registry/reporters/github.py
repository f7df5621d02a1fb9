"""GitHub Actions workflow commands: one `::error file=...,line=...::message` per finding."""

from __future__ import annotations

from ..findings import Finding


def escape_data(value: str) -> str:
    """A workflow command's message: `%`, CR and LF escaped."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A workflow command's property value: also `:` and `,`."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding]) -> str:
    lines = []
    for f in (f for f in findings if not f.baselined):
        props = ",".join(
            f"{key}={escape_property(str(value))}"
            for key, value in (
                ("file", f.file),
                ("line", f.line),
                ("col", f.column),
                ("title", f.rule),
            )
        )
        lines.append(f"::{f.severity} {props}::{escape_data(f'{f.message} [{f.target}]')}")
    return "".join(line + "\n" for line in lines)
