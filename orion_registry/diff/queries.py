"""Declared queries in a review: a query that loses its index is an impact of the index
change, a new (or edited) query that no index serves is a change of its own, and the
Schema Change Request's "Performance Considerations" come from queries and estimates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from ..changes import Change, Impact, place
from ..loader import ServiceDoc
from ..models import Query, Table
from ..render.escape import escape_markdown as esc
from ..render.guide import code
from ..rules.serving import (
    needs_index,
    pattern_text,
    serves,
    serving,
    suggested_columns,
    suggested_name,
)
from .classify import needs_entry

LOSES = ("index.removed", "index.changed")
UNSERVED = "query.unserved"


def _table(doc: ServiceDoc | None, name: str) -> tuple[int, Table] | tuple[None, None]:
    tables = doc.model.tables if doc is not None else []
    return next(((i, t) for i, t in enumerate(tables) if t.name == name), (None, None))


def _known(table: Table, query: Query) -> bool:
    names = {c.name for c in table.columns}
    named = [*query.where, *query.order_by, *([query.range] if query.range else [])]
    return all(c in names for c in named)


def _served_text(table: Table, query: Query) -> str:
    access = serving(table, query)
    if access is not None:
        return f"served by {access.kind} {access.name}"
    columns = suggested_columns(query)
    return f"NOT served: add {suggested_name(table.name, columns)} on [{', '.join(columns)}]"


def query_changes(
    base: Mapping[str, ServiceDoc], head: Mapping[str, ServiceDoc], names: Iterable[str]
) -> Iterator[Change]:
    """`query.unserved`: a query new (or edited) since the base that no index serves."""
    for name in sorted(names):
        new, old = head.get(name), base.get(name)
        if new is None:
            continue
        for ti, table in enumerate(new.model.tables):
            _, was = _table(old, table.name)
            before = {q.name: q for q in (was.queries if was is not None else [])}
            for qi, query in enumerate(table.queries):
                if before.get(query.name) == query or not needs_index(query):
                    continue
                if not _known(table, query) or serving(table, query) is not None:
                    continue
                yield Change(
                    UNSERVED,
                    name,
                    f"{name}.{table.name}",
                    f"{'edited' if query.name in before else 'new'} query {query.name} "
                    f"({pattern_text(query)}) is {_served_text(table, query)}",
                    breaking=False,
                    needs_entry=needs_entry(UNSERVED, False),
                    place=place(new, ("tables", ti, "queries", qi)),
                )


def attach_lost_queries(
    changes: Iterable[Change], base: Mapping[str, ServiceDoc], head: Mapping[str, ServiceDoc]
) -> None:
    """A removed or changed index impacts each query it served that nothing serves now."""
    for change in changes:
        if change.kind not in LOSES:
            continue
        svc, table_name, index_name = change.target.split(".", 2)
        _, was = _table(base.get(svc), table_name)
        ti, now = _table(head.get(svc), table_name)
        old_index = next((ix for ix in (was.indexes if was else []) if ix.name == index_name), None)
        if was is None or now is None or old_index is None or old_index.where:
            continue
        method = (old_index.type or "btree").lower()
        for qi, query in enumerate(now.queries):
            if serves(old_index.columns, query, method) and serving(now, query) is None:
                line, _ = head[svc].source.locate(("tables", ti, "queries", qi))
                via = f"query, served by {index_name} before"
                change.impacted.append(
                    Impact(svc, f"{svc}.{table_name}.{query.name}", via, head[svc].file, line)
                )


def performance_notes(
    old: ServiceDoc | None, new: ServiceDoc, changes: Iterable[Change]
) -> list[str]:
    """Markdown items of the changed tables (each without its leading `- `): the
    estimated rows, then each declared query and what serves it, as nested items."""
    changes = list(changes)
    touched = {c.target.split(".")[1] for c in changes if c.target.count(".") >= 1}
    whole = any(c.kind == "service.added" for c in changes)
    notes = []
    for table in new.model.tables:
        if table.name not in touched and not whole:
            continue
        _, was = _table(old, table.name)
        rows = table.estimated_rows
        estimate = "no size estimate" if rows is None else f"{rows:,} estimated rows"
        if was is not None and was.estimated_rows not in (None, rows):
            estimate += f" (was {was.estimated_rows:,})"
        lines = [f"{code(table.name)}: {esc(estimate)}"]
        for query in table.queries:
            served = (
                _served_text(table, query) if _known(table, query) else "names an unknown column"
            )
            if not needs_index(query):
                served = "reads the whole table"
            lines.append(f"  - {code(query.name)} ({esc(pattern_text(query))}): {esc(served)}")
        if not table.queries:
            lines.append("  - no query patterns declared")
        notes.append("\n".join(lines))
    return notes
