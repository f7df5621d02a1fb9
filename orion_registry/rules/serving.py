"""When an index serves a declared query: one definition for I306/I307, the pages and `diff`.

The contract ("Query patterns and size estimates"): a query is served by an index, the
primary key or a unique column when its leading columns are exactly the query's `where`
columns (in any order), then its `range` column, then its `order_by` columns; the `range`
column may also be the first `order_by` column. A partial index serves no query.
Only a btree keeps rows in order; a hash index serves a lookup by its one column alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..lang.names import index_name
from ..models import Query, Table

AccessKind = Literal["primary key", "unique", "index"]


@dataclass(frozen=True, slots=True)
class Access:
    """A way to find rows without a scan: an index, the primary key or a unique column."""

    kind: AccessKind
    name: str  # the index's name, or the column(s) of the key
    columns: tuple[str, ...]
    method: str = "btree"
    position: int | None = None  # the index's position in `table.indexes`


def access_paths(table: Table) -> list[Access]:
    """The table's primary key, unique columns and non-partial indexes, in that order."""
    keys = tuple(c.name for c in table.columns if c.primary_key)
    found = [Access("primary key", ", ".join(keys), keys)] if keys else []
    found += [Access("unique", c.name, (c.name,)) for c in table.columns if c.unique]
    found += [
        Access("index", ix.name, tuple(ix.columns), (ix.type or "btree").lower(), i)
        for i, ix in enumerate(table.indexes)
        if not ix.where
    ]
    return found


def needs_index(query: Query) -> bool:
    """A query that filters or sorts: one that reads the whole table needs no index."""
    return bool(query.where or query.range or query.order_by)


def ordered_columns(query: Query) -> tuple[str, ...]:
    """What must follow the `where` columns: the range, then the order (merged when the
    range is also the first `order_by` column)."""
    head = (query.range,) if query.range else ()
    order = tuple(query.order_by)
    return head + (order[1:] if head and order[:1] == head else order)


def serves(columns: Sequence[str], query: Query, method: str = "btree") -> bool:
    """Do an index's `columns` (method `method`) serve `query`, as the contract defines?"""
    if not needs_index(query):
        return False
    equal = set(query.where)
    tail = ordered_columns(query)
    if method == "hash":
        return not tail and len(columns) == 1 and equal == {columns[0]}
    if method != "btree" or len(columns) < len(equal) + len(tail):
        return False
    return set(columns[: len(equal)]) == equal and tuple(
        columns[len(equal) : len(equal) + len(tail)]
    ) == tuple(tail)


def serving(table: Table, query: Query) -> Access | None:
    """The first of `access_paths(table)` that serves `query`, if any."""
    return next((a for a in access_paths(table) if serves(a.columns, query, a.method)), None)


def pattern_text(query: Query) -> str:
    """How a query reads, in words: `where user_id, status; order by created_at`."""
    parts = [f"where {', '.join(query.where)}"] if query.where else []
    parts += [f"range {query.range}"] if query.range else []
    parts += [f"order by {', '.join(query.order_by)}"] if query.order_by else []
    return "; ".join(parts) or "the whole table"


def suggested_columns(query: Query) -> tuple[str, ...]:
    """The index that would serve `query`: its `where` columns in declared order, then
    its range, then its order."""
    return (*dict.fromkeys(query.where), *ordered_columns(query))


def suggested_name(table: str, columns: Sequence[str]) -> str:
    """N106's name for the suggested index (fit into Postgres's 63 bytes when longer)."""
    return index_name(table, columns)
