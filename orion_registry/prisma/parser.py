"""Prisma schema text -> `ast.Schema`, with the LALR grammar in `prisma.lark`.

The tree is built while parsing (an inline transformer), so no parse tree is kept.
`///` doc comments are collected by the lexer and attached afterwards: the comment
lines right above a declaration, or one trailing it on the same line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from .ast import Arg, Attribute, Block, Call, Field, FieldType, Ident, Num, Schema, Str

GRAMMAR = Path(__file__).with_name("prisma.lark")
SUFFIX = ".prisma"
# Readable names for the grammar's terminals, for error messages.
_TERMINALS = {
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "MODEL_KIND": "model",
    "ENUM": "enum",
    "CONFIG_KIND": "datasource/generator",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "COLON": "':'",
    "EQUAL": "'='",
    "DOT": "'.'",
    "AT": "'@'",
    "ATAT": "'@@'",
    "OPTIONAL": "'?'",
    "LIST": "'[]'",
}


class PrismaSyntaxError(Exception):
    """A schema that cannot be read; `file:line:col` of the problem."""

    def __init__(self, file: str, line: int, column: int, message: str) -> None:
        super().__init__(f"{file}:{line}:{column}: error: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message


def _string(token: Token) -> str:
    try:
        return json.loads(token)
    except ValueError:  # an escape JSON does not know: keep the character after the backslash
        text, out, i = token[1:-1], [], 0
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text):
                i += 1
            out.append(text[i])
            i += 1
        return "".join(out)


def _pos(token: Token) -> tuple[int, int]:
    return (token.line, token.column)


class _Build(Transformer):
    """Callbacks named after the grammar's rules; each returns an AST node."""

    def start(self, blocks: list[Block]) -> list[Block]:
        return blocks

    def model(self, items: list) -> Block:
        kind, name, *members = items
        block = Block(str(kind), str(name), _pos(kind))
        for item in members:
            (block.attributes if isinstance(item, Attribute) else block.members).append(item)
        return block

    enum = model

    def config(self, items: list) -> Block:
        kind, name, *entries = items
        return Block(str(kind), str(name), _pos(kind), entries=dict(entries))

    def entry(self, items: list) -> tuple[str, object]:
        return str(items[0]), items[1]

    def field(self, items: list) -> Field:
        name, kind, *attributes = items
        return Field(str(name), kind, attributes, _pos(name))

    def enum_value(self, items: list) -> Field:
        name, *attributes = items
        return Field(str(name), None, attributes, _pos(name))

    def field_type(self, items: list) -> FieldType:
        name, unsupported, suffix = items
        return FieldType(
            str(name),
            optional=suffix is not None and suffix.type == "OPTIONAL",
            is_list=suffix is not None and suffix.type == "LIST",
            unsupported=None if unsupported is None else _string(unsupported),
        )

    def field_attribute(self, items: list) -> Attribute:
        at, (name, _), args = items
        return Attribute(name, args or (), _pos(at))

    block_attribute = field_attribute

    def path(self, names: list[Token]) -> tuple[str, tuple[int, int]]:
        return ".".join(names), _pos(names[0])

    def arguments(self, items: list) -> tuple[Arg, ...]:
        return tuple(i if isinstance(i, Arg) else Arg(None, i) for i in items if i is not None)

    def named(self, items: list) -> Arg:
        return Arg(str(items[0]), items[1])

    def string(self, items: list[Token]) -> Str:
        return Str(_string(items[0]))

    def number(self, items: list[Token]) -> Num:
        return Num(str(items[0]))

    def call(self, items: list) -> Call:
        return Call(items[0][0], items[1] or ())

    def ident(self, items: list) -> Ident:
        return Ident(items[0][0])

    def array(self, items: list) -> list:
        return [i for i in items if i is not None]


class _DocComments:
    """Collects `///` and `/** */` comments as the lexer meets them (reset for every file)."""

    def __init__(self) -> None:
        self.tokens: list[Token] = []

    def __call__(self, token: Token) -> Token:
        self.tokens.append(token)
        return token


_docs = _DocComments()


@cache
def _parser() -> Lark:
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        transformer=_Build(),
        maybe_placeholders=True,
        lexer_callbacks={"DOC_COMMENT": _docs, "BLOCK_COMMENT": _docs},
    )


def parse_text(text: str, file: str = "schema.prisma") -> list[Block]:
    """The blocks of one file; PrismaSyntaxError when it is not a readable schema."""
    _check_nesting(text, file)
    _docs.tokens = []
    try:
        blocks: list[Block] = _parser().parse(text)
    except UnexpectedInput as exc:
        raise PrismaSyntaxError(file, *_where(exc, text), _describe(exc)) from None
    except RecursionError:  # pragma: no cover - _check_nesting bounds the depth first
        raise PrismaSyntaxError(file, 1, 1, "the schema is nested too deeply") from None
    _attach_docs(blocks, _docs.tokens, text.splitlines())
    for block in blocks:
        block.file = file
    return blocks


MAX_NESTING = 64  # brackets and parentheses inside one another
_NESTING_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|//[^\n]*|/\*.*?\*/|[\[\]()]|\n', re.S)


def _check_nesting(text: str, file: str) -> None:
    """PrismaSyntaxError at the bracket that opens level MAX_NESTING + 1 (strings and
    comments skipped), before anything walks the tree recursively."""
    depth, line, line_start = 0, 1, 0
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line, line_start = line + 1, match.end()
        elif token in "([":
            depth += 1
            if depth > MAX_NESTING:
                column = match.start() - line_start + 1
                message = f"brackets are nested deeper than {MAX_NESTING} levels"
                raise PrismaSyntaxError(file, line, column, message)
        elif token in ")]":
            depth = max(depth - 1, 0)
        else:
            line, line_start = _after(token, match.start(), line, line_start)


def _after(token: str, start: int, line: int, line_start: int) -> tuple[int, int]:
    """(line, line start) after a string or comment that may span lines."""
    newlines = token.count("\n")
    if newlines:
        return line + newlines, start + token.rindex("\n") + 1
    return line, line_start


def parse_files(paths: Iterable[Path | str], shown: dict[Path, str] | None = None) -> Schema:
    """Parse several files as one schema (Prisma's multi-file schemas)."""
    blocks: list[Block] = []
    files: list[str] = []
    for path in map(Path, paths):
        file = (shown or {}).get(path, path.as_posix())
        if path.exists() and not path.is_file():  # a FIFO or a device: reading could block
            raise PrismaSyntaxError(file, 1, 1, "not a regular file: not read")
        try:
            text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError) as exc:
            raise PrismaSyntaxError(file, 1, 1, f"cannot read the file: {exc}") from None
        blocks.extend(parse_text(text, file))
        files.append(file)
    return Schema(blocks, files)


def schema_files(path: Path) -> list[Path]:
    """A `.prisma` file, or every `.prisma` file under a folder (not under `migrations/`)."""
    if not path.is_dir():
        return [path]
    return sorted(
        p
        for p in path.rglob(f"*{SUFFIX}")
        if p.is_file() and "migrations" not in p.relative_to(path).parts[:-1]
    )


def schema_sources(path: Path, shown: str) -> dict[Path, str]:
    """The files of a schema (a `.prisma` file, or a folder's), each with how messages name
    it: `shown` for a file, `shown/<path in the folder>` for a folder's files."""
    if not path.is_dir():
        return {path: shown}
    return {file: f"{shown}/{file.relative_to(path).as_posix()}" for file in schema_files(path)}


def _at_end(exc: UnexpectedInput) -> bool:
    token = getattr(exc, "token", None)
    return isinstance(exc, UnexpectedEOF) or (token is not None and token.type == "$END")


def _where(exc: UnexpectedInput, text: str) -> tuple[int, int]:
    if _at_end(exc) or getattr(exc, "line", -1) in (-1, None):
        lines = text.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return exc.line, exc.column


def _describe(exc: UnexpectedInput) -> str:
    if isinstance(exc, UnexpectedCharacters):
        return f"unexpected character {exc.char!r}"
    expected = sorted({_TERMINALS.get(t, t) for t in getattr(exc, "expected", ()) or ()})
    hint = f", expected {' or '.join(expected)}" if expected else ""
    if _at_end(exc):
        return "unexpected end of file (is a block not closed with '}'?)"
    token = exc.token  # type: ignore[attr-defined]
    return f"unexpected {_TERMINALS.get(token.type, token.type)} {str(token)!r}{hint}"


def _attach_docs(blocks: list[Block], comments: list[Token], lines: list[str]) -> None:
    """Give each declaration the doc comments right above it, or one trailing on its line."""
    if not comments:
        return
    above: dict[int, tuple[int, str]] = {}  # last line -> (first line, text), alone on lines
    trailing: dict[int, str] = {}
    for token in comments:
        if token.type == "BLOCK_COMMENT":
            if not token.startswith("/**"):
                continue
            text = _block_text(token)
        else:
            text = token[3:].strip()
        if lines[token.line - 1][: token.column - 1].strip():
            trailing[token.end_line] = text
        else:
            above[token.end_line] = (token.line, text)

    def doc(line: int) -> str | None:
        found = []
        previous = line - 1
        while previous in above:
            first, text = above[previous]
            found.append(text)
            previous = first - 1
        found.reverse()
        if line in trailing:
            found.append(trailing[line])
        return "\n".join(found) if found else None

    for block in blocks:
        block.doc = doc(block.pos[0])
        for member in block.members:
            member.doc = doc(member.pos[0])


def _block_text(comment: str) -> str:
    """`/** one\n * two */` -> "one\ntwo" (the stars that start each line are dropped)."""
    lines = (line.strip().lstrip("*").strip() for line in comment[3:-2].splitlines())
    return "\n".join(line for line in lines if line)
