"""What several subcommands share: the common arguments, usage errors, finding a service,
reporting findings."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from ..cache import NO_CACHE_ENV, ParseCache, registry_cache
from ..findings import LOAD_CODES, Finding, RuleDoc, exit_code
from ..loader import (
    DEFAULT_REGISTRY,
    SERVICES_DIR,
    Registry,
    ServiceDoc,
    display_path,
    load_registry,
)
from ..render.paths import DEFAULT_DOCS_URL, rule_url
from ..reporters import REPORTERS, sarif
from ..reporters.escape import inert
from ..rules import RULES


class UsageError(Exception):
    """Bad arguments or input that cannot be used: printed without a traceback, exit 2."""


def codes(value: str) -> list[str]:
    """`--select N,i301` -> ["N", "I301"]; a selector that matches no code is a usage error."""
    selected = [code.strip().upper() for code in value.split(",") if code.strip()]
    known = [*RULES, *LOAD_CODES]
    for selector in selected:
        if selector != "ALL" and not any(code.startswith(selector) for code in known):
            raise argparse.ArgumentTypeError(
                f"'{selector}' matches no rule code (see `orion-registry rules`)"
            )
    return selected


def default_registry(start: Path | None = None) -> str:
    """`registry/` here or in the nearest parent folder up to the repository top, as a
    path relative to the working directory (so findings read `../registry/...`)."""
    here = Path.cwd() if start is None else start
    for folder in (here, *here.parents):
        try:
            if (folder / DEFAULT_REGISTRY / SERVICES_DIR).is_dir():
                return os.path.relpath(folder / DEFAULT_REGISTRY, here)
            if (folder / ".git").exists():
                break
        except OSError:  # an unreadable folder: loading it says so, with exit 2
            return os.path.relpath(folder / DEFAULT_REGISTRY, here)
    return DEFAULT_REGISTRY


def add_registry_argument(parser: argparse.ArgumentParser) -> None:
    """`--registry DIR`; when absent, `resolve_registry` finds the default after parsing
    (never while the parser is built: `--version` or `rules` must not touch the disk)."""
    parser.add_argument(
        "--registry",
        default=None,
        metavar="DIR",
        help="registry directory (default: registry/ here or in the nearest parent "
        "folder up to the repository top)",
    )


def resolve_registry(args: argparse.Namespace) -> None:
    """Fill in the default `--registry` of a command that has one and was given none."""
    if "registry" in vars(args) and args.registry is None:
        args.registry = default_registry()


def add_cache_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file afresh, without reading or writing the parse cache "
        f"(also: {NO_CACHE_ENV}=1)",
    )


def cache_of(args: argparse.Namespace) -> ParseCache | None:
    """The parse cache for `args.registry`, unless `--no-cache` or the environment says no."""
    return registry_cache(args.registry, enabled=not args.no_cache)


def add_service_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """`--service NAME` (described by `what`) and `--registry DIR`."""
    parser.add_argument("--service", required=True, metavar="NAME", help=what)
    add_registry_argument(parser)


def add_format_argument(parser: argparse.ArgumentParser, formats: Iterable[str]) -> None:
    parser.add_argument("--format", choices=sorted(formats), default="text")


def print_problems(findings: Iterable[Finding]) -> None:
    """Load problems on stderr, one `file:line:col: CODE message` line each."""
    for f in findings:
        print(inert(f"{f.file}:{f.line}:{f.column}: {f.rule} {f.message}"), file=sys.stderr)


def load_service(registry_dir: str, name: str) -> tuple[Registry, ServiceDoc]:
    """(registry, the service's document); a usage error explaining why it is missing."""
    registry = load_registry(registry_dir)
    doc = registry.service(name)
    if doc is not None:
        return registry, doc
    problems = [f for f in registry.findings if f.target == name]
    print_problems(problems)
    if problems:
        raise UsageError(f"service '{name}' does not load: fix the problems above")
    known = ", ".join(sorted(registry.services)) or "none"
    folder = display_path(registry.root, SERVICES_DIR)
    raise UsageError(f"no service '{name}' in {folder} (services: {known})")


def rule_docs(docs_url: str | None) -> list[RuleDoc]:
    """The rule catalogue (and the load codes) as reports show it, linked to the site."""
    docs = [
        RuleDoc(
            rule.code,
            rule.name,
            rule.summary,
            rule.sections.get("What it checks", rule.summary),
            rule.sections.get("Why", rule.summary),
            rule.severity,
            rule_url(rule.code, docs_url),
        )
        for rule in RULES.values()
    ]
    docs += [
        RuleDoc(code, name, f"registry input is {name}", "", "", "error", rule_url(None, docs_url))
        for code, name in LOAD_CODES.items()
    ]
    return docs


def sarif_reporter(registry: Registry):
    """SARIF with the catalogue and the links of this registry's published site."""
    docs_url = registry.settings.model.docs_url
    return partial(
        sarif.render, rules=rule_docs(docs_url), information_uri=docs_url or DEFAULT_DOCS_URL
    )


def report(findings: list[Finding], fmt: str, registry: Registry) -> int:
    """Write the findings in the `fmt` of `REPORTERS` to stdout; return the exit code."""
    render = sarif_reporter(registry) if fmt == "sarif" else REPORTERS[fmt]
    sys.stdout.write(render(findings))
    return exit_code(findings)
