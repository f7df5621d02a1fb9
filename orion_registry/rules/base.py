"""What a rule is: a code, a name, a default severity, options, a check, and its own docs.

A rule is a small function decorated with `@rule(...)`. Its docstring is its documentation
(the published rule page and `orion-registry rule CODE` come from it) and must have these
sections, each a `## ` heading:

    ## What it checks   ## Why   ## Bad   ## Good

`Bad` and `Good` hold one ```yaml block each: a registry example (see `examples.py`).

A rule declares the inputs it needs besides the registry (`needs=`): `base` (the registry
at the base revision and the changes since, given by `diff`) or `live` (a schema to compare
with: a live database under `drift`, a service's Prisma schema under `check`). The engine
runs a rule only when the command has every input it needs.

A rule whose findings on a service depend on nothing but that service's file and
`orion.yaml` declares `scope="service"`: the engine then keeps its findings per service file
and, after an edit, runs it on the edited files only (`rule_cache.py`). Every other rule
(`scope="registry"`, the default) looks across services, files on disk or other inputs,
and runs on the whole registry every time.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..findings import Severity
from .context import Context, Ref

REQUIRED_SECTIONS = ("What it checks", "Why", "Bad", "Good")
_SECTION = re.compile(r"^## (.+?)\s*$", re.MULTILINE)
_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule reports: the object (`ref`), the key inside it to point at, a message."""

    ref: Ref
    message: str
    key: tuple[str | int, ...] = ()
    target: str | None = None  # defaults to the object's own target
    place: tuple[str, int, int] | None = None  # (file, line, column) when not in `ref`'s file
    suggestion: str | None = None  # the replacement it proposes (applied as is, it passes)
    replaces: str | None = None  # the value at `key` that `suggestion` replaces
    related: tuple[tuple[str, int], ...] = ()  # (file, line) of the object elsewhere (Prisma)


Check = Callable[[Context, Mapping[str, Any]], Iterable[Violation]]
INPUTS = frozenset({"base", "live"})  # what a rule may need besides the registry
SCOPES = ("registry", "service")  # what a rule's findings on one service may depend on
FAMILIES = {  # code letter -> family name: the site's menu, `rules` and the rule pages
    "N": "Naming",
    "T": "Types and patterns",
    "I": "Indexes and performance",
    "R": "Relationships",
    "M": "Migrations",
    "S": "Services and registry",
    "D": "Drift",
}


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: Check
    options: Mapping[str, Any] = field(default_factory=dict)
    option_docs: Mapping[str, str] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()  # inputs besides the registry (see INPUTS)
    after_waivers: bool = False
    scope: str = "registry"  # "service": its findings on a service depend on that file only

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]

    @property
    def commands(self) -> tuple[str, ...]:
        """The subcommands that run it (for the docs)."""
        if "base" in self.needs:
            return ("diff",)
        if "live" in self.needs:
            return ("drift", "check")  # check: for a service that names its `prisma_schema`
        return ("check", "diff")

    @property
    def runs(self) -> str:
        """Which commands run it, for the rule page and `rules`."""
        if "base" in self.needs:
            return "`orion-registry diff` (it compares the registry with its base revision)"
        if "live" in self.needs:
            return (
                "`orion-registry drift` (a live database or `--prisma`), and `check` for a "
                "service that names its `prisma_schema`"
            )
        return "`orion-registry check` and `diff`"

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].strip()

    @property
    def sections(self) -> dict[str, str]:
        """The docstring's `## ` sections, by heading."""
        parts = _SECTION.split(self.doc)
        return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}

    def example(self, section: str) -> str:
        """The YAML of the `Bad` or `Good` example."""
        match = _YAML_BLOCK.search(self.sections.get(section, ""))
        return match.group(1) if match else ""


RULES: dict[str, Rule] = {}
_CODE = re.compile(r"^[A-Z][0-9]{3}$")


def rule(
    code: str,
    name: str,
    severity: Severity = "error",
    options: Mapping[str, tuple[Any, str]] | None = None,
    needs: Iterable[str] = (),
    after_waivers: bool = False,
    scope: str = "registry",
) -> Callable[[Check], Check]:
    """Register a rule. `options` maps an option name to (default, description).

    `needs`: inputs besides the registry (`base`, `live`); the engine runs the rule only
    when the command has them. `after_waivers`: the check runs once waivers have been
    applied (S603 reports the unused ones). `scope="service"`: its findings on a service
    depend only on that service's file and `orion.yaml` (see the module docs).
    """
    if not _CODE.match(code) or code[0] not in FAMILIES:
        raise ValueError(f"bad rule code {code!r}")
    if not set(needs) <= INPUTS:
        raise ValueError(f"{code}: unknown inputs {set(needs) - INPUTS}")
    if scope not in SCOPES or (scope == "service" and (needs or after_waivers)):
        raise ValueError(f"{code}: scope {scope!r} (a service-scope rule needs nothing more)")

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        opts = options or {}
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            check=check,
            options={key: default for key, (default, _) in opts.items()},
            option_docs={key: doc for key, (_, doc) in opts.items()},
            needs=frozenset(needs),
            after_waivers=after_waivers,
            scope=scope,
        )
        return check

    return register
