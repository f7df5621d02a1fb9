"""`orion-registry drift --service NAME --dsn URL | --prisma PATH`: a live database, or a
Prisma schema (a file or a multi-file folder), vs the registry.

Exit codes: 0 no drift, 1 drift (error-level findings), 2 unusable input, a schema that
does not parse, or a database that cannot be reached (the message never shows the password).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..reporters import REPORTERS
from ..rules import Rule
from .common import UsageError, add_format_argument, add_service_argument, load_service, report

if TYPE_CHECKING:
    from ..prisma.live import PrismaLiveSchema


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drift",
        help="compare a live PostgreSQL database or a Prisma schema with the registry",
        description="Introspect the service's live database (or read its Prisma schema) and "
        "report every difference from the registry (codes D701-D715, see `orion-registry "
        "rules`).",
    )
    add_service_argument(parser, "the service whose database this is")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dsn",
        metavar="URL",
        help="libpq connection string, e.g. postgresql://user@host:5432/orion_user "
        "(prefer PGPASSWORD or ~/.pgpass to a password in the URL)",
    )
    source.add_argument(
        "--prisma",
        metavar="PATH",
        help="a schema.prisma, or a folder of .prisma files (Prisma's multi-file schemas)",
    )
    parser.add_argument("--schema", default="public", help="schema to compare (default: public)")
    add_format_argument(parser, REPORTERS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..engine import run as run_rules
    from ..prisma.parser import PrismaSyntaxError
    from ..rules.context import Inputs
    from ..sql.introspect import Unreachable, introspect

    registry, doc = load_service(args.registry, args.service)
    if args.prisma is not None:
        try:
            live = _prisma(args.prisma)
        except PrismaSyntaxError as exc:
            print(exc, file=sys.stderr)  # file:line:col: error: ...
            return 2
    else:
        try:
            live = introspect(args.dsn, args.schema)
        except Unreachable as exc:
            raise UsageError(str(exc)) from None
    findings = run_rules(registry, Inputs(live={doc.name: live}), scope=compares_schemas)
    return report(findings, args.format, registry)


def _prisma(argument: str) -> PrismaLiveSchema:
    from ..prisma.live import read_prisma_schema

    path = Path(argument)
    if not path.exists():
        raise UsageError(f"{argument}: no such file or folder")
    return read_prisma_schema(path, argument.rstrip("/") or argument)


def compares_schemas(rule: Rule) -> bool:
    """`drift` runs only the rules that compare the registry with another schema."""
    return "live" in rule.needs
