"""`orion-registry import prisma` and `orion-registry export prisma`.

import: a Prisma schema (files or a multi-file folder) -> `services/<name>.yaml`;
warnings (what the registry cannot express) go to stderr as `file:line:col: warning`.
export: a registry service -> a Prisma schema on stdout.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..loader import (
    SERVICE_SUFFIXES,
    SERVICES_DIR,
    SETTINGS_FILE,
    load_service_file,
    load_settings,
    service_files,
)
from ..models import Service
from ..models.service import SERVICE_NAME_PATTERN
from ..paths import (
    OutsideRepository,
    is_inside,
    repository_root,
    resolve_existing,
    unreadable_reason,
    write_atomic,
)
from ..prisma.ast import Schema
from ..prisma.exporter import export_service
from ..prisma.importer import import_schema
from ..prisma.parser import SUFFIX, PrismaSyntaxError, parse_files, schema_sources
from ..prisma.writer import service_yaml
from ..reporters.escape import inert
from ..source import MAX_BYTES
from .common import (
    UsageError,
    add_registry_argument,
    add_service_argument,
    load_service,
    print_problems,
)

MODELINE = "yaml-language-server: $schema="
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "service.schema.json"
PROJECT_ROOT = SCHEMA_FILE.parents[2]


# --- import ---------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("import", help="write a registry file from a Prisma schema")
    formats = parser.add_subparsers(dest="format", metavar="FORMAT", required=True)
    prisma = formats.add_parser(
        "prisma",
        help="import a schema.prisma (or a multi-file schema folder)",
        description="Read a Prisma schema and write services/NAME.yaml in the registry. "
        "What the registry cannot express is reported as a warning. With --update, refresh "
        "an existing file instead, keeping its comments and what only the registry knows.",
    )
    prisma.add_argument(
        "schema",
        nargs="*",
        metavar="SCHEMA",
        help="a .prisma file or a folder (with --update: default, the file's prisma_schema)",
    )
    prisma.add_argument("--service", required=True, metavar="NAME", help="the service's name")
    add_registry_argument(prisma)
    mode = prisma.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="overwrite an existing file")
    mode.add_argument(
        "--update",
        action="store_true",
        help="refresh the existing file from the schema; print what changed",
    )
    prisma.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    name = args.service
    if re.match(SERVICE_NAME_PATTERN, name) is None:
        raise UsageError(f"service name '{name}' must match {SERVICE_NAME_PATTERN}")
    root = Path(args.registry)
    services = root / SERVICES_DIR
    _check_layout(root)
    existing = [
        services / f"{name}{s}" for s in SERVICE_SUFFIXES if (services / f"{name}{s}").exists()
    ]
    if args.update:
        if not existing:
            raise UsageError(
                f"{(services / f'{name}.yaml').as_posix()} does not exist: import it first "
                "(without --update)"
            )
        return _update(existing[0], args.schema, root)
    if existing and not args.force:
        raise UsageError(f"{existing[0].as_posix()} already exists: use --force to overwrite it")
    if not args.schema:
        raise UsageError("name the Prisma schema to import (a .prisma file or a folder)")
    imported = _import(args.schema, name, root)
    if imported is None:
        return 2
    data, schema, warnings = imported
    target = existing[0] if existing else services / f"{name}.yaml"
    header = [
        *_modeline(services),
        f"Imported from {', '.join(schema.files)} by `orion-registry import prisma`.",
    ]
    services.mkdir(parents=True, exist_ok=True)
    _write(target, service_yaml(data, header), root)
    tables, enums = len(data["tables"]), len(data.get("enums", []))
    print(f"wrote {target.as_posix()}: {tables} tables, {enums} enums, {warnings} warnings")
    return 0


def _import(arguments: list[str], name: str, root: Path) -> tuple[dict, Schema, int] | None:
    """The service data of the schema and its number of warnings (printed); None when the
    schema does not parse."""
    files, shown = _schema_files(arguments)
    try:
        schema = parse_files(files, shown)
        prefix = load_settings(root).model.database_prefix
        data, notes = import_schema(schema, name, f"{prefix}{name}")
    except PrismaSyntaxError as exc:
        print(inert(exc), file=sys.stderr)
        return None
    try:
        TypeAdapter(Service).validate_python(data)
    except ValidationError as exc:  # a bug of the importer, not of the schema
        print(
            f"orion-registry: internal error: the imported data does not load: {exc}",
            file=sys.stderr,
        )
        return None
    for note in notes:
        print(inert(note), file=sys.stderr)
    return data, schema, len(notes)


def _update(target: Path, arguments: list[str], root: Path) -> int:
    """Refresh `target` from the schema; nothing is written when nothing changed."""
    from ..prisma.update import UpdateError, update_text  # ruamel.yaml: only here

    shown = target.as_posix()
    raw = target.read_bytes()
    problems: list = []
    doc = load_service_file(target, shown, problems, raw=raw)
    if doc is None:
        print_problems(problems)
        raise UsageError(f"{shown} does not load: fix the problems above first")
    if not arguments:
        if doc.model.prisma_schema is None:
            raise UsageError(f"{shown} names no prisma_schema: name the schema to import")
        try:
            path = resolve_existing(target.parent, doc.model.prisma_schema, repository_root(root))
        except OutsideRepository as exc:
            raise UsageError(f"{shown}: prisma_schema '{doc.model.prisma_schema}' {exc}") from None
        arguments = [os.path.relpath(path)]
    imported = _import(arguments, doc.name, root)
    if imported is None:
        return 2
    data, schema, _ = imported
    try:
        text, changes = update_text(raw.decode("utf-8"), data)
    except (UpdateError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown}: {exc}") from None
    source = ", ".join(schema.files)
    if not changes:
        print(f"{shown} is up to date with {source}: nothing changed")
        return 0
    if load_service_file(target, shown, problems, raw=text.encode("utf-8")) is None:
        print_problems(problems)  # a bug of the update, not of the file: write nothing
        raise UsageError(f"internal error: the updated {shown} would not load; not written")
    _write(target, text, root)
    print(f"updated {shown} from {source}: {len(changes)} change(s)")
    for change in changes:
        print(f"  {change}")
    return 0


def _write(target: Path, text: str, root: Path) -> None:
    """Write a service file atomically, inside the repository, never through a link, and
    never over the loader's size limit (check would refuse the file)."""
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise UsageError(
            f"the service file would be {size:,} bytes, over the registry's limit of "
            f"{MAX_BYTES:,} per file: not written"
        )
    try:
        write_atomic(target, text, repository_root(root))
    except OutsideRepository as exc:
        raise UsageError(f"not written: {exc}") from None


def _check_layout(root: Path) -> None:
    """Refuse a registry that `check` would refuse once the file is written: `--registry`
    naming the services/ folder itself, or a services/ that is not a folder."""
    if root.name == SERVICES_DIR and (
        (root.parent / SETTINGS_FILE).exists() or any(root.glob("*.y*ml"))
    ):
        raise UsageError(
            f"'{root.as_posix()}' is the services folder of the registry "
            f"'{root.parent.as_posix()}': pass --registry {root.parent.as_posix()}"
        )
    repository = repository_root(root)
    for folder in (root, root / SERVICES_DIR):
        if (folder.exists() or folder.is_symlink()) and not (
            folder.is_dir() and is_inside(folder, repository)
        ):
            raise UsageError(f"'{folder.as_posix()}' is not a folder inside the repository")


def _schema_files(arguments: list[str]) -> tuple[list[Path], dict[Path, str]]:
    files: list[Path] = []
    shown: dict[Path, str] = {}
    for argument in arguments:
        path = Path(argument)
        if not path.exists():
            raise UsageError(f"{argument}: no such file or folder")
        found = schema_sources(path, path.as_posix() if path.is_dir() else argument)
        if not found:
            raise UsageError(f"{argument}: no {SUFFIX} files in this folder")
        for file, name in found.items():
            if not file.is_file():
                raise UsageError(f"{file.as_posix()}: not a regular file")
            if file not in shown:
                files.append(file)
                shown[file] = name
    return files, shown


def _modeline(services: Path) -> list[str]:
    """The editor's schema line: the one the registry's files already use; else a relative
    path to the project's JSON Schema when the registry is inside this project; else none."""
    repository = repository_root(services.parent)
    for path in service_files(services.parent):
        if unreadable_reason(path, repository):
            continue
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if first.startswith(f"# {MODELINE}"):
            return [first[2:]]
    absolute = services.resolve()
    if SCHEMA_FILE.is_file() and PROJECT_ROOT in absolute.parents:
        return [MODELINE + Path(os.path.relpath(SCHEMA_FILE, absolute)).as_posix()]
    return []


# --- export ---------------------------------------------------------------------------
def register_export(formats: argparse._SubParsersAction) -> None:
    parser = formats.add_parser(
        "prisma",
        help="print a service as a Prisma schema",
        description="Print the service as a Prisma schema that follows the conventions.",
    )
    add_service_argument(parser, "the service to export")
    parser.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    _, doc = load_service(args.registry, args.service)
    header = [
        f"Generated by `orion-registry export prisma --service {doc.name}` from {doc.file}.",
        "Edit the registry file, not this schema.",
    ]
    text, notes = export_service(doc.model, header)
    for note in notes:
        line, column = doc.source.locate(note.path)
        print(inert(f"{doc.file}:{line}:{column}: warning: {note.message}"), file=sys.stderr)
    sys.stdout.write(text)
    return 0
