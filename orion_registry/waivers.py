"""Severities, `off`, options and waivers of `orion.yaml`: one place, used by every command.

`rule_config` reads the `rules:` overrides (each problem a located L002 finding);
`apply_waivers` drops the findings that a valid waiver covers and records which waivers
were used (S603 reports the others). S-rules judge the waivers themselves, so they can
never be waived: a waiver of S602 must not hide an expired waiver.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from .findings import LOAD_SCHEMA, Finding
from .loader import Registry
from .rules import RULES
from .rules.context import Context
from .rules.services import target_matches, waiver_problem

UNWAIVABLE_FAMILY = "S"  # the rules about waivers and ownership


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
