"""The CLI's subcommands. Each module has `register(subparsers)` setting `run=...`."""

from . import catalogue, check, codeowners, diff, drift, export, prisma, schema

COMMANDS = [check, catalogue, schema, diff, codeowners, prisma, export, drift]
