"""I: indexes and performance (reference columns indexed, no redundant or excess indexes)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any
from weakref import WeakKeyDictionary

from ..lang.names import index_name
from ..models import Column, Index, Table
from .base import Violation, rule
from .columns import is_id_name, is_reference_column, link_column, name_of
from .context import ColumnRef, Context, Ref

__all__ = ["is_id_name", "is_reference_column", "link_column"]  # used by other rule families
MAX_INDEXES = 5  # I304's default: I301 suggests no index that would exceed it

TableKey = tuple[str, tuple[str | int, ...]]


def leading_columns(table: Table) -> set[str]:
    """Columns that can be looked up without a scan: an index's first column, unique, the PK."""
    keys = table.key_columns()[:1]
    return (
        {ix.columns[0] for ix in table.indexes}
        | {c.name for c in table.columns if c.unique}
        | set(keys)
    )


_LEADING: WeakKeyDictionary[Context, dict[TableKey, set[str]]] = WeakKeyDictionary()


def table_key(ref: Ref) -> TableKey:
    """Identifies the table of a column or index ref (names may repeat; positions do not)."""
    return ref.doc.name, ref.path[:2]


def indexed_columns(ctx: Context) -> dict[TableKey, set[str]]:
    """Table -> its `leading_columns`, computed once per run."""
    if ctx not in _LEADING:
        _LEADING[ctx] = {table_key(t): leading_columns(t.table) for t in ctx.tables}
    return _LEADING[ctx]


def unindexed(ctx: Context, wanted: Callable[[Column], bool]) -> Iterator[ColumnRef]:
    """The `wanted` columns that no index, unique constraint or primary key leads."""
    indexed = indexed_columns(ctx)
    for ref in ctx.columns:
        if wanted(ref.column) and ref.column.name not in indexed[table_key(ref)]:
            yield ref


@rule("I301", "reference-indexed", "error")
def reference_indexed(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A reference column leads some index, is unique or is the primary key.

    ## What it checks
    Every column that points at another row - a name ending in `_id`, a column with
    `references`, or a `copy_of` of an id column - is the first column of an index, is
    `unique: true` (a unique index) or is the primary key. A column that is only the second
    column of a composite index (or composite primary key) does not count: the index cannot
    be searched by it alone.
    Ids marked `external: true` are checked too: they are looked up as well (a payment
    provider's webhook names its own id). Names are read in snake_case (`userId` is
    `user_id`); a row's own identifier (`serial_id` with `autoincrement()`, a unique
    `public_id`) is not a reference. A composite primary key counts for its first column in
    key order (`primary_key: [user_id, team_id]` leads with `user_id`). The finding suggests
    the index `idx_<table>_<column>` (a name N106 accepts), unless adding it would take the
    table past I304's default of 5 indexes.

    ## Why
    The guide asks for "foreign key columns indexed (even if not FK)". Across services
    there is no foreign key, so nothing creates the index implicitly, yet every
    `WHERE user_id = ...` and every join on the id needs it; without one each lookup
    scans the whole table.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, references: users.id}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, references: users.id}
        indexes:
          - {name: idx_sessions_user_id, columns: [user_id]}
    ```
    """
    added: dict[TableKey, int] = {}  # indexes suggested so far, per table
    for ref in unindexed(ctx, is_reference_column):
        name, table, key = ref.column.name, ref.table.name, table_key(ref)
        added[key] = added.get(key, 0) + 1
        planned = len(ref.table.indexes) + added[key] + _soft_delete_unindexed(ref.table)
        if planned > MAX_INDEXES:
            yield Violation(
                ref,
                f"reference column '{name}' of '{table}' leads no index: add one on [{name}] "
                f"(or make it unique); with the indexes it already has or needs, the table "
                f"would pass {MAX_INDEXES} (I304), so no index is suggested: consider one that "
                "leads with it and serves another need too",
                ("name",),
            )
            continue
        suggestion = index_name(table, [name])
        yield Violation(
            ref,
            f"reference column '{name}' of '{table}' leads no index: add "
            f"{suggestion} on [{name}] (or make it unique)",
            ("name",),
            suggestion=suggestion,
        )


def _soft_delete_unindexed(table: Table) -> int:
    """1 when the table has a `deleted_at` column that I302 asks to index, else 0."""
    leading = leading_columns(table)
    return int(
        any(
            name_of(c) == "deleted_at"
            and c.name not in leading
            and not any(c.name in (ix.where or "") for ix in table.indexes)
            for c in table.columns
        )
    )


@rule("I302", "soft-delete-indexed", "warning")
def soft_delete_indexed(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A `deleted_at` column is indexed.

    ## What it checks
    A table with a `deleted_at` column (soft delete) has an index whose first column is
    `deleted_at`, or a partial index whose `where` mentions `deleted_at` (for example
    `where: deleted_at IS NULL`, which indexes only the live rows).

    ## Why
    With soft deletes nearly every query filters on `deleted_at IS NULL`. The guide's
    soft-delete pattern therefore comes with `@@index([deletedAt])`; without it the
    filter scans every row, deleted or not.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: deleted_at, type: timestamptz, nullable: true}
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
    for ref in unindexed(ctx, lambda column: name_of(column) == "deleted_at"):
        table, name = ref.table.name, ref.column.name
        if _soft_delete_unindexed(ref.table):
            fits = len(ref.table.indexes) < MAX_INDEXES
            suggestion = index_name(table, [name]) if fits else None
            yield Violation(
                ref,
                f"soft-delete column '{table}.{name}' is not indexed: add "
                f"{suggestion or 'an index'} on [{name}]",
                ("name",),
                suggestion=suggestion,
            )


def _shape(index: Index) -> tuple[str, str]:
    """Indexes can only replace each other when they have the same method and predicate."""
    return (index.type or "btree").lower(), (index.where or "").strip()


def _keys(index: Index) -> tuple[tuple[str, str | None, str], ...]:
    """The index's keys: column, operator class, sort order. `[email text_pattern_ops]`
    serves `LIKE 'x%'`, which `[email]` cannot: keys differ when any of the three do."""
    return tuple((c, index.ops.get(c), index.order.get(c, "asc")) for c in index.columns)


def _single_key_columns(table: Table) -> set[str]:
    keys = table.key_columns()
    return {c.name for c in table.columns if c.unique} | (set(keys) if len(keys) == 1 else set())


def redundancy(table: Table) -> dict[int, str]:
    """Index position -> why it is redundant. Linear in the number of index columns."""
    found: dict[int, str] = {}
    first_with: dict[tuple, int] = {}  # (shape, columns, unique) -> first index
    longest_with_prefix: dict[tuple, int] = {}  # (shape, proper prefix) -> a longer index
    for i, ix in enumerate(table.indexes):
        shape, cols = _shape(ix), _keys(ix)
        first_with.setdefault((shape, cols, ix.unique), i)
        if shape[0] == "btree":
            for n in range(1, len(cols)):
                longest_with_prefix.setdefault((shape, cols[:n]), i)
    unique_keys = _single_key_columns(table)
    for i, ix in enumerate(table.indexes):
        shape, cols = _shape(ix), _keys(ix)
        same = first_with[(shape, cols, ix.unique)]
        enforcing = first_with.get((shape, cols, True))
        longer = longest_with_prefix.get((shape, cols))
        if same != i:
            found[i] = f"duplicates '{table.indexes[same].name}' (same columns)"
        elif ix.unique:
            continue  # a unique index enforces something: never redundant versus plain ones
        elif enforcing is not None:
            found[i] = f"duplicates unique index '{table.indexes[enforcing].name}'"
        elif longer is not None:
            other = table.indexes[longer]
            found[i] = f"is a leading prefix of '{other.name}' [{', '.join(other.columns)}]"
        elif len(cols) == 1 and cols[0][0] in unique_keys and shape == ("btree", "") and not ix.ops:
            found[i] = f"indexes '{cols[0][0]}', which is already unique or the primary key"
    return found


@rule("I303", "redundant-index", "warning")
def redundant_index(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """No index is redundant with another index, a unique column or the primary key.

    ## What it checks
    Within one table, an index is reported when it has exactly the columns of an earlier
    index (the later one is reported, naming the earlier), when it is a plain index whose
    columns are a leading prefix of another btree index (`[user_id]` next to
    `[user_id, created_at]`), or when it is a plain single-column index on a column that is
    already `unique: true` or the primary key. Indexes of a different method (`type`) or
    with a different partial `where` are never compared. A unique index is never redundant
    versus a plain one: it enforces a constraint. Keys compare with their operator class
    and sort order (`ops`, `order`): `[email]` with `text_pattern_ops` serves
    `LIKE 'x%'`, which a plain unique index on `email` cannot, so it is not redundant.

    ## Why
    "Don't over-index": every index slows down each insert and update and takes disk space.
    A redundant index costs the same as a useful one and speeds up no query, because
    PostgreSQL can already use the other index (or the unique constraint's index).

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
        indexes:
          - {name: idx_users_email, columns: [email]}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    ```
    """
    per_table: dict[TableKey, dict[int, str]] = {}
    for ref in ctx.indexes:
        key = table_key(ref)
        if key not in per_table:
            per_table[key] = redundancy(ref.table)
        why = per_table[key].get(int(ref.path[-1]))
        if why is not None:
            yield Violation(ref, f"index '{ref.index.name}' is redundant: it {why}", ("name",))


@rule(
    "I304",
    "too-many-indexes",
    "warning",
    options={"max_indexes": (5, "the most indexes a table may declare in `indexes:`")},
)
def too_many_indexes(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A table declares no more than `max_indexes` indexes (default 5).

    ## What it checks
    The number of entries in a table's `indexes:` is at most `max_indexes`. The finding
    points at the first index over the limit. Unique columns and the primary key are not
    counted: they are constraints, not tuning.

    Set the limit in `orion.yaml`: `rules: {I304: {severity: warning, max_indexes: 6}}`.

    ## Why
    "Indexes slow down writes... too many indexes hurts performance." A table with many
    indexes is usually indexed for every query anyone once wrote; a review should ask
    which of them are still used.

    ## Bad
    ```yaml
    tables:
      - name: events
        model: Event
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: a, type: text}
          - {name: b, type: text}
          - {name: c, type: text}
          - {name: d, type: text}
          - {name: e, type: text}
          - {name: f, type: text}
        indexes:
          - {name: idx_events_a, columns: [a]}
          - {name: idx_events_b, columns: [b]}
          - {name: idx_events_c, columns: [c]}
          - {name: idx_events_d, columns: [d]}
          - {name: idx_events_e, columns: [e]}
          - {name: idx_events_f, columns: [f]}
    ```

    ## Good
    ```yaml
    tables:
      - name: events
        model: Event
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: a, type: text}
          - {name: b, type: text}
        indexes:
          - {name: idx_events_a_b, columns: [a, b]}
    ```
    """
    limit = int(options["max_indexes"])
    for table in ctx.tables:
        count = len(table.table.indexes)
        if count > limit:
            yield Violation(
                table,
                f"table '{table.table.name}' has {count} indexes (at most {limit}): each one "
                "slows down writes; drop unused ones or raise I304's max_indexes",
                ("indexes", limit),
            )


@rule("I305", "index-columns-exist", "error")
def index_columns_exist(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column an index (or the table's `primary_key`) lists exists in its table.

    ## What it checks
    Each name in an index's `columns` is a column of the same table. So is each name of a
    table's `primary_key` list (a composite key in key order), and a column marked
    `primary_key: true` is one of that list when the table gives one.

    ## Why
    An index on a column that does not exist cannot be created: the migration fails, or
    the registry no longer describes the database after a column was renamed.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
        indexes:
          - {name: idx_users_email, columns: [email_address]}
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
    names: dict[TableKey, set[str]] = {}
    for ref in ctx.indexes:
        key = table_key(ref)
        if key not in names:
            names[key] = {c.name for c in ref.table.columns}
        known = names[key]
        for i, name in enumerate(ref.index.columns):
            if name not in known:
                yield Violation(
                    ref,
                    f"index '{ref.index.name}' lists column '{name}', which table "
                    f"'{ref.table.name}' does not have",
                    ("columns", i),
                )
        for part in ("ops", "order"):
            for name in getattr(ref.index, part):
                if name not in ref.index.columns:
                    yield Violation(
                        ref,
                        f"index '{ref.index.name}' gives {part} for '{name}', which is not "
                        "one of its columns",
                        (part, name),
                    )
    for table in ctx.tables:
        key = table.table.primary_key or []
        known = {c.name for c in table.table.columns}
        for i, name in enumerate(key):
            if name not in known:
                yield Violation(
                    table,
                    f"primary_key of table '{table.table.name}' lists column '{name}', which "
                    "the table does not have",
                    ("primary_key", i),
                )
        for column in ctx.columns_of(table):
            if key and column.column.primary_key and column.column.name not in key:
                yield Violation(
                    column,
                    f"column '{column.column.name}' is marked primary_key but table "
                    f"'{table.table.name}' gives its key as [{', '.join(key)}]",
                    ("primary_key",),
                )
