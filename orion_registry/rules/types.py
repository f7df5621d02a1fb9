"""T: types and patterns (uuid keys, timestamps, JSON, enums, string lengths, soft deletes)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..lang.pgtypes import (
    base_name,
    has_length,
    is_array,
    is_json,
    is_now_default,
    is_text,
    is_timestamp,
    is_uuid,
    is_uuid_default,
    normalize,
)
from ..lang.words import to_pascal
from .base import Violation, rule
from .context import ColumnRef, Context

ID_COLUMN = "{name: id, type: uuid, primary_key: true, default: uuid()}"


def _enum_names(ctx: Context) -> dict[str, set[str]]:
    """service -> its enum names and db_names (a column of such a type is not free text)."""
    return {doc.name: ctx.enum_names(doc) for doc in ctx.docs}


def _named(name: str, words: list[str] | tuple[str, ...]) -> str | None:
    """The word of `words` that `name` is or ends with (`_status`), if any."""
    return next((w for w in words if name == w or name.endswith("_" + w)), None)


def _is_id_name(name: str) -> bool:
    return name == "id" or name.endswith("_id")


@rule("T201", "uuid-primary-key", "error")
def uuid_primary_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table's primary key is one `id uuid` column with a generated default.

    ## What it checks
    Every table has exactly one `primary_key: true` column; it is named `id`, typed `uuid`,
    and its default generates the value (`uuid()`, `gen_random_uuid()`,
    `dbgenerated(...)`). A missing or composite key is reported at the table, a wrong key
    at the column's offending key.

    ## Why
    The guide's pattern is `id String @id @default(uuid()) @db.Uuid`: UUIDs can be made
    by any service without coordination and never collide across databases, so an id can
    travel in events and be stored by other services. One `id` column per table also
    lets every reference point at the same thing; a composite key becomes a unique index.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: integer, primary_key: true, default: autoincrement()}
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
    enums = _enum_names(ctx)
    for table in ctx.tables:
        name = table.table.name
        keys = [c for c in ctx.columns_of(table) if c.column.primary_key]
        if not keys:
            yield Violation(table, f"table '{name}' has no primary key; add {ID_COLUMN}", ("name",))
            continue
        if len(keys) > 1:
            columns = ", ".join(k.column.name for k in keys)
            yield Violation(
                table,
                f"table '{name}' has a composite primary key ({columns}); use one "
                f"'id uuid' key and a unique index on ({columns})",
                ("name",),
            )
            continue
        key = keys[0]
        column = key.column
        if column.name != "id":
            yield Violation(
                key,
                f"primary key '{column.name}' of table '{name}' should be named 'id'",
                ("name",),
            )
        if not is_uuid(column.type, enums[key.doc.name]):
            yield Violation(
                key,
                f"primary key '{column.name}' of table '{name}' is {column.type}; use type uuid",
                ("type",),
            )
        if not is_uuid_default(column.default):
            found = "no default" if column.default is None else f"default '{column.default}'"
            yield Violation(
                key,
                f"primary key '{column.name}' of table '{name}' has {found}; "
                "use default: uuid() (or gen_random_uuid())",
                ("default",),
            )


@rule("T202", "uuid-ids", "error")
def uuid_ids(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column named `*_id` is a uuid, unless it holds an id issued outside Orion.

    ## What it checks
    Every column named `id` or ending in `_id` has type `uuid`, unless it is marked
    `external: true` (an id from a payment provider, an OAuth provider...). Primary-key
    columns are left to T201.

    ## Why
    The guide uses UUIDs for every id (`@db.Uuid`). A `user_id` stored as `text` in one
    service and `uuid` in another cannot be compared or joined without casts, wastes space
    and accepts values that are not ids at all. Marking foreign ids `external` documents
    why they are different.

    ## Bad
    ```yaml
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: text}
    ```

    ## Good
    ```yaml
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid}
          - {name: provider_message_id, type: varchar(255), external: true}
    ```
    """
    enums = _enum_names(ctx)
    for ref in ctx.columns:
        column = ref.column
        if column.external or column.primary_key or not _is_id_name(column.name):
            continue
        if not is_uuid(column.type, enums[ref.doc.name]):
            yield Violation(
                ref,
                f"column '{column.name}' is {column.type}, but ids are uuid; use type uuid, "
                "or mark it external: true if the id is issued outside Orion",
                ("type",),
            )


def _timestamp_problems(ref: ColumnRef, enums: set[str]) -> Iterator[Violation]:
    """created_at / updated_at: each must be a timestamp filled in by the database/Prisma."""
    column, table = ref.column, ref.table.name
    if not is_timestamp(column.type, enums):
        yield Violation(
            ref, f"{column.name} of table '{table}' is {column.type}; use timestamptz", ("type",)
        )
    if column.name == "created_at" and not is_now_default(column.default):
        found = "no default" if column.default is None else f"default '{column.default}'"
        yield Violation(
            ref, f"created_at of table '{table}' has {found}; use default: now()", ("default",)
        )
    if column.name == "updated_at" and not column.updated_at:
        yield Violation(
            ref,
            f"updated_at of table '{table}' is not maintained; add updated_at: true",
            ("updated_at",),
        )


@rule("T203", "timestamps", "warning")
def timestamps(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table has `created_at` (default now) and `updated_at` (updated_at: true).

    ## What it checks
    Every table has a `created_at` column of a timestamp type with `default: now()`, and
    an `updated_at` column of a timestamp type with `updated_at: true` (Prisma
    `@updatedAt`). A missing column is reported at the table, a wrong one at its key.

    ## Why
    The guide's timestamps pattern tracks when every row was created and last modified.
    Support, audits, incremental syncs between services and cache invalidation all rely
    on them, and adding them later leaves old rows without history.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: created_at, type: timestamptz}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: created_at, type: timestamptz, default: now()}
          - {name: updated_at, type: timestamptz, updated_at: true}
    ```
    """
    enums = _enum_names(ctx)
    wanted = {
        "created_at": "{name: created_at, type: timestamptz, default: now()}",
        "updated_at": "{name: updated_at, type: timestamptz, updated_at: true}",
    }
    for table in ctx.tables:
        found = {c.column.name: c for c in ctx.columns_of(table) if c.column.name in wanted}
        for name, example in wanted.items():
            if name in found:
                yield from _timestamp_problems(found[name], enums[table.doc.name])
            else:
                yield Violation(
                    table,
                    f"table '{table.table.name}' has no {name} column; add {example}",
                    ("name",),
                )


@rule("T204", "json-sparingly", "warning")
def json_sparingly(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A JSON column holds flexible data, not queryable or relational data.

    ## What it checks
    No `json` / `jsonb` column is indexed (in an index, `unique` or a primary key), named
    like an id (`id`, `*_id`, `*_ids`), or carries `references` / `copy_of`.

    ## Why
    The guide keeps JSON for configuration and flexible key-value data whose shape may
    change, and says not to use it for queryable or relational data. Values inside JSON
    have no type, no constraint and no usable statistics: ids hidden there cannot be
    indexed as references or kept in sync, and queries on them are slow and fragile.

    ## Bad
    ```yaml
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: recipient_ids, type: jsonb}
    ```

    ## Good
    ```yaml
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: metadata, type: jsonb, nullable: true}
    ```
    """
    enums = _enum_names(ctx)
    for ref in ctx.columns:
        column = ref.column
        if not is_json(column.type, enums[ref.doc.name]):
            continue
        reasons = []
        if (
            column.unique
            or column.primary_key
            or any(column.name in ix.columns for ix in ref.table.indexes)
        ):
            reasons.append("is indexed (queryable data)")
        if _is_id_name(column.name) or column.name.endswith("_ids"):
            reasons.append("is named like an id")
        if column.references is not None or column.copy_of is not None:
            reasons.append("holds relational data (references / copy_of)")
        if reasons:
            yield Violation(
                ref,
                f"{column.type} column '{column.name}' {' and '.join(reasons)}; use typed "
                "columns and keep JSON for flexible, unqueried data",
                ("type",),
            )


@rule(
    "T205",
    "closed-set-enum",
    "warning",
    options={
        "closed_set_names": (
            [
                "status",
                "state",
                "type",
                "kind",
                "role",
                "theme",
                "level",
                "priority",
                "category",
                "gender",
                "stage",
                "visibility",
                "tier",
            ],
            "a text column named one of these, or ending in _<word>, should be an enum",
        ),
        "open_set_names": (
            ["content_type", "mime_type", "media_type"],
            "column names exempt even though they end in a closed-set word",
        ),
    },
)
def closed_set_enum(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column holding a closed set of values (status, type, role...) is an enum.

    ## What it checks
    No free-text column (`text`, `varchar`, `char`, `citext`) is named one of the
    `closed_set_names` (`status`, `type`, `kind`, `state`, `theme`, `role`...) or ends in
    `_<word>` of them (`delivery_status`), except the `open_set_names` (`content_type`).
    A column whose type is an enum of the service is fine.

    ## Why
    The guide's review asks to "change `theme` to ENUM instead of String". Free text
    accepts `dark`, `Dark` and `drak` alike; an enum documents the allowed values in the
    schema, the database rejects anything else, and Prisma generates a typed union.

    ## Bad
    ```yaml
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: text, default: light}
    ```

    ## Good
    ```yaml
    enums:
      - {name: Theme, db_name: theme, values: [LIGHT, DARK]}
    tables:
      - name: user_preferences
        model: UserPreference
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: theme, type: Theme, default: LIGHT}
    ```
    """
    enums = _enum_names(ctx)
    closed, open_set = list(options["closed_set_names"]), set(options["open_set_names"])
    for ref in ctx.columns:
        column = ref.column
        if column.name in open_set or not is_text(column.type, enums[ref.doc.name]):
            continue
        if _named(column.name, closed):
            yield Violation(
                ref,
                f"column '{column.name}' holds a closed set of values but is {column.type}; "
                f"declare an enum (e.g. {to_pascal(column.name)}) and use it as the type",
                ("type",),
            )


@rule(
    "T206",
    "string-length",
    "warning",
    options={
        "bounded_names": (
            [
                "email",
                "name",
                "title",
                "slug",
                "phone",
                "code",
                "country",
                "currency",
                "locale",
                "language",
                "timezone",
                "username",
            ],
            "a text column named one of these, or ending in _<word>, should be varchar(n)",
        )
    },
)
def string_length(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A string column has a deliberate type: `varchar(n)` where a bound exists.

    ## What it checks
    A `text` column whose name is one of `bounded_names` (`email`, `name`, `title`,
    `slug`, `phone`, `code`...) or ends in `_<word>` of them (`display_name`) should be
    `varchar(n)`. A `varchar` without a length is reported whatever its name: give the
    length or use `text` on purpose.

    ## Why
    The guide's review checks "proper string lengths". An email or a country code has a
    natural bound; declaring it rejects garbage (a 2 MB "name") at the database and tells
    every consumer how much room to leave. A bare `varchar` is `text` by another name and
    usually a forgotten length.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: text}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
          - {name: bio, type: text}
    ```
    """
    enums = _enum_names(ctx)
    bounded = list(options["bounded_names"])
    for ref in ctx.columns:
        column = ref.column
        if column.type in enums[ref.doc.name] or is_array(column.type):
            continue
        base = base_name(column.type)
        if base == "varchar" and not has_length(column.type):
            yield Violation(
                ref,
                f"column '{column.name}' is varchar without a length; give one "
                "(varchar(255)) or use text on purpose",
                ("type",),
            )
        elif normalize(column.type) == "text" and (word := _named(column.name, bounded)):
            yield Violation(
                ref,
                f"column '{column.name}' is text, but {word} values have a natural bound; "
                "use varchar(n), e.g. varchar(255)",
                ("type",),
            )


@rule("T207", "soft-delete", "error")
def soft_delete(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A `deleted_at` column (soft delete) is a nullable timestamp.

    ## What it checks
    Every column named `deleted_at` has a timestamp type (`timestamptz`, `timestamp`,
    with or without precision) and `nullable: true`.

    ## Why
    The guide's soft-delete pattern marks a row deleted by setting `deletedAt` to the
    time of deletion and finds live rows with `deletedAt: null`. A NOT NULL `deleted_at`
    cannot say "not deleted", and a boolean or text one loses when it happened.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: boolean, default: false}
    ```

    ## Good
    ```yaml
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
    enums = _enum_names(ctx)
    for ref in ctx.columns:
        column = ref.column
        if column.name != "deleted_at":
            continue
        table = ref.table.name
        if not is_timestamp(column.type, enums[ref.doc.name]):
            yield Violation(
                ref,
                f"deleted_at of table '{table}' is {column.type}; use timestamptz "
                "(the time of deletion)",
                ("type",),
            )
        if not column.nullable:
            yield Violation(
                ref,
                f"deleted_at of table '{table}' is NOT NULL; add nullable: true "
                "(NULL means not deleted)",
                ("nullable",),
            )
