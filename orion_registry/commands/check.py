"""`orion-registry check`: load, validate and check a registry; report in any format."""

from __future__ import annotations

import argparse

from ..engine import check_registry
from ..loader import load_registry
from ..reporters import REPORTERS
from .common import (
    add_cache_argument,
    add_format_argument,
    add_registry_argument,
    cache_of,
    codes,
    report,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="check the registry against every rule")
    add_registry_argument(parser)
    add_format_argument(parser, REPORTERS)
    add_cache_argument(parser)
    parser.add_argument(
        "--select",
        type=codes,
        default=[],
        metavar="CODES",
        help="only these rules, by code or prefix (e.g. N,I301)",
    )
    parser.add_argument(
        "--ignore",
        type=codes,
        default=[],
        metavar="CODES",
        help="skip these rules, by code or prefix",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    registry = load_registry(args.registry, cache_of(args))
    findings = check_registry(registry, select=args.select, ignore=args.ignore)
    return report(findings, args.format, registry)
