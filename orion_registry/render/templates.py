"""The Jinja2 environment for generated pages: shipped templates, optionally overridden.

Autoescape is off (the output is Markdown, not HTML), but `finalize` escapes every
`{{ value }}` for Markdown and HTML unless the value is `Markup` built by our own helpers,
so a template, shipped or overridden, cannot forget to escape registry text.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from .escape import escape_markdown, prose, slug

PACKAGE_TEMPLATES = ("orion_registry", "templates")


def make_env(override_dir: Path | str | None = None) -> Environment:
    """Templates from `override_dir` first (if given), then the package's own."""
    loaders = [] if override_dir is None else [FileSystemLoader(str(override_dir))]
    loaders.append(PackageLoader(*PACKAGE_TEMPLATES))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=False,
        finalize=escape_markdown,  # every {{ value }} is escaped unless it is Markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = escape_markdown
    env.filters["prose"] = prose  # free text: `code spans` as code, the rest escaped
    env.filters["slug"] = slug
    return env
