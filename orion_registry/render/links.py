"""Links from one generated page to others, as trusted HTML (`Markup`) for templates.

Links are HTML, not Markdown, so they work inside HTML blocks too; their URLs are
computed the way MkDocs writes pages (`SitePaths.url`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup

from .escape import escape_markdown, slug
from .index import SiteIndex
from .paths import SitePaths

NONE = Markup("—")


@dataclass(frozen=True, slots=True)
class Links:
    paths: SitePaths
    index: SiteIndex
    page: str  # the src_uri of the page being rendered
    owner_ids: dict[str, str]

    def href(self, uri: str, anchor: str = "") -> str:
        return self.paths.url(self.page, uri) + (f"#{anchor}" if anchor else "")

    def to(self, uri: str, text: object, anchor: str = "") -> Markup:
        return Markup(f'<a href="{self.href(uri, anchor)}">{escape_markdown(text)}</a>')

    def service(self, name: str, anchor: str = "") -> Markup:
        """A link to a service's page, or plain text when the service does not exist."""
        if not self.index.has(name):
            return escape_markdown(name)
        return self.to(self.paths.service(name), name, anchor)

    def services(self, names: Iterable[str]) -> Markup:
        return Markup(", ").join(self.service(n) for n in sorted(names)) or NONE

    def rule(self, code: str) -> Markup:
        return self.to(self.paths.rule(code), code)

    def focused_map(self, name: str, text: object = "map") -> Markup:
        """A link to the relationship map focused on service `name` (a validated slug)."""
        href = f"{self.href(self.paths.map)}?focus={name}"
        return Markup(f'<a href="{href}">{escape_markdown(text)}</a>')

    def owner_map(self, owner: str) -> Markup:
        return self.to(self.paths.owner_map(self.owner_ids[owner]), owner)

    def column(self, target: str) -> Markup:
        """`service.table.column` linked to the table on its service's page (to the page
        alone when the table does not exist: MkDocs does not check links in HTML blocks)."""
        name, _, rest = target.partition(".")
        code = Markup(f"<code>{escape_markdown(target)}</code>")
        if rest.count(".") != 1 or not self.index.has(name):
            return code
        table = rest.partition(".")[0]
        anchor = table_anchor(table) if (name, table) in self.index.tables else ""
        href = self.href(self.paths.service(name), anchor)
        return Markup(f'<a href="{href}">{code}</a>')


@lru_cache(maxsize=1 << 14)
def table_anchor(table: str) -> str:
    return f"table-{slug(table)}"
