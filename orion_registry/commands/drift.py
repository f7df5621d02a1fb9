"""`orion-registry drift --service NAME --dsn URL`: the live database vs the registry.

Exit codes: 0 no drift, 1 drift (error-level findings), 2 unusable input or the database
cannot be reached (the message never shows the password).
"""

from __future__ import annotations

import argparse

from ..reporters import REPORTERS
from ..rules import Rule
from .common import UsageError, add_format_argument, add_service_argument, load_service, report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "drift",
        help="compare a live PostgreSQL database with the registry",
        description="Introspect the service's live database and report every difference "
        "from the registry (codes D701-D715, see `orion-registry rules`).",
    )
    add_service_argument(parser, "the service whose database this is")
    parser.add_argument(
        "--dsn",
        required=True,
        metavar="URL",
        help="libpq connection string, e.g. postgresql://user@host:5432/orion_user "
        "(prefer PGPASSWORD or ~/.pgpass to a password in the URL)",
    )
    parser.add_argument("--schema", default="public", help="schema to compare (default: public)")
    add_format_argument(parser, REPORTERS)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..engine import run as run_rules
    from ..rules.context import Inputs
    from ..sql.introspect import Unreachable, introspect

    registry, doc = load_service(args.registry, args.service)
    try:
        live = introspect(args.dsn, args.schema)
    except Unreachable as exc:
        raise UsageError(str(exc)) from None
    findings = run_rules(registry, Inputs(live={doc.name: live}), scope=compares_schemas)
    return report(findings, args.format, registry)


def compares_schemas(rule: Rule) -> bool:
    """`drift` runs only the rules that compare the registry with another schema."""
    return "live" in rule.needs
