"""Where each generated page lives (`src_uri`s), and relative URLs between them.

Paths use only validated service slugs (`^[a-z][a-z0-9_]*$`), rule codes and owner ids
made by `owner_ids`; a `-` never occurs in a slug, so `index-service` cannot collide.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class SitePaths:
    base: str = ""  # a folder prefix for every generated page, e.g. "registry/"
    directory_urls: bool = True  # MkDocs' use_directory_urls

    def _at(self, path: str) -> str:
        return f"{self.base.strip('/')}/{path}" if self.base.strip("/") else path

    @property
    def services(self) -> str:
        return self._at("services/index.md")

    def service(self, name: str) -> str:
        return self._at(f"services/{'index-service' if name == 'index' else name}.md")

    @property
    def map(self) -> str:
        return self._at("map/index.md")

    def owner_map(self, owner_id: str) -> str:
        return self._at(f"map/owner-{owner_id}.md")

    @property
    def migrations(self) -> str:
        return self._at("migrations/index.md")

    @property
    def rules(self) -> str:
        return self._at("rules/index.md")

    def rule(self, code: str) -> str:
        return self._at(f"rules/{code.lower()}.md")

    @property
    def findings(self) -> str:
        return self._at("registry-findings.md")

    @property
    def stylesheet(self) -> str:
        return self._at("assets/orion-registry.css")

    def url(self, from_uri: str, to_uri: str) -> str:
        """The relative URL of page `to_uri` seen from page `from_uri`, as MkDocs writes them."""
        return relative_url(from_uri, to_uri, self.directory_urls)


def page_url(uri: str, directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page with src_uri `uri` ("" is the site root)."""
    stem = uri.removesuffix(".md")
    if not directory_urls:
        return f"{stem}.html"
    if stem == "index" or stem.endswith("/index"):
        return stem.removesuffix("index")
    return f"{stem}/"


@lru_cache(maxsize=65536)
def relative_url(from_uri: str, to_uri: str, directory_urls: bool = True) -> str:
    here, there = page_url(from_uri, directory_urls), page_url(to_uri, directory_urls)
    folder = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = _relpath(there or ".", folder or ".")
    return f"{rel}/" if there.endswith("/") or not there else rel


def _relpath(path: str, start: str) -> str:
    """`posixpath.relpath` for two paths relative to the same folder, without its
    `abspath` calls (a system call each; a large site asks for tens of thousands)."""
    to = [part for part in posixpath.normpath(path).split("/") if part and part != "."]
    here = [part for part in posixpath.normpath(start).split("/") if part and part != "."]
    common = 0
    for a, b in zip(to, here, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


def relative(from_uri: str, to_uri: str) -> str:
    """A Markdown link target from one page's src_uri to another's (MkDocs resolves it)."""
    return posixpath.relpath(to_uri, posixpath.dirname(from_uri) or ".")


DEFAULT_DOCS_URL = "https://orion-registry.readthedocs.io/en/latest/"


def rule_url(code: str | None, docs_url: str | None = None) -> str:
    """The published page of rule `code` (the rules index for None), as the site names it."""
    paths = SitePaths()
    page = paths.rule(code) if code else paths.rules
    return f"{(docs_url or DEFAULT_DOCS_URL).rstrip('/')}/{page_url(page)}"
