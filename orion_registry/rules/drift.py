"""D: drift between the registry and a live database (evaluated by `orion-registry drift`).

These rules are registered for their codes, severities, waivers and documentation; the
comparison itself lives in `orion_registry/sql/drift.py` and runs only under
`orion-registry drift --service NAME --dsn ...` (so `check` never needs a database).
Each example is a registry snippet; its comment says what the live database holds.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .base import Violation, rule
from .context import Context

MISSING_TABLE, EXTRA_TABLE = "D701", "D702"
MISSING_COLUMN, EXTRA_COLUMN = "D703", "D704"
COLUMN_TYPE, COLUMN_NULLABILITY, COLUMN_DEFAULT, COLUMN_UNIQUENESS = "D705", "D706", "D707", "D708"
MISSING_INDEX, EXTRA_INDEX, INDEX_DEFINITION = "D709", "D710", "D711"
MISSING_ENUM_VALUE, EXTRA_ENUM_VALUE = "D712", "D713"
UNEXPECTED_FOREIGN_KEY, CROSS_SERVICE_FOREIGN_KEY = "D714", "D715"


def _drift(code: str, name: str):
    """Register a drift rule: evaluated by `drift`, never by `check`."""
    return rule(code, name, "error", diff_only=True, command="drift")


def _nothing(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    return iter(())


@_drift(MISSING_TABLE, "drift-missing-table")
def missing_table(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every table of the registry exists in the service's database.

    ## What it checks
    Evaluated by `orion-registry drift`: each table the service file declares exists
    in the live database (schema `public` unless `--schema` says otherwise). The finding
    points at the table in the registry.

    ## Why
    The registry is the reviewed description of the database. A table it lists but the
    database lacks means a migration was never applied, or was rolled back without the
    registry being updated: code written against the registry will fail.

    ## Bad
    ```yaml
    # The database has no table `sessions`.
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # The database has the table `sessions (id uuid primary key default gen_random_uuid())`.
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    return _nothing(ctx, options)


@_drift(EXTRA_TABLE, "drift-extra-table")
def extra_table(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every table of the database is documented in the registry.

    ## What it checks
    Evaluated by `orion-registry drift`: each table of the live database (except Prisma's
    `_prisma_migrations`) is declared in the service file. When another service declares
    a table of that name, the message says so: a copy of another service's table is
    usually the start of a cross-database relationship.

    ## Why
    A table created outside the review process skipped the naming, index and
    relationship checks, and nobody else can know it exists. Either document it (and
    let `check` review it) or drop it.

    ## Bad
    ```yaml
    # The database also has a table `legacy_users` that the registry does not list.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # The database has exactly the table `users`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    return _nothing(ctx, options)


@_drift(MISSING_COLUMN, "drift-missing-column")
def missing_column(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column of the registry exists in the database table.

    ## What it checks
    Evaluated by `orion-registry drift`: each column a registry table declares exists in
    the live table of the same name.

    ## Why
    A column the registry promises but the database lacks breaks every query that
    selects it; other services may even copy it (`copy_of`) on the registry's word.

    ## Bad
    ```yaml
    # The database table `users` has no column `email`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ```

    ## Good
    ```yaml
    # The database table `users` has `email varchar(255) NOT NULL UNIQUE`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ```
    """
    return _nothing(ctx, options)


@_drift(EXTRA_COLUMN, "drift-extra-column")
def extra_column(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column of a database table is documented in the registry.

    ## What it checks
    Evaluated by `orion-registry drift`: each column of a live table that the registry
    declares is also declared in the registry. The finding points at the table's
    `columns` and names the live column with its type.

    ## Why
    An undocumented column escaped review (its name, type and any relationship it
    holds) and is invisible to other teams; it is often a leftover of a half-finished
    multi-step migration.

    ## Bad
    ```yaml
    # The database table `users` also has `old_email text`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # The database table `users` has only `id`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    return _nothing(ctx, options)


@_drift(COLUMN_TYPE, "drift-column-type")
def column_type(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column has the same type in the registry and in the database.

    ## What it checks
    Evaluated by `orion-registry drift`: the registry's type and the live type are equal
    once spelled one way (`varchar(255)` = `character varying(255)`, `timestamptz` =
    `timestamp with time zone`, `serial` = `integer` with an identity). An enum column
    must have the enum's Postgres type (`db_name`).

    ## Why
    Changing a column's type is a breaking change in the guide's terms; when it happens
    in the database only, readers of the registry (and services that copy the column)
    work with the wrong type.

    ## Bad
    ```yaml
    # The database column users.email is `text`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    ```

    ## Good
    ```yaml
    # The database column users.email is `character varying(255)`.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    ```
    """
    return _nothing(ctx, options)


@_drift(COLUMN_NULLABILITY, "drift-column-nullability")
def column_nullability(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column is nullable in the database exactly when the registry says `nullable: true`.

    ## What it checks
    Evaluated by `orion-registry drift`: registry columns are NOT NULL unless
    `nullable: true` (a primary key never is); the live column's NOT NULL must agree.

    ## Why
    Making a column required is a breaking change; making it optional silently lets
    nulls in that readers do not expect. Either way the registry no longer tells the
    truth about the data.

    ## Bad
    ```yaml
    # The database column users.avatar_url is NOT NULL.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: avatar_url, type: text, nullable: true}
    ```

    ## Good
    ```yaml
    # The database column users.avatar_url allows NULL.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: avatar_url, type: text, nullable: true}
    ```
    """
    return _nothing(ctx, options)


@_drift(COLUMN_DEFAULT, "drift-column-default")
def column_default(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column has the same default in the registry and in the database.

    ## What it checks
    Evaluated by `orion-registry drift`: `uuid()` matches `gen_random_uuid()`, `now()`
    matches `now()` / `CURRENT_TIMESTAMP`, `autoincrement()` matches an identity or a
    sequence, literals match the stored constant whatever its cast, and
    `dbgenerated(expr)` matches the same expression. Defaults Prisma fills in itself
    (`cuid()`, `nanoid()`) expect no database default.

    ## Why
    A default decides what rows written without the column hold. When the database
    and the registry disagree, a writer following the registry gets different data
    than it expects, or an insert that fails.

    ## Bad
    ```yaml
    # The database column user_preferences.theme has no default.
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: varchar(10), default: light}
    ```

    ## Good
    ```yaml
    # The database column user_preferences.theme has DEFAULT 'light'::character varying.
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: varchar(10), default: light}
    ```
    """
    return _nothing(ctx, options)


@_drift(COLUMN_UNIQUENESS, "drift-column-uniqueness")
def column_uniqueness(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column is unique, and the primary key is made of the same columns, on both sides.

    ## What it checks
    Evaluated by `orion-registry drift`: a column with `unique: true` (or a one-column
    primary key) has a unique constraint or unique index on exactly that column in the
    database, and a column without it has none; the primary key covers the columns
    marked `primary_key: true`.

    ## Why
    Uniqueness is a promise other code relies on (lookups by email, one row per user).
    A constraint the registry does not show surprises writers with errors; a missing
    one lets duplicates in.

    ## Bad
    ```yaml
    # The database has no unique constraint on users.email.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ```

    ## Good
    ```yaml
    # The database has UNIQUE (email) on users.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ```
    """
    return _nothing(ctx, options)


@_drift(MISSING_INDEX, "drift-missing-index")
def missing_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every index of the registry exists in the database.

    ## What it checks
    Evaluated by `orion-registry drift`: each index a registry table declares exists
    under its name. (An index with the same definition under another name is reported
    by D711 instead.)

    ## Why
    The guide's performance review approved the registry's indexes for the service's
    queries; an index missing in production means those queries scan the table.

    ## Bad
    ```yaml
    # The database has no index idx_users_deleted_at.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: timestamptz, nullable: true}
        indexes:
          - {name: idx_users_deleted_at, columns: [deleted_at]}
    ```

    ## Good
    ```yaml
    # The database has CREATE INDEX idx_users_deleted_at ON users (deleted_at).
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: timestamptz, nullable: true}
        indexes:
          - {name: idx_users_deleted_at, columns: [deleted_at]}
    ```
    """
    return _nothing(ctx, options)


@_drift(EXTRA_INDEX, "drift-extra-index")
def extra_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every index of the database is documented in the registry.

    ## What it checks
    Evaluated by `orion-registry drift`: each index of a live table is declared in the
    registry, apart from the primary key's index and a one-column unique index that
    stands for `unique: true` (D708 compares those).

    ## Why
    "Don't over-index": every index slows writes and takes disk. One added by hand
    during an incident skipped the review and will never be questioned again unless
    the registry shows it.

    ## Bad
    ```yaml
    # The database also has CREATE INDEX users_name_idx ON users (name).
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: name, type: varchar(100)}
    ```

    ## Good
    ```yaml
    # The database's only index on users is the primary key's.
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: name, type: varchar(100)}
    ```
    """
    return _nothing(ctx, options)


@_drift(INDEX_DEFINITION, "drift-index-definition")
def index_definition(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An index has the same name, columns, uniqueness, type and predicate on both sides.

    ## What it checks
    Evaluated by `orion-registry drift`: an index found by name has the registry's
    columns in order, `unique`, access method (`type`, btree by default) and partial
    `where` predicate (compared after parsing, so casts and parentheses PostgreSQL adds
    do not count). An index missing by name but present with the same definition under
    another name is reported here as a naming difference.

    ## Why
    An index on other columns, or without the uniqueness the registry promises, does not
    do what the review approved, even though a name-only check would pass.

    ## Bad
    ```yaml
    # The database has CREATE INDEX idx_sessions_account_id ON sessions (expires_at).
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: account_id, type: uuid}
          - {name: expires_at, type: timestamptz}
        indexes:
          - {name: idx_sessions_account_id, columns: [account_id]}
    ```

    ## Good
    ```yaml
    # The database has CREATE INDEX idx_sessions_account_id ON sessions (account_id).
    tables:
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: account_id, type: uuid}
          - {name: expires_at, type: timestamptz}
        indexes:
          - {name: idx_sessions_account_id, columns: [account_id]}
    ```
    """
    return _nothing(ctx, options)


@_drift(MISSING_ENUM_VALUE, "drift-missing-enum-value")
def missing_enum_value(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every enum type and value of the registry exists in the database.

    ## What it checks
    Evaluated by `orion-registry drift`: each enum's Postgres type (`db_name`, else its
    name) exists and has every value the registry lists.

    ## Why
    Writing a value the database type lacks fails at run time. Adding a value is
    non-breaking, but only once the migration that adds it has run.

    ## Bad
    ```yaml
    # The database type notification_status lacks BOUNCED.
    enums:
      - name: NotificationStatus
        db_name: notification_status
        values: [QUEUED, SENT, BOUNCED]
    ```

    ## Good
    ```yaml
    # The database has CREATE TYPE notification_status AS ENUM ('QUEUED', 'SENT', 'BOUNCED').
    enums:
      - name: NotificationStatus
        db_name: notification_status
        values: [QUEUED, SENT, BOUNCED]
    ```
    """
    return _nothing(ctx, options)


@_drift(EXTRA_ENUM_VALUE, "drift-extra-enum-value")
def extra_enum_value(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every enum type and value of the database is documented in the registry.

    ## What it checks
    Evaluated by `orion-registry drift`: each value of a registry enum's Postgres type
    is listed in `values`, and each enum type of the schema is declared by some enum of
    the service.

    ## Why
    Readers switch over the registry's values; a value only the database knows (added
    by hand, or by a migration nobody documented) arrives in code that cannot handle
    it.

    ## Bad
    ```yaml
    # The database type theme is ENUM ('LIGHT', 'DARK', 'SEPIA').
    enums:
      - name: Theme
        db_name: theme
        values: [LIGHT, DARK]
    ```

    ## Good
    ```yaml
    # The database type theme is ENUM ('LIGHT', 'DARK').
    enums:
      - name: Theme
        db_name: theme
        values: [LIGHT, DARK]
    ```
    """
    return _nothing(ctx, options)


@_drift(UNEXPECTED_FOREIGN_KEY, "drift-unexpected-foreign-key")
def unexpected_foreign_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every foreign key of the database is declared by a `references: table.column`.

    ## What it checks
    Evaluated by `orion-registry drift`: each foreign key constraint of the live
    database corresponds to a column whose `references` names the same table and column
    of this service. A composite foreign key cannot be declared and is always reported.
    A registry reference without a constraint is fine (the guide allows
    application-level references).

    ## Why
    A constraint couples deletes and writes of two tables; nobody reviewing the
    registry can see that coupling unless the reference is documented.

    ## Bad
    ```yaml
    # The database has FOREIGN KEY (user_id) REFERENCES users (id) on addresses.
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
    ```

    ## Good
    ```yaml
    # The database has FOREIGN KEY (user_id) REFERENCES users (id) on addresses.
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
    ```
    """
    return _nothing(ctx, options)


@_drift(CROSS_SERVICE_FOREIGN_KEY, "drift-cross-service-foreign-key")
def cross_service_foreign_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """No foreign key of the database points at a table the registry gives another service.

    ## What it checks
    Evaluated by `orion-registry drift`: a live foreign key whose referenced table is
    declared by another service of the registry (and not by this one). The database
    can only hold it because someone copied the other service's table into it.

    ## Why
    "NEVER create foreign keys between databases." A local copy of another service's
    table with a constraint onto it is a cross-database foreign key in disguise: it goes
    stale and couples the two services. Store the id only and synchronise by events.

    ## Bad
    ```yaml
    # The database has a table `accounts` (auth's) and FOREIGN KEY (account_id)
    # REFERENCES accounts (id) on users.
    service: user
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
    tables:
      - name: accounts
        model: Account
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    # The database has only `users`; account_id has no constraint.
    service: user
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
    tables:
      - name: accounts
        model: Account
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    return _nothing(ctx, options)
