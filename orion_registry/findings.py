"""A finding: one problem, named by rule code, with its exact place in the YAML."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]

# Codes for input that could not be loaded (not conventions, so not in the rule catalogue).
LOAD_YAML = "L001"  # the file is not usable YAML (syntax, encoding, duplicate key, limits, tags)
LOAD_SCHEMA = "L002"  # the data does not match the registry format (unknown key, wrong type...)
LOAD_LAYOUT = "L003"  # the registry layout is wrong (file stem, duplicate service, no services)
LOAD_CODES = {
    LOAD_YAML: "invalid-yaml",
    LOAD_SCHEMA: "invalid-structure",
    LOAD_LAYOUT: "invalid-layout",
}
# Findings with these codes make the input unusable (exit code 2).
UNUSABLE_CODES = frozenset({LOAD_YAML})


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    file: str
    line: int
    column: int
    rule: str
    message: str
    target: str
    severity: Severity = "error"
    suggestion: str | None = None  # a replacement the finding proposes (a name, a type)
    replaces: str | None = None  # the text at (line, column) that `suggestion` replaces
    baselined: bool = False  # accepted in `baseline.yaml`: shown as a count, never fails

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.file, self.line, self.column, self.rule, self.target, self.message)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        shown = {key: data[key] for key in JSON_KEYS}
        if self.suggestion is not None:
            shown["suggestion"] = self.suggestion
        if self.baselined:
            shown["baselined"] = True
        return shown


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What a report needs to know of a rule (SARIF's rule descriptors)."""

    code: str
    name: str
    summary: str
    description: str
    help: str
    severity: str
    help_uri: str


JSON_KEYS = ("rule", "severity", "message", "file", "line", "column", "target")


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(set(findings), key=Finding.sort_key)


def summarize(findings: list[Finding]) -> dict[str, int]:
    """Counts of the findings that are not baselined (and of the baselined, when any)."""
    current = [f for f in findings if not f.baselined]
    errors = sum(1 for f in current if f.severity == "error")
    counts = {"errors": errors, "warnings": len(current) - errors, "total": len(current)}
    if len(current) != len(findings):
        counts["baselined"] = len(findings) - len(current)
    return counts


def exit_code(findings: list[Finding]) -> int:
    """0 clean (warnings and baselined findings allowed), 1 any new error-level finding,
    2 unusable input."""
    if any(f.rule in UNUSABLE_CODES for f in findings):
        return 2
    return 1 if any(f.severity == "error" and not f.baselined for f in findings) else 0
