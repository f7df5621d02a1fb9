"""`orion-registry check`: load, validate and check a registry; report in any format."""

from __future__ import annotations

import argparse
import sys
from functools import partial

from ..engine import check_registry
from ..findings import exit_code
from ..loader import load_registry
from ..reporters import REPORTERS, sarif

DEFAULT_REGISTRY = "registry"


def codes(value: str) -> list[str]:
    return [code.strip().upper() for code in value.split(",") if code.strip()]


def add_registry_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--registry",
        default=DEFAULT_REGISTRY,
        metavar="DIR",
        help="registry directory (default: %(default)s)",
    )


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check", help="check the registry against every rule")
    add_registry_argument(parser)
    parser.add_argument("--format", choices=sorted(REPORTERS), default="text")
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
    registry = load_registry(args.registry)
    findings = check_registry(registry, select=args.select, ignore=args.ignore)
    render = REPORTERS[args.format]
    if args.format == "sarif":
        render = partial(sarif.render, docs_url=registry.settings.model.docs_url)
    sys.stdout.write(render(findings))
    return exit_code(findings)
