"""How bad a change is, exactly as the guide defines it, and which removals are renames.

Breaking: removing or renaming a table or column, changing a column's type, making a
column required (nullable -> NOT NULL, or a new NOT NULL column without a default),
removing an enum value (or the enum), removing a service or an event that others consume.
Non-breaking: adding a table, an optional column, an index, an enum value, a service, and
every other schema edit (defaults, uniqueness, references, copies, index edits).
Event and bookkeeping edits (owner, Prisma model name, consumed events, new log entries,
a new query no index serves) are changes too, but they are not schema changes: they need
no migration entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..models import Column, Table
from ..prisma.types import canonical_type

# Always breaking, whatever the details.
BREAKING = frozenset(
    {
        "service.removed",
        "service.database",
        "table.removed",
        "table.renamed",
        "column.removed",
        "column.renamed",
        "column.type",
        "enum.removed",
        "enum.renamed",
        "enum.value_removed",
    }
)
# Changes of the log, events and metadata: reported; an entry is needed only when breaking.
NO_ENTRY = frozenset(
    {
        "service.owner",
        "table.model",
        "column.updated_at",  # Prisma's @updatedAt: the application sets it, not the schema
        "column.external",  # what the id is, not how it is stored
        "event.published",
        "event.unpublished",
        "event.payload",
        "event.consumed",
        "event.unconsumed",
        "migration.added",
        "migration.edited",
        "migration.removed",
        "query.unserved",
    }
)


def is_breaking(kind: str, *, required: bool = False, consumed: bool = False) -> bool:
    """`required`: the column is now NOT NULL without a way to fill existing rows.
    `consumed`: the removed event is consumed by another service."""
    if kind in BREAKING:
        return True
    if kind in ("column.added", "column.nullability"):
        return required
    if kind == "event.unpublished":
        return consumed
    return False


def needs_entry(kind: str, breaking: bool) -> bool:
    """Schema changes need a migration entry; so does any breaking change."""
    return breaking or kind not in NO_ENTRY


def new_column_required(column: Column) -> bool:
    """A new NOT NULL column without a default fails on a table that has rows."""
    return not column.nullable and column.default is None and not column.primary_key


T = TypeVar("T")


def pair_renames(
    removed: Sequence[tuple[int, T]],
    added: Sequence[tuple[int, T]],
    same: Callable[[T, T], bool],
    any_position: bool = False,
) -> list[tuple[tuple[int, T], tuple[int, T]]]:
    """(old, new) pairs that look like renames: `same` shape at the same position.

    `removed`/`added` hold (position in the base/new list, item). With `any_position`, a
    single removed item and a single added one of the same shape pair wherever they sit.
    """
    if any_position and len(removed) == 1 and len(added) == 1 and same(removed[0][1], added[0][1]):
        return [(removed[0], added[0])]
    by_position = {pos: (pos, item) for pos, item in added}
    pairs = []
    for old in removed:
        new = by_position.get(old[0])
        if new is not None and same(old[1], new[1]):
            pairs.append((old, new))
            del by_position[old[0]]
    return pairs


def same_type(old: str, new: str) -> bool:
    """`varchar(255)` and `character varying(255)` are one type."""
    return canonical_type(old) == canonical_type(new)


def same_column_shape(old: Column, new: Column) -> bool:
    return same_type(old.type, new.type)


def same_table_shape(old: Table, new: Table) -> bool:
    return _shape(old) == _shape(new)


def _shape(table: Table) -> list[tuple[str, str]]:
    return [(c.name, canonical_type(c.type)) for c in table.columns]
