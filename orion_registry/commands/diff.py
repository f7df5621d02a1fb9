"""`orion-registry diff --base BASE`: what changed since BASE, is it breaking, is it in the
migration log, who depends on it; plus the full check of the registry now."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from ..cache import ParseCache
from ..diff import BaseError, DiffResult, compare_with_base, markdown
from ..diff.report import render_github, render_json, render_sarif, render_text
from ..engine import run as run_rules
from ..findings import sort_findings
from ..rules.context import Inputs
from .common import (
    UsageError,
    add_cache_argument,
    add_format_argument,
    add_registry_argument,
    cache_of,
    sarif_reporter,
)

RENDERERS = {
    "text": render_text,
    "json": render_json,
    "markdown": markdown.render,
    "github": render_github,
    "sarif": render_sarif,
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="review the changes since a base revision (breaking? covered? who is hurt?)",
        description="Compare the registry with BASE (a git revision such as origin/main, "
        "or a directory holding a registry) and check the new registry.",
    )
    parser.add_argument(
        "--base", required=True, metavar="BASE", help="git revision or registry directory"
    )
    add_registry_argument(parser)
    add_format_argument(parser, RENDERERS)
    add_cache_argument(parser)
    parser.set_defaults(run=run)


def review(
    registry: Path | str,
    base: str,
    on_date: dt.date | None = None,
    cache: ParseCache | None = None,
) -> DiffResult:
    """The changes since `base` and the findings of every rule, M504 included."""
    result = compare_with_base(registry, base, cache)
    inputs = Inputs(base=result.base, changes=result.changes)
    result.findings = sort_findings(run_rules(result.registry, inputs, on_date=on_date))
    return result


def run(args: argparse.Namespace) -> int:
    try:
        result = review(args.registry, args.base, cache=cache_of(args))
    except BaseError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "sarif":
        sys.stdout.write(render_sarif(result, sarif_reporter(result.registry)))
    else:
        sys.stdout.write(RENDERERS[args.format](result))
    return result.exit_code
