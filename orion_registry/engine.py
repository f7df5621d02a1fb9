"""Run the rules: apply `orion.yaml` overrides, select/ignore, waivers; sort the findings."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .findings import LOAD_SCHEMA, Finding, sort_findings
from .loader import Registry, paused_gc
from .rules import RULES, Rule
from .rules.base import Violation
from .rules.context import Context
from .rules.services import target_matches, waiver_problem

TODAY_ENV = "ORION_REGISTRY_TODAY"  # pin "today" (YYYY-MM-DD) for reproducible runs


@dataclass
class RuleConfig:
    severity: dict[str, str] = field(default_factory=dict)  # code -> error|warning|off
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)


def today() -> dt.date:
    pinned = os.environ.get(TODAY_ENV)
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def matches(code: str, patterns: Iterable[str]) -> bool:
    """ruff-style selection: `N`, `N1`, `N101` and `ALL` select by prefix."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


@paused_gc()
def check_registry(
    registry: Registry,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    on_date: dt.date | None = None,
) -> list[Finding]:
    """Every finding of `registry`: load problems, rule violations, waiver problems."""
    select, ignore = list(select), list(ignore)
    config = rule_config(registry)
    ctx = Context(registry)
    ctx.today = on_date or today()
    findings = [*registry.findings, *config.findings]
    findings += run_rules(ctx, config, after_waivers=False)
    findings = apply_waivers(findings, ctx)
    findings += run_rules(ctx, config, after_waivers=True)
    if select:
        findings = [f for f in findings if matches(f.rule, select) or f.rule.startswith("L")]
    if ignore:
        findings = [f for f in findings if not matches(f.rule, ignore)]
    return sort_findings(findings)


def run_rules(ctx: Context, config: RuleConfig, after_waivers: bool) -> list[Finding]:
    findings = []
    for rule in RULES.values():
        severity = config.severity.get(rule.code, rule.severity)
        if rule.diff_only or severity == "off" or rule.after_waivers != after_waivers:
            continue
        options = config.options.get(rule.code, rule.options)
        findings.extend(to_finding(rule, v, severity) for v in rule.check(ctx, options))
    return findings


def to_finding(rule: Rule, violation: Violation, severity: str) -> Finding:
    ref = violation.ref
    line, column = ref.doc.source.locate((*ref.path, *violation.key))
    return Finding(
        ref.doc.file,
        line,
        column,
        rule.code,
        violation.message,
        violation.target or ref.target,
        severity,  # type: ignore[arg-type]
        violation.suggestion,
        violation.replaces,
    )


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
    active = [(i, w) for i, w in enumerate(ctx.settings.waivers) if waiver_problem(w, ctx) is None]
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
