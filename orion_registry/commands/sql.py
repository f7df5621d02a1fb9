"""`orion-registry export sql --service NAME`: print the PostgreSQL DDL of one service."""

from __future__ import annotations

import argparse
import sys

from ..loader import SERVICES_DIR, ServiceDoc, display_path, load_registry
from .check import add_registry_argument


def _usage_error(message: str) -> Exception:
    from ..cli import UsageError  # the CLI imports this module: import it when needed

    return UsageError(message)


def add_service_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--service", required=True, metavar="NAME", help=what)
    add_registry_argument(parser)


def load_service(registry_dir: str, name: str) -> tuple[object, ServiceDoc]:
    """(registry, the service's document); a usage error naming the problems otherwise."""
    registry = load_registry(registry_dir)
    doc = registry.service(name)
    if doc is not None:
        return registry, doc
    problems = [f for f in registry.findings if f.target == name]
    for finding in problems:
        print(
            f"{finding.file}:{finding.line}:{finding.column}: {finding.rule} {finding.message}",
            file=sys.stderr,
        )
    if problems:
        raise _usage_error(f"service '{name}' does not load: fix the problems above")
    known = ", ".join(sorted(registry.services)) or "none"
    folder = display_path(registry.root, SERVICES_DIR)
    raise _usage_error(f"no service '{name}' in {folder} (services: {known})")


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
        print(f"{doc.file}:{line}:{column}: error: {exc.message}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0
