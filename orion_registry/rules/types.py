"""T: types and patterns (uuid keys, timestamps, JSON, enums, string lengths, soft deletes)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
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
from .columns import is_id_name, is_own_identifier, name_of
from .context import ColumnRef, Context

ID_COLUMN = "{name: id, type: uuid, primary_key: true, default: uuid()}"


def _enum_names(ctx: Context) -> dict[str, set[str]]:
    """service -> its enum names and db_names (a column of such a type is not free text)."""
    return {doc.name: ctx.enum_names(doc) for doc in ctx.docs}


class _Words:
    """A list of words, to ask which of them a name is or ends with (`_status`)."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = list(words)
        self.rank: dict[str, int] = {}
        for i, word in enumerate(self.words):
            self.rank.setdefault(word, i)

    def named(self, name: str) -> str | None:
        """The first word (in list order) that `name` is or ends with after a `_`."""
        found = self.rank.get(name)
        cut = name.find("_")
        while cut != -1:  # every tail after an underscore: `billing_country_code` ->
            rank = self.rank.get(name[cut + 1 :])  # `country_code`, `code`
            if rank is not None and (found is None or rank < found):
                found = rank
            cut = name.find("_", cut + 1)
        return None if found is None else self.words[found]


@rule("T201", "uuid-primary-key", "error", scope="service")
def uuid_primary_key(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table's primary key is one `id uuid` column with a generated default.

    ## What it checks
    Every table has exactly one `primary_key: true` column; it is named `id`, typed `uuid`,
    and its default generates the value (`uuid()`, `gen_random_uuid()`,
    `dbgenerated(...)`). A missing or composite key is reported at the table; a wrong key
    draws one finding (naming each problem), at the column's first offending key.

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
        keys = [c for c in ctx.columns_of(table) if table.table.is_key(c.column)]
        if not keys:
            yield Violation(table, f"table '{name}' has no primary key; add {ID_COLUMN}", ("name",))
            continue
        if len(keys) > 1:
            columns = ", ".join(table.table.key_columns())
            yield Violation(
                table,
                f"table '{name}' has a composite primary key ({columns}); use one "
                f"'id uuid' key and a unique index on ({columns})",
                ("name",),
            )
            continue
        key = keys[0]
        column = key.column
        problems: list[tuple[str, str]] = []  # (key, what is wrong): one finding lists them
        if name_of(column) != "id":
            problems.append(("name", f"is named '{column.name}' (it should be named 'id')"))
        if not is_uuid(column.type, enums[key.doc.name]):
            problems.append(("type", f"is {column.type} (use type uuid)"))
        if not is_uuid_default(column.default):
            found = "no default" if column.default is None else f"default '{column.default}'"
            problems.append(("default", f"has {found} (use default: uuid())"))
        if problems:
            yield Violation(
                key,
                f"primary key '{column.name}' of table '{name}' "
                f"{' and '.join(p for _, p in problems)}; the guide's key is {ID_COLUMN}",
                (problems[0][0],),
            )


@rule("T202", "uuid-ids", "error", scope="service")
def uuid_ids(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column named `*_id` is a uuid, unless it holds an id issued outside Orion.

    ## What it checks
    Every column named `id` or ending in `_id` has type `uuid`, unless it is marked
    `external: true` (an id from a payment provider, an OAuth provider...). Primary-key
    columns are left to T201, and so is a same-database reference (`references:
    table.column`): it has its target's type (R402), so a non-uuid target key is one
    T201 finding, not one more per reference. A row's own identifier (`serial_id` with
    `autoincrement()`, a unique `public_id`) is not checked. Names are read in snake_case.

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
        if column.external or ref.table.is_key(column) or not is_id_name(name_of(column)):
            continue
        if is_own_identifier(column) or isinstance(column.references, str):
            continue  # a same-database reference has its target's type (R402): T201 judges it
        if not is_uuid(column.type, enums[ref.doc.name]):
            yield Violation(
                ref,
                f"column '{column.name}' is {column.type}, but ids are uuid; use type uuid, "
                "or mark it external: true if the id is issued outside Orion",
                ("type",),
            )


def _timestamp_problems(ref: ColumnRef, enums: set[str]) -> Iterator[Violation]:
    """created_at / updated_at: each must be a timestamp filled in by the database/Prisma."""
    column, table, name = ref.column, ref.table.name, ref.column.name
    if not is_timestamp(column.type, enums):
        yield Violation(
            ref, f"{name} of table '{table}' is {column.type}; use timestamptz", ("type",)
        )
    if name_of(column) == "created_at" and not is_now_default(column.default):
        found = "no default" if column.default is None else f"default '{column.default}'"
        yield Violation(
            ref, f"{name} of table '{table}' has {found}; use default: now()", ("default",)
        )
    if name_of(column) == "updated_at" and not column.updated_at:
        yield Violation(
            ref,
            f"{name} of table '{table}' is not maintained; add updated_at: true",
            ("updated_at",),
        )


@rule("T203", "timestamps", "warning", scope="service")
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
        found: dict[str, ColumnRef] = {}
        for c in ctx.columns_of(table):
            if name_of(c.column) in wanted:
                found.setdefault(name_of(c.column), c)
        for name, example in wanted.items():
            if name in found:
                yield from _timestamp_problems(found[name], enums[table.doc.name])
            else:
                yield Violation(
                    table,
                    f"table '{table.table.name}' has no {name} column; add {example}",
                    ("name",),
                )


@rule("T204", "json-sparingly", "warning", scope="service")
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
            or ref.table.is_key(column)
            or any(column.name in ix.columns for ix in ref.table.indexes)
        ):
            reasons.append("is indexed (queryable data)")
        if is_id_name(name_of(column)) or name_of(column).endswith("_ids"):
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
            [
                "content_type",
                "mime_type",
                "media_type",
                "payload_type",
                "token_type",
                "grant_type",
                "response_type",
                "session_state",
                "oauth_state",
                "user_agent",
            ],
            "open vocabularies (MIME types, OAuth/OIDC parameters...): a column named one of "
            "these, or ending in _<name>, is free text even though it ends in a closed-set word",
        ),
    },
    scope="service",
)
def closed_set_enum(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column holding a closed set of values (status, type, role...) is an enum.

    ## What it checks
    No free-text column (`text`, `varchar`, `char`, `citext`) is named one of the
    `closed_set_names` (`status`, `type`, `kind`, `state`, `theme`, `role`...) or ends in
    `_<word>` of them (`delivery_status`), except the `open_set_names`: open vocabularies
    such as `content_type` (MIME types) or OAuth's `token_type` and `session_state`.
    Names are read in snake_case (`deliveryStatus` is `delivery_status`).
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
    closed, open_set = _Words(options["closed_set_names"]), _Words(options["open_set_names"])
    for ref in ctx.columns:
        column = ref.column
        name = name_of(column)
        if open_set.named(name) or not is_text(column.type, enums[ref.doc.name]):
            continue
        if closed.named(name):
            yield Violation(
                ref,
                f"column '{column.name}' holds a closed set of values but is {column.type}; "
                f"declare an enum (e.g. {to_pascal(column.name)}) and use it as the type",
                ("type",),
            )


# Lengths the data itself bounds, by the name's last words (the longest match wins).
_E164 = (32, "E.164: 15 digits, with room for formatting")
_BCP47 = (35, "BCP 47 tags, as RFC 5646 advises")
KNOWN_LENGTHS: dict[str, tuple[int, str]] = {
    "email": (254, "an address is at most 254 characters, RFC 5321"),
    "phone": _E164,
    "phone_number": _E164,
    "currency": (3, "ISO 4217 codes"),
    "currency_code": (3, "ISO 4217 codes"),
    "country_code": (2, "ISO 3166-1 alpha-2"),
    "locale": _BCP47,
    "language": _BCP47,
    "language_code": _BCP47,
    "timezone": (64, "IANA time zone names"),
    "time_zone": (64, "IANA time zone names"),
}


def known_length(name: str) -> tuple[int, str] | None:
    """(length, why) for a normalised column name that is or ends in a KNOWN_LENGTHS key."""
    found = [w for w in KNOWN_LENGTHS if name == w or name.endswith("_" + w)]
    return KNOWN_LENGTHS[max(found, key=len)] if found else None


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
                "phone_number",
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
    scope="service",
)
def string_length(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A string column has a deliberate type: `varchar(n)` where a bound exists.

    ## What it checks
    A `text` column whose name is one of `bounded_names` (`email`, `name`, `title`,
    `slug`, `phone`, `code`...) or ends in `_<word>` of them (`display_name`) should be
    `varchar(n)`. Where the data has a known bound the finding suggests it (email 254,
    RFC 5321; phone 32, E.164's 15 digits with formatting; currency 3; country_code 2;
    locale/language 35; timezone 64); for a name or a title only you know the bound, so
    none is invented. A `varchar` without a length is reported whatever its name: give the
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
    bounded = _Words(options["bounded_names"])
    for ref in ctx.columns:
        column = ref.column
        if column.type in enums[ref.doc.name] or is_array(column.type):
            continue
        base = base_name(column.type)
        if base == "varchar" and not has_length(column.type):
            known = known_length(name_of(column))
            example = f"varchar({known[0]})" if known else "varchar(n)"
            yield Violation(
                ref,
                f"column '{column.name}' is varchar without a length; give one "
                f"({example}) or use text on purpose",
                ("type",),
            )
        elif normalize(column.type) == "text" and (word := bounded.named(name_of(column))):
            known = known_length(name_of(column))
            suggestion = None if known is None else f"varchar({known[0]})"
            advice = (
                "use varchar(n) with the bound your data has"
                if known is None
                else f"use {suggestion} ({known[1]})"
            )
            yield Violation(
                ref,
                f"column '{column.name}' is text, but {word} values have a natural bound; {advice}",
                ("type",),
                suggestion=suggestion,
                replaces=column.type if suggestion else None,
            )


@rule("T207", "soft-delete", "error", scope="service")
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
        if name_of(column) != "deleted_at":
            continue
        table = ref.table.name
        if not is_timestamp(column.type, enums[ref.doc.name]):
            yield Violation(
                ref,
                f"{column.name} of table '{table}' is {column.type}; use timestamptz "
                "(the time of deletion)",
                ("type",),
            )
        if not column.nullable:
            yield Violation(
                ref,
                f"{column.name} of table '{table}' is NOT NULL; add nullable: true "
                "(NULL means not deleted)",
                ("nullable",),
            )
