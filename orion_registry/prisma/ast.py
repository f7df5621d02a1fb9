"""The syntax tree of a Prisma schema: blocks, fields, attributes and their arguments.

Plain slotted dataclasses, built directly by the parser. Positions are 1-based
(line, column) in the block's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Str:
    value: str


@dataclass(frozen=True, slots=True)
class Num:
    text: str

    @property
    def value(self) -> int | float:
        return float(self.text) if any(c in self.text for c in ".eE") else int(self.text)


@dataclass(frozen=True, slots=True)
class Ident:
    name: str  # a path: `Cascade`, `true`, `ArrayOps`, `db.Uuid`


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Arg, ...]

    def arg(self, name: str, position: int | None = None) -> Value | None:
        return find_arg(self.args, name, position)


Value = Str | Num | Ident | Call | list


@dataclass(frozen=True, slots=True)
class Arg:
    name: str | None  # None for a positional argument
    value: Value


def find_arg(args: tuple[Arg, ...], name: str, position: int | None = None) -> Value | None:
    """The argument called `name`, else the positional argument at `position`."""
    positional = [a.value for a in args if a.name is None]
    for arg in args:
        if arg.name == name:
            return arg.value
    if position is not None and position < len(positional):
        return positional[position]
    return None


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str  # without the @ / @@: `id`, `default`, `db.VarChar`, `index`
    args: tuple[Arg, ...]
    pos: tuple[int, int]

    def arg(self, name: str, position: int | None = None) -> Value | None:
        return find_arg(self.args, name, position)


@dataclass(frozen=True, slots=True)
class FieldType:
    name: str
    optional: bool = False
    is_list: bool = False
    unsupported: str | None = None  # the database type of `Unsupported("...")`


@dataclass(slots=True)
class Field:
    """A model field, or an enum value (then `type` is None)."""

    name: str
    type: FieldType | None
    attributes: list[Attribute]
    pos: tuple[int, int]
    doc: str | None = None

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


@dataclass(slots=True)
class Block:
    """`model`, `view`, `type`, `enum`, `datasource` or `generator`."""

    kind: str
    name: str
    pos: tuple[int, int]
    file: str = ""
    members: list[Field] = field(default_factory=list)  # fields, or enum values
    attributes: list[Attribute] = field(default_factory=list)  # @@ attributes
    entries: dict[str, Value] = field(default_factory=dict)  # datasource / generator keys
    doc: str | None = None

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)

    def attributes_named(self, name: str) -> list[Attribute]:
        return [a for a in self.attributes if a.name == name]


@dataclass(slots=True)
class Schema:
    """Every block of one schema, which may span several files (in the order given)."""

    blocks: list[Block]
    files: list[str]

    def of_kind(self, *kinds: str) -> list[Block]:
        return [b for b in self.blocks if b.kind in kinds]


def render(value: Value) -> str:
    """A value as Prisma source text: `"text"`, `-1`, `Cascade`, `uuid(7)`, `[a, b]`."""
    if isinstance(value, Str):
        return quote(value.value)
    if isinstance(value, Num):
        return value.text
    if isinstance(value, Ident):
        return value.name
    if isinstance(value, Call):
        inner = ", ".join(
            f"{a.name}: {render(a.value)}" if a.name else render(a.value) for a in value.args
        )
        return f"{value.name}({inner})"
    return "[" + ", ".join(render(item) for item in value) + "]"


def quote(text: str) -> str:
    """A Prisma string literal (JSON escapes, which Prisma reads back)."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'
