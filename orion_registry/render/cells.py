"""Small pieces of a service page computed in Python (hot paths: one call per column)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup

from ..models import Column, Link, Migration, Table
from .escape import escape_markdown as esc
from .escape import prose
from .links import Links


class ColumnCells(NamedTuple):
    """The cells of one row of a table's column list, escaped."""

    name: Markup
    type: Markup
    constraints: Markup
    default: Markup
    notes: Markup


def column_rows(table: Table, ln: Links) -> list[ColumnCells]:
    """One call per table, not several per column: the hot path of a service page."""
    return [
        ColumnCells(
            esc(column.name),
            esc(column.type),
            constraints(column),
            _default(column),
            column_notes(column, ln),
        )
        for column in table.columns
    ]


def column_table_rows(table: Table, ln: Links, flags: Mapping[str, Markup] | None = None) -> Markup:
    """The `<tr>` lines (each ending in a newline) of a table's column list, with the cells
    of `column_rows`: the hottest part of a service page, so joined here in one pass of
    plain strings rather than cell by cell in Jinja. `flags` (badges by column name) marks
    the columns that have findings."""
    flags = flags or {}
    return Markup("".join(_row(column, ln, flags.get(column.name)) for column in table.columns))


_FLAGGED_ROW = '<tr class="orion-flagged">'


def _row(column: Column, ln: Links, badges: Markup | None) -> str:
    notes = _notes(column, ln)
    if badges:
        notes = f"{badges} {notes}"
    return (
        f"{_FLAGGED_ROW if badges else '<tr>'}<td>{esc(column.name)}</td>"
        f"<td>{esc(column.type)}</td><td>{constraints(column)}</td><td>{_default(column)}</td>"
        f"<td>{notes}</td></tr>\n"
    )


_NO_DEFAULT = Markup("")
_UPDATED_AT = Markup("<em>updated at</em>")


def _default(column: Column) -> Markup:
    if column.default is not None:
        return Markup(f"<code>{esc(scalar_text(column.default))}</code>")
    return _UPDATED_AT if column.updated_at else _NO_DEFAULT


def scalar_text(value: object) -> str:
    """A YAML scalar as the registry spells it: `true`/`false`, not Python's `True`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def constraints(column: Column) -> Markup:
    primary_key = bool(column.primary_key)
    return _constraints(primary_key, bool(column.unique) and not primary_key, bool(column.nullable))


@lru_cache(maxsize=8)
def _constraints(primary_key: bool, unique: bool, nullable: bool) -> Markup:
    flags = (("PK", primary_key), ("unique", unique), ("nullable", nullable))
    return Markup(", ".join(name for name, on in flags if on))


def column_notes(column: Column, ln: Links) -> Markup:
    """References, copies, external ids and the description of a column."""
    return Markup(_notes(column, ln))


def _notes(column: Column, ln: Links) -> str:
    notes: list[str] = []
    ref = column.references
    if isinstance(ref, str):
        notes.append(f"→ <code>{esc(ref)}</code>")
    elif ref is not None:
        notes.append(f"→ {_target(ref, ln)} ({esc(ref.sync or 'no sync')})")
    if column.copy_of is not None:
        notes.append(
            f"copy of {_target(column.copy_of, ln)} ({esc(column.copy_of.sync or 'no sync')})"
        )
    if column.external:
        notes.append("external id")
    if column.description:
        notes.append(prose(column.description))
    return " ".join(notes)


def _target(link: Link, ln: Links) -> Markup:
    return (
        ln.column(link.column)
        if link.column.count(".") == 2
        else Markup(f"<code>{esc(link.column)}</code>")
    )


def kept_fresh(link: Link) -> Markup:
    """How a cross-service link stays fresh: events, endpoint, cache TTL."""
    parts = []
    if link.events:
        parts.append(str(esc(", ".join(link.events))))
    if link.endpoint:
        parts.append(f"<code>{esc(link.endpoint)}</code>")
    if link.ttl_seconds is not None:
        parts.append(f"TTL {link.ttl_seconds} s")
    return Markup(" · ".join(parts) or "—")


def migration_kind(migration: Migration) -> str:
    """The admonition style of a migration: breaking ones stand out."""
    return {"breaking": "danger", "data": "info"}.get(migration.type or "", "note")
