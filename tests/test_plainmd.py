"""Generated pages converted without Python-Markdown (`render/plainmd.py`) come out as
MkDocs with Python-Markdown makes them: same HTML, table of contents, title and anchors,
on whole generated sites, hostile registry text included; anything else is left to it."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from orion_registry.loader import load_registry
from orion_registry.render import render_site
from orion_registry.render.paths import SitePaths
from orion_registry.render.plainmd import applies, convert

from .helpers import BUNDLED_REGISTRY, ROOT
from .test_site import INJECTED, edit_service, make_project

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate


@cache
def site_config() -> MkDocsConfig:
    return load_config(str(ROOT / "mkdocs.yml"))


def rendered_by_mkdocs(uri: str, markdown: str) -> Page:
    """The page as MkDocs renders it with Python-Markdown and the site's extensions."""
    config = site_config()
    file = File(uri, src_dir=None, dest_dir=config.site_dir, use_directory_urls=True)
    file.content_string = markdown
    page = Page(None, file, config)
    page.read_source(config)
    page.render(config, Files([file]))
    return page


def toc_entries(items: Any) -> list[tuple]:
    return [(i.title, i.id, i.level, toc_entries(i.children)) for i in items]


def assert_same_as_mkdocs(pages: dict[str, Any]) -> set[str]:
    """Every page `convert` takes is rendered exactly as MkDocs would; the uris it took."""
    taken = set()
    for uri, generated in pages.items():
        page = rendered_by_mkdocs(uri, generated.markdown)
        converted = convert(page.markdown)
        if converted is None:
            continue
        taken.add(uri)
        assert converted.html == page.content, uri
        assert toc_entries(get_toc(converted.toc_tokens)) == toc_entries(page.toc), uri
        assert converted.title == page._title_from_render, uri
        assert converted.anchor_ids == page.present_anchor_ids, uri
    return taken


def test_the_sites_markdown_extensions_are_the_ones_stood_in_for() -> None:
    config = site_config()
    assert applies(config.markdown_extensions, config.mdx_configs)
    assert not applies([*config.markdown_extensions, "smarty"], config.mdx_configs)
    other_slugs = {**config.mdx_configs, "toc": {"permalink": True, "separator": "_"}}
    assert not applies(config.markdown_extensions, other_slugs)


def test_generated_service_pages_are_converted_as_mkdocs_converts_them(tmp_path: Path) -> None:
    generate(tmp_path / "registry", 60, 7, violations=False)
    pages = render_site(load_registry(tmp_path / "registry")).pages
    taken = assert_same_as_mkdocs(pages)
    paths = SitePaths()
    services = {uri for uri in pages if uri.startswith("services/") and uri != paths.services}
    assert services and services <= taken  # the point: service pages skip Python-Markdown


def test_bundled_registry_pages_are_converted_as_mkdocs_converts_them() -> None:
    pages = render_site(load_registry(BUNDLED_REGISTRY)).pages
    assert SitePaths().service("user") in assert_same_as_mkdocs(pages)


@pytest.mark.parametrize("in_title", [False, True])
def test_hostile_registry_text_is_converted_as_mkdocs_converts_it(
    tmp_path: Path, in_title: bool
) -> None:
    project = make_project(tmp_path / "p")

    def edit(data: dict) -> None:
        data["description"] = f"{INJECTED} `code {INJECTED}` _x_ 1. - # ## *y* :smile: a  "
        data["tables"][0]["description"] = INJECTED
        if in_title:
            data["title"] = INJECTED
            data["tables"][1]["name"] = "weird_Ü_table"

    edit_service(project, "user", edit)
    pages = render_site(load_registry(project / "registry")).pages
    taken = assert_same_as_mkdocs(pages)
    # Escaped text stays plain; a heading with escaped or non-ASCII text goes through
    # Python-Markdown.
    assert (SitePaths().service("user") in taken) is not in_title


@pytest.mark.parametrize(
    "markdown",
    [
        "# Title\n\nSome *emphasis*.\n",
        "# Title\n\n- a list\n",
        "# Title\n\n[a link](x.md)\n",
        "# A &#39;quoted&#39; title\n",
        "# Title\n\ntext with a hard break  \nnext\n",
        "# Title\n\n    indented code\n",
        "# Title\n\n!!! note\n    admonition\n",
        "# Title\n\nan :emoji: here\n",
        "# Title\n\n<div>raw html</div>\n",
        "## Heading {: .class }\n",
    ],
)
def test_anything_but_plain_markdown_is_left_to_python_markdown(markdown: str) -> None:
    assert convert(markdown) is None
