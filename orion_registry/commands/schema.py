"""`orion-registry schema`: the JSON Schema of a service file or of orion.yaml."""

from __future__ import annotations

import argparse
import json
import sys

from pydantic import TypeAdapter

from ..models import Service, Settings

SCHEMAS = {"service": Service, "settings": Settings}
TITLES = {"service": "Orion registry service file", "settings": "Orion registry orion.yaml"}


def json_schema(kind: str) -> dict:
    schema = TypeAdapter(SCHEMAS[kind]).json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": TITLES[kind],
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("schema", help="print the JSON Schema of a registry file")
    parser.add_argument(
        "kind",
        choices=sorted(SCHEMAS),
        nargs="?",
        default="service",
        help="service (a services/<name>.yaml file) or settings (orion.yaml)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text(args.kind))
    return 0
