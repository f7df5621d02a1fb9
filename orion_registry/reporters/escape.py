"""Output text is inert: no value from the registry, a database or a file can drive the
terminal or forge a line.

Control characters (C0 including ESC, CR, LF and TAB; DEL; C1), Unicode line and paragraph
separators, and the bidirectional overrides and isolates that reorder what a reader sees
(U+202A-U+202E, U+2066-U+2069, and the marks U+200E, U+200F, U+061C) are shown as visible
escapes (`\\x1b`, `\\u202e`) by `inert`, used by every text output (text, github, markdown,
messages on stderr).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object, keep: str = "") -> str:
    """`text` with every control or bidi character shown as an escape; the characters of
    `keep` (e.g. "\\n" for a whole Markdown document) are left as they are."""
    value = str(text)
    if not keep:
        return _UNSAFE.sub(_escaped, value)
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escaped(m), value)
