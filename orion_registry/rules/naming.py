"""N: naming (tables, columns, models, indexes, databases, enums)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from ..lang.words import (
    DEFAULT_UNCOUNTABLE,
    PASCAL_CASE,
    SNAKE_CASE,
    UPPER_SNAKE_CASE,
    is_plural,
    is_singular,
    pluralize,
    singularize,
    to_pascal,
    to_snake,
    to_upper_snake,
    words,
)
from .base import Violation, rule
from .context import Context

POSTGRES_MAX_NAME = 63  # NAMEDATALEN - 1: longer identifiers are silently truncated
_UNCOUNTABLE_OPTION = (
    list(DEFAULT_UNCOUNTABLE),
    "words accepted as both singular and plural (mass nouns inflect counts)",
)


def _use(suggestion: str, name: str) -> str:
    """`; use 'x'` when there is a different suggestion to make."""
    return f"; use '{suggestion}'" if suggestion and suggestion != name else ""


def _name_part(identifier: str) -> str:
    """The identifier in snake_case: as it is when it already is."""
    return identifier if SNAKE_CASE.match(identifier) else to_snake(identifier)


def expected_index_name(table: str, columns: Sequence[str], prefix: str = "idx_") -> str:
    """N106's name for an index: `<prefix><table>_<columns>`, untruncated."""
    return prefix + "_".join([table, *(_name_part(c) for c in columns)])


def _replace_last_word(parts: list[str], change: Callable[[str], str]) -> list[str] | None:
    """`parts` with its last alphabetic word changed; None when nothing changes."""
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].isalpha():
            changed = change(parts[i])
            return None if changed == parts[i] else [*parts[:i], changed, *parts[i + 1 :]]
    return None


@rule("N101", "table-snake-case", "error")
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
            yield Violation(
                ref, f"table '{name}' is not snake_case{_use(to_snake(name), name)}", ("name",)
            )


@rule("N102", "table-plural", "error", options={"uncountable": _UNCOUNTABLE_OPTION})
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
        parts = _name_part(name).split("_")
        plural = _replace_last_word(
            parts, lambda w: w if is_plural(w, uncountable) else pluralize(w)
        )
        if plural is not None:
            yield Violation(
                ref, f"table '{name}' should be plural, e.g. '{'_'.join(plural)}'", ("name",)
            )


@rule("N103", "column-snake-case", "error")
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
            yield Violation(
                ref, f"column '{name}' is not snake_case{_use(to_snake(name), name)}", ("name",)
            )


@rule("N104", "model-pascal-case", "error")
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
            yield Violation(
                ref, f"model '{model}' is not PascalCase{_use(to_pascal(model), model)}", ("model",)
            )


def _singular_word(word: str, uncountable: set[str]) -> str:
    """`Preferences` -> `Preference`; acronyms and singular words stay as they are.

    An acronym is all capitals (`SMS`) or has no vowel (`Sms`, `Gps`): no English noun.
    """
    if len(word) > 1 and (word.isupper() or set(word.lower()).isdisjoint("aeiouy")):
        return word
    if is_singular(word, uncountable):
        return word
    singular = singularize(word.lower())
    return singular[0].upper() + singular[1:] if word[0].isupper() else singular


@rule("N105", "model-singular", "error", options={"uncountable": _UNCOUNTABLE_OPTION})
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
        singular = _replace_last_word(words(model), lambda w: _singular_word(w, uncountable))
        if singular is not None:
            yield Violation(
                ref, f"model '{model}' should be singular, e.g. '{''.join(singular)}'", ("model",)
            )


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
    for ref in ctx.indexes:
        index, name = ref.index, ref.index.name
        prefixes = ["idx_", *unique_prefixes] if index.unique else ["idx_"]
        expected = [
            expected_index_name(ref.table.name, index.columns, prefix) for prefix in prefixes
        ]
        if len(name) > POSTGRES_MAX_NAME:
            yield Violation(
                ref,
                f"index name '{name}' is longer than {POSTGRES_MAX_NAME} characters and "
                f"Postgres truncates it; shorten it, keeping the '{prefixes[0]}' prefix",
                ("name",),
            )
        elif name not in expected and not (
            len(expected[0]) > POSTGRES_MAX_NAME and name.startswith(tuple(prefixes))
        ):
            yield Violation(
                ref,
                f"index '{name}' on {ref.table.name}({', '.join(index.columns)}) "
                f"should be named '{expected[0]}'",
                ("name",),
            )


@rule("N107", "database-name", "error")
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


@rule("N108", "enum-naming", "error")
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
        if not PASCAL_CASE.match(enum.name):
            yield Violation(
                ref,
                f"enum '{enum.name}' is not PascalCase{_use(to_pascal(enum.name), enum.name)}",
                ("name",),
            )
        if enum.db_name is not None and not SNAKE_CASE.match(enum.db_name):
            yield Violation(
                ref,
                f"enum '{enum.name}' db_name '{enum.db_name}' is not snake_case"
                f"{_use(to_snake(enum.db_name), enum.db_name)}",
                ("db_name",),
            )
        elif enum.db_name is None and not SNAKE_CASE.match(enum.name):
            yield Violation(
                ref,
                f"enum '{enum.name}' has no db_name, so its Postgres type would be "
                f"'{enum.name}', which is not snake_case; add db_name: {to_snake(enum.name)}",
                ("name",),
            )
        for i, value in enumerate(enum.values):
            if not UPPER_SNAKE_CASE.match(value):
                yield Violation(
                    ref,
                    f"enum '{enum.name}' value '{value}' is not UPPER_SNAKE_CASE"
                    f"{_use(to_upper_snake(value), value)}",
                    ("values", i),
                )
