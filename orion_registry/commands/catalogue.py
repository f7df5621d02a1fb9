"""`orion-registry rules` lists the catalogue; `orion-registry rule CODE` prints a rule's docs."""

from __future__ import annotations

import argparse
import sys

from ..rules import RULES, Rule
from ..rules.base import FAMILIES


def register(subparsers: argparse._SubParsersAction) -> None:
    listing = subparsers.add_parser("rules", help="list every rule")
    listing.set_defaults(run=run_rules)
    one = subparsers.add_parser("rule", help="print one rule's documentation")
    one.add_argument("code", help="a rule code, e.g. N101")
    one.set_defaults(run=run_rule)


def run_rules(args: argparse.Namespace) -> int:
    """Every rule, family by family (in the order of `FAMILIES`), then by code."""
    width = max(len(rule.name) for rule in RULES.values())
    blocks = []
    for letter, family in FAMILIES.items():
        codes = sorted(code for code in RULES if code[0] == letter)
        lines = [f"# {family}"]
        for code in codes:
            rule = RULES[code]
            note = f" ({' and '.join(rule.commands)} only)" if rule.needs else ""
            lines.append(f"{code}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary}{note}")
        if codes:
            blocks.append("\n".join(lines))
    print("\n\n".join(blocks))
    return 0


def describe(rule: Rule) -> str:
    lines = [
        f"{rule.code} {rule.name} [{rule.severity}] ({rule.family})",
        f"Runs in {rule.runs}.",
        "",
        rule.doc,
    ]
    if rule.options:
        lines += ["", "## Options"]
        lines += [
            f"- {name} (default {rule.options[name]!r}): {rule.option_docs[name]}"
            for name in sorted(rule.options)
        ]
    return "\n".join(lines) + "\n"


def run_rule(args: argparse.Namespace) -> int:
    rule = RULES.get(args.code.upper())
    if rule is None:
        print(
            f"orion-registry: error: unknown rule '{args.code}' (see `orion-registry rules`)",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(describe(rule))
    return 0
