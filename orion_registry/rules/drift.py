"""D: drift between the registry and a schema it must agree with.

The other side is a `LiveSchema` (sql/live.py): a live database introspected by
`orion-registry drift --service NAME --dsn ...`, or a service's Prisma schema (its
`prisma_schema`, compared by `check`; `drift --prisma PATH`). The engine runs these rules
only when the command has such a schema (`needs=("live",)`), so `check` never needs a
database. Each finding is located at the registry object it concerns (the table, column,
index or enum), or at the enclosing list for an object only the other side has; the
message names the other side's object (and its file and line for a schema file).
Each example is a registry snippet whose service names its `prisma_schema`, and that
schema (a `# file: schema.prisma` document): `check` compares the two, as it would in a
repository.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import Link
from ..sql.live import LiveForeignKey, LiveIndex, LiveSchema, LiveTable
from ..sql.normal import (
    IndexDefinition,
    enum_types,
    registry_default,
    registry_index_definition,
    unique_columns,
)
from ..sql.normal import column_type as canonical_type
from ..sql.normal import (
    index_definition as live_index_definition,
)
from .base import Violation, rule
from .context import ColumnRef, Context, Ref, TableRef


def _drift(code: str, name: str):
    """Register a drift rule: it runs when the command has a schema to compare with."""
    return rule(code, name, "error", needs=("live",))


# --- what the rules share: each service paired with its schema, tables and indexes matched --


@dataclass(frozen=True, slots=True)
class Side:
    """One service of the registry and the schema it is compared with."""

    ref: Ref  # the service
    live: LiveSchema
    tables: list[TableRef]  # the service's tables in the registry
    owners: dict[str, str]  # table name -> the other service the registry gives it to

    @property
    def declared(self) -> set[str]:
        return {t.table.name for t in self.tables}

    def pairs(self) -> Iterator[tuple[TableRef, LiveTable]]:
        """The registry's tables that the other side has too, with their counterpart."""
        for tref in self.tables:
            table = self.live.tables.get(tref.table.name)
            if table is not None:
                yield tref, table


def sides(ctx: Context) -> list[Side]:
    """Every service the command gave a schema for, in name order (computed once)."""
    if "drift.sides" not in ctx.memo:
        found = []
        for name, live in sorted((ctx.inputs.live or {}).items()):
            doc = ctx.registry.services.get(name)
            if doc is None:
                continue
            owners = {t: svc for svc, t in ctx.table_index if svc != name}
            tables = [t for t in ctx.tables if t.doc.name == name]
            found.append(Side(Ref(doc, (), name), live, tables, owners))
        ctx.memo["drift.sides"] = found
    return ctx.memo["drift.sides"]


def column_pairs(ctx: Context) -> Iterator[tuple[Side, ColumnRef, Any]]:
    """(side, registry column, its counterpart or None) for every compared table."""
    for side in sides(ctx):
        for tref, table in side.pairs():
            for ref in ctx.columns_of(tref):
                yield side, ref, table.columns.get(ref.column.name)


def _where(side: Side, key: str) -> str:
    return f"{side.live.label}{side.live.where(key)}"


def _single_unique(index: LiveIndex) -> bool:
    return index.unique and len(index.columns) == 1 and index.where is None


def _definition(index: LiveIndex) -> IndexDefinition:
    return live_index_definition(
        index.columns, index.unique, index.method, index.where, index.ops, index.descending
    )


def _describe(definition: IndexDefinition) -> str:
    columns, unique, method, where = definition
    text = f"{'unique ' if unique else ''}{method} ({', '.join(columns)})"
    return text + (f" WHERE {where}" if where else "")


@dataclass(frozen=True, slots=True)
class IndexMatch:
    """A registry index and what the other side has for it: the same name, or a twin
    (the same definition under another name), or nothing."""

    ref: Ref
    name: str
    wanted: IndexDefinition
    found: LiveIndex | None
    twin: LiveIndex | None


def index_matches(ctx: Context, tref: TableRef, table: LiveTable) -> list[IndexMatch]:
    key = ("drift.indexes", tref.target)
    if key in ctx.memo:
        return ctx.memo[key]
    matched: set[str] = set()
    matches, pending = [], []
    for i, index in enumerate(tref.table.indexes):
        ref = Ref(tref.doc, (*tref.path, "indexes", i), f"{tref.target}.{index.name}")
        wanted = registry_index_definition(index)
        found = table.indexes.get(index.name)
        if found is None:
            pending.append((ref, index.name, wanted))
        else:
            matched.add(found.name)
            matches.append(IndexMatch(ref, index.name, wanted, found, None))
    for ref, name, wanted in pending:
        twin = next(
            (
                ix
                for ix in table.indexes.values()
                if ix.name not in matched and not ix.primary and _definition(ix) == wanted
            ),
            None,
        )
        if twin is not None:
            matched.add(twin.name)
        matches.append(IndexMatch(ref, name, wanted, None, twin))
    ctx.memo[key] = matches
    return matches


def _declared_target(column: ColumnRef) -> str | None:
    """`table.column` a column declares as an in-database reference, if any."""
    ref = column.column.references
    if isinstance(ref, Link):
        ref = ref.column if ref.foreign_key else None
    return ref if ref is not None and ref.count(".") == 1 else None


@dataclass(frozen=True, slots=True)
class ForeignKeyProblem:
    """A foreign key of the other side that the registry does not declare."""

    at: Ref
    key: tuple[str, ...]
    table: str
    fk: LiveForeignKey
    owner: str | None  # the service the registry gives the target table to, if another
    side: Side

    @property
    def shown(self) -> str:
        fk = self.fk
        return (
            f"foreign key {fk.name} ({self.table}.{', '.join(fk.columns)} -> "
            f"{fk.ref_table}.{', '.join(fk.ref_columns)})"
        )

    @property
    def target(self) -> str:
        columns = self.fk.columns
        return f"{self.side.ref.target}.{self.table}" + (
            f".{columns[0]}" if len(columns) == 1 else ""
        )


def foreign_key_problems(ctx: Context) -> Iterator[ForeignKeyProblem]:
    for side in sides(ctx):
        declared = side.declared
        for tref, table in side.pairs():
            columns = {ref.column.name: ref for ref in ctx.columns_of(tref)}
            for fk in table.foreign_keys:
                column = columns.get(fk.columns[0]) if len(fk.columns) == 1 else None
                at: Ref = column or tref
                key = (
                    ("references",)
                    if column is not None and column.column.references
                    else ("name",)
                )
                target = f"{fk.ref_table}.{fk.ref_columns[0]}" if len(fk.ref_columns) == 1 else None
                foreign = fk.ref_table in side.owners and fk.ref_table not in declared
                if (
                    foreign
                    or column is None
                    or target is None
                    or (_declared_target(column) != target)
                ):
                    owner = side.owners.get(fk.ref_table)
                    yield ForeignKeyProblem(at, key, tref.table.name, fk, owner, side)
        for name in sorted(set(side.live.tables) - declared):
            for fk in side.live.tables[name].foreign_keys:
                owner = side.owners.get(fk.ref_table)
                yield ForeignKeyProblem(side.ref, ("tables",), name, fk, owner, side)


# --- the rules ------------------------------------------------------------------------------


@_drift("D701", "drift-missing-table")
def missing_table(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every table of the registry exists in the service's database.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each table the service file declares exists in the database (schema
    `public` unless `--schema` says otherwise). The finding points at the table in the registry.

    ## Why
    The registry is the reviewed description of the database. A table it lists but the
    database lacks means a migration was never applied, or was rolled back without the
    registry being updated: code written against the registry will fail.

    ## Bad
    ```yaml
    # The Prisma schema has no model for `sessions`.
    prisma_schema: ../schema.prisma
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }
    ```

    ## Good
    ```yaml
    # The Prisma schema maps a model to `sessions`.
    prisma_schema: ../schema.prisma
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model Session {
      id String @id @default(uuid()) @db.Uuid

      @@map("sessions")
    }
    ```
    """
    for side in sides(ctx):
        for tref in side.tables:
            if tref.table.name not in side.live.tables:
                yield Violation(
                    tref,
                    f"table '{tref.table.name}' is in the registry but not in {side.live.label}",
                    ("name",),
                )


@_drift("D702", "drift-extra-table")
def extra_table(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every table of the database is documented in the registry.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each table of the database (except Prisma's `_prisma_migrations`) is
    declared in the service file. When another service declares a table of that name, the
    message says so: a copy of another service's table is usually the start of a cross-database
    relationship.

    ## Why
    A table created outside the review process skipped the naming, index and
    relationship checks, and nobody else can know it exists. Either document it (and
    let `check` review it) or drop it.

    ## Bad
    ```yaml
    # The Prisma schema also maps a model to `legacy_users`.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id String @id @default(uuid()) @db.Uuid

      @@map("users")
    }

    model LegacyUser {
      id Int @id

      @@map("legacy_users")
    }
    ```

    ## Good
    ```yaml
    # The Prisma schema maps a model to `users` only.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id String @id @default(uuid()) @db.Uuid

      @@map("users")
    }
    ```
    """
    for side in sides(ctx):
        for name in sorted(set(side.live.tables) - side.declared):
            owner = side.owners.get(name)
            note = f" (the registry gives a table '{name}' to service '{owner}')" if owner else ""
            count = len(side.live.tables[name].columns)
            yield Violation(
                side.ref,
                f"table '{name}' ({count} column{'' if count == 1 else 's'}) exists in "
                f"{_where(side, name)} but not in the registry{note}",
                ("tables",),
                f"{side.ref.target}.{name}",
                related=side.live.related(name),
            )


@_drift("D703", "drift-missing-column")
def missing_column(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column of the registry exists in the database table.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each column a registry table declares exists in the database table of the
    same name.

    ## Why
    A column the registry promises but the database lacks breaks every query that
    selects it; other services may even copy it (`copy_of`) on the registry's word.

    ## Bad
    ```yaml
    # The Prisma model of `users` has no `email`.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id String @id @default(uuid()) @db.Uuid

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id    String @id @default(uuid()) @db.Uuid
      email String @unique @db.VarChar(255)

      @@map("users")
    }
    ```
    """
    for side, ref, found in column_pairs(ctx):
        if found is None:
            yield Violation(
                ref,
                f"column {ref.table.name}.{ref.column.name} is in the registry but not in "
                f"{side.live.label}{side.live.where(ref.table.name)}",
                ("name",),
                related=side.live.related(ref.table.name),
            )


@_drift("D704", "drift-extra-column")
def extra_column(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column of a database table is documented in the registry.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each column of a database table that the registry declares is also
    declared in the registry. The finding points at the table's `columns` and names that column
    with its type.

    ## Why
    An undocumented column escaped review (its name, type and any relationship it
    holds) and is invisible to other teams; it is often a leftover of a half-finished
    multi-step migration.

    ## Bad
    ```yaml
    # The Prisma model of `users` also has `old_email`.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id        String  @id @default(uuid()) @db.Uuid
      old_email String?

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id String @id @default(uuid()) @db.Uuid

      @@map("users")
    }
    ```
    """
    for side in sides(ctx):
        for tref, table in side.pairs():
            declared = {c.name for c in tref.table.columns}
            for extra in (c for c in table.columns.values() if c.name not in declared):
                null = "nullable" if extra.nullable else "NOT NULL"
                name = f"{tref.table.name}.{extra.name}"
                yield Violation(
                    tref,
                    f"column {name} ({extra.type}, {null}) exists in {_where(side, name)} "
                    "but not in the registry",
                    ("columns",),
                    f"{tref.target}.{extra.name}",
                    related=side.live.related(name),
                )


@_drift("D705", "drift-column-type")
def column_type(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column has the same type in the registry and in the database.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): the registry's type and the database's type are equal once spelled one way
    (`varchar(255)` = `character varying(255)`, `timestamptz` = `timestamp with time zone`,
    `serial` = `integer` with an identity). An enum column must have the enum's Postgres type
    (`db_name`).

    ## Why
    Changing a column's type is a breaking change in the guide's terms; when it happens
    in the database only, readers of the registry (and services that copy the column)
    work with the wrong type.

    ## Bad
    ```yaml
    # `email String` is `text` in PostgreSQL.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id    String @id @default(uuid()) @db.Uuid
      email String

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id    String @id @default(uuid()) @db.Uuid
      email String @db.VarChar(255)

      @@map("users")
    }
    ```
    """
    for side, ref, found in column_pairs(ctx):
        if found is None:
            continue
        expected, _ = canonical_type(ref.column.type, enum_types(ref.service))
        if expected != found.type:
            where = f"{ref.table.name}.{ref.column.name}"
            yield Violation(
                ref,
                f"column {where} is {expected} in the registry but {found.type} in "
                f"{_where(side, where)}",
                ("type",),
                related=side.live.related(where),
            )


@_drift("D706", "drift-column-nullability")
def column_nullability(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column is nullable in the database exactly when the registry says `nullable: true`.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): registry columns are NOT NULL unless `nullable: true` (a primary key never
    is); the database column's NOT NULL must agree.

    ## Why
    Making a column required is a breaking change; making it optional silently lets
    nulls in that readers do not expect. Either way the registry no longer tells the
    truth about the data.

    ## Bad
    ```yaml
    # `avatar_url String` (no `?`) is NOT NULL.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: avatar_url, type: text, nullable: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String @id @default(uuid()) @db.Uuid
      avatar_url String

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: avatar_url, type: text, nullable: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String  @id @default(uuid()) @db.Uuid
      avatar_url String?

      @@map("users")
    }
    ```
    """
    for side, ref, found in column_pairs(ctx):
        if found is None:
            continue
        nullable = ref.column.nullable and not ref.table.is_key(ref.column)
        if nullable != found.nullable:
            said = "nullable" if nullable else "NOT NULL"
            other = "nullable" if found.nullable else "NOT NULL"
            where = f"{ref.table.name}.{ref.column.name}"
            yield Violation(
                ref,
                f"column {where} is {said} in the registry but {other} in {_where(side, where)}",
                ("nullable",),
                related=side.live.related(where),
            )


@_drift("D707", "drift-column-default")
def column_default(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column has the same default in the registry and in the database.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): `uuid()` matches `gen_random_uuid()`, `now()` matches `now()` /
    `CURRENT_TIMESTAMP`, `autoincrement()` matches an identity or a sequence, literals match the
    stored constant whatever its cast, and `dbgenerated(expr)` matches the same expression.
    Defaults Prisma fills in itself (`cuid()`, `nanoid()`) expect no database default.

    ## Why
    A default decides what rows written without the column hold. When the database
    and the registry disagree, a writer following the registry gets different data
    than it expects, or an insert that fails.

    ## Bad
    ```yaml
    # The Prisma field `theme` has no @default.
    prisma_schema: ../schema.prisma
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: varchar(10), default: light}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model UserPreference {
      id    String @id @default(uuid()) @db.Uuid
      theme String @db.VarChar(10)

      @@map("user_preferences")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: varchar(10), default: light}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model UserPreference {
      id    String @id @default(uuid()) @db.Uuid
      theme String @default("light") @db.VarChar(10)

      @@map("user_preferences")
    }
    ```
    """
    for side, ref, found in column_pairs(ctx):
        if found is None:
            continue
        default = registry_default(ref.column)
        if default != found.default:
            where = f"{ref.table.name}.{ref.column.name}"
            yield Violation(
                ref,
                f"column {where} has default {_shown(default)} in the registry but "
                f"{_shown(found.default)} in {_where(side, where)}",
                ("default",),
                related=side.live.related(where),
            )


@_drift("D708", "drift-column-uniqueness")
def column_uniqueness(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column is unique, and the primary key is made of the same columns, on both sides.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): a column with `unique: true` (or a one-column primary key) has a unique
    constraint or unique index on exactly that column in the database, and a column without it
    has none; the primary key covers the columns marked `primary_key: true`.

    ## Why
    Uniqueness is a promise other code relies on (lookups by email, one row per user).
    A constraint the registry does not show surprises writers with errors; a missing
    one lets duplicates in.

    ## Bad
    ```yaml
    # The Prisma field `email` is not @unique.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id    String @id @default(uuid()) @db.Uuid
      email String @db.VarChar(255)

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id    String @id @default(uuid()) @db.Uuid
      email String @unique @db.VarChar(255)

      @@map("users")
    }
    ```
    """
    for side in sides(ctx):
        for tref, table in side.pairs():
            name = tref.table.name
            unique_in_registry = unique_columns(tref.table)  # `unique: true`, a lone key, an index
            unique_live = {ix.columns[0] for ix in table.indexes.values() if _single_unique(ix)}
            for ref in ctx.columns_of(tref):
                column = ref.column.name
                if column not in table.columns:
                    continue
                unique = column in unique_in_registry
                if unique != (column in unique_live):
                    said, other = ("unique", "not unique") if unique else ("not unique", "unique")
                    where = f"{name}.{column}"
                    yield Violation(
                        ref,
                        f"column {where} is {said} in the registry but {other} in "
                        f"{_where(side, where)}",
                        ("unique",),
                        related=side.live.related(where),
                    )
            primary = tref.table.key_columns()
            live_primary = next((ix.columns for ix in table.indexes.values() if ix.primary), ())
            if list(primary) != list(live_primary):
                yield Violation(
                    tref,
                    f"table {name} has primary key ({', '.join(primary) or 'none'}) in the "
                    f"registry but ({', '.join(live_primary) or 'none'}) in {_where(side, name)}",
                    ("name",),
                    related=side.live.related(name),
                )


@_drift("D709", "drift-missing-index")
def missing_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every index of the registry exists in the database.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each index a registry table declares exists under its name. (An index with
    the same definition under another name is reported by D711 instead.)

    ## Why
    The guide's performance review approved the registry's indexes for the service's
    queries; an index missing in production means those queries scan the table.

    ## Bad
    ```yaml
    # The Prisma model of `users` has no @@index.
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: timestamptz, nullable: true}
        indexes:
          - {name: idx_users_deleted_at, columns: [deleted_at]}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String    @id @default(uuid()) @db.Uuid
      deleted_at DateTime? @db.Timestamptz

      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: timestamptz, nullable: true}
        indexes:
          - {name: idx_users_deleted_at, columns: [deleted_at]}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String    @id @default(uuid()) @db.Uuid
      deleted_at DateTime? @db.Timestamptz

      @@index([deleted_at], map: "idx_users_deleted_at")
      @@map("users")
    }
    ```
    """
    for side in sides(ctx):
        for tref, table in side.pairs():
            for match in index_matches(ctx, tref, table):
                if match.found is None and match.twin is None:
                    yield Violation(
                        match.ref,
                        f"index {match.name} on {tref.table.name} ({_describe(match.wanted)}) "
                        f"is in the registry but not in {side.live.label}",
                        ("name",),
                        related=side.live.related(tref.table.name),
                    )


@_drift("D710", "drift-extra-index")
def extra_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every index of the database is documented in the registry.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each index of a database table is declared in the registry, apart from the
    primary key's index and a one-column unique index that stands for `unique: true` (D708
    compares those).

    ## Why
    "Don't over-index": every index slows writes and takes disk. One added by hand
    during an incident skipped the review and will never be questioned again unless
    the registry shows it.

    ## Bad
    ```yaml
    # The Prisma model of `users` also has @@index([name]).
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: name, type: varchar(100)}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id   String @id @default(uuid()) @db.Uuid
      name String @db.VarChar(100)

      @@index([name])
      @@map("users")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: name, type: varchar(100)}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id   String @id @default(uuid()) @db.Uuid
      name String @db.VarChar(100)

      @@map("users")
    }
    ```
    """
    for side in sides(ctx):
        for tref, table in side.pairs():
            matched = {
                m.found.name if m.found else m.twin.name
                for m in index_matches(ctx, tref, table)
                if m.found or m.twin
            }
            for index in table.indexes.values():
                if index.name in matched or index.primary or _single_unique(index):
                    continue  # the primary key and `unique: true` columns are D708's
                where = _where(side, f"{tref.table.name}.{index.name}")
                yield Violation(
                    tref,
                    f"index {index.name} on {tref.table.name} "
                    f"({_describe(_definition(index))}) exists in {where} but not in the "
                    "registry",
                    ("indexes",) if tref.table.indexes else ("name",),
                    f"{tref.target}.{index.name}",
                    related=side.live.related(f"{tref.table.name}.{index.name}"),
                )


@_drift("D711", "drift-index-definition")
def index_definition(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An index has the same name, columns, uniqueness, type and predicate on both sides.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): an index found by name has the registry's columns in order, `unique`,
    access method (`type`, btree by default) and partial `where` predicate (compared after
    parsing, so casts and parentheses PostgreSQL adds do not count). An index missing by name
    but present with the same definition under another name is reported here as a naming
    difference.

    ## Why
    An index on other columns, or without the uniqueness the registry promises, does not
    do what the review approved, even though a name-only check would pass.

    ## Bad
    ```yaml
    # The Prisma index idx_sessions_account_id is on `expires_at`.
    prisma_schema: ../schema.prisma
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: account_id, type: uuid}
          - {name: expires_at, type: timestamptz}
        indexes:
          - {name: idx_sessions_account_id, columns: [account_id]}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model Session {
      id         String   @id @default(uuid()) @db.Uuid
      account_id String   @db.Uuid
      expires_at DateTime @db.Timestamptz

      @@index([expires_at], map: "idx_sessions_account_id")
      @@map("sessions")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: account_id, type: uuid}
          - {name: expires_at, type: timestamptz}
        indexes:
          - {name: idx_sessions_account_id, columns: [account_id]}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model Session {
      id         String   @id @default(uuid()) @db.Uuid
      account_id String   @db.Uuid
      expires_at DateTime @db.Timestamptz

      @@index([account_id], map: "idx_sessions_account_id")
      @@map("sessions")
    }
    ```
    """
    for side in sides(ctx):
        for tref, table in side.pairs():
            for match in index_matches(ctx, tref, table):
                name, table_name = match.name, tref.table.name
                if match.twin is not None:
                    where = _where(side, f"{table_name}.{match.twin.name}")
                    yield Violation(
                        match.ref,
                        f"index {name} on {table_name} is named '{match.twin.name}' in {where}",
                        ("name",),
                        related=side.live.related(f"{table_name}.{match.twin.name}"),
                    )
                elif match.found is not None and _definition(match.found) != match.wanted:
                    yield Violation(
                        match.ref,
                        f"index {name} on {table_name} is {_describe(match.wanted)} in the "
                        f"registry but {_describe(_definition(match.found))} in "
                        f"{_where(side, f'{table_name}.{name}')}",
                        ("columns",),
                        related=side.live.related(f"{table_name}.{name}"),
                    )


@_drift("D712", "drift-missing-enum-value")
def missing_enum_value(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every enum type and value of the registry exists in the database.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each enum's Postgres type (`db_name`, else its name) exists and has every
    value the registry lists.

    ## Why
    Writing a value the database type lacks fails at run time. Adding a value is
    non-breaking, but only once the migration that adds it has run.

    ## Bad
    ```yaml
    # The Prisma enum lacks BOUNCED.
    prisma_schema: ../schema.prisma
    enums:
      - name: NotificationStatus
        db_name: notification_status
        values: [QUEUED, SENT, BOUNCED]
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    enum NotificationStatus {
      QUEUED
      SENT

      @@map("notification_status")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    enums:
      - name: NotificationStatus
        db_name: notification_status
        values: [QUEUED, SENT, BOUNCED]
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    enum NotificationStatus {
      QUEUED
      SENT
      BOUNCED

      @@map("notification_status")
    }
    ```
    """
    for side in sides(ctx):
        for ref in (e for e in ctx.enums if e.doc.name == side.ref.target):
            name = ref.enum.db_name or ref.enum.name
            values = side.live.enums.get(name)
            if values is None:
                yield Violation(
                    ref,
                    f"enum type '{name}' is in the registry but not in {side.live.label}",
                    ("name",),
                )
                continue
            for i, value in enumerate(ref.enum.values):
                if value not in values:
                    yield Violation(
                        ref,
                        f"enum type '{name}' has no value '{value}' in {_where(side, name)}",
                        ("values", i),
                        related=side.live.related(name),
                    )


@_drift("D713", "drift-extra-enum-value")
def extra_enum_value(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every enum type and value of the database is documented in the registry.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each value of a registry enum's Postgres type is listed in `values`, and
    each enum type of the schema is declared by some enum of the service.

    ## Why
    Readers switch over the registry's values; a value only the database knows (added
    by hand, or by a migration nobody documented) arrives in code that cannot handle
    it.

    ## Bad
    ```yaml
    # The Prisma enum also has SEPIA.
    prisma_schema: ../schema.prisma
    enums:
      - name: Theme
        db_name: theme
        values: [LIGHT, DARK]
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    enum Theme {
      LIGHT
      DARK
      SEPIA

      @@map("theme")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    enums:
      - name: Theme
        db_name: theme
        values: [LIGHT, DARK]
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    enum Theme {
      LIGHT
      DARK

      @@map("theme")
    }
    ```
    """
    for side in sides(ctx):
        declared = set()
        for ref in (e for e in ctx.enums if e.doc.name == side.ref.target):
            name = ref.enum.db_name or ref.enum.name
            declared.add(name)
            extra = [v for v in side.live.enums.get(name, ()) if v not in ref.enum.values]
            if extra:
                yield Violation(
                    ref,
                    f"enum type '{name}' has value(s) {', '.join(map(repr, extra))} in "
                    f"{_where(side, name)} that the registry does not list",
                    ("values",),
                    related=side.live.related(name),
                )
        for name in sorted(set(side.live.enums) - declared):
            yield Violation(
                side.ref,
                f"enum type '{name}' ({', '.join(side.live.enums[name])}) exists in "
                f"{_where(side, name)} but not in the registry",
                ("enums",),
                f"{side.ref.target}.{name}",
                related=side.live.related(name),
            )


@_drift("D714", "drift-unexpected-foreign-key")
def unexpected_foreign_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every foreign key of the database is declared by a `references: table.column`.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): each foreign key constraint of the database corresponds to a column whose
    `references` names the same table and column of this service. A composite foreign key cannot
    be declared and is always reported. A registry reference without a constraint is fine (the
    guide allows application-level references).

    ## Why
    A constraint couples deletes and writes of two tables; nobody reviewing the
    registry can see that coupling unless the reference is documented.

    ## Bad
    ```yaml
    # The Prisma relation makes FOREIGN KEY (user_id) REFERENCES users (id).
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: addresses
        model: Address
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id        String    @id @default(uuid()) @db.Uuid
      addresses Address[]

      @@map("users")
    }

    model Address {
      id      String @id @default(uuid()) @db.Uuid
      user_id String @db.Uuid
      user    User   @relation(fields: [user_id], references: [id])

      @@map("addresses")
    }
    ```

    ## Good
    ```yaml
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: addresses
        model: Address
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, references: users.id}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id        String    @id @default(uuid()) @db.Uuid
      addresses Address[]

      @@map("users")
    }

    model Address {
      id      String @id @default(uuid()) @db.Uuid
      user_id String @db.Uuid
      user    User   @relation(fields: [user_id], references: [id])

      @@map("addresses")
    }
    ```
    """
    for problem in foreign_key_problems(ctx):
        if problem.owner is None:
            fk = problem.fk
            yield Violation(
                problem.at,
                f"{problem.shown} exists in {problem.side.live.label} but the registry "
                f"declares no such reference (references: {fk.ref_table}."
                f"{', '.join(fk.ref_columns)})",
                problem.key,
                problem.target,
                related=problem.side.live.related(problem.table),
            )


@_drift("D715", "drift-cross-service-foreign-key")
def cross_service_foreign_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """No foreign key of the database points at a table the registry gives another service.

    ## What it checks
    Evaluated against the service's database (`drift --dsn`) or its Prisma schema, read as the
    database it migrates to (`drift --prisma`, and `check` for a service that names its
    `prisma_schema`): a foreign key of the database whose referenced table is declared by
    another service of the registry (and not by this one). The database can only hold it because
    someone copied the other service's table into it.

    ## Why
    "NEVER create foreign keys between databases." A local copy of another service's
    table with a constraint onto it is a cross-database foreign key in disguise: it goes
    stale and couples the two services. Store the id only and synchronise by events.

    ## Bad
    ```yaml
    # user's Prisma schema copies auth's `accounts` and relates users to it.
    service: user
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: account_id
            type: uuid
            references: {column: auth.accounts.id, sync: event, events: [auth.account_created]}
    ---
    service: auth
    events:
      publishes:
        - {name: auth.account_created, payload: [id]}
    tables:
      - name: accounts
        model: Account
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String  @id @default(uuid()) @db.Uuid
      account_id String  @db.Uuid
      account    Account @relation(fields: [account_id], references: [id])

      @@map("users")
    }

    model Account {
      id    String @id @default(uuid()) @db.Uuid
      users User[]

      @@map("accounts")
    }
    ```

    ## Good
    ```yaml
    # user's Prisma schema keeps only the id: no relation, no copy of `accounts`.
    service: user
    prisma_schema: ../schema.prisma
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: account_id
            type: uuid
            references: {column: auth.accounts.id, sync: event, events: [auth.account_created]}
    ---
    service: auth
    events:
      publishes:
        - {name: auth.account_created, payload: [id]}
    tables:
      - name: accounts
        model: Account
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    # file: schema.prisma
    datasource db {
      provider = "postgresql"
      url      = env("DATABASE_URL")
    }

    model User {
      id         String @id @default(uuid()) @db.Uuid
      account_id String @db.Uuid

      @@map("users")
    }
    ```
    """
    for problem in foreign_key_problems(ctx):
        if problem.owner is not None:
            yield Violation(
                problem.at,
                f"{problem.shown} points at table '{problem.fk.ref_table}', which the registry "
                f"gives to service '{problem.owner}': a foreign key across databases; keep the "
                "id and sync by events",
                problem.key,
                problem.target,
                related=problem.side.live.related(problem.table),
            )


def _shown(default: str | None) -> str:
    return "none" if default is None else default
