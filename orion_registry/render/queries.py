"""A table's declared queries on its service page: the pattern, the index that serves it
(linked to its row in the index list) or the index to add, and the size estimates."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from ..models import Query, Service, Table
from ..rules.serving import (
    needs_index,
    pattern_text,
    serving,
    suggested_columns,
    suggested_name,
)
from .escape import escape_markdown as esc
from .escape import slug
from .links import Links, table_anchor


def index_anchor(table: str, index: str) -> str:
    """The anchor of an index's row on its service page."""
    return f"index-{slug(table)}-{slug(index)}"


def rows_text(rows: int | None) -> str:
    """An estimate as people read it: 50,000,000."""
    return "—" if rows is None else f"{rows:,}"


def estimated_total(service: Service) -> int | None:
    """The sum of the tables' estimates; None when no table gives one."""
    rows = [t.estimated_rows for t in service.tables if t.estimated_rows is not None]
    return sum(rows) if rows else None


def _columns(names: Iterable[str]) -> str:
    return ", ".join(str(esc(n)) for n in names)


def served_by(table: Table, query: Query, ln: Links) -> Markup:
    """The index that serves `query` (linked), the key or unique column, or what to add."""
    known = {c.name for c in table.columns}
    named = [*query.where, *([query.range] if query.range else []), *query.order_by]
    unknown = [name for name in named if name not in known]
    if unknown:
        return Markup(f"names unknown column <code>{esc(unknown[0])}</code> ({ln.rule('I305')})")
    if not needs_index(query):
        return Markup("no index needed")
    access = serving(table, query)
    if access is None:
        columns = suggested_columns(query)
        name = suggested_name(table.name, columns)
        return Markup(
            f"<strong>missing</strong>: add <code>{esc(name)}</code> on {_columns(columns)} "
            f"({ln.rule('I306')})"
        )
    if access.kind == "index":
        anchor = index_anchor(table.name, access.name)
        return Markup(f'<a href="#{anchor}"><code>{esc(access.name)}</code></a>')
    link = f'<a href="#{table_anchor(table.name)}"><code>{esc(access.name)}</code></a>'
    return Markup(f"{access.kind} {link}")


def query_table_rows(table: Table, ln: Links) -> Markup:
    """The `<tr>` lines of a table's Queries table."""
    rows = []
    for query in table.queries:
        about = f"<br>{esc(query.description)}" if query.description else ""
        rows.append(
            f"<tr><td><code>{esc(query.name)}</code>{about}</td><td>{esc(pattern_text(query))}</td>"
            f"<td>{served_by(table, query, ln)}</td></tr>\n"
        )
    return Markup("".join(rows))
