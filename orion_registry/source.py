"""YAML text -> plain data plus a source map of every key's and value's position.

libyaml (the C parser, when PyYAML has it) turns the text into events, and a small builder
of our own turns the events straight into plain Python data (no node tree), while it:

* rejects duplicate keys (PyYAML silently keeps the last one),
* accepts only the plain YAML core types (no tags that construct objects, no merge keys),
* bounds what a file may cost: bytes, nodes built (so alias bombs stop early), nesting depth.

Positions are kept in a mirror of the data (`PosMap` / `PosSeq`) whose leaves are integers
packing a key's and its value's line and column. They are only needed where a finding is
reported, so a `SourceMap` keeps the text and builds them on the first `locate`: most files
of a large registry never need them. The one load error that needs an earlier position (a
duplicate key names the first one's line) builds the file again with positions.
Plain scalars are resolved once per distinct text (`_PLAIN`), which also shares the strings
that every file repeats (`name`, `type`, `uuid`...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import Node, ScalarNode

if TYPE_CHECKING:
    from .cache import ParseCache

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
_RESOLVER = yaml.resolver.Resolver()  # the implicit types of PyYAML's (C)SafeLoader
_PLAIN: dict[str, object] = {}  # plain scalar text -> its value, shared by every file
_PLAIN_LIMIT = 200_000
_MISSING = object()


class SourceError(Exception):
    """A file that cannot be used at all; carries the position of the problem."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def _pack(line: int, column: int) -> int:
    return (min(line, _MASK) << _BITS) | min(column, _MASK)


def _mark(mark: Mark) -> int:
    """A parser mark (0-based) packed as a 1-based position; `_pack` inlined: a hot path."""
    return (min(mark.line + 1, _MASK) << _BITS) | min(mark.column + 1, _MASK)


def _unpack(packed: int) -> tuple[int, int]:
    return (packed >> _BITS) & _MASK, packed & _MASK


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


class SourceMap:
    """Where each key and value of one file sits (1-based line and column).

    Made from positions, or from the file's text: then the positions are built on the
    first `locate` (the text passed `parse` already, so that cannot fail).
    """

    __slots__ = ("_root", "_text")

    def __init__(self, root: PosMap | PosSeq | int | None = None, text: str | None = None) -> None:
        if root is None and text is None:
            raise ValueError("a SourceMap needs positions or the text to compute them from")
        self._root = root
        self._text = text

    @classmethod
    def empty(cls) -> SourceMap:
        return cls(_pack(1, 1))

    @property
    def root(self) -> PosMap | PosSeq | int:
        if self._root is None:
            self._root = _build(self._text or "", positions=True)[1]
            self._text = None
        return self._root  # type: ignore[return-value]

    def __repr__(self) -> str:
        return f"SourceMap({self._root!r})" if self._text is None else "SourceMap(<lazy>)"

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


def read_bytes(path: Path) -> bytes:
    """Read a file within the size bound, or raise SourceError."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SourceError(f"file is {size:,} bytes; the limit is {MAX_BYTES:,}")
    return path.read_bytes()


def read_text(path: Path) -> str:
    """Read a UTF-8 file within the size bound, or raise SourceError with its position."""
    return decode(read_bytes(path))


def decode(raw: bytes) -> str:
    """UTF-8 bytes (e.g. a file read from git) -> text, within the size bound."""
    if len(raw) > MAX_BYTES:
        raise SourceError(f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}")
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
    """Build plain data from `text`; SourceError on bad input. Positions come on demand."""
    data, _ = _build(text, positions=False)
    return Document(data, SourceMap(text=text))


def _build(text: str, positions: bool) -> tuple[object, PosMap | PosSeq | int | None]:
    try:
        try:
            return _Builder(text, positions).document()
        except _NeedPositions:  # a message needs an earlier position: build them, fail again
            return _Builder(text, True).document()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context:  # e.g. "but found another document" needs its context
            problem = f"{exc.problem} ({exc.context})"
        if "nesting depth" in str(exc):
            problem = "nesting is too deep"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError(f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels") from None


def load_file(path: Path, cache: ParseCache | None = None) -> Document:
    return parse_bytes(read_bytes(path), cache)


def parse_bytes(raw: bytes, cache: ParseCache | None = None, key: str = "") -> Document:
    """`parse` of a file's bytes, through `cache` when given (same result, hit or miss);
    `key` is `cache.key(raw)` when the caller has it already."""
    text = decode(raw)
    if cache is None:
        return parse(text)
    key = key or cache.key(raw)
    hit, data = cache.get(key)
    if hit:
        return Document(data, SourceMap(text=text))
    document = parse(text)
    cache.put(key, document.data)
    return document


class _NeedPositions(Exception):
    """Raised by a builder without positions when an error message needs one."""


_EMPTY = "file is empty: expected a mapping of keys"
_MERGE = _TAG + "merge"


@dataclass(slots=True)
class _Anchor:
    """What an alias to this anchor stands for."""

    mark: Mark
    cost: int | None = None  # nodes it built; None while it is being built
    data: object = None
    positions: PosMap | PosSeq | int | None = None
    scalar: bool = False

    def fill(self, cost: int, data: object, positions: object, scalar: bool) -> None:
        self.cost, self.data, self.positions, self.scalar = cost, data, positions, scalar


class _Builder:
    """Turns parser events into plain data (and positions), within the cost bounds."""

    __slots__ = ("anchors", "budget", "next_event", "positions", "text")

    def __init__(self, text: str, positions: bool) -> None:
        self.text = text
        self.positions = positions  # also build the PosMap/PosSeq mirror
        self.budget = MAX_NODES
        self.anchors: dict[str, _Anchor] = {}

    def document(self) -> tuple[object, PosMap | PosSeq | int | None]:
        loader = _Loader(self.text)
        try:
            self.next_event = next_event = loader.get_event
            next_event()  # stream start
            start = next_event()
            if type(start) is StreamEndEvent:
                raise SourceError(_EMPTY)
            root = next_event()
            if type(root) is ScalarEvent and root.value == "" and _resolved(root) == _NULL:
                raise SourceError(_EMPTY)
            result = self.node(root, 0)
            next_event()  # document end
            end = next_event()
            if type(end) is not StreamEndEvent:
                raise ComposerError(
                    "expected a single document in the stream",
                    root.start_mark,
                    "but found another document",
                    end.start_mark,
                )
            return result
        finally:
            loader.dispose()

    def node(self, event: Event, depth: int) -> tuple[object, PosMap | PosSeq | int | None]:
        if depth > MAX_DEPTH:
            raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels", *_at(event))
        kind = type(event)
        if kind is ScalarEvent:
            self._spend(1, event)
            value = _scalar_value(event)
            position = _mark(event.start_mark) if self.positions else None
            if event.anchor is not None:
                self._define(event).fill(1, value, position, scalar=True)
            return value, position
        if kind is MappingStartEvent:
            return self._collection(event, depth, self._mapping, _MAP)
        if kind is SequenceStartEvent:
            return self._collection(event, depth, self._sequence, _SEQ)
        return self._alias(event)

    def _collection(self, event: Event, depth: int, build, tag: str) -> tuple[object, object]:
        if event.tag is not None and event.tag not in (tag, "!"):
            raise _tag_error(event.tag, event)
        entry = self._define(event) if event.anchor is not None else None
        before = self.budget
        self._spend(1, event)
        data, positions = build(event, depth)
        if entry is not None:
            entry.fill(before - self.budget, data, positions, scalar=False)
        return data, positions

    def _define(self, event: Event) -> _Anchor:
        first = self.anchors.get(event.anchor)
        if first is not None:
            raise ComposerError(
                "found duplicate anchor; first occurrence",
                first.mark,
                "second occurrence",
                event.start_mark,
            )
        entry = self.anchors[event.anchor] = _Anchor(event.start_mark)
        return entry

    def _alias(self, event: Event) -> tuple[object, PosMap | PosSeq | int | None]:
        entry = self.anchors.get(event.anchor)
        if entry is None:
            raise ComposerError(None, None, "found undefined alias", event.start_mark)
        if entry.cost is None:  # an alias inside its own anchor: endless nesting
            raise SourceError(f"nesting is deeper than {MAX_DEPTH} levels", *_at(event))
        self._spend(entry.cost, event)  # reuse the data, but pay for its size again
        return entry.data, entry.positions

    def _spend(self, cost: int, event: Event) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise SourceError(
                f"file expands to more than {MAX_NODES:,} values (an alias bomb?)", *_at(event)
            )

    def _key(self, event: Event) -> tuple[object, int]:
        """A mapping key and its packed position (0 without positions)."""
        kind = type(event)
        if kind is ScalarEvent:
            if _resolved(event) == _MERGE:
                raise SourceError(
                    "merge keys ('<<') are not supported; write the keys out", *_at(event)
                )
            key = _scalar_value(event)
            if event.anchor is not None:
                position = _mark(event.start_mark) if self.positions else None
                self._define(event).fill(1, key, position, scalar=True)
        elif kind is AliasEvent:
            entry = self.anchors.get(event.anchor)
            if entry is None or not entry.scalar:
                self._alias(event)  # undefined: the parser's message
                raise SourceError("mapping keys must be plain scalars", *_at(event))
            key = entry.data
        else:
            raise SourceError("mapping keys must be plain scalars", *_at(event))
        if not isinstance(key, str | int):
            key = str(key)
        return key, _mark(event.start_mark) if self.positions else 0

    def _mapping(self, start: Event, depth: int) -> tuple[dict, PosMap | None]:
        next_event, track, plain, budget = self.next_event, self.positions, _PLAIN, self.budget
        data: dict = {}
        positions = PosMap(_mark(start.start_mark)) if track else None
        fast_values = depth < MAX_DEPTH  # values are not too deep: scalars take the fast path
        while True:
            event = next_event()
            kind = type(event)
            if kind is MappingEndEvent:
                break
            # a plain, untagged, unanchored key seen before (in any file): no resolving
            key = (
                plain.get(event.value, _MISSING)
                if kind is ScalarEvent
                and event.tag is None
                and event.anchor is None
                and event.implicit[0]
                else _MISSING
            )
            if key is _MISSING or not isinstance(key, str):
                key, key_pos = self._key(event)
            elif track:
                key_pos = _mark(event.start_mark)
            if key in data:
                if not track:
                    raise _NeedPositions
                raise SourceError(
                    f"duplicate key '{key}' (first defined on line "
                    f"{_unpack(_key_of(positions[key]))[0]})",
                    *_at(event),
                )
            event = next_event()
            if type(event) is ScalarEvent and fast_values and event.anchor is None:
                budget -= 1
                if budget < 0:
                    self.budget = budget
                    self._spend(0, event)
                value = (
                    plain.get(event.value, _MISSING)
                    if event.tag is None and event.implicit[0]
                    else _MISSING
                )
                if value is _MISSING:
                    value = _scalar_value(event)
                data[key] = value
                if track:
                    positions[key] = (key_pos << _KEY_SHIFT) | _mark(event.start_mark)
                continue
            self.budget = budget
            value, value_pos = self.node(event, depth + 1)
            budget = self.budget
            data[key] = value
            if not track:
                continue
            if isinstance(value_pos, int):
                positions[key] = (key_pos << _KEY_SHIFT) | value_pos
            else:
                if value_pos.key_start != value_pos.start:  # shared through an alias
                    value_pos = _shallow_copy(value_pos)
                value_pos.key_start = key_pos
                positions[key] = value_pos
        self.budget = budget
        return data, positions

    def _sequence(self, start: Event, depth: int) -> tuple[list, PosSeq | None]:
        next_event, track, plain = self.next_event, self.positions, _PLAIN
        data: list = []
        positions = PosSeq(_mark(start.start_mark)) if track else None
        fast_values = depth < MAX_DEPTH
        while True:
            event = next_event()
            kind = type(event)
            if kind is SequenceEndEvent:
                break
            if kind is ScalarEvent and fast_values and event.anchor is None:
                self._spend(1, event)
                value = (
                    plain.get(event.value, _MISSING)
                    if event.tag is None and event.implicit[0]
                    else _MISSING
                )
                data.append(_scalar_value(event) if value is _MISSING else value)
                if track:
                    positions.append(_mark(event.start_mark))
                continue
            value, value_pos = self.node(event, depth + 1)
            data.append(value)
            if track:
                positions.append(value_pos)
        return data, positions


def _at(where: Event | Node) -> tuple[int, int]:
    return where.start_mark.line + 1, where.start_mark.column + 1


def _resolved(event: ScalarEvent) -> str:
    """The tag of a scalar, as PyYAML's composer resolves it."""
    tag = event.tag
    if tag is None or tag == "!":
        return _RESOLVER.resolve(ScalarNode, event.value, event.implicit)
    return tag


def _scalar_value(event: ScalarEvent) -> object:
    """The value of a scalar event; a plain, untagged one is remembered in `_PLAIN`."""
    tag = _resolved(event)
    value = _scalar(ScalarNode(tag, event.value, event.start_mark, event.end_mark))
    if event.tag is None and event.implicit[0]:
        if len(_PLAIN) >= _PLAIN_LIMIT:
            _PLAIN.clear()
        _PLAIN[event.value] = value
    return value


def _shallow_copy(positions: PosMap | PosSeq) -> PosMap | PosSeq:
    copy = type(positions)(positions.start)
    if isinstance(positions, PosMap):
        copy.update(positions)
    else:
        copy.extend(positions)
    return copy


def _tag_error(tag: str, where: Node | Event) -> SourceError:
    return SourceError(
        f"tag '{tag}' is not allowed: the registry holds plain YAML data only", *_at(where)
    )


def _scalar(node: ScalarNode) -> object:
    tag, value = node.tag, node.value
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:  # YAML 1.2: only true/false; YAML 1.1's yes/no/on/off stay text, so
        lowered = value.lower()  # `severity: off` and an enum value `ON` mean what they say
        return lowered == "true" if lowered in ("true", "false") else value
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
            pass
        try:
            return _SCALAR_HELPER.construct_yaml_timestamp(node)
        except ValueError:  # looks like a date but is none (2024-02-30): the model says so
            return value
    raise _tag_error(tag, node)
