"""Pure rendering: registry -> Markdown pages and Mermaid diagrams. Never imports MkDocs."""

from .escape import escape_markdown, mermaid_label
from .pages import Site, render_site, rule_context
from .paths import SitePaths
from .templates import make_env

__all__ = [
    "Site",
    "SitePaths",
    "escape_markdown",
    "make_env",
    "mermaid_label",
    "render_site",
    "rule_context",
]
