"""Generated pages converted without Python-Markdown, when their Markdown is plain.

A service page's Markdown is mostly headings and block markers (its tables are HTML
blocks, see `blocks`), yet Python-Markdown spends most of a page's build time on it: a
fixed cost per element across its many extensions. `convert` produces the same HTML and
table of contents directly for Markdown made only of

* ATX headings (`## Title`, `### name { #anchor }`) whose text is plain,
* paragraphs of text whose only markup is character references and a few inline tags
  (`<code>`, `<strong>`, `<em>`, `<a href="...">`), as `escape_markdown` and the link
  helpers write them,
* block markers (`<!--orion-block-N-->`),

and returns None for anything else, so that page goes through Python-Markdown as
usual. tests/test_plainmd.py compares both on whole generated sites.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markdown.extensions.toc import nest_toc_tokens, slugify, unique

_HEADING = re.compile(r"(#{1,6}) (\S(?:.*\S)?)$")
_EXPLICIT_ID = re.compile(r"(.*\S) \{ #([A-Za-z][A-Za-z0-9_-]*) \}$")
_MARKER = re.compile(r"<!--orion-block-\d+-->$")
# What a heading's text may hold: words (snake_case too), spaces and a little punctuation.
_PLAIN_HEADING = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ,.()-]|(?<=[A-Za-z0-9])_(?=[A-Za-z0-9]))*")
# Paragraph markup Python-Markdown passes through unchanged.
_INERT = re.compile(r'&#\d+;|&[a-z]+;|</?(?:code|strong|em)>|<a href="[^"<>&\\`*_\s]*">|</a>')
# Anything else Python-Markdown (with this site's extensions) could read as markup.
_ACTIVE = re.compile(
    r"[\\`*\[\]<>&!{}|~^=+#\t\r]"  # escapes, code, emphasis, links, HTML, extensions
    r"|:[\w+-]+:"  # emoji
    r"| {2}\n"  # a hard line break
    r"|(?:(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))",  # emphasis with `_`
    re.MULTILINE,
)
# A line Python-Markdown could read as the start of a block (lists, quotes, code, ...).
_BLOCK_START = re.compile(r"(?:[\s\-+*>#|=~:!?<]|\d+[.)])")
_PERMALINK = '<a class="headerlink" href="#{0}" title="Permanent link">&para;</a>'


@dataclass
class Converted:
    """What Python-Markdown would have made of a page (as MkDocs reads it from there)."""

    html: str
    toc_tokens: list[dict[str, Any]]
    title: str | None  # the first level-1 heading
    anchor_ids: set[str] = field(default_factory=set)


@dataclass
class _Heading:
    level: int
    text: str
    id: str | None


def convert(markdown: str) -> Converted | None:
    """`markdown` as HTML with its table of contents, or None when it is not plain."""
    parsed: list[_Heading | str] = []
    for chunk in markdown.split("\n\n"):
        chunk = chunk.strip("\n")
        if not chunk:
            continue
        if _MARKER.match(chunk):
            parsed.append(chunk + "\n")  # as Python-Markdown puts back a raw HTML block
        elif _HEADING.match(chunk):
            heading = _heading(chunk)
            if heading is None:
                return None
            parsed.append(heading)
        elif _plain_paragraph(chunk):
            parsed.append(f"<p>{chunk}</p>")
        else:
            return None
    return _assemble(parsed)


def _heading(line: str) -> _Heading | None:
    """A one-line heading with plain text (and maybe an explicit id), else None."""
    found = _HEADING.match(line)
    if found is None:
        return None
    text, anchor = found.group(2), None
    explicit = _EXPLICIT_ID.match(text)
    if explicit:
        text, anchor = explicit.groups()
    if not _PLAIN_HEADING.fullmatch(text) or "  " in text:
        return None
    return _Heading(len(found.group(1)), text, anchor)


def _plain_paragraph(chunk: str) -> bool:
    for line in chunk.split("\n"):
        if not line or _BLOCK_START.match(line):
            return False
    return _ACTIVE.search(_INERT.sub("", chunk)) is None


def _assemble(parsed: list[_Heading | str]) -> Converted:
    headings = [p for p in parsed if isinstance(p, _Heading)]
    used = {h.id for h in headings if h.id is not None}
    for h in headings:  # as Python-Markdown's toc: explicit ids first, then the rest
        if h.id is None:
            h.id = unique(slugify(h.text, "-"), used)
    pieces, tokens = [], []
    for p in parsed:
        if isinstance(p, _Heading):
            tag = f"h{p.level}"
            pieces.append(f'<{tag} id="{p.id}">{p.text}{_PERMALINK.format(p.id)}</{tag}>')
            tokens.append(
                {
                    "level": p.level,
                    "id": p.id,
                    "name": p.text,
                    "html": p.text,
                    "data-toc-label": "",
                }
            )
        else:
            pieces.append(p)
    first = parsed[0] if parsed else None  # MkDocs: the title is a leading level-1 heading
    title = first.text if isinstance(first, _Heading) and first.level == 1 else None
    return Converted(
        "\n".join(pieces).strip(), nest_toc_tokens(tokens), title, {str(h.id) for h in headings}
    )


# The Markdown extensions `convert` stands in for: with any other (smarty, nl2br, magiclink,
# a custom slugify...) plain text might render differently, so pages go through Markdown.
KNOWN_EXTENSIONS = frozenset(
    {
        "toc",
        "tables",
        "fenced_code",
        "admonition",
        "attr_list",
        "md_in_html",
        "pymdownx.details",
        "pymdownx.highlight",
        "pymdownx.inlinehilite",
        "pymdownx.tabbed",
        "pymdownx.emoji",
        "pymdownx.superfences",
    }
)


def applies(extensions: list[object], configs: dict[str, dict[str, Any]]) -> bool:
    """Whether `convert` renders as Python-Markdown does with these extensions (by name,
    as in mkdocs.yml) and their options: the known ones, the toc with permalinks only."""
    names = {e if isinstance(e, str) else None for e in extensions}
    return (
        "toc" in names
        and "attr_list" in names
        and names <= KNOWN_EXTENSIONS
        and configs.get("toc") == {"permalink": True}
    )
