"""Service pages kept between the builds of `mkdocs serve`, keyed by what they are made of.

A service page shows its own file, what the site index says of its neighbours (services
one hop away by data or events, either way: references in and out, events consumed and
published, the neighbourhood diagram, team boxes: `seen_by_neighbours`), the findings on
it, and what every page shares (settings, owners, the set of services, the site paths,
the templates). So a page is rendered again only when one of those changed: after one
edit, the edited service, and its neighbours when what they see of it changed (its links,
events, tables, title, owner; not its description or columns). Keys are content hashes
(its file's digest), so a kept page is exactly the page a fresh render would give
(tests/test_serve_rebuild.py compares).
The relationship map's page and data are kept by a key of what they read of every service
(`graph.map_inputs`): a description edited elsewhere leaves them as they were.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..cache import digest
from ..findings import Finding
from .blocks import GeneratedPage
from .graph import map_inputs
from .index import SiteIndex


def seen_by_neighbours(index: SiteIndex, name: str) -> tuple:
    """All a page reads of a service other than its own: what the map reads of it (owner,
    title, its cross-service links, its events: `graph.map_inputs`) and its table names
    (links to a column point at its table's anchor). Not its description, columns, ..."""
    tables = [table.name for table in index.doc(name).model.tables]
    return (*map_inputs(index, name), tables)


class PageMemo:
    """The service pages of the last build, for the next one (one per `serve` session)."""

    def __init__(self) -> None:
        self.pages: dict[str, GeneratedPage] = {}
        self.used: dict[str, GeneratedPage] = {}
        self.shared = ""
        self.map = ""  # the key of the relationship map's page and data, in this build
        self.seen: dict[str, str] = {}  # service -> key of `seen_by_neighbours`, this build
        self.rendered = 0  # service pages rendered (not reused) in this build

    def start(self, index: SiteIndex, *shared: object) -> None:
        """A build starts; `shared` is what every page depends on besides the index."""
        owners = sorted((owner, tuple(names)) for owner, names in index.owners.items())
        self.shared = digest(*shared, tuple(index.names), owners)
        self.seen = {name: digest(*seen_by_neighbours(index, name)) for name in index.names}
        self.map = digest(self.shared, list(self.seen.items()))
        self.used, self.rendered = {}, 0

    def key(self, index: SiteIndex, name: str, findings: Iterable[Finding]) -> str:
        doc = index.doc(name)
        if not doc.digest:
            return ""  # loaded without digests: nothing to key on
        near = [(n, self.seen[n]) for n in sorted(index.neighbours(name))]
        return digest(self.shared, (name, doc.digest, doc.file), near, sorted(findings))

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
