"""I: indexes and performance (reference columns indexed, no redundant or excess indexes,
declared queries served by an index)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from ..lang.names import index_name
from ..models import Column, Index, Query, Table
from .base import Violation, rule
from .columns import is_id_name, is_reference_column, link_column, name_of
from .context import ColumnRef, Context, IndexRef, Ref
from .serving import (
    needs_index,
    pattern_text,
    serves,
    serving,
    suggested_columns,
    suggested_name,
)

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


@dataclass(frozen=True, slots=True)
class QueryRef(Ref):
    table: Table
    query: Query


def query_refs(ctx: Context) -> Iterator[QueryRef]:
    """Every declared query, located at its entry; findings name its table."""
    for t in ctx.tables:
        for i, query in enumerate(t.table.queries):
            yield QueryRef(t.doc, (*t.path, "queries", i), t.target, t.table, query)


def _query_columns(query: Query) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(key inside the query, column name) of every column a query names."""
    yield from ((("where", i), name) for i, name in enumerate(query.where))
    if query.range:
        yield ("range",), query.range
    yield from ((("order_by", i), name) for i, name in enumerate(query.order_by))


@rule("I301", "reference-indexed", "error", scope="service")
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


@rule("I302", "soft-delete-indexed", "warning", scope="service")
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


@rule("I303", "redundant-index", "warning", scope="service")
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
    scope="service",
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


@rule("I305", "index-columns-exist", "error", scope="service")
def index_columns_exist(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every column an index, the table's `primary_key` or a declared query names exists.

    ## What it checks
    Each name in an index's `columns` (and its `ops` and `order`) is a column of the same
    table, and so is each column of a declared query's `where`, `range` and `order_by` (see
    I306). So is each name of a table's `primary_key` list (a composite key in key order),
    and a column marked `primary_key: true` is one of that list when the table gives one.

    ## Why
    An index on a column that does not exist cannot be created: the migration fails, or
    the registry no longer describes the database after a column was renamed. A query on
    such a column cannot run, and no index can be proposed for it.

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

    def column_names(ref: IndexRef | QueryRef) -> set[str]:
        key = table_key(ref)
        if key not in names:
            names[key] = {c.name for c in ref.table.columns}
        return names[key]

    for ref in ctx.indexes:
        known = column_names(ref)
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
    for query in query_refs(ctx):
        known = column_names(query)
        for key, name in _query_columns(query.query):
            if name not in known:
                yield Violation(
                    query,
                    f"query '{query.query.name}' names column '{name}', which table "
                    f"'{query.table.name}' does not have",
                    key,
                )


def _names_known_columns(table: Table, names: Iterable[str]) -> bool:
    known = {c.name for c in table.columns}
    return all(name in known for name in names)


def _replaced(table: Table, columns: tuple[str, ...]) -> list[str]:
    """Plain indexes that an index on `columns` makes redundant (a leading prefix, I303)."""
    return [
        ix.name
        for ix in table.indexes
        if not ix.unique
        and not ix.where
        and (ix.type or "btree").lower() == "btree"
        and tuple(ix.columns) == columns[: len(ix.columns)]
    ]


@rule("I306", "query-served", "error", scope="service")
def query_served(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every declared query is served by an index, the primary key or a unique column.

    ## What it checks
    A table may declare how its service reads it (`queries:`, see the registry format's
    "Query patterns and size estimates"). Each query must be *served*: some index, the
    primary key or a unique column has as its leading columns exactly the query's `where`
    columns (in any order), then its `range` column, then its `order_by` columns; the
    `range` column may also be the first `order_by` column. A partial index (`where:`)
    serves no query, since queries declare no predicate. Only a btree keeps rows in
    order; a hash index serves a lookup by its one column alone. A query that neither
    filters nor sorts reads the whole table and needs no index.

    The finding names the index to add, named as N106 asks, on the `where` columns in
    their declared order, then the `range` column, then the `order_by` columns; when an
    existing plain index is a leading prefix of it, the new index replaces that one.

    ### What PostgreSQL's planner says
    A system test generates more than a thousand tables, indexes and queries, creates
    them in PostgreSQL and asks `EXPLAIN`, for each query and each index, primary key or
    unique column of its table on its own (sequential scans, bitmap scans and sorts
    switched off), whether the query runs as an index scan whose conditions bound every
    `where` and `range` column, with no Sort node. Rule and planner agree on every case,
    read as follows:

    - *A gap is not a seek.* PostgreSQL can use an index whose leading columns include
      a column the query does not fix (`[user_id, status, created_at]` for
      `where: [user_id, created_at]`), checking the later column inside the index; it
      then reads every entry of the skipped column. Likewise an equality after a range
      column (`[created_at, user_id]` for `where: [user_id]`, `range: created_at`) only
      filters. These are filters, not the index strategy a reviewer asks for: the rule
      does not count them, and the test counts a scan as serving only when its
      conditions fix a leading run of the index's columns (equalities, then at most one
      range).
    - *A key and more.* A query that fixes every column of a unique key and more
      (`where: [id, user_id]`) reads at most one row through the key, and PostgreSQL
      checks the other columns on that row; the contract does not count the key. Declare
      such a query by the key alone (`where: [id]`).
    - *Direction.* `order_by` declares no direction: PostgreSQL reads a btree backwards
      for `DESC` ("newest first"), so the same index serves both. The test orders by
      all columns ascending or all descending (mixed directions need an index declared
      with `DESC` columns, which the registry does not describe).
    - *A range, then an order.* Rows found by a range on one column come out in that
      column's order; ordering them by another column needs a sort whatever the index.
      The rule follows the contract (the index still finds the rows); declare such a
      query's `order_by` starting with its `range` column when the order matters. The
      test generates only such queries.
    - *Equalities.* The test compares with `=`; `IN (...)` is read the same way.
      Ordering by a column the query already fixes is a no-op for PostgreSQL, but the
      contract reads `order_by` literally: leave such columns out of `order_by`.

    ## Why
    The guide's Database Lead reviews every change for "Performance: table size
    estimates, query patterns, index strategy", and its example review asks to "add
    `@@index([userId, createdAt])` for temporal queries". An index is only right for the
    queries it serves; declared queries let the check prove it, and name the index that
    is missing.

    ## Bad
    ```yaml
    tables:
      - name: notifications
        model: Notification
        estimated_rows: 50000000
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, external: true}
          - {name: status, type: varchar(20)}
          - {name: created_at, type: timestamptz, default: now()}
        indexes:
          - {name: idx_notifications_user_id, columns: [user_id]}
        queries:
          - name: inbox
            description: The notifications of one user in one status, newest first.
            where: [user_id, status]
            order_by: [created_at]
    ```

    ## Good
    ```yaml
    tables:
      - name: notifications
        model: Notification
        estimated_rows: 50000000
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, external: true}
          - {name: status, type: varchar(20)}
          - {name: created_at, type: timestamptz, default: now()}
        indexes:
          - name: idx_notifications_user_id_status_created_at
            columns: [user_id, status, created_at]
        queries:
          - name: inbox
            description: The notifications of one user in one status, newest first.
            where: [user_id, status]
            order_by: [created_at]
    ```
    """
    for ref in query_refs(ctx):
        table, query = ref.table, ref.query
        if not needs_index(query) or not _names_known_columns(
            table, (name for _, name in _query_columns(query))
        ):
            continue  # nothing to serve, or I305 reports the unknown column
        if serving(table, query) is not None:
            continue
        columns = suggested_columns(query)
        name = suggested_name(table.name, columns)
        replaced = _replaced(table, columns)
        instead = f" (it replaces {', '.join(replaced)})" if replaced else ""
        yield Violation(
            ref,
            f"query '{query.name}' of '{table.name}' ({pattern_text(query)}) is served by no "
            f"index, unique column or primary key: add {name} on [{', '.join(columns)}]"
            f"{instead}",
            ("name",),
        )


def _required_elsewhere(table: Table, index: Index) -> bool:
    """Unique, leading a reference column (I301) or the `deleted_at` index (I302)."""
    first = next((c for c in table.columns if c.name == index.columns[0]), None)
    return (
        index.unique
        or (first is not None and is_reference_column(first))
        or index.columns[0] == "deleted_at"
        or "deleted_at" in (index.where or "")
    )


@rule("I307", "index-serves-a-query", "warning", scope="service")
def index_serves_a_query(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """On a table that declares its queries, every index serves one of them or is needed.

    ## What it checks
    When a table lists its `queries:` (I306), each of its indexes serves at least one of
    them (as I306 defines "served"), or another rule needs it: it is unique, its first
    column is a reference column (I301), or it is the `deleted_at` index (I302). A
    partial index serves no declared query. Tables without `queries:` are not checked.

    ## Why
    "Don't over-index": every index slows down each insert and update. Once a table says
    how it is read, an index that serves none of those reads costs writes for nothing:
    drop it, or declare the query it exists for.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
          - {name: name, type: varchar(100)}
        indexes:
          - {name: idx_users_name, columns: [name]}
        queries:
          - name: by_email
            where: [email]
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
          - {name: name, type: varchar(100)}
        indexes:
          - {name: idx_users_name, columns: [name]}
        queries:
          - name: by_email
            where: [email]
          - name: by_name
            description: The people search, by exact name.
            where: [name]
    ```
    """
    for ref in ctx.indexes:
        table, index = ref.table, ref.index
        queries = [q for q in table.queries if needs_index(q)]
        if not table.queries or not _names_known_columns(table, index.columns):
            continue
        if _required_elsewhere(table, index):
            continue
        method = (index.type or "btree").lower()
        if index.where or not any(serves(index.columns, q, method) for q in queries):
            yield Violation(
                ref,
                f"index '{index.name}' serves none of the queries '{table.name}' declares, "
                "and no uniqueness, reference column or soft delete needs it: drop it, or "
                "declare the query it exists for",
                ("name",),
            )


@rule(
    "I308",
    "large-table-queries",
    "warning",
    options={"large_table_rows": (1_000_000, "the estimated_rows from which a table is large")},
    scope="service",
)
def large_table_queries(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A large table declares its queries.

    ## What it checks
    A table whose `estimated_rows` is at least `large_table_rows` (default 1,000,000)
    declares how its service reads it under `queries:` (I306 then checks that its
    indexes serve them). Set the threshold in `orion.yaml`:
    `rules: {I308: {large_table_rows: 5000000}}`.

    ## Why
    The guide's review asks each change for "table size estimates" and "query patterns".
    On a small table a missing index costs little; on a table of millions of rows every
    unindexed read is a full scan, so the reads it serves must be known.

    ## Bad
    ```yaml
    tables:
      - name: notifications
        model: Notification
        estimated_rows: 50000000
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: created_at, type: timestamptz, default: now()}
    ```

    ## Good
    ```yaml
    tables:
      - name: notifications
        model: Notification
        estimated_rows: 50000000
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: created_at, type: timestamptz, default: now()}
        queries:
          - name: by_id
            description: One notification, to show or update it.
            where: [id]
    ```
    """
    limit = int(options["large_table_rows"])
    for ref in ctx.tables:
        rows = ref.table.estimated_rows
        if rows is not None and rows >= limit and not ref.table.queries:
            yield Violation(
                ref,
                f"table '{ref.table.name}' is estimated at {rows:,} rows (large_table_rows: "
                f"{limit:,}) but declares no queries: list how the service reads it "
                "(queries:) so that its indexes can be checked",
                ("estimated_rows",),
            )
