"""HTML blocks: the large, regular parts of a generated page (tables, migration logs).

Python-Markdown is slow on big tables and even on big raw-HTML blocks, so a template wraps
such parts in `{% call html() %}...{% endcall %}`: the Markdown keeps only a marker comment
and the block is put back into the page's HTML after conversion (`assemble`). Headings
stay in Markdown, so the table of contents and permalinks work as usual. Values inside
blocks go through the same escaping `finalize` as everywhere else.

A block may carry a short search text (`{% call html(search_text) %}`): the names, types
and descriptions it shows, as one plain paragraph. The search index is built from the page
with each block replaced by its search text (`searchable`), so every table, column, enum,
event and index is findable under its heading while the index stays small: parsing the
full tables would make it ten times larger and the build three times slower.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from markupsafe import Markup

MARKER = "<!--orion-block-{}-->"
_MARKER = re.compile(r"<!--orion-block-(\d+)-->")


@dataclass
class GeneratedPage:
    markdown: str
    blocks: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)  # per block: its search text (HTML)

    def inline(self) -> str:
        """The page as self-contained Markdown (blocks inlined as raw HTML)."""
        return assemble(self.markdown, self.blocks)

    def searchable(self, converted: str) -> str:
        """The converted page with each block replaced by its search text."""
        return assemble(converted, self.search)


class HtmlBlocks:
    """The `html` callable of a template: collects call-block bodies, returns markers."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.search: list[str] = []

    def __call__(self, search: object = "", *, caller: Callable[[], str]) -> Markup:
        return Markup(f"\n{self.add(str(caller()).strip(), search)}\n")

    def add(self, content: str, search: object = "") -> Markup:
        """Keep `content` (HTML) out of Markdown, with the text search indexes for it (see
        the module docstring); the inline marker that stands for it."""
        self.blocks.append(content)
        text = html.escape(" ".join(str(search).replace("`", "").split()), quote=False)
        self.search.append(f"<p>{text}</p>" if text else "")
        return Markup(MARKER.format(len(self.blocks) - 1))

    @contextmanager
    def active(self) -> Iterator[None]:
        """While a page renders: long values go into this page's blocks (`page_blocks`)."""
        token = _PAGE_BLOCKS.set(self)
        try:
            yield
        finally:
            _PAGE_BLOCKS.reset(token)


_PAGE_BLOCKS: ContextVar[HtmlBlocks | None] = ContextVar("orion_page_blocks", default=None)


def page_blocks() -> HtmlBlocks | None:
    """The blocks of the page being rendered, if any."""
    return _PAGE_BLOCKS.get()


def assemble(text: str, blocks: list[str]) -> str:
    """Put the blocks back in place of their markers (in Markdown or in converted HTML); a
    block may hold markers of earlier blocks (a long value inside a table)."""
    if not blocks:
        return text
    done: dict[int, str] = {}

    def block(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index not in done:
            done[index] = _MARKER.sub(block, blocks[index])
        return done[index]

    return _MARKER.sub(block, text)


def mermaid_html(diagram: object) -> Markup:
    """A Mermaid diagram (source text or a `Chart`) as Material expects it: what
    superfences' mermaid fence emits."""
    code = html.escape(str(getattr(diagram, "source", diagram)), quote=False)
    return Markup(f'<pre class="mermaid"><code>{code}</code></pre>')
