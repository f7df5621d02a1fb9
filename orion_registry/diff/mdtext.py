"""Markdown text for the pull-request comment: readable raw and rendered.

Registry text gets a backslash before the few characters Markdown (GitHub's included)
would read as markup, and nothing else: no HTML entities, which raw text (an email
notification, a terminal) would show as `&#58;`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Markdown (GitHub's too: `$` math, `~` strikethrough) reads these as markup anywhere...
_INLINE = re.compile(r"[\\`*\[\]<>~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|&(?=#?\w+;)")
# ...and these at the start of a line (headings, quotes, lists, rules).
_LINE_START = re.compile(r"^(\d+)([.)])|^([#>+=-])")
_TICKS = re.compile(r"`+")
_CODE_SPAN = re.compile(r"`([^`]+)`")
_SPACE = re.compile(r"\s+")


def esc(text: object) -> str:
    """Registry text as inline Markdown that renders literally, readable raw: a backslash
    before the few characters Markdown would read as markup, nothing else."""
    flat = _INLINE.sub(lambda m: "\\" + m.group(), _SPACE.sub(" ", str(text)))
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", flat)


def prose(text: object) -> str:
    """Free text (a message, a purpose) with its `code spans` kept as code, the rest escaped."""
    parts = _CODE_SPAN.split(" ".join(str(text).split()))  # text, code, text, ...
    return "".join(code(part) if i % 2 else esc(part) for i, part in enumerate(parts))


def code(text: object) -> str:
    """A code span holding any text (a longer backtick run around backticks inside)."""
    flat = " ".join(str(text).split())
    if not flat:
        return "—"
    ticks = "`" * (max((len(run) for run in _TICKS.findall(flat)), default=0) + 1)
    pad = " " if flat[0] == "`" or flat[-1] == "`" else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def fence(text: str, lang: str = "") -> str:
    """A fenced code block that no backtick run inside `text` can close."""
    ticks = "`" * max(3, max((len(run) for run in _TICKS.findall(text)), default=0) + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A Markdown table of already escaped cells (a `|` inside a cell is escaped here)."""
    headers = list(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
