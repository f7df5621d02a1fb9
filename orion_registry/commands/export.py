"""`orion-registry export FORMAT --service NAME`: print one service in another format.

Each format is a module with `register_export(formats)` adding its sub-subcommand
(`export prisma`, `export sql`, ...); add a module to `EXPORTERS` to add a format.
"""

from __future__ import annotations

import argparse

from . import prisma, sql

EXPORTERS = [prisma, sql]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="print a service as a Prisma schema, SQL, ...")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    for exporter in EXPORTERS:
        exporter.register_export(formats)
