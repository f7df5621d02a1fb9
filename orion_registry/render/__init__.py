"""Pure rendering: registry -> Markdown pages and Mermaid diagrams. Never imports MkDocs.

The names below load on first use (PEP 562), so a command that needs only
`render.paths` (the rule URLs of `check`) does not import Jinja and the page code.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .escape import escape_markdown, mermaid_label
    from .pages import Site, render_site, rule_context
    from .paths import SitePaths
    from .templates import make_env

_HOMES = {
    "Site": "pages",
    "render_site": "pages",
    "rule_context": "pages",
    "SitePaths": "paths",
    "escape_markdown": "escape",
    "mermaid_label": "escape",
    "make_env": "templates",
}
__all__ = [
    "Site",
    "SitePaths",
    "escape_markdown",
    "make_env",
    "mermaid_label",
    "render_site",
    "rule_context",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_HOMES[name]}", __name__), name)
