"""`orion-registry export sql --service NAME`: print the PostgreSQL DDL of one service."""

from __future__ import annotations

import argparse
import sys

from ..reporters.escape import inert
from .common import add_service_argument, load_service


def register_export(formats: argparse._SubParsersAction) -> None:
    parser = formats.add_parser(
        "sql",
        help="print a service as PostgreSQL DDL",
        description="Print the DDL that creates the service's database objects: enum "
        "types, tables, keys, unique constraints, indexes and in-database foreign keys "
        "(never one to another service's database).",
    )
    add_service_argument(parser, "the service to export")
    parser.add_argument(
        "--no-comments", action="store_true", help="leave out COMMENT ON for descriptions"
    )
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    from ..sql.ddl import DdlError, service_ddl

    _, doc = load_service(args.registry, args.service)
    try:
        text = service_ddl(doc, with_comments=not args.no_comments)
    except DdlError as exc:
        line, column = doc.source.locate(exc.path)
        print(inert(f"{doc.file}:{line}:{column}: error: {exc.message}"), file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
