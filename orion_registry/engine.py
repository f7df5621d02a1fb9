"""Run the rules a command has inputs for; apply `orion.yaml` (waivers.py); sort findings.

`check`, `diff` and `drift` are thin commands over `run`: each passes the registry and the
inputs it has (`Inputs`: the base registry and its changes, a schema to compare with), and
the engine runs every rule whose `needs` those inputs meet.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable

from .findings import Finding, sort_findings
from .loader import Registry, paused_gc
from .rule_cache import findings_store, kept_findings
from .rules import RULES, Rule
from .rules.base import Violation
from .rules.context import Context, Inputs
from .waivers import RuleConfig, apply_baseline, apply_waivers, rule_config

TODAY_ENV = "ORION_REGISTRY_TODAY"  # pin "today" (YYYY-MM-DD) for reproducible runs


def today() -> dt.date:
    pinned = os.environ.get(TODAY_ENV)
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def matches(code: str, patterns: Iterable[str]) -> bool:
    """ruff-style selection: `N`, `N1`, `N101` and `ALL` select by prefix."""
    return any(p == "ALL" or code.startswith(p) for p in patterns)


@paused_gc()
def run(
    registry: Registry,
    inputs: Inputs | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    on_date: dt.date | None = None,
    scope: Callable[[Rule], bool] | None = None,
) -> list[Finding]:
    """Every finding of `registry` with `inputs`: load problems, rule violations, waiver
    problems. `scope` narrows the rules (`drift` runs only the rules that compare schemas,
    and then reports no load or settings problems)."""
    select, ignore = list(select), list(ignore)
    config = rule_config(registry)
    ctx = Context(registry, inputs)
    ctx.today = on_date or today()
    findings = [] if scope else [*registry.findings, *config.findings]
    rules = [
        rule
        for rule in RULES.values()
        if rule.needs <= ctx.inputs.available
        and (scope is None or scope(rule))
        and config.severity_of(rule.code) != "off"
    ]
    ctx.ran.update(rule.code for rule in rules)
    findings += _run(ctx, config, [r for r in rules if not r.after_waivers])
    findings = apply_baseline(apply_waivers(sort_findings(findings), ctx, config), ctx)
    findings += _run(ctx, config, [r for r in rules if r.after_waivers])
    if select:
        findings = [f for f in findings if matches(f.rule, select) or f.rule.startswith("L")]
    if ignore:
        findings = [f for f in findings if not matches(f.rule, ignore)]
    return sort_findings(findings)


def check_registry(
    registry: Registry,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    on_date: dt.date | None = None,
) -> list[Finding]:
    """`check`: the rules that need nothing but the registry, and the drift rules for each
    service that names its `prisma_schema` (compared with that schema)."""
    if not any(doc.model.prisma_schema for doc in registry.services.values()):
        return run(registry, Inputs(), select, ignore, on_date)
    from .prisma.agreement import prisma_inputs  # lark, only when needed

    prisma = prisma_inputs(registry)
    findings = run(registry, Inputs(live=prisma.schemas), select, ignore, on_date)
    problems = [p for p in prisma.problems if not matches(p.rule, ignore)]
    return sort_findings([*findings, *problems])


def _run(ctx: Context, config: RuleConfig, rules: list[Rule]) -> list[Finding]:
    """The rules' findings; service-scope ones through the registry's cache, when it has one
    (rule_cache.py: only the services edited since the last run are checked again)."""
    store = findings_store(ctx.registry.cache)
    kept = [rule for rule in rules if rule.scope == "service"] if store is not None else []
    findings = _findings(ctx, config, [rule for rule in rules if rule not in kept])
    if kept and store is not None:
        findings += kept_findings(ctx, kept, store, lambda part: _findings(part, config, kept))
    return findings


def _findings(ctx: Context, config: RuleConfig, rules: list[Rule]) -> list[Finding]:
    findings = []
    for rule in rules:
        severity = config.severity_of(rule.code)
        options = config.options_of(rule.code)
        findings.extend(to_finding(rule, v, severity) for v in rule.check(ctx, options))
    return findings


def to_finding(rule: Rule, violation: Violation, severity: str) -> Finding:
    ref = violation.ref
    if violation.place is not None:
        file, line, column = violation.place
    else:
        file = ref.doc.file
        line, column = ref.doc.source.locate((*ref.path, *violation.key))
    return Finding(
        file,
        line,
        column,
        rule.code,
        violation.message,
        violation.target or ref.target,
        severity,  # type: ignore[arg-type]
        violation.suggestion,
        violation.replaces,
        related=violation.related,
    )
