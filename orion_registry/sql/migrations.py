"""A service's Prisma migration folders -> what each `migration.sql` does, located.

`<migrations_dir>/<folder>/migration.sql` is parsed once with pglast (PostgreSQL's own
parser). Each statement that matters to a rule becomes a `SqlFact` at its line and
column: a destructive change (DROP TABLE/COLUMN, ALTER COLUMN TYPE, SET NOT NULL, a
rename of a table, column or enum value, DROP TYPE, a NOT NULL column added without a
default), a `CREATE INDEX` without `CONCURRENTLY`, and every `REFERENCES`. Changes to a
table created by the same migration are not destructive and need no concurrent index.
A syntax error is kept, with its position, instead of raising.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from pglast import ast, enums, parse_sql
from pglast.parser import ParseError

from ..loader import ServiceDoc
from ..models import Migration
from ..paths import OutsideRepository, is_inside, repository_root, resolve_inside, unreadable_reason

SQL_FILE = "migration.sql"
_TIMESTAMP = re.compile(r"^(?P<day>\d{8})\d{6}(?P<rest>_.*)$")
AT = enums.AlterTableType
DESTRUCTIVE_COMMANDS = {
    AT.AT_DropColumn: "DROP COLUMN {table}.{name}",
    AT.AT_AlterColumnType: "ALTER COLUMN {table}.{name} TYPE",
    AT.AT_SetNotNull: "ALTER COLUMN {table}.{name} SET NOT NULL",
}


@dataclass(frozen=True, slots=True)
class SqlFact:
    kind: str  # "destructive" | "blocking-index" | "reference"
    line: int
    column: int
    what: str  # the statement in a few words, e.g. "DROP COLUMN users.email"
    table: str = ""  # the table concerned (for a reference: the referenced table)
    catalog: str = ""  # a reference's database name, when the SQL names one


@dataclass(slots=True)
class MigrationFolder:
    name: str
    file: str  # shown path of its migration.sql (or of the folder when it has none)
    has_sql: bool
    facts: list[SqlFact] = field(default_factory=list)
    creates: set[str] = field(default_factory=set)  # tables created (or renamed to)
    creates_types: set[str] = field(default_factory=set)
    error: tuple[str, int, int] | None = None  # (message, line, column)


@dataclass(slots=True)
class MigrationDir:
    doc: ServiceDoc
    shown: str
    exists: bool
    outside: bool = False  # migrations_dir leaves the repository: never read
    folders: list[MigrationFolder] = field(default_factory=list)

    def tables(self) -> set[str]:
        """Tables some migration of this folder creates: they live in this database."""
        return {t for folder in self.folders for t in folder.creates}


def short_id(folder: str) -> str | None:
    """`20251018093000_add_x` -> `20251018_add_x` (the guide's date-only migration id)."""
    match = _TIMESTAMP.match(folder)
    return f"{match['day']}{match['rest']}" if match else None


def match_entries(
    folders: list[MigrationFolder], entries: list[Migration]
) -> tuple[dict[str, int], list[int]]:
    """Folder name -> index of its registry entry, and the entries with no folder.

    An entry matches a folder whose name equals its id, or, failing that, whose name
    without the time of day (`YYYYMMDD_name`) equals it."""
    by_id: dict[str, int] = {}
    for i, entry in enumerate(entries):
        by_id.setdefault(entry.id, i)
    matched: dict[str, int] = {}
    for folder in folders:
        if folder.name in by_id:
            matched[folder.name] = by_id[folder.name]
    used = set(matched.values())
    for folder in folders:
        short = short_id(folder.name)
        if folder.name not in matched and short in by_id and by_id[short] not in used:
            matched[folder.name] = by_id[short]
            used.add(by_id[short])
    return matched, [i for i in by_id.values() if i not in used]


def scan_service(doc: ServiceDoc) -> MigrationDir:
    """Every migration folder of `doc`'s `migrations_dir`, each SQL file parsed once."""
    declared = doc.model.migrations_dir or ""
    shown = posixpath.normpath(posixpath.join(posixpath.dirname(doc.file), declared))
    repository = repository_root(doc.path.parent.parent)
    try:
        folder = resolve_inside(doc.path.parent, declared, repository)
    except OutsideRepository:  # the loader reports it (L003); never list it
        return MigrationDir(doc, shown, False, outside=True)
    result = MigrationDir(doc, shown, folder.is_dir())
    if not result.exists:
        return result
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        sql = sub / SQL_FILE
        entry = MigrationFolder(sub.name, f"{shown}/{sub.name}/{SQL_FILE}", sql.exists())
        refused = unreadable_reason(sql, repository) if entry.has_sql else None
        if not is_inside(sub, repository):
            entry.error = ("not read: the folder leads outside the repository", 1, 1)
        elif refused:
            entry.error = (f"not read: {SQL_FILE} {refused}", 1, 1)
        elif not entry.has_sql:
            entry.file = f"{shown}/{sub.name}"
        else:
            analyze(sql, entry)
        result.folders.append(entry)
    return result


class _Lines:
    """Character offset -> 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, max(offset, 0))
        return line, max(offset, 0) - self.starts[line - 1] + 1


def analyze(path: Path, folder: MigrationFolder) -> None:
    """Parse one migration.sql into `folder` (facts, created tables or the error)."""
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        folder.error = (f"cannot read the SQL file: {exc}", 1, 1)
        return
    lines = _Lines(text)
    try:
        statements = parse_sql(text)
    except ParseError as exc:
        message, offset = exc.args[0], exc.args[1] if len(exc.args) > 1 else 0
        folder.error = (f"SQL syntax error: {message}", *lines.at(offset))
        return
    except Exception as exc:  # pglast raises a few other errors on odd input
        folder.error = (f"SQL cannot be parsed: {exc}", 1, 1)
        return
    for raw in statements:
        _statement(raw.stmt, lines.at(raw.stmt_location or 0), lines, folder)


def _fact(folder: MigrationFolder, kind: str, at: tuple[int, int], what: str, **more) -> None:
    folder.facts.append(SqlFact(kind, at[0], at[1], what, **more))


def _statement(stmt, at: tuple[int, int], lines: _Lines, folder: MigrationFolder) -> None:
    new = folder.creates
    if isinstance(stmt, ast.CreateStmt):
        new.add(stmt.relation.relname)
        for element in stmt.tableElts or ():
            _references(element, lines, folder)
    elif isinstance(stmt, ast.AlterTableStmt) and stmt.relation is not None:
        table = stmt.relation.relname
        for cmd in stmt.cmds or ():
            if table not in new and cmd.subtype in DESTRUCTIVE_COMMANDS:
                what = DESTRUCTIVE_COMMANDS[cmd.subtype].format(table=table, name=cmd.name)
                _fact(folder, "destructive", at, what, table=table)
            elif cmd.subtype == AT.AT_AddColumn and table not in new and _required(cmd.def_):
                at_column = lines.at(cmd.def_.location) if cmd.def_.location >= 0 else at
                what = f"ADD COLUMN {table}.{cmd.def_.colname} NOT NULL without a default"
                _fact(folder, "destructive", at_column, what, table=table)
            if cmd.def_ is not None:
                _references(cmd.def_, lines, folder)
    elif isinstance(stmt, ast.IndexStmt):
        table = stmt.relation.relname
        if not stmt.concurrent and table not in new:
            name = stmt.idxname or "(unnamed)"
            _fact(folder, "blocking-index", at, f"CREATE INDEX {name} ON {table}", table=table)
    elif isinstance(stmt, ast.RenameStmt):
        _rename(stmt, at, folder)
    elif isinstance(stmt, ast.AlterEnumStmt) and stmt.oldVal:
        type_name = stmt.typeName[-1].sval
        what = f"ALTER TYPE {type_name} RENAME VALUE '{stmt.oldVal}'"
        _fact(folder, "destructive", at, what)
    elif isinstance(stmt, ast.CreateEnumStmt):
        folder.creates_types.add(stmt.typeName[-1].sval)
    elif isinstance(stmt, ast.DropStmt):
        _drop(stmt, at, folder)


def _required(column) -> bool:
    """A column definition that is NOT NULL with no default (nor identity / generated)."""
    if not isinstance(column, ast.ColumnDef):
        return False
    kinds = {c.contype for c in column.constraints or ()}
    not_null = column.is_not_null or enums.ConstrType.CONSTR_NOTNULL in kinds
    filled = kinds & {
        enums.ConstrType.CONSTR_DEFAULT,
        enums.ConstrType.CONSTR_IDENTITY,
        enums.ConstrType.CONSTR_GENERATED,
        enums.ConstrType.CONSTR_PRIMARY,
    }
    return bool(not_null and not filled)


def _rename(stmt, at: tuple[int, int], folder: MigrationFolder) -> None:
    kind = stmt.renameType
    if kind == enums.ObjectType.OBJECT_TABLE and stmt.relation is not None:
        old = stmt.relation.relname
        if old not in folder.creates:
            _fact(folder, "destructive", at, f"RENAME TABLE {old} TO {stmt.newname}", table=old)
        folder.creates.add(stmt.newname)
    elif kind == enums.ObjectType.OBJECT_COLUMN and stmt.relation is not None:
        table = stmt.relation.relname
        if table not in folder.creates:
            what = f"RENAME COLUMN {table}.{stmt.subname} TO {stmt.newname}"
            _fact(folder, "destructive", at, what, table=table)


def _drop(stmt, at: tuple[int, int], folder: MigrationFolder) -> None:
    if stmt.removeType == enums.ObjectType.OBJECT_TABLE:
        for names in stmt.objects or ():
            table = names[-1].sval
            if table not in folder.creates:
                _fact(folder, "destructive", at, f"DROP TABLE {table}", table=table)
    elif stmt.removeType == enums.ObjectType.OBJECT_TYPE:
        for type_name in stmt.objects or ():
            name = type_name.names[-1].sval
            if name not in folder.creates_types:
                _fact(folder, "destructive", at, f"DROP TYPE {name}")


def _references(node, lines: _Lines, folder: MigrationFolder) -> None:
    """Every FOREIGN KEY ... REFERENCES in a column or table definition."""
    constraints = node.constraints or () if isinstance(node, ast.ColumnDef) else (node,)
    for constraint in constraints:
        if (
            isinstance(constraint, ast.Constraint)
            and constraint.contype == enums.ConstrType.CONSTR_FOREIGN
            and constraint.pktable is not None
        ):
            target = constraint.pktable
            offset = target.location if target.location >= 0 else constraint.location
            _fact(
                folder,
                "reference",
                lines.at(offset),
                f"REFERENCES {target.relname}",
                table=target.relname,
                catalog=target.catalogname or "",
            )
