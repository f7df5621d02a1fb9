"""Search texts of HTML blocks: what the site's search index holds of a table, the enums
and the events of a service page (see `blocks`). Plain text, linear in what the page shows;
`HtmlBlocks` escapes it."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Column, Enum, PublishedEvent, Table


def table_text(table: Table) -> str:
    """`description. Prisma model M. Columns: name type (description), ... Indexes: ...`"""
    parts = [table.description or ""]
    if table.model:
        parts.append(f"Prisma model {table.model}.")
    parts.append("Columns: " + ", ".join(_column(c) for c in table.columns) + ".")
    if table.indexes:
        indexes = (f"{ix.name} ({', '.join(ix.columns)})" for ix in table.indexes)
        parts.append("Indexes: " + ", ".join(indexes) + ".")
    return " ".join(p for p in parts if p)


def _column(column: Column) -> str:
    text = f"{column.name} {column.type}"
    return f"{text} ({column.description})" if column.description else text


def enums_text(enums: Iterable[Enum]) -> str:
    """`Enum Theme (theme): LIGHT, DARK. ...`"""
    return " ".join(
        f"Enum {e.name}{f' ({e.db_name})' if e.db_name else ''}: {', '.join(e.values)}."
        + (f" {e.description}" if e.description else "")
        for e in enums
    )


def events_text(published: Iterable[PublishedEvent], consumed: Iterable[str] = ()) -> str:
    """`Publishes user.created (id, email). Consumes auth.signed_up.`"""
    parts = [
        f"Publishes {e.name}"
        + (f" ({', '.join(e.payload)})" if e.payload else "")
        + "."
        + (f" {e.description}" if e.description else "")
        for e in published
    ]
    names = list(consumed)
    if names:
        parts.append("Consumes " + ", ".join(names) + ".")
    return " ".join(parts)
