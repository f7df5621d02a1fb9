"""Which generated service pages a registry change touches, for `mkdocs serve` rebuilds.

A service page shows its own file and what the site index says about its neighbours
(services one hop away by data or events, either way: references in and out, events
consumed and published, the neighbourhood diagram, links to their tables). So after an
edit only the edited services and their neighbours, before and after the edit, need a
new page; the indexes, maps, migrations and rule pages are cheap and always redone.
Anything every page depends on (settings, the set of owners, the page paths, template
overrides, whether findings are shown) changing means every page again.

Unchanged files keep their model objects between loads (the parse cache keeps validated
models in memory), so "changed" is an identity test.
"""

from __future__ import annotations

from dataclasses import dataclass

from .loader import Registry
from .render import Site
from .render.index import SiteIndex


@dataclass(frozen=True)
class Rendered:
    """A build's registry, index and generated pages, with what every page depended on."""

    registry: Registry
    index: SiteIndex
    site: Site
    shared: tuple


def shared_inputs(registry: Registry, index: SiteIndex, *others: object) -> tuple:
    """What every service page depends on besides its own file and its neighbours."""
    return (registry.settings.model, tuple(sorted(index.owners)), *others)


def services_to_render(
    before: Rendered | None, registry: Registry, index: SiteIndex, shared: tuple
) -> set[str] | None:
    """The services whose pages must be rendered again; None: all of them."""
    if before is None or before.shared != shared or before.registry.root != registry.root:
        return None
    old, new = before.registry.services, registry.services
    changed = {
        name
        for name in old.keys() | new.keys()
        if name not in old or name not in new or old[name].model is not new[name].model
    }
    touched = set(changed)
    for name in changed:
        if name in old:
            touched |= before.index.neighbours(name)
        if name in new:
            touched |= index.neighbours(name)
    return touched & new.keys()


def merged(before: Rendered | None, site: Site, rendered: set[str] | None, uris: dict) -> Site:
    """`site` with the service pages it did not render taken from the previous build.

    `uris` maps each current service to its page's uri."""
    if rendered is None or before is None:
        return site
    for name, uri in uris.items():
        if name not in rendered:
            site.pages[uri] = before.site.pages[uri]
    site.pages = dict(sorted(site.pages.items()))
    return site
