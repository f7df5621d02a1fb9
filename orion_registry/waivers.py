"""Severities, `off`, options, waivers and the baseline: one place, used by every command.

`rule_config` reads the `rules:` overrides (each problem a located L002 finding);
`apply_waivers` drops the findings that a valid waiver covers and records which waivers
were used (S603 reports the others). S-rules judge the waivers themselves, so they can
never be waived: a waiver of S602 must not hide an expired waiver. `apply_baseline` marks
the findings `baseline.yaml` accepts (S605 reports the entries that no longer occur).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .changes import Change
from .findings import LOAD_SCHEMA, Finding
from .loader import Registry
from .rules import RULES
from .rules.context import Context
from .rules.services import target_matches, waiver_problem

UNWAIVABLE_FAMILY = "S"  # the rules about waivers and ownership
# The rules that judge waivers and the baseline themselves: never baselined.
JUDGES = frozenset({"S602", "S603", "S604", "S605"})


@dataclass
class RuleConfig:
    severity: dict[str, str] = field(default_factory=dict)  # code -> error|warning|off
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def severity_of(self, code: str) -> str:
        return self.severity.get(code, RULES[code].severity)

    def options_of(self, code: str) -> dict[str, Any]:
        return self.options.get(code, dict(RULES[code].options))


def rule_config(registry: Registry) -> RuleConfig:
    """Severities and options from `orion.yaml`'s `rules:`, each problem a finding there."""
    settings = registry.settings
    config = RuleConfig()

    def problem(path: tuple[str | int, ...], message: str, key: bool = False) -> None:
        line, column = settings.source.locate(path, key=key)
        config.findings.append(Finding(settings.file, line, column, LOAD_SCHEMA, message, "orion"))

    for code, override in settings.model.rules.items():
        rule = RULES.get(code)
        if rule is None:
            close = difflib.get_close_matches(code, list(RULES), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problem(("rules", code), f"rules: unknown rule '{code}'{hint}", key=True)
            continue
        if isinstance(override, str):
            config.severity[code] = override
            continue
        options = dict(rule.options)
        for name, value in override.items():
            if name == "severity":
                if value not in ("error", "warning", "off"):
                    problem(
                        ("rules", code, name),
                        f"rules.{code}.severity must be error, warning or off (got {value!r})",
                    )
                else:
                    config.severity[code] = value
            elif name not in rule.options:
                known = ", ".join(sorted(rule.options)) or "none"
                problem(
                    ("rules", code, name),
                    f"rules.{code}: unknown option '{name}' (options: {known})",
                    key=True,
                )
            elif not _same_kind(value, rule.options[name]):
                problem(
                    ("rules", code, name),
                    f"rules.{code}.{name} must be "
                    f"{type(rule.options[name]).__name__} (got {value!r})",
                )
            else:
                options[name] = value
        config.options[code] = options
    return config


def _same_kind(value: object, default: object) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, list | tuple):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def apply_waivers(findings: list[Finding], ctx: Context) -> list[Finding]:
    """Drop findings covered by a valid waiver; record which waivers were used (for S603)."""
    active = [
        (i, w)
        for i, w in enumerate(ctx.settings.waivers)
        if not w.rule.startswith(UNWAIVABLE_FAMILY) and waiver_problem(w, ctx) is None
    ]
    if not active:
        return findings
    kept = []
    for finding in findings:
        hit = next(
            (
                i
                for i, w in active
                if w.rule == finding.rule and target_matches(finding.target, w.target)
            ),
            None,
        )
        if hit is None:
            kept.append(finding)
        else:
            ctx.used_waivers.add(hit)
    return kept


def touches(target: str, changes: Iterable[Change]) -> bool:
    """Whether a change is on the object `target` or on what holds it (a finding on a column
    of a renamed table is touched; a table is not touched by an edit of one of its columns)."""
    return any(target == c.target or target.startswith(f"{c.target}.") for c in changes)


def apply_baseline(findings: list[Finding], ctx: Context) -> list[Finding]:
    """Mark the findings `baseline.yaml` accepts, at most `count` per rule and target and
    never a load problem or one of the `JUDGES`. Under `diff`, a finding on an object the
    change touches is new again (the entry still counts as matched, so it is not stale)."""
    baseline = ctx.registry.baseline
    if baseline is None:
        return findings
    entries = {(e.rule, e.target): i for i, e in enumerate(baseline.model.baseline)}
    marked = []
    for finding in findings:
        i = entries.get((finding.rule, finding.target))
        if i is None or finding.rule.startswith("L") or finding.rule in JUDGES:
            marked.append(finding)
            continue
        seen = ctx.baseline_matches.get(i, 0)
        ctx.baseline_matches[i] = seen + 1
        accepted = seen < baseline.model.baseline[i].count
        if accepted and not touches(finding.target, ctx.inputs.changes):
            finding = dataclasses.replace(finding, baselined=True)
        marked.append(finding)
    return marked
