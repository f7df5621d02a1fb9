"""`import prisma --update`: refresh a service file from its Prisma schema in place.

The file is edited as a YAML document (ruamel.yaml round trip), so its comments, key
order and layout stay. Only what the Prisma schema knows is refreshed: tables (`model`),
columns (type, keys, nullability, default, `updated_at`, an in-database `references`),
indexes (columns, unique, type) and enums (`db_name`, values). Everything else is the
registry's own and kept: descriptions, owner, title, cross-service references with their
sync, `copy_of`, `external`, events, migrations, any key Prisma has no word for. A value
that means the same (`int` for `integer`, `gen_random_uuid()` for `uuid()`) is not
rewritten. Each change is reported as one line.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from ..models import Column
from ..source import SourceError, parse
from ..sql.normal import column_type, registry_default
from .importer import COLUMN_KEY_ORDER
from .writer import FLOW_WIDTH

_ENTRY = re.compile(r"^( *)- ", re.MULTILINE)  # a block sequence entry
_KEY = re.compile(r"^( *)[^\s#-][^:#]*:\s*(#.*)?$")  # a key that opens a block
COLUMN_KEYS = ("type", "primary_key", "nullable", "unique", "default", "updated_at")
INDEX_KEYS = ("columns", "unique", "type")


class UpdateError(ValueError):
    """The file cannot be edited as YAML (the loader reports why in detail)."""


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()  # round trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _dump(yaml: YAML, document: object) -> str:
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()


def _layout(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them, read from its
    first nested mapping and its first block sequence (2, 2, 0 when it has none)."""
    lines = text.splitlines()
    mapping, offset = 0, None
    for above, line in itertools.pairwise(lines):
        opener = _KEY.match(above)
        if opener is None or not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip(" ")) - len(opener[1])
        entry = _ENTRY.match(line)
        if entry is not None and offset is None:
            offset = len(entry[1]) - len(opener[1])
        elif entry is None and depth > 0 and not mapping:
            mapping = depth
        if mapping and offset is not None:
            break
    mapping, offset = mapping or 2, offset or 0
    return mapping, offset + 2, offset


def _load(text: str) -> tuple[YAML, CommentedMap]:
    """The document, and a YAML that writes it in the file's own layout."""
    yaml = _yaml(_layout(text))
    try:
        document = yaml.load(text)
    except Exception as exc:  # ruamel raises several unrelated error classes
        raise UpdateError(f"not YAML that can be edited: {exc}") from None
    if not isinstance(document, CommentedMap):
        raise UpdateError("the top level is not a mapping")
    return yaml, document


def update_text(text: str, imported: dict) -> tuple[str, list[str]]:
    """The file's text refreshed from the imported service data, and what changed (none:
    the text is returned as it was). A first pass on plain data (the fast loader) finds
    a file that is up to date without the slower round-trip parser."""
    try:
        plain = parse(text).data
    except SourceError:
        plain = None
    if isinstance(plain, dict) and not _merge(plain, imported):
        return text, []
    yaml, document = _load(text)
    changes = _merge(document, imported)
    if not changes:
        return text, []
    return _dump(yaml, document), changes


def _merge(document: dict, imported: dict) -> list[str]:
    """Refresh `document` (round-trip or plain data) in place; the changes made."""
    changes: list[str] = []
    enums: dict[str, str] = {}  # enum name or db_name -> the Postgres type (as normal.py)
    for enum in imported.get("enums", []):
        enums[enum["name"]] = enums[enum.get("db_name") or enum["name"]] = (
            enum.get("db_name") or enum["name"]
        )
    merge_table = _table_merger(enums)
    _merge_list(document, "enums", imported.get("enums", []), "enum", _merge_enum, changes)
    _merge_list(document, "tables", imported.get("tables", []), "table", merge_table, changes)
    return changes


# --- lists of named objects ---------------------------------------------------------------
Merge = Callable[[CommentedMap, dict, str, list[str]], None]


def _merge_list(
    parent: CommentedMap, key: str, wanted: list[dict], kind: str, merge: Merge, changes: list[str]
) -> None:
    """Objects matched by `name`: merged, added (after their predecessor), removed."""
    current = parent.get(key)
    if not isinstance(current, list):
        if not wanted:
            return
        current = CommentedSeq()
        _insert_key(parent, key, current)
    prefix = f"{parent['name']}." if kind in ("column", "index") else ""
    if kind == "table":
        _follow_renames(current, wanted, changes)
    names = [item.get("name") if isinstance(item, dict) else None for item in current]
    wanted_names = {item["name"] for item in wanted}
    for i in reversed(range(len(current))):
        if names[i] not in wanted_names:
            changes.append(f"removed {kind} {prefix}{names[i]}")
            tail = _take_tail(current[i]) if i == len(current) - 1 else None
            del current[i]
            if tail is not None:  # the blank line that followed the list
                _put_tail(current[-1] if current else parent, tail)
    at = 0
    for item in wanted:
        found = next(
            (
                j
                for j, x in enumerate(current)
                if isinstance(x, dict) and x.get("name") == item["name"]
            ),
            None,
        )
        if found is None:
            current.insert(at, _new(item, compact=kind in ("column", "index")))
            if at == len(current) - 1 and at > 0:  # a new last item: the same spacing
                tail = _take_tail(current[at - 1])
                if tail is not None:
                    _put_tail(current[at - 1], _copy(tail))
                    _put_tail(current[at], tail)
            changes.append(f"added {kind} {prefix}{item['name']}")
            at += 1
        else:
            merge(current[found], item, f"{prefix}{item['name']}", changes)
            at = max(at, found + 1)
    if not current and key in parent:
        tail = _take_tail(parent)
        del parent[key]
        if tail is not None:
            _put_tail(parent, tail)


def _follow_renames(current: CommentedSeq, wanted: list[dict], changes: list[str]) -> None:
    """A table whose Prisma model now maps to another name (`@@map`) is renamed in place,
    so what the registry wrote about it stays."""
    wanted_names = {item["name"] for item in wanted}
    names = {item.get("name") for item in current if isinstance(item, dict)}
    by_model = {item.get("model"): item["name"] for item in wanted if item["name"] not in names}
    for item in current:
        if not isinstance(item, dict) or item.get("name") in wanted_names:
            continue
        new_name = by_model.pop(item.get("model"), None)
        if new_name is not None:
            changes.append(f"renamed table {item['name']} -> {new_name}")
            item["name"] = new_name


def _merge_enum(enum: CommentedMap, new: dict, name: str, changes: list[str]) -> None:
    _set(enum, "db_name", new.get("db_name"), f"enum {name}", changes)
    if list(enum.get("values") or []) != new["values"]:
        changes.append(f"changed enum {name}: values {_shown(enum.get('values'))} -> "
                       f"{_shown(new['values'])}")  # fmt: skip
        _replace(enum, "values", _flow_list(new["values"]))


def _table_merger(enums: dict[str, str]) -> Merge:
    merge_column = _column_merger(enums)

    def merge(table: CommentedMap, new: dict, name: str, changes: list[str]) -> None:
        _set(table, "model", new.get("model"), f"table {name}", changes)
        _merge_list(table, "columns", new["columns"], "column", merge_column, changes)
        _merge_list(table, "indexes", new.get("indexes", []), "index", _merge_index, changes)
        key = new.get("primary_key") or [c["name"] for c in new["columns"] if c.get("primary_key")]
        if _key_order(table) != key:  # a composite key in another order than the columns
            value = _flow_list(key) if len(key) > 1 else None
            _set(table, "primary_key", value, f"table {name}", changes, force=True)

    return merge


def _key_order(table: CommentedMap) -> list[str]:
    """The registry's primary key in key order (as `Table.key_columns`)."""
    listed = table.get("primary_key")
    if isinstance(listed, list) and listed:
        return list(listed)
    columns = table.get("columns") or []
    return [c.get("name") for c in columns if isinstance(c, dict) and c.get("primary_key")]


def _column_merger(enums: dict[str, str]) -> Merge:
    def merge(column: CommentedMap, new: dict, name: str, changes: list[str]) -> None:
        what = f"column {name}"
        for key in COLUMN_KEYS:
            if not _same_column_value(key, column, new, enums):
                _set(column, key, new.get(key), what, changes, force=True)
        _merge_reference(column, new.get("references"), what, changes)

    return merge


def _same_column_value(key: str, column: CommentedMap, new: dict, enums: dict[str, str]) -> bool:
    old, value = column.get(key), new.get(key)
    if key == "type":
        return isinstance(old, str) and column_type(old, enums) == column_type(value, enums)
    if key == "default":
        before, after = _default(column, old), _default(new, value)
        if before != after:
            return False
        # `serial` holds autoincrement() without saying so; else both say one or neither
        return before == "autoincrement()" or (old is None) == (value is None)
    return bool(old) == bool(value)


def _default(column: dict, value: object) -> str | None:
    try:
        return registry_default(Column(name="c", type=str(column.get("type")), default=value))
    except (ValueError, TypeError):
        return str(value)


def _is_in_database(reference: object) -> bool:
    """A `table.column` reference (or a link with `foreign_key: true`): Prisma's to know."""
    if isinstance(reference, dict):
        column = reference.get("column")
        return (
            bool(reference.get("foreign_key"))
            and isinstance(column, str)
            and column.count(".") == 1
        )
    return isinstance(reference, str) and reference.count(".") == 1


def _merge_reference(column: CommentedMap, new: str | None, what: str, changes: list[str]) -> None:
    old = column.get("references")
    if new is None:
        if _is_in_database(old):
            changes.append(f"changed {what}: references {_target(old)} -> none")
            del column["references"]
        return
    if _is_in_database(old) and _target(old) == new:
        return
    if isinstance(old, dict) and _is_in_database(old):
        changes.append(f"changed {what}: references {_target(old)} -> {new}")
        old["column"] = new
        return
    changes.append(f"changed {what}: references {_target(old) or 'none'} -> {new}")
    _set(column, "references", new, what, [], force=True)


def _target(reference: object) -> str | None:
    return reference.get("column") if isinstance(reference, dict) else reference  # type: ignore[return-value]


def _merge_index(index: CommentedMap, new: dict, name: str, changes: list[str]) -> None:
    what = f"index {name}"
    if list(index.get("columns") or []) != new["columns"]:
        changes.append(f"changed {what}: columns {_shown(index.get('columns'))} -> "
                       f"{_shown(new['columns'])}")  # fmt: skip
        _replace(index, "columns", _flow_list(new["columns"]))
    if bool(index.get("unique")) != bool(new.get("unique")):
        _set(index, "unique", new.get("unique"), what, changes, force=True)
    if str(index.get("type") or "btree").lower() != str(new.get("type") or "btree").lower():
        _set(index, "type", new.get("type"), what, changes, force=True)
    for key in ("ops", "order"):  # column -> operator class / sort order
        wanted = new.get(key) or {}
        if dict(index.get(key) or {}) != wanted:
            _set(index, key, _flow_map(wanted) if wanted else None, what, changes, force=True)


# --- single values --------------------------------------------------------------------
def _set(
    item: CommentedMap, key: str, value: object, what: str, changes: list[str], force: bool = False
) -> None:
    """Set `key` (remove it when `value` is None or false) and report the change."""
    old = item.get(key)
    if not force and old == value:
        return
    if value is None or value is False:
        if key in item:
            changes.append(f"changed {what}: {key} {_shown(old)} -> {_shown(value)}")
            del item[key]
        return
    changes.append(f"changed {what}: {key} {_shown(old) if key in item else 'none'} -> "
                   f"{_shown(value)}")  # fmt: skip
    if key in item:
        _replace(item, key, value)
    else:
        _insert_key(item, key, value)


def _replace(item: CommentedMap, key: str, value: object) -> None:
    """A new value for `key`; a comment at the end of its line moves right if it must, to
    stay two spaces clear of the value."""
    item[key] = value
    if not isinstance(item, CommentedMap):
        return  # plain data (the first pass): no comments
    entry = item.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or not token.value.lstrip(" ").startswith("#"):
        return
    try:
        start = item.lc.value(key)[1]
    except (KeyError, TypeError, IndexError):
        return
    end = start + len(_shown(value))
    if token.column < end + 2:
        entry[2] = CommentToken(token.value, CommentMark(end + 2), None)


TOP_ORDER = ("service", "database", "enums", "tables", "events", "migrations")
TABLE_ORDER = ("name", "model", "description", "primary_key", "columns", "indexes")
INDEX_ORDER = ("name", "columns", "unique", "type", "where", "ops", "order", "description")
ENUM_ORDER = ("name", "db_name", "description", "values")


def _key_order_of(item: CommentedMap, key: str) -> tuple[str, ...]:
    """The usual key order of the kind of object `item` is."""
    if key in ("enums", "tables") or "service" in item:
        return TOP_ORDER
    columns = item.get("columns")
    if isinstance(columns, list) and (not columns or isinstance(columns[0], dict)):
        return TABLE_ORDER
    if columns is not None:
        return INDEX_ORDER
    return ENUM_ORDER if "values" in item else COLUMN_KEY_ORDER


def _insert_key(item: CommentedMap, key: str, value: object) -> None:
    """Add `key` where the registry usually has it (after the keys that come before it)."""
    if not isinstance(item, CommentedMap):
        item[key] = value  # plain data (the first pass): the order does not matter
        return
    order = _key_order_of(item, key)
    rank = order.index(key) if key in order else len(order)
    position = 0
    for i, existing in enumerate(item):
        if existing in order and order.index(existing) < rank:
            position = i + 1
    item.insert(position, key, value)


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {v}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


def _flow_map(values: dict) -> CommentedMap:
    mapping = CommentedMap(values)
    mapping.fa.set_flow_style()
    return mapping


def _flow_list(values: list) -> CommentedSeq:
    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _new(item: dict, compact: bool) -> CommentedMap:
    """A new object in the registry's layout: short columns and indexes on one line."""
    out = CommentedMap()
    for key, value in item.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out[key] = CommentedSeq(_new(v, compact=True) for v in value)
        elif isinstance(value, list):
            out[key] = _flow_list(value)
        elif isinstance(value, dict):
            out[key] = _flow_map(value)
        else:
            out[key] = value
    if compact and _width(item) <= FLOW_WIDTH:
        out.fa.set_flow_style()
    return out


def _width(item: dict) -> int:
    if any(isinstance(v, str) and "\n" in v for v in item.values()):
        return FLOW_WIDTH + 1
    return 2 + sum(len(k) + 4 + len(_shown(v)) for k, v in item.items())


# --- the comment after an object's last line (blank lines between objects) --------------
def _tail_slot(node: object) -> tuple[CommentedMap | CommentedSeq, str | int] | None:
    """The last key or item, at the deepest block level, of `node`: ruamel keeps the
    comment (or blank lines) that follow `node` there."""
    while isinstance(node, CommentedMap | CommentedSeq) and len(node) and not node.fa.flow_style():
        key = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        value = node[key]
        if isinstance(value, CommentedMap | CommentedSeq) and len(value):
            if not value.fa.flow_style():
                node = value
                continue
            if isinstance(node, CommentedMap):
                return node, key
        return node, key
    return None


def _take_tail(node: object) -> CommentToken | None:
    slot = _tail_slot(node)
    if slot is None:
        return None
    container, key = slot
    entry = container.ca.items.get(key)
    at = 2 if isinstance(container, CommentedMap) else 0
    if not entry or entry[at] is None:
        return None
    token, entry[at] = entry[at], None
    return token


def _put_tail(node: object, token: CommentToken) -> None:
    slot = _tail_slot(node)
    if slot is None:
        return
    container, key = slot
    if isinstance(container, CommentedMap):
        entry = container.ca.items.setdefault(key, [None, None, None, None])
        entry[2] = token
    else:
        entry = container.ca.items.setdefault(key, [None, None])
        entry[0] = token


def _copy(token: CommentToken) -> CommentToken:
    return CommentToken(token.value, CommentMark(0), None)
