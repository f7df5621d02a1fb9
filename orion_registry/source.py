"""YAML text -> plain data plus a source map of every key's and value's position.

The file is composed into nodes by libyaml (the C parser, when PyYAML has it), then
built into plain Python data by a small constructor of our own that:

* rejects duplicate keys (PyYAML silently keeps the last one),
* accepts only the plain YAML core types (no tags that construct objects, no merge keys),
* bounds what a file may cost: bytes, nodes built (so alias bombs stop early), nesting depth.

Positions are kept in a mirror of the data (`PosMap` / `PosSeq`) holding packed integers,
which costs far less memory than a map of path tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # libyaml's C parser; the pure-Python one is the fallback.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5_000_000
MAX_NODES = 500_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT = _TAG + "str", _TAG + "int", _TAG + "float"
_BOOL, _NULL, _TIMESTAMP = _TAG + "bool", _TAG + "null", _TAG + "timestamp"
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
_BITS = 20
_MASK = (1 << _BITS) - 1
_KEY_SHIFT = 2 * _BITS
_SCALAR_HELPER = yaml.SafeLoader("")  # borrowed for the rare int/float/timestamp spellings

Path_ = tuple[str | int, ...]


class SourceError(Exception):
    """A file that cannot be used at all; carries the position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _pack(line: int, column: int) -> int:
    return (min(line, _MASK) << _BITS) | min(column, _MASK)


def _unpack(packed: int) -> tuple[int, int]:
    return (packed >> _BITS) & _MASK, packed & _MASK


def _start(node: Node) -> int:
    mark = node.start_mark
    return _pack(mark.line + 1, mark.column + 1)


class PosMap(dict):
    """Positions of a mapping: key -> packed (key, value) position or a nested PosMap/PosSeq."""

    __slots__ = ("key_start", "start")

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start
        self.key_start = start


class PosSeq(list):
    """Positions of a sequence: item -> packed position or a nested PosMap/PosSeq."""

    __slots__ = ("key_start", "start")

    def __init__(self, start: int) -> None:
        super().__init__()
        self.start = start
        self.key_start = start


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Where each key and value of one file sits (1-based line and column)."""

    root: PosMap | PosSeq | int

    @classmethod
    def empty(cls) -> SourceMap:
        return cls(_pack(1, 1))

    def locate(self, path: Sequence[str | int], key: bool = False) -> tuple[int, int]:
        """Position of the value at `path` (or of its key); the nearest parent when missing."""
        node: PosMap | PosSeq | int = self.root
        for part in path:
            if (isinstance(node, PosMap) and part in node) or (
                isinstance(node, PosSeq) and isinstance(part, int) and 0 <= part < len(node)
            ):
                node = node[part]
            else:
                break
        else:
            return _unpack(_key_of(node) if key else _value_of(node))
        return _unpack(_value_of(node))


def _value_of(node: PosMap | PosSeq | int) -> int:
    if isinstance(node, int):
        return node & ((1 << _KEY_SHIFT) - 1)
    return node.start


def _key_of(node: PosMap | PosSeq | int) -> int:
    if isinstance(node, int):
        return node >> _KEY_SHIFT or node
    return node.key_start


@dataclass(frozen=True, slots=True)
class Document:
    data: object
    source_map: SourceMap


def read_text(path: Path) -> str:
    """Read a UTF-8 file within the size bound, or raise SourceError with its position."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SourceError(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)", line, column
        ) from None
    return text.removeprefix("\ufeff")


def parse(text: str) -> Document:
    """Compose `text` and build plain data with its source map; SourceError on bad input."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem or "nesting depth" in str(exc):
            problem = "nesting is too deep"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels") from None
    if node is None:
        raise SourceError("file is empty: expected a mapping of keys")
    builder = _Builder()
    data, positions = builder.build(node, 0)
    return Document(data, SourceMap(positions))


def load_file(path: Path) -> Document:
    return parse(read_text(path))


class _Builder:
    """Turns composed nodes into plain data and positions, within the cost bounds."""

    __slots__ = ("budget", "sizes")

    def __init__(self) -> None:
        self.budget = MAX_NODES
        self.sizes: dict[int, tuple[int, object, PosMap | PosSeq | int]] = {}

    def build(self, node: Node, depth: int) -> tuple[object, PosMap | PosSeq | int]:
        if depth > MAX_DEPTH:
            raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels", *_unpack(_start(node)))
        if isinstance(node, ScalarNode):
            self._spend(1, node)
            return _scalar(node), _start(node)
        seen = self.sizes.get(id(node))
        if seen is not None:  # an alias: reuse the data, but pay for its size again
            self._spend(seen[0], node)
            return seen[1], seen[2]
        before = self.budget
        if isinstance(node, MappingNode):
            result = self._mapping(node, depth)
        elif isinstance(node, SequenceNode):
            result = self._sequence(node, depth)
        else:  # pragma: no cover - composer yields only these three
            raise SourceError("unsupported YAML node", *_unpack(_start(node)))
        self.sizes[id(node)] = (before - self.budget, *result)
        return result

    def _spend(self, cost: int, node: Node) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise SourceError(
                f"file expands to more than {MAX_NODES:,} values (an alias bomb?)",
                *_unpack(_start(node)),
            )

    def _mapping(self, node: MappingNode, depth: int) -> tuple[dict, PosMap]:
        if node.tag != _MAP:
            raise _tag_error(node)
        self._spend(1, node)
        data: dict = {}
        positions = PosMap(_start(node))
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise SourceError("mapping keys must be plain scalars", *_unpack(_start(key_node)))
            if key_node.tag == _TAG + "merge":
                raise SourceError(
                    "merge keys ('<<') are not supported; write the keys out",
                    *_unpack(_start(key_node)),
                )
            key = _scalar(key_node)
            if not isinstance(key, str | int | bool) or key is None:
                key = str(key)
            key_pos = _start(key_node)
            if key in data:
                first_line, _ = _unpack(_key_of(positions[key]))
                raise SourceError(
                    f"duplicate key '{key}' (first defined on line {first_line})",
                    *_unpack(key_pos),
                )
            value, value_pos = self.build(value_node, depth + 1)
            data[key] = value
            if isinstance(value_pos, int):
                positions[key] = (key_pos << _KEY_SHIFT) | value_pos
            else:
                if value_pos.key_start != value_pos.start:  # shared through an alias
                    value_pos = _shallow_copy(value_pos)
                value_pos.key_start = key_pos
                positions[key] = value_pos
        return data, positions

    def _sequence(self, node: SequenceNode, depth: int) -> tuple[list, PosSeq]:
        if node.tag != _SEQ:
            raise _tag_error(node)
        self._spend(1, node)
        data: list = []
        positions = PosSeq(_start(node))
        for item in node.value:
            value, value_pos = self.build(item, depth + 1)
            data.append(value)
            positions.append(value_pos)
        return data, positions


def _shallow_copy(positions: PosMap | PosSeq) -> PosMap | PosSeq:
    copy = type(positions)(positions.start)
    if isinstance(positions, PosMap):
        copy.update(positions)
    else:
        copy.extend(positions)
    return copy


def _tag_error(node: Node) -> SourceError:
    return SourceError(
        f"tag '{node.tag}' is not allowed: the registry holds plain YAML data only",
        *_unpack(_start(node)),
    )


def _scalar(node: ScalarNode) -> object:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() in ("yes", "true", "on")
    if tag == _INT:
        try:
            return int(value)
        except ValueError:
            return _SCALAR_HELPER.construct_yaml_int(node)
    if tag == _FLOAT:
        return _SCALAR_HELPER.construct_yaml_float(node)
    if tag == _TIMESTAMP:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return _SCALAR_HELPER.construct_yaml_timestamp(node)
    raise _tag_error(node)
