"""M511-M514 (and R401's SQL half): the migration SQL a service declares vs its migration log.

Only services with `migrations_dir:` are looked at; the SQL is parsed by
`orion_registry/sql/migrations.py` once per run (pglast is imported only then, so `check`
pays nothing when no service declares a migrations folder). Findings point into the SQL
file (`file:line:column`) or, for an entry without a folder, at the entry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from ..models import Service
from .base import Violation, rule
from .context import Context, MigrationRef, Ref

if TYPE_CHECKING:
    from ..sql.migrations import MigrationDir, MigrationFolder


@dataclass(frozen=True, slots=True)
class _At:
    """A source map stand-in for a SQL file: every path is at one position."""

    line: int
    column: int

    def locate(self, path: object = (), key: bool = False) -> tuple[int, int]:
        return self.line, self.column


@dataclass(frozen=True, slots=True)
class SqlFile:
    """A service document stand-in so a Violation can point into a SQL file."""

    name: str
    file: str
    model: Service
    source: _At


@dataclass(frozen=True, slots=True)
class Scanned:
    dir: MigrationDir
    entries: dict[str, int]  # folder name -> index of its registry entry
    orphans: list[int]  # registry entries without a folder


_SCANS: WeakKeyDictionary[Context, list[Scanned]] = WeakKeyDictionary()


def scans(ctx: Context) -> list[Scanned]:
    """Every declared migrations folder, scanned once per run; [] (and no import) when none."""
    if ctx not in _SCANS:
        docs = [doc for doc in ctx.docs if doc.model.migrations_dir]
        found = []
        if docs:
            from ..sql.migrations import match_entries, scan_service

            for doc in docs:
                scanned = scan_service(doc)
                entries, orphans = match_entries(scanned.folders, doc.model.migrations)
                found.append(Scanned(scanned, entries, orphans))
        _SCANS[ctx] = found
    return _SCANS[ctx]


def sql_ref(scan: Scanned, folder: MigrationFolder, line: int = 1, column: int = 1) -> Ref:
    doc = scan.dir.doc
    index = scan.entries.get(folder.name)
    entry = doc.model.migrations[index].id if index is not None else folder.name
    return Ref(
        SqlFile(doc.name, folder.file, doc.model, _At(line, column)), (), f"{doc.name}.{entry}"
    )


@rule("M511", "migration-folder-logged", "error")
def migration_folder_logged(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every migration folder has a registry entry, and every entry has a folder.

    ## What it checks
    For a service that declares `migrations_dir:` (Prisma's `prisma/migrations`,
    relative to the service file): the folder exists; each of its migration folders
    (`20251018093000_add_user_preferences/`) has an entry in `migrations:` whose `id` is
    the folder name, or the folder name without the time of day
    (`20251018_add_user_preferences`, the guide's spelling); and each entry has such a
    folder.

    ## Why
    The guide's last step of every schema change is to document the migration. A
    folder without an entry is a migration nobody documented (no type, no rollback); an
    entry without a folder documents a migration that does not exist, or was renamed.

    ## Bad
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251018_add_user_preferences
        date: 2025-10-18
        type: non-breaking
        purpose: Store user preferences separately.
        rollback: Drop the table.
    ---
    # file: migrations/20251020101500_add_avatar/migration.sql
    ALTER TABLE "users" ADD COLUMN "avatar_url" VARCHAR(2048);
    ```

    ## Good
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251020101500_add_avatar
        date: 2025-10-20
        type: non-breaking
        purpose: Let users show a profile picture.
        rollback: Drop the column.
    ---
    # file: migrations/20251020101500_add_avatar/migration.sql
    ALTER TABLE "users" ADD COLUMN "avatar_url" VARCHAR(2048);
    ```
    """
    for scan in scans(ctx):
        doc = scan.dir.doc
        if scan.dir.outside:
            continue  # reported by the loader (L003)
        if not scan.dir.exists:
            yield Violation(
                Ref(doc, (), doc.name),
                f"migrations_dir '{doc.model.migrations_dir}' ({scan.dir.shown}) is not a folder",
                ("migrations_dir",),
            )
            continue
        for folder in scan.dir.folders:
            if folder.name not in scan.entries:
                yield Violation(
                    sql_ref(scan, folder),
                    f"migration folder '{folder.name}' has no entry in {doc.file} "
                    f"(add one with id: {folder.name})",
                )
        for index in scan.orphans:
            migration = doc.model.migrations[index]
            yield Violation(
                MigrationRef(doc, ("migrations", index), f"{doc.name}.{migration.id}", migration),
                f"migration '{migration.id}' has no folder in {scan.dir.shown} "
                "(expected a folder of that name, or with the time of day added)",
                ("id",),
            )


@rule("M512", "destructive-sql-is-breaking", "error")
def destructive_sql_is_breaking(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A migration whose SQL is destructive is logged as `type: breaking`.

    ## What it checks
    In a migration folder whose registry entry has `type: non-breaking` or `type: data`,
    the SQL has no destructive statement: `DROP TABLE`, `DROP COLUMN`, `ALTER COLUMN ...
    TYPE`, `SET NOT NULL`, renaming a table or column, renaming an enum value or
    dropping an enum type, or adding a `NOT NULL` column without a default. Statements on
    a table created by the same migration do not count. The finding points at the
    statement in `migration.sql`.

    ## Why
    The guide lists removing, renaming, retyping a column and making it required as
    breaking changes that need the multi-step expand / migrate / contract plan. The SQL
    is what actually runs: when it contradicts the log, the review approved the wrong
    plan.

    ## Bad
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251102_drop_old_email
        date: 2025-11-02
        type: non-breaking
        purpose: Drop users.old_email.
        rollback: Re-add the column.
    ---
    # file: migrations/20251102090000_drop_old_email/migration.sql
    ALTER TABLE "users" DROP COLUMN "old_email";
    ```

    ## Good
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251102_drop_old_email
        date: 2025-11-02
        type: breaking
        purpose: Drop users.old_email now that every reader uses users.email.
        steps:
          - deploy code that no longer reads users.old_email
          - drop column users.old_email
        rollback: Re-add users.old_email and backfill it from users.email.
    ---
    # file: migrations/20251102090000_drop_old_email/migration.sql
    ALTER TABLE "users" DROP COLUMN "old_email";
    ```
    """
    for scan in scans(ctx):
        migrations = scan.dir.doc.model.migrations
        for folder in scan.dir.folders:
            index = scan.entries.get(folder.name)
            if index is None or migrations[index].type not in ("non-breaking", "data"):
                continue
            entry = migrations[index]
            for fact in (f for f in folder.facts if f.kind == "destructive"):
                yield Violation(
                    sql_ref(scan, folder, fact.line, fact.column),
                    f"{fact.what} is a breaking change, but migration '{entry.id}' is logged "
                    f"as type {entry.type}: make it breaking, with its steps",
                )


@rule("M513", "concurrent-index", "warning")
def concurrent_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An index on an existing table is created `CONCURRENTLY`.

    ## What it checks
    In the migration SQL of a service with `migrations_dir:`, every `CREATE INDEX` on a
    table that the same migration did not create says `CONCURRENTLY`.

    ## Why
    A plain `CREATE INDEX` locks the table against writes until the index is built,
    which on a large production table is an outage. `CREATE INDEX CONCURRENTLY` builds
    it without blocking writes (Prisma then needs the statement in its own migration,
    since it cannot run in a transaction). An index on a table created in the same
    migration is harmless: the table is empty.

    ## Bad
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251124093000_index_deleted_at
        date: 2025-11-24
        type: non-breaking
        purpose: Speed up reads that skip soft-deleted users.
        rollback: Drop the index.
    ---
    # file: migrations/20251124093000_index_deleted_at/migration.sql
    CREATE INDEX "idx_users_deleted_at" ON "users" ("deleted_at");
    ```

    ## Good
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251124093000_index_deleted_at
        date: 2025-11-24
        type: non-breaking
        purpose: Speed up reads that skip soft-deleted users.
        rollback: Drop the index.
    ---
    # file: migrations/20251124093000_index_deleted_at/migration.sql
    CREATE INDEX CONCURRENTLY "idx_users_deleted_at" ON "users" ("deleted_at");
    ```
    """
    for scan in scans(ctx):
        for folder in scan.dir.folders:
            for fact in (f for f in folder.facts if f.kind == "blocking-index"):
                yield Violation(
                    sql_ref(scan, folder, fact.line, fact.column),
                    f"{fact.what} locks the existing table '{fact.table}' against writes "
                    "while it builds: use CREATE INDEX CONCURRENTLY",
                )


@rule("M514", "migration-sql-parses", "error")
def migration_sql_parses(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every migration.sql is valid PostgreSQL.

    ## What it checks
    Each `migration.sql` in the `migrations_dir:` of a service is UTF-8 text that
    PostgreSQL's own parser (through pglast) accepts. The finding points at the syntax
    error's line and column.

    ## Why
    A migration that does not parse fails on deploy, after the review approved it; and
    the other migration checks (M512, M513, R401) cannot read it.

    ## Bad
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251020101500_add_avatar
        date: 2025-10-20
        type: non-breaking
        purpose: Let users show a profile picture.
        rollback: Drop the column.
    ---
    # file: migrations/20251020101500_add_avatar/migration.sql
    ALTER TABLE "users" ADD COLUMN "avatar_url" VARCHAR(2048;
    ```

    ## Good
    ```yaml
    migrations_dir: ../migrations
    migrations:
      - id: 20251020101500_add_avatar
        date: 2025-10-20
        type: non-breaking
        purpose: Let users show a profile picture.
        rollback: Drop the column.
    ---
    # file: migrations/20251020101500_add_avatar/migration.sql
    ALTER TABLE "users" ADD COLUMN "avatar_url" VARCHAR(2048);
    ```
    """
    for scan in scans(ctx):
        for folder in scan.dir.folders:
            if folder.error is not None:
                message, line, column = folder.error
                yield Violation(sql_ref(scan, folder, line, column), message)


def cross_database_references(ctx: Context) -> Iterator[Violation]:
    """R401 in migration SQL: a REFERENCES to a table that is not in this service's database.

    A table is in the database when the service's registry file declares it or one of its
    migrations creates it (or renames a table to it)."""
    owners: dict[str, str] = {}
    for service, table in ctx.table_index:
        owners.setdefault(table, service)
    for scan in scans(ctx):
        doc = scan.dir.doc
        known = {t.name for t in doc.model.tables} | scan.dir.tables()
        for folder in scan.dir.folders:
            for fact in (f for f in folder.facts if f.kind == "reference"):
                if fact.table in known and not fact.catalog:
                    continue
                owner = owners.get(fact.table)
                if fact.catalog:
                    why = f"names database '{fact.catalog}'"
                elif owner is not None and owner != doc.name:
                    why = f"is service '{owner}''s table, in another database"
                else:
                    why = f"is not a table of service '{doc.name}' (registry or migrations)"
                yield Violation(
                    sql_ref(scan, folder, fact.line, fact.column),
                    f"{fact.what}: '{fact.table}' {why}; a foreign key cannot cross "
                    "databases: keep the id and sync by events",
                )
