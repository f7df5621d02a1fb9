"""`mkdocs serve` rebuilds: pages whose inputs did not change are reused, and the site a
rebuild writes is byte for byte the site a fresh build of the same sources writes.

The builds run in-process the way `mkdocs serve` runs them (MkDocs keeps the plugin
instance between its rebuilds, and loads the configuration again for each), on a generated
registry of a few dozen services with cross-service references.
"""

from __future__ import annotations

import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from benchmarks.generate import generate
from orion_registry.cache import CACHE_DIR_ENV, ParseCache
from orion_registry.loader import load_registry
from orion_registry.mkdocs_plugin import OrionRegistryPlugin
from orion_registry.render import render_site
from orion_registry.render.index import build_index
from orion_registry.render.memo import PageMemo
from orion_registry.serve_cache import PageCache

from .helpers import ROOT
from .test_site import tree_hashes

SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    shutil.copy2(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    generate(tmp_path / "registry", 24, 1, violations=False)
    return tmp_path


class Server:
    """Builds like `mkdocs serve`: one plugin instance, a fresh config for each rebuild."""

    def __init__(self, project: Path) -> None:
        self.project = project
        config = self.config(project / "out-0")
        config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = config.plugins["orion-registry"]
        assert isinstance(self.plugin, OrionRegistryPlugin)
        self.builds = 0

    def config(self, site_dir: Path):
        config = load_config(str(self.project / "mkdocs.yml"), site_dir=str(site_dir))
        config.site_url = SERVE_URL
        return config

    def build(self, fresh: bool = False) -> tuple[Path, PageCache]:
        """A rebuild; `fresh`: forget every kept page first (what a new server would do)."""
        self.builds += 1
        site = self.project / f"out-{self.builds}"
        if fresh:
            self.plugin.page_cache, self.plugin.memo = PageCache(), PageMemo()
        logging.getLogger("mkdocs").setLevel(logging.ERROR)
        config = self.config(site)
        assert config.plugins["orion-registry"] is self.plugin  # kept, as serve keeps it
        build(config, serve_url=SERVE_URL)
        assert self.plugin.page_cache is not None
        return site, self.plugin.page_cache

    def rebuilt_as_fresh(self) -> tuple[Path, PageCache]:
        """Rebuild, then build from scratch: both sites must be the same bytes."""
        rebuilt, pages = self.build()
        counts = (pages.converted, pages.templated, pages.indexed)
        fresh, _ = self.build(fresh=True)
        assert tree_hashes(rebuilt) == tree_hashes(fresh)
        pages.converted, pages.templated, pages.indexed = counts
        return rebuilt, pages


def services(project: Path) -> Path:
    return project / "registry" / "services"


def edit_yaml(path: Path, edit: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def describe(path: Path, text: str) -> None:
    edit_yaml(path, lambda data: data.update(description=text))


def cross_reference(project: Path) -> tuple[Path, Path]:
    """A service file with a column referencing another service, and that service's file."""
    for path in sorted(services(project).glob("*.yaml")):
        for target in re.findall(r"references: \{column: (\w+)\.\w+\.\w+", path.read_text()):
            if (services(project) / f"{target}.yaml").is_file():
                return path, services(project) / f"{target}.yaml"
    raise AssertionError("the generated registry has no cross-service reference")


def test_a_rebuild_redoes_only_what_changed_and_writes_the_same_site(project: Path) -> None:
    server = Server(project)
    _, pages = server.build()
    total = pages.converted
    assert total > 60 and pages.templated == pages.indexed == total  # the first: every page

    _, pages = server.build()  # nothing changed: nothing is converted, templated, indexed
    assert (pages.converted, pages.templated, pages.indexed) == (0, 0, 0)
    assert server.plugin.memo is not None and server.plugin.memo.rendered == 0

    edited = sorted(services(project).glob("*.yaml"))[3]
    describe(edited, "Edited while serving.")
    rebuilt, pages = server.rebuilt_as_fresh()
    assert 1 <= pages.converted <= 8, pages.converted  # the service, the indexes, the maps
    assert pages.templated == pages.indexed == pages.converted  # the navigation is the same
    page = rebuilt / "services" / edited.stem / "index.html"
    assert "Edited while serving." in page.read_text(encoding="utf-8")


def _drop_tables(data: dict) -> None:
    data["tables"] = data["tables"][:1]


EDITS: dict[str, Callable[[Path, Path, Path], None]] = {
    "description of a referenced service": lambda project, holder, target: describe(
        target, "New words."
    ),
    "title of a referenced service": lambda project, holder, target: edit_yaml(
        target, lambda d: d.update(title="Renamed")
    ),
    "tables of a referenced service": lambda project, holder, target: edit_yaml(
        target, _drop_tables
    ),
    "a referenced service removed": lambda project, holder, target: target.unlink(),
    "a service added": lambda project, holder, target: edit_yaml(
        shutil.copy(target, services(project) / "zz_added.yaml"),
        lambda d: d.update(service="zz_added", database="orion_zz_added"),
    ),
    "owner changed": lambda project, holder, target: edit_yaml(
        holder, lambda d: d.update(owner="another-team")
    ),
    "a file that no longer loads": lambda project, holder, target: target.write_text(
        "service: [unclosed\n", encoding="utf-8"
    ),
    "orion.yaml": lambda project, holder, target: (project / "registry" / "orion.yaml").write_text(
        "organization: Renamed Org\n", encoding="utf-8"
    ),
    "a template override": lambda project, holder, target: _override_template(project),
}


def _override_template(project: Path) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    folder = project / "overrides"
    folder.mkdir()
    source = (ROOT / "orion_registry" / "templates" / "service.md.j2").read_text()
    (folder / "service.md.j2").write_text("Overridden page.\n\n" + source, encoding="utf-8")
    plugin = re.search(r"(?m)^(\s*)- orion-registry:\s*$", text)
    assert plugin is not None, "mkdocs.yml names the plugin with options"
    indent = plugin.group(1) + "    "
    config.write_text(
        text[: plugin.end()] + f"\n{indent}templates_dir: overrides" + text[plugin.end() :],
        encoding="utf-8",
    )


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_after_any_edit_a_rebuild_writes_what_a_fresh_build_writes(
    edit: str, project: Path
) -> None:
    server = Server(project)
    server.build()
    holder, target = cross_reference(project)
    EDITS[edit](project, holder, target)
    server.rebuilt_as_fresh()


def test_plain_builds_keep_no_pages(project: Path) -> None:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "out"))
    config.plugins.on_startup(command="build", dirty=False)
    plugin = config.plugins["orion-registry"]
    assert plugin.page_cache is None and plugin.memo is None


def test_the_memo_renders_again_the_edited_service_and_its_neighbours(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    generate(root, 24, 2, violations=False)
    cache = ParseCache(tmp_path / "cache", keep_models=True)
    memo = PageMemo()

    def render() -> dict:
        registry = load_registry(root, cache)
        index = build_index(registry)
        memo.start(index, registry.settings.digest)
        pages = render_site(registry, index=index, memo=memo).pages
        memo.finish()
        assert pages == render_site(load_registry(root)).pages  # as a render from scratch
        return pages

    render()
    assert memo.rendered == 24
    render()
    assert memo.rendered == 0
    holder, target = cross_reference(tmp_path)
    describe(target, "New words.")
    render()
    neighbours = build_index(load_registry(root)).neighbours(target.stem)
    assert holder.stem in neighbours
    assert memo.rendered == 1 + len(neighbours)
