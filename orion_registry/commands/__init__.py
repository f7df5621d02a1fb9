"""The CLI's subcommands. Each module has `register(subparsers)` setting `run=...`."""

from . import catalogue, check, schema

COMMANDS = [check, catalogue, schema]
