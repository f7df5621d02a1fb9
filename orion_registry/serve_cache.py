"""Reuse of rendered pages between the rebuilds of `mkdocs serve` (part of the plugin).

MkDocs rebuilds the whole site on every save. Most pages come out the same, so each page's
work is kept, keyed by what it is made of, and reused when that has not changed:

* the Markdown conversion (HTML content, table of contents, title, anchors), keyed by the
  page's final Markdown (after every plugin, macros included), its metadata, what the
  plugin adds to it afterwards (HTML blocks, the banner of a broken registry, a stale
  page's note), the site configuration and the set of pages (links resolve against it);
* the finished page (the theme's template around that content), keyed by the same plus
  the navigation (titles and URLs of every page) that each page shows.

A reused page skips the conversion (its `render` sets no content; `on_page_content` puts
the kept one back), the search plugin's parsing (its kept index entries are put in place
and the page hidden from the plugin meanwhile) and the theme template (a template that
renders nothing is chosen, and the kept page is put back in `on_post_page`). The theme's
templates are compiled once per server. Everything else still runs; only pages whose
inputs changed are redone. Entries not used by a build are dropped, so memory stays one
site's worth.
"""

from __future__ import annotations

import os
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import BytecodeCache, ChoiceLoader, DictLoader, Environment
from jinja2.bccache import Bucket
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .cache import digest

EMPTY_TEMPLATE = "orion-registry-reused.html"


@dataclass(slots=True)
class _Entry:
    content: str
    toc: Any
    title: str | None
    anchors: set[str] | None
    nav: str = ""  # the navigation `output` was made with
    output: str = ""
    search: list | None = None  # the search index entries of the page


class PageCache:
    """Rendered pages of the previous build, for the current one (one per plugin instance)."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.keys: dict[str, str] = {}  # src_uri -> key, in this build
        self.reused: set[str] = set()  # src_uris whose conversion is reused
        self.config = ""
        self.nav = ""
        self.converted = 0  # pages converted from Markdown in this build
        self.templated = 0  # pages put through the theme's template
        self.indexed = 0  # pages indexed by the search plugin
        self.bytecode = _MemoryBytecodeCache()
        self._search_from = 0  # where this page's entries start in the search index
        self._search_hidden = False  # the page is hidden from the search plugin

    def start(self, config: MkDocsConfig, files: Files) -> None:
        """A new build: what every page depends on besides its own Markdown."""
        self.keys, self.reused = {}, set()
        self.converted = self.templated = self.indexed = 0
        self.config = digest(_config_digest(config), sorted(f.src_uri for f in files))

    def markdown(self, page: Page, markdown: str, added: object) -> str:
        """`on_page_markdown`, last: the text to convert (empty when the page is reused).
        `added`: what the plugin adds to the page after the conversion."""
        uri = page.file.src_uri
        # Python's own hash: a page's long strings are the same objects from one build to
        # the next (kept pages), and a str caches its hash. The uri is part of the key too.
        content = hash((markdown, repr(sorted(page.meta.items())), _hashable(added)))
        key = f"{self.config}:{uri}:{len(markdown)}:{content}"
        self.keys[uri] = key
        if key in self.entries:
            self.reused.add(uri)
            # MkDocs converts every page; this one needs no Markdown instance at all
            page.render = types.MethodType(_no_conversion, page)  # type: ignore[method-assign]
            return ""
        self.converted += 1
        return markdown

    def content(self, page: Page, html: str) -> str:
        """`on_page_content`, first: put back a reused page's conversion."""
        uri = page.file.src_uri
        if uri not in self.reused:
            return html
        entry = self.entries[self.keys[uri]]
        page.toc = entry.toc
        page._title_from_render = entry.title  # what `Page.render` would have set
        page.present_anchor_ids = entry.anchors
        page.links_to_anchors = None  # validated when it was converted
        return entry.content

    def converted_content(self, page: Page, html: str) -> None:
        """`on_page_content`, last: keep a fresh conversion."""
        uri = page.file.src_uri
        if uri in self.keys and uri not in self.reused:
            title = page._title_from_render
            self.entries[self.keys[uri]] = _Entry(html, page.toc, title, page.present_anchor_ids)

    def environment(self, env: Environment, nav: Navigation, pages: list[Page]) -> Environment:
        """`on_env`: the navigation is known; pages whose finished HTML is kept skip the
        theme template. The theme's templates compile once per server, not per build."""
        self.nav = digest(*_nav_items(nav.items))
        env.loader = ChoiceLoader([DictLoader({EMPTY_TEMPLATE: ""}), env.loader])
        env.bytecode_cache = self.bytecode
        for page in pages:
            entry = self.entries.get(self.keys.get(page.file.src_uri, ""))
            if entry is not None and entry.output and entry.nav == self.nav:
                page.meta["template"] = EMPTY_TEMPLATE
        return env

    def before_search(self, page: Page, index: Any) -> None:
        """`on_page_context`, before the search plugin: a page indexed before gets its
        kept entries (in the same place of the index) and is hidden from the plugin."""
        entry = self.entries.get(self.keys.get(page.file.src_uri, ""))
        self._search_from = len(index.entries)
        self._search_hidden = (
            entry is not None and entry.search is not None and "search" not in page.meta
        )
        if self._search_hidden:
            index.entries.extend(entry.search)  # type: ignore[union-attr]
            page.meta["search"] = {"exclude": True}

    def after_search(self, page: Page, index: Any) -> None:
        """`on_page_context`, after the search plugin: keep a fresh page's entries."""
        if self._search_hidden:
            del page.meta["search"]
            return
        self.indexed += 1
        entry = self.entries.get(self.keys.get(page.file.src_uri, ""))
        if entry is not None:
            entry.search = index.entries[self._search_from :]

    def finished(self, page: Page, output: str) -> str:
        """`on_post_page`, last: the kept page for a reused one; keep a fresh one."""
        entry = self.entries.get(self.keys.get(page.file.src_uri, ""))
        if entry is None:
            return output
        if page.meta.get("template") == EMPTY_TEMPLATE:
            return entry.output
        self.templated += 1
        entry.output, entry.nav = output, self.nav
        return output

    def finish(self) -> None:
        """After the build: drop what it did not use."""
        used = set(self.keys.values())
        self.entries = {key: entry for key, entry in self.entries.items() if key in used}


def _hashable(value: object) -> object:
    """`value` with its lists as tuples (dicts and other values by their repr)."""
    if isinstance(value, list | tuple):
        return tuple(_hashable(item) for item in value)
    return value if isinstance(value, str | int | float | type(None)) else repr(value)


def _no_conversion(page: Page, config: MkDocsConfig, files: Any) -> None:
    """`Page.render` for a reused page: the content comes back in `on_page_content`."""
    page.content = ""


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled templates by name and source checksum (Jinja checks both), in memory."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


def _nav_items(items: list) -> list[str]:
    """Each navigation item's kind, title and URL, depth first."""
    flat = []
    for item in items:
        flat.append(f"{type(item).__name__}|{item.title}|{getattr(item, 'url', '')}")
        flat.extend(_nav_items(getattr(item, "children", None) or []))
        flat.append("end")
    return flat


def _config_digest(config: MkDocsConfig) -> str:
    """What every page's HTML depends on beyond its content and the navigation."""
    theme_files = []
    custom = config.theme.custom_dir
    if custom and Path(custom).is_dir():
        for path in sorted(Path(custom).rglob("*")):
            if path.is_file():
                stat = path.stat()
                theme_files.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
    config_file = config.config_file_path
    return digest(
        Path(config_file).read_bytes() if config_file and Path(config_file).is_file() else "",
        [str(item) for item in config.extra_css],
        [str(item) for item in config.extra_javascript],
        config.site_url,
        os.environ.get("SOURCE_DATE_EPOCH", ""),
        theme_files,
    )
