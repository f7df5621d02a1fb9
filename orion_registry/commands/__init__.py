"""The CLI's subcommands. Each module has `register(subparsers)` setting `run=...`."""

from . import baseline, catalogue, check, codeowners, diff, drift, export, prisma, schema

COMMANDS = [check, baseline, catalogue, schema, diff, codeowners, prisma, export, drift]
