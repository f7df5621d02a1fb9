"""One canonical form for what the registry and a live database both describe.

Column types: `format_type` spellings and registry spellings meet in `pgtypes.normalize`;
an enum column is its Postgres type name (`db_name`). Defaults: the registry's spellings
(`uuid()`, `now()`, `autoincrement()`, literals) and PostgreSQL's stored expressions
(`gen_random_uuid()`, `CURRENT_TIMESTAMP`, `nextval(...)`, `'x'::text`) become one of
`uuid()`, `now()`, `autoincrement()`, a literal as text, or `dbgenerated(<expression>)`;
a Prisma list (`[A, "b c"]`) is an array literal (`{A,"b c"}`), JSON is compact with sorted keys.
Expressions (index predicates, `dbgenerated`) are parsed with PostgreSQL's own parser
(pglast) and printed back without casts, so `((status)::text = 'x'::text)` equals
`status = 'x'`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from ..lang.pgtypes import is_now_default, is_uuid_default, normalize
from ..models import Column, Index, Service, Table

# A type the DDL may print as-is: a name (several words allowed), arguments, array brackets.
SAFE_TYPE = re.compile(r"^[a-z_][a-z0-9_]*( [a-z_][a-z0-9_]*)*(\(\d+(,\d+)?\))?(\[\])*$")
JSON_TYPES = frozenset({"json", "jsonb"})
SERIALS = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}
APP_GENERATED = re.compile(r"^(cuid|nanoid|ulid)\(\d*\)$")  # Prisma fills these in, not Postgres
_DBGENERATED = re.compile(r"^dbgenerated\((?P<q>['\"]?)(?P<expr>.*)(?P=q)\)$", re.DOTALL)


class ExpressionError(ValueError):
    """Text that is not one SQL expression."""


def enum_types(service: Service) -> dict[str, str]:
    """Enum name and db_name -> the Postgres type name."""
    names: dict[str, str] = {}
    for enum in service.enums:
        db_name = enum.db_name or enum.name
        names[enum.name] = db_name
        names[db_name] = db_name
    return names


def column_type(type_name: str, enums: dict[str, str]) -> tuple[str, bool]:
    """A registry type -> (canonical Postgres type, is an enum); `serial` is `integer`."""
    base, brackets = type_name.strip(), ""
    while base.endswith("[]"):
        base, brackets = base[:-2].rstrip(), brackets + "[]"
    if base in enums:
        return enums[base] + brackets, True
    canonical = normalize(type_name)
    base_type = canonical.removesuffix("[]")
    if base_type in SERIALS:
        canonical = SERIALS[base_type] + canonical[len(base_type) :]
    return canonical, False


def unique_columns(table: Table) -> set[str]:
    """The columns unique on their own: what a one-column foreign key may reference."""
    primary = table.key_columns()
    names = {c.name for c in table.columns if c.unique}
    names.update(primary if len(primary) == 1 else ())
    names.update(
        ix.columns[0] for ix in table.indexes if ix.unique and len(ix.columns) == 1 and not ix.where
    )
    return names


def is_serial(type_name: str) -> bool:
    return normalize(type_name).removesuffix("[]") in SERIALS


@lru_cache(maxsize=1)
def _strip_casts():
    """A pglast visitor that drops casts. pglast is imported on first use: `check` needs it
    only for migration SQL or a schema comparison."""
    from pglast.visitors import Visitor

    class StripCasts(Visitor):
        def visit_TypeCast(self, ancestors, node):
            return node.arg

    return StripCasts()


@lru_cache(maxsize=4096)
def expression(text: str) -> str:
    """One SQL expression, printed canonically without casts; ExpressionError otherwise."""
    from pglast import ast, parse_sql
    from pglast.parser import ParseError
    from pglast.stream import RawStream

    try:
        statements = parse_sql(f"SELECT {text}")
    except ParseError as exc:
        raise ExpressionError(f"not a SQL expression: {exc.args[0]}") from None
    select = statements[0].stmt if len(statements) == 1 else None
    if (
        not isinstance(select, ast.SelectStmt)
        or select.targetList is None
        or len(select.targetList) != 1
        or any(getattr(select, key) for key in ("fromClause", "whereClause", "intoClause"))
    ):
        raise ExpressionError(f"not one SQL expression: {text!r}")
    _strip_casts()(select)
    return RawStream()(select.targetList[0].val)


def literal_text(value: object) -> str:
    """A literal default as text: booleans lower-case, numbers without trailing zeros."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f") if number.is_finite() else text


def registry_default(column: Column) -> str | None:
    """The registry's default in canonical form; None when the database sets none."""
    value = column.default
    if is_serial(column.type) and value is None:
        return "autoincrement()"
    if value is None or (isinstance(value, str) and APP_GENERATED.match(value.strip())):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text == "autoincrement()":
            return "autoincrement()"
        generated = _DBGENERATED.match(text)
        if generated:
            return database_default(generated["expr"]) if generated["expr"] else None
        if is_uuid_default(text):
            return "uuid()"
        if is_now_default(text):
            return "now()"
    if isinstance(value, str) and column.type.strip().endswith("[]"):
        items = prisma_list(value.strip())
        if items is not None:
            return array_literal(items)
    if isinstance(value, str) and is_json(column.type) and json_text(value) is not None:
        return json_text(value)
    return literal_text(value)


def is_json(type_name: str) -> bool:
    return normalize(type_name) in JSON_TYPES


def json_text(text: str) -> str | None:
    """JSON in one spelling (keys sorted, no spaces: jsonb reorders them), or None."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_LIST_ITEM = re.compile(r'\s*("(?:[^"\\]|\\.)*"|[^\s",\[\]]+)\s*(?:,|$)')
_ARRAY_QUOTED = re.compile(r'[ \t\n\r\v\f{}",\\]')  # what array_out quotes


def prisma_list(text: str) -> list[str] | None:
    """`[A, B]`, `["x", "y"]`, `[1, 2]` (a list default as Prisma writes it) -> its items."""
    if not (text.startswith("[") and text.endswith("]")):
        return None
    body, items, at = text[1:-1].strip(), [], 0
    while at < len(body):
        item = _LIST_ITEM.match(body, at)
        if item is None:
            return None
        try:
            items.append(json.loads(item[1]) if item[1].startswith('"') else item[1])
        except json.JSONDecodeError:
            return None
        at = item.end()
    return items


def array_literal(items: list[str]) -> str:
    """Items -> a PostgreSQL array literal as the server prints it: `{a,"b c"}`."""

    def element(item: str) -> str:
        if item and item.upper() != "NULL" and not _ARRAY_QUOTED.search(item):
            return item
        return '"' + item.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(element(item) for item in items) + "}"


@lru_cache(maxsize=4096)
def database_default(text: str) -> str | None:
    """A stored default expression (`pg_get_expr`) in canonical form."""
    from pglast import ast, parse_sql
    from pglast.parser import ParseError
    from pglast.stream import RawStream

    try:
        node = parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val
    except (ParseError, AttributeError, IndexError, TypeError):
        return f"dbgenerated({text})"
    cast = None
    while isinstance(node, ast.TypeCast):
        cast = cast or node.typeName.names[-1].sval
        node = node.arg
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None
        val = node.val
        raw = getattr(val, "sval", None)
        if raw is not None and cast in JSON_TYPES and json_text(raw) is not None:
            return json_text(raw)
        if raw is None:
            raw = getattr(val, "boolval", None)
        if raw is None:
            raw = getattr(val, "ival", getattr(val, "fval", None))
        return literal_text(raw)
    if isinstance(node, ast.SQLValueFunction) or (
        isinstance(node, ast.FuncCall) and is_now_default(RawStream()(node))
    ):
        return "now()"
    if isinstance(node, ast.FuncCall):
        name = node.funcname[-1].sval
        if name == "nextval":
            return "autoincrement()"
        if is_uuid_default(f"{name}()"):
            return "uuid()"
    try:
        return f"dbgenerated({expression(text)})"
    except ExpressionError:
        return f"dbgenerated({text})"


def predicate(text: str | None) -> str | None:
    """An index predicate in canonical form (casts and outer parentheses dropped)."""
    if text is None or not text.strip():
        return None
    try:
        return expression(text)
    except ExpressionError:
        return " ".join(text.split())


IndexDefinition = tuple[tuple[str, ...], bool, str, str | None]
# Types whose B-tree / hash default operator class is `<type>_ops` (`text_ops`, `int4_ops`).
_DEFAULT_OPS_TYPES = frozenset(
    {
        "text", "int2", "int4", "int8", "float4", "float8", "numeric", "bool", "date",
        "timestamp", "timestamptz", "time", "timetz", "interval", "uuid", "bytea", "bpchar",
        "char", "name", "oid", "money", "bit", "varbit", "jsonb", "enum", "inet", "macaddr",
        "macaddr8", "pg_lsn", "tsvector", "tsquery", "array", "range", "multirange",
        "record", "xid8", "oidvector",
    }
)  # fmt: skip
_DEFAULT_OPS = {
    "gin": frozenset({"array_ops", "jsonb_ops", "tsvector_ops"}),
    "spgist": frozenset({"inet_ops", "text_ops", "quad_point_ops", "range_ops", "box_ops"}),
}


def is_default_operator_class(method: str, ops: str) -> bool:
    """Whether `ops` is the default operator class of `method` for the type it serves
    (`jsonb_ops` for GIN, `int4_minmax_ops` for BRIN, `text_ops` for B-tree): PostgreSQL
    reports no operator class for such a key, so naming it changes nothing."""
    if method in ("btree", "hash"):
        return ops.endswith("_ops") and ops.removesuffix("_ops") in _DEFAULT_OPS_TYPES
    if method == "brin":
        return ops.endswith(("_minmax_ops", "_inclusion_ops"))
    return ops in _DEFAULT_OPS.get(method, ())


def index_key(name: str, ops: str | None = None, descending: bool = False) -> str:
    """One key of an index as its definition reads: `email gin_trgm_ops DESC`."""
    return " ".join([name, *([ops] if ops else []), *(["DESC"] if descending else [])])


def index_definition(
    columns: Sequence[str],
    unique: bool,
    method: str | None,
    where: str | None,
    ops: Sequence[str | None] = (),
    descending: Sequence[bool] = (),
) -> IndexDefinition:
    """What makes two indexes the same index: keys (column, operator class, sort order),
    uniqueness, access method, predicate; in one canonical form for the registry and a
    live database alike (a default operator class and ASC are left out)."""
    method = (method or "btree").lower()
    n = len(columns)
    canonical = [None if not o or is_default_operator_class(method, o) else o for o in ops]
    canonical = [*canonical, *[None] * n][:n]
    descending = [*descending, *[False] * n][:n]
    keys = tuple(index_key(c, o, d) for c, o, d in zip(columns, canonical, descending, strict=True))
    return keys, unique, method, predicate(where)


def registry_index_definition(index: Index) -> IndexDefinition:
    """`index_definition` of a registry index."""
    return index_definition(
        index.columns,
        index.unique,
        index.type,
        index.where,
        [index.ops.get(c) for c in index.columns],
        [index.order.get(c) == "desc" for c in index.columns],
    )
