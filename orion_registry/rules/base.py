"""What a rule is: a code, a name, a default severity, options, a check, and its own docs.

A rule is a small function decorated with `@rule(...)`. Its docstring is its documentation
(the published rule page and `orion-registry rule CODE` come from it) and must have these
sections, each a `## ` heading:

    ## What it checks   ## Why   ## Bad   ## Good

`Bad` and `Good` hold one ```yaml block each: a registry example (see `examples.py`).
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
    suggestion: str | None = None  # the replacement it proposes (applied as is, it passes)
    replaces: str | None = None  # the value at `key` that `suggestion` replaces


Check = Callable[[Context, Mapping[str, Any]], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: Check
    options: Mapping[str, Any] = field(default_factory=dict)
    option_docs: Mapping[str, str] = field(default_factory=dict)
    diff_only: bool = False
    after_waivers: bool = False
    command: str = "check"  # the subcommand that evaluates it (`diff`, `drift` when diff_only)

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
    diff_only: bool = False,
    after_waivers: bool = False,
    command: str | None = None,
) -> Callable[[Check], Check]:
    """Register a rule. `options` maps an option name to (default, description).

    `after_waivers`: the check runs once waivers have been applied (S603 reports the unused
    ones). `diff_only`: `check` skips it; `command` (`diff`, `drift`) evaluates it, and the
    registration gives it its code, severity, waivers and documentation.
    """
    if not _CODE.match(code):
        raise ValueError(f"bad rule code {code!r}")

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
            diff_only=diff_only,
            after_waivers=after_waivers,
            command=command or ("diff" if diff_only else "check"),
        )
        return check

    return register
