"""N: naming (tables, columns, models, indexes, databases, enums)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..lang.names import (
    POSTGRES_MAX_NAME,
    fit_identifier,
    index_stem,
    model_name,
    pascal_name,
    table_name,
)
from ..lang.words import (
    DEFAULT_UNCOUNTABLE,
    PASCAL_CASE,
    SNAKE_CASE,
    UPPER_SNAKE_CASE,
    normal_name,
    to_snake,
    to_upper_snake,
)
from .base import Violation, rule
from .context import Context, Path, Ref, TableRef

_UNCOUNTABLE_OPTION = (
    list(DEFAULT_UNCOUNTABLE),
    "words accepted as both singular and plural (mass nouns inflect counts)",
)


def _use(suggestion: str | None, name: str, message: str = "") -> str:
    """`; use 'x'` when there is a different suggestion to make, else a plain `no suggestion`."""
    if suggestion is None:
        return "; no name to suggest"
    if f"'{suggestion}'" in message:
        return ""
    return f"; use '{suggestion}'" if suggestion != name else ""


def _rename(
    ref: Ref, name: str, suggestion: str | None, message: str, key: str | Path = "name"
) -> Violation:
    """A violation proposing `suggestion` in place of `name` (at `key`)."""
    path = (key,) if isinstance(key, str) else key
    return Violation(
        ref, message + _use(suggestion, name, message), path, suggestion=suggestion, replaces=name
    )


def _free(name: str | None, taken: set[str]) -> str | None:
    """`name` unless another object already has it (a rename must not collide)."""
    return None if name is None or name in taken else name


def _table_suggestion(ref: TableRef, ctx: Context, uncountable) -> str | None:
    """The guide's name for a table, unless another table of its service has it."""
    taken = {t.name for t in ref.service.tables if t is not ref.table}
    return _free(table_name(ref.table.name, uncountable), taken)


@rule("N101", "table-snake-case", "error", scope="service")
def table_snake_case(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table name is snake_case.

    ## What it checks
    Every table `name` matches `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`: lowercase words joined by
    single underscores, starting with a letter.

    ## Why
    The guide fixes table names as snake_case. Postgres folds unquoted identifiers to
    lowercase, so a `userPreferences` table must be quoted in every hand-written query,
    and a mix of styles makes the same table hard to find across services.

    ## Bad
    ```yaml
    tables:
      - name: userPreferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    for ref in ctx.tables:
        name = ref.table.name
        if not SNAKE_CASE.match(name):
            taken = {t.name for t in ref.service.tables if t is not ref.table}
            suggestion = _free(table_name(name) or to_snake(name), taken)
            yield _rename(ref, name, suggestion, f"table '{name}' is not snake_case")


@rule(
    "N102", "table-plural", "error", options={"uncountable": _UNCOUNTABLE_OPTION}, scope="service"
)
def table_plural(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table name is plural.

    ## What it checks
    The last word of every table name (`user_preferences` -> `preferences`) is a plural
    English noun, as the `inflect` library reads it. Uncountable words (`news`, `series`,
    and the `uncountable` option: `data`, `metadata`, `feedback`...) count as plural.

    ## Why
    The guide names tables in the plural (`users`, `user_preferences`): a table holds many
    rows, while the Prisma model (N105) names one of them. One rule for every service
    means nobody has to guess between `user` and `users` in a query.

    ## Bad
    ```yaml
    tables:
      - name: user
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    uncountable = set(options["uncountable"])
    for ref in ctx.tables:
        name = ref.table.name
        plural = table_name(name, uncountable)
        if plural is None:
            yield Violation(
                ref,
                f"table '{name}' should be plural; its last word is not a noun to pluralise "
                "with confidence, so no name is suggested",
                ("name",),
            )
        elif plural != normal_name(name):
            suggestion = _table_suggestion(ref, ctx, uncountable)
            yield _rename(ref, name, suggestion, f"table '{name}' should be plural")


@rule("N103", "column-snake-case", "error", scope="service")
def column_snake_case(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column name is snake_case.

    ## What it checks
    Every column `name` matches `^[a-z][a-z0-9]*(_[a-z0-9]+)*$`. In Prisma, keep the field
    camelCase and map it: `userId String @map("user_id")`.

    ## Why
    The guide fixes column names as snake_case (`user_id`, `created_at`, not `userId`,
    `createdAt`, `EmailAddress`). Mixed-case columns must be quoted in SQL, and one style
    lets every index name (N106) be derived from its columns.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: emailAddress, type: varchar(255)}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email_address, type: varchar(255)}
    ```
    """
    for ref in ctx.columns:
        name = ref.column.name
        if not SNAKE_CASE.match(name):
            taken = {c.name for c in ref.table.columns if c is not ref.column}
            suggestion = _free(to_snake(name) or None, taken)
            yield _rename(ref, name, suggestion, f"column '{name}' is not snake_case")


@rule("N104", "model-pascal-case", "error", scope="service")
def model_pascal_case(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A Prisma model name is PascalCase.

    ## What it checks
    Every table's `model`, when given, matches `^[A-Z][a-zA-Z0-9]*$` (`User`,
    `UserPreference`; not `user` or `user_pref`).

    ## Why
    The guide names Prisma models in PascalCase: the generated client exposes them as
    types (`User`) and as accessors (`prisma.user`), and TypeScript code expects types in
    PascalCase. The table keeps its snake_case name through `@@map`.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: user
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    for ref in ctx.tables:
        model = ref.table.model
        if model and not PASCAL_CASE.match(model):
            suggestion = _free(model_name(model) or None, _models(ref))
            yield _rename(ref, model, suggestion, f"model '{model}' is not PascalCase", "model")


def _models(ref: TableRef) -> set[str]:
    """The model names of the other tables of `ref`'s service."""
    return {t.model for t in ref.service.tables if t.model and t is not ref.table}


@rule(
    "N105", "model-singular", "error", options={"uncountable": _UNCOUNTABLE_OPTION}, scope="service"
)
def model_singular(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A Prisma model name is singular.

    ## What it checks
    The last word of every table's `model`, when given (`UserPreferences` ->
    `Preferences`), is a singular English noun as `inflect` reads it. Uncountable words
    (`News`, `Series`, and the `uncountable` option: `Data`, `Metadata`...) count as
    singular; an acronym (`SMS`, or `Sms`: all capitals or no vowel) is not judged.

    ## Why
    The guide names models in the singular (`User` mapped to `users`): a model value is
    one row, so `prisma.user.findMany()` returns `User[]`. A plural model name reads wrong
    everywhere the generated client is used.

    ## Bad
    ```yaml
    tables:
      - name: user_preferences
        model: UserPreferences
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```

    ## Good
    ```yaml
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ```
    """
    uncountable = set(options["uncountable"])
    for ref in ctx.tables:
        model = ref.table.model
        if not model:
            continue
        singular = model_name(model, uncountable)
        if singular != pascal_name(model):
            suggestion = _free(singular, _models(ref))
            yield _rename(ref, model, suggestion, f"model '{model}' should be singular", "model")


@rule(
    "N106",
    "index-name",
    "error",
    options={
        "unique_prefixes": (
            ["uq_"],
            "prefixes a unique index may use besides idx_ (uq_users_email)",
        )
    },
    scope="service",
)
def index_name(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An index name is `idx_<table>_<columns>`.

    ## What it checks
    Every index is named `idx_` + its table + its columns in order, joined by `_`
    (`idx_user_preferences_user_id_created_at`). A unique index may use `uq_` instead
    (option `unique_prefixes`). Postgres truncates names longer than 63 characters, so a
    name is never longer; when the full name would be, any shorter name that keeps the
    prefix is accepted.

    ## Why
    The guide's format `idx_[table]_[columns]` says what an index covers without opening
    the schema, makes duplicate indexes obvious in review, and keeps migration diffs and
    `EXPLAIN` output readable. A name Postgres truncated no longer matches the schema.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
        indexes:
          - {name: users_email_index, columns: [email]}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
        indexes:
          - {name: idx_users_email, columns: [email]}
    ```
    """
    unique_prefixes = list(options["unique_prefixes"])
    taken: dict[str, set[str]] = {}  # service -> index names in use or already suggested
    for ref in ctx.indexes:
        if ref.doc.name not in taken:  # once per service (not per index: quadratic)
            taken[ref.doc.name] = {ix.name for t in ref.service.tables for ix in t.indexes}
        index, name = ref.index, ref.index.name
        prefixes = ["idx_", *unique_prefixes] if index.unique else ["idx_"]
        full = [prefix + index_stem(ref.table.name, index.columns) for prefix in prefixes]
        expected = [fit_identifier(f) for f in full]
        if name in expected or (
            len(full[0].encode()) > POSTGRES_MAX_NAME
            and SNAKE_CASE.match(name)
            and len(name.encode()) <= POSTGRES_MAX_NAME
            and name.startswith(tuple(prefixes))
        ):
            continue
        suggestion = _free(expected[0], taken[ref.doc.name])
        if suggestion is not None:
            taken[ref.doc.name].add(suggestion)
        columns = ", ".join(index.columns)
        if len(name.encode()) > POSTGRES_MAX_NAME:
            message = (
                f"index name '{name}' is longer than {POSTGRES_MAX_NAME} bytes and "
                "Postgres truncates it"
            )
        elif suggestion is not None:
            message = f"index '{name}' on {ref.table.name}({columns}) should be named"
            message += f" '{suggestion}'"
        else:
            message = f"index '{name}' on {ref.table.name}({columns}) is not idx_<table>_<columns>"
        yield _rename(ref, name, suggestion, message)


@rule("N107", "database-name", "error", scope="service")
def database_name(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A service's database is named `<prefix><service>`.

    ## What it checks
    Every service's `database` equals the registry's `database_prefix` (in `orion.yaml`,
    default `orion_`) followed by the service name: service `user` has database
    `orion_user`.

    ## Why
    Each service owns exactly one database, and the guide names it `orion_[service-name]`.
    The name alone then tells operators, connection strings and dashboards which service
    a database belongs to, and two services cannot claim the same one by accident.

    ## Bad
    ```yaml
    service: billing
    database: billing_db
    ```

    ## Good
    ```yaml
    service: billing
    database: orion_billing
    ```
    """
    prefix = ctx.settings.database_prefix
    for ref in ctx.services:
        expected = f"{prefix}{ref.doc.name}"
        database = ref.service.database
        if database != expected:
            yield Violation(
                ref,
                f"database '{database}' of service '{ref.doc.name}' should be '{expected}' "
                f"('{prefix}' + service name)",
                ("database",),
            )


@rule("N108", "enum-naming", "error", scope="service")
def enum_naming(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An enum's Postgres type name is snake_case and its values are UPPER_SNAKE_CASE.

    ## What it checks
    For every enum: its `name` (the Prisma enum) is PascalCase; its `db_name` (the Postgres
    type, Prisma `@@map`) is snake_case, and an enum whose name is not snake_case must
    give one, since without it the Postgres type takes the Prisma name; every value is
    UPPER_SNAKE_CASE (one finding per value).

    ## Why
    The guide's enum is `NotificationStatus`, mapped to `notification_status`, with values
    `QUEUED`, `SENDING`, `DELIVERED`: Postgres types follow the snake_case of tables and
    columns, Prisma types follow PascalCase, and upper-case values read as constants in
    code and stand out in SQL.

    ## Bad
    ```yaml
    enums:
      - name: NotificationStatus
        values: [queued, sending, delivered]
    ```

    ## Good
    ```yaml
    enums:
      - name: NotificationStatus
        db_name: notification_status
        values: [QUEUED, SENDING, DELIVERED, FAILED, BOUNCED]
    ```
    """
    for ref in ctx.enums:
        enum = ref.enum
        others = {e.name for e in ref.service.enums if e is not enum}
        if not PASCAL_CASE.match(enum.name):
            suggestion = _free(pascal_name(enum.name), others)
            yield _rename(ref, enum.name, suggestion, f"enum '{enum.name}' is not PascalCase")
        if enum.db_name is not None and not SNAKE_CASE.match(enum.db_name):
            message = f"enum '{enum.name}' db_name '{enum.db_name}' is not snake_case"
            yield _rename(ref, enum.db_name, to_snake(enum.db_name), message, "db_name")
        elif enum.db_name is None and not SNAKE_CASE.match(enum.name):
            db_name = to_snake(enum.name)
            yield Violation(
                ref,
                f"enum '{enum.name}' has no db_name, so its Postgres type would be "
                f"'{enum.name}', which is not snake_case; add db_name: {db_name}",
                ("name",),
                suggestion=db_name,
            )
        for i, value in enumerate(enum.values):
            if not UPPER_SNAKE_CASE.match(value):
                suggestion = _free(to_upper_snake(value), set(enum.values) - {value})
                message = f"enum '{enum.name}' value '{value}' is not UPPER_SNAKE_CASE"
                yield _rename(ref, value, suggestion, message, ("values", i))
