"""Service pages kept between the builds of `mkdocs serve`, keyed by what they are made of.

A service page shows its own file, what the site index says of its neighbours (services
one hop away by data or events, either way: references in and out, events consumed and
published, the neighbourhood diagram, team boxes), the findings on it, and what every
page shares (settings, owners, the set of services, the site paths, the templates). So a
page is rendered again only when one of those changed: after one edit, the edited service
and its neighbours. Keys are content hashes (each service file's digest), so a kept page
is exactly the page a fresh render would give (tests/test_serve_rebuild.py compares).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from ..findings import Finding
from .blocks import GeneratedPage
from .index import SiteIndex


def digest(*parts: object) -> str:
    hashed = hashlib.blake2b(digest_size=16)
    for part in parts:
        hashed.update(repr(part).encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


class PageMemo:
    """The service pages of the last build, for the next one (one per `serve` session)."""

    def __init__(self) -> None:
        self.pages: dict[str, GeneratedPage] = {}
        self.used: dict[str, GeneratedPage] = {}
        self.shared = ""
        self.rendered = 0  # service pages rendered (not reused) in this build

    def start(self, index: SiteIndex, *shared: object) -> None:
        """A build starts; `shared` is what every page depends on besides the index."""
        owners = sorted((owner, tuple(names)) for owner, names in index.owners.items())
        self.shared = digest(*shared, tuple(index.names), owners)
        self.used, self.rendered = {}, 0

    def key(self, index: SiteIndex, name: str, findings: Iterable[Finding]) -> str:
        near = sorted(index.neighbours(name))
        files = [(n, index.doc(n).digest, index.doc(n).file) for n in [name, *near]]
        if any(not file_digest for _, file_digest, _ in files):
            return ""  # loaded without digests: nothing to key on
        return digest(self.shared, files, sorted(findings))

    def get(self, key: str) -> GeneratedPage | None:
        page = self.pages.get(key) if key else None
        if page is not None:
            self.used[key] = page
        return page

    def put(self, key: str, page: GeneratedPage) -> None:
        self.rendered += 1
        if key:
            self.used[key] = page

    def finish(self) -> None:
        """After the build: keep only what it used (memory stays one site's worth)."""
        self.pages = self.used
