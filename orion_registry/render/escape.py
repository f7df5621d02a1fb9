"""Registry text is data: escape it for Markdown + HTML, and for Mermaid labels.

Every character that Markdown, HTML, Python-Markdown's extensions or a template engine
could read as markup becomes a numeric character reference, which the browser shows
literally and which no Markdown or Jinja syntax matches. Whitespace runs (newlines too)
collapse to one space so a value can sit in a table cell or a list item.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup

from .blocks import page_blocks

LONG_TEXT = 2000  # characters: longer values bypass Markdown (see escape_markdown)

# Markdown (emphasis, code, links, tables, headings, attr_list, emoji, pymdownx inline
# syntaxes), HTML (tags, entities, attribute quotes) and Jinja (`{{`, `{%`, `{#`) characters.
_MARKUP_CHARS = "\\`*{}[]<>#+|&~^=$:\"'"
_MARKDOWN_TABLE = {ord(c): f"&#{ord(c)};" for c in _MARKUP_CHARS}
_SPACE = re.compile(r"\s+")
# `_` emphasises only at a word boundary (Python-Markdown ignores it inside `snake_case`).
_UNDERSCORE = re.compile(r"_(?:(?<![A-Za-z0-9]_)|(?![A-Za-z0-9]))")
# At the start of a line `-`, `1.` and `1)` open a list (or `---` a rule): escape them there.
_LINE_START = re.compile(r"^ ?(-|\d+[.)])")

# Mermaid: a quoted label may hold letters, digits and a few punctuation marks; every
# other character becomes Mermaid's own entity code (`#35;`), which it shows literally.
_MERMAID_SAFE = re.compile(r"[^A-Za-z0-9 _.,/()-]")
# Identifiers in erDiagram attributes: a type or name word.
_MERMAID_WORD = re.compile(r"[^A-Za-z0-9_]")
_MERMAID_KEYS = frozenset({"pk", "fk", "uk"})  # attribute keys, in any letter case


def escape_markdown(value: object) -> Markup:
    """`value` as inline Markdown text that renders literally (safe in HTML blocks too).

    While a page renders, a long value (over LONG_TEXT characters) is kept out of Markdown
    as an HTML block: Python-Markdown's inline patterns take time quadratic in the number
    of escaped characters, so a long text full of punctuation would stall the build."""
    if type(value) is str and len(value) <= LONG_TEXT:  # the hot path: a short registry value
        return _escape_text(value)
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    text = str(value)
    if len(text) > LONG_TEXT:
        escaped = _escape_long(text)
        blocks = page_blocks()
        return escaped if blocks is None else blocks.add(escaped)
    return _escape_text(text)


@lru_cache(maxsize=1 << 16)
def _escape_text(value: str) -> Markup:
    """Registry text repeats a lot (column names, types): cache the escaped form."""
    text = _SPACE.sub(" ", value).translate(_MARKDOWN_TABLE)
    if "_" in text:
        text = _UNDERSCORE.sub("&#95;", text)
    return Markup(_LINE_START.sub(_escape_last, text, count=1))


_CODE_SPAN = re.compile(r"`([^`]+)`")


def prose(value: object) -> Markup:
    """Free text (a description) with its `code spans` shown as code; everything else, and
    the code itself, escaped as by `escape_markdown`. A long text (over LONG_TEXT) is
    shown literally, as `escape_markdown` keeps it: out of Markdown, in one HTML block."""
    if isinstance(value, Markup):
        return value
    text = "" if value is None else str(value)
    if "`" not in text or len(text) > LONG_TEXT:
        return escape_markdown(text)
    return _prose(text)


@lru_cache(maxsize=1 << 12)
def _prose(text: str) -> Markup:
    parts = _CODE_SPAN.split(text)  # text, code, text, code, ..., text
    return Markup("").join(
        Markup(f"<code>{_escape_text(part)}</code>") if i % 2 else _escape_text(part)
        for i, part in enumerate(parts)
        if part or i % 2
    )


def _escape_long(value: str) -> Markup:
    """`_escape_text` for a long value, not cached, with one C-speed `replace` per
    character (`translate` to multi-character strings is ~50x slower): `&` first, as
    `&amp;` (no `#`), then `#`, then the rest, whose references hold only `&`, `#`, digits."""
    text = _SPACE.sub(" ", value).replace("&", "&amp;").replace("#", "&#35;")
    for char in _MARKUP_CHARS:
        if char not in "&#" and char in text:
            text = text.replace(char, f"&#{ord(char)};")
    if "_" in text:
        text = _UNDERSCORE.sub("&#95;", text)
    return Markup(_LINE_START.sub(_escape_last, text, count=1))


def _escape_last(match: re.Match[str]) -> str:
    text = match.group()
    return f"{text[:-1]}&#{ord(text[-1])};"


def mermaid_label(value: object, limit: int = 80) -> str:
    """Text for a quoted Mermaid label ("..."): safe characters only, bounded length."""
    text = _SPACE.sub(" ", str(value)).strip()
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MERMAID_SAFE.sub(lambda m: f"#{ord(m.group())};", text)


@lru_cache(maxsize=1 << 14)
def mermaid_word(value: object) -> str:
    """A Mermaid identifier-like word (erDiagram attribute type or name)."""
    word = _MERMAID_WORD.sub("_", str(value)).strip("_") or "x"
    if word.lower() in _MERMAID_KEYS:
        return f"{word}_"  # Mermaid reads a bare `pk` as a key marker and fails to parse
    return word if word[0].isalpha() else f"x_{word}"


# What Mermaid's erDiagram reads as an attribute type (its ATTRIBUTE_WORD, in 11.x):
# `varchar(255)`, `numeric(10,2)`, `text[]` as they are; not spaces, quotes or `~`.
_MERMAID_TYPE = re.compile(r"[*A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\-\[\]().,*\u00C0-\uFFFF]*")
_MERMAID_KEY_START = re.compile(r"(?:pk|fk|uk)\b", re.IGNORECASE)  # read as a key marker


@lru_cache(maxsize=1 << 12)
def mermaid_type(value: object) -> tuple[str, str]:
    """An erDiagram attribute type, and a comment with the real type when Mermaid cannot
    read it as it is (`timestamp with time zone` -> `timestamp_with_time_zone`, comment)."""
    text = str(value)
    if _MERMAID_TYPE.fullmatch(text) and not _MERMAID_KEY_START.match(text):
        return text, ""
    return mermaid_word(text), mermaid_label(text)


def slug(value: object) -> str:
    """A URL/anchor-safe slug of free text (owners, table names): lowercase ASCII (accents
    dropped, `Ü` -> `u`), `-` separated."""
    return _slug(str(value))


@lru_cache(maxsize=1 << 14)
def _slug(value: str) -> str:
    """Names repeat across a registry (tables, indexes): cache their slugs."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return text or "x"
