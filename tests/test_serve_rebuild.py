"""`mkdocs serve` rebuilds: pages whose inputs did not change are reused, and the site a
rebuild writes is byte for byte the site a fresh build of the same sources writes.

The builds run in-process the way `mkdocs serve` runs them (MkDocs keeps the plugin
instance between its rebuilds), on a generated registry of a few dozen services.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from benchmarks.generate import generate
from orion_registry.cache import ParseCache
from orion_registry.loader import load_registry
from orion_registry.mkdocs_plugin import OrionRegistryPlugin
from orion_registry.page_cache import PageCache
from orion_registry.render import SitePaths, render_site
from orion_registry.render.index import build_index
from orion_registry.rerender import Rendered, merged, services_to_render, shared_inputs

from .helpers import ROOT
from .test_site import tree_hashes

SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
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
            self.plugin.page_cache = PageCache()
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        config = self.config(site)
        assert config.plugins["orion-registry"] is self.plugin  # kept, as serve keeps it
        build(config, serve_url=SERVE_URL)
        assert self.plugin.page_cache is not None
        return site, self.plugin.page_cache


def describe(project: Path, name: str, text: str) -> None:
    path = project / "registry" / "services" / f"{name}.yaml"
    source = path.read_text(encoding="utf-8")
    edited = re.sub(r"(?m)^description: .*$", f"description: {text}", source, count=1)
    assert edited != source
    path.write_text(edited, encoding="utf-8")


def service_names(project: Path) -> list[str]:
    return sorted(p.stem for p in (project / "registry" / "services").glob("*.yaml"))


def test_a_rebuild_redoes_only_what_changed_and_writes_the_same_site(
    project: Path,
) -> None:
    server = Server(project)
    _, pages = server.build()
    total = pages.converted
    assert total > 60 and pages.templated == pages.indexed == total  # the first: every page

    _, pages = server.build()  # nothing changed: nothing is converted, templated, indexed
    assert (pages.converted, pages.templated, pages.indexed) == (0, 0, 0)

    name = service_names(project)[3]
    describe(project, name, "Edited while serving.")
    rebuilt, pages = server.build()
    assert 1 <= pages.converted <= 6, pages.converted  # the service, the services index...
    assert pages.templated == pages.indexed == pages.converted  # the navigation is the same
    assert "Edited while serving." in (rebuilt / "services" / name / "index.html").read_text()
    fresh, pages = server.build(fresh=True)
    assert pages.converted == total
    assert tree_hashes(rebuilt) == tree_hashes(fresh)


def test_a_change_of_navigation_renders_every_page_again_correctly(project: Path) -> None:
    server = Server(project)
    server.build()
    source = project / "registry" / "services" / f"{service_names(project)[0]}.yaml"
    text = source.read_text(encoding="utf-8")
    (project / "registry" / "services" / "zz_added.yaml").write_text(
        re.sub(r"(?m)^service: .*$", "service: zz_added", text, count=1).replace(
            f"database: {_database(text)}", "database: orion_zz_added", 1
        ),
        encoding="utf-8",
    )
    rebuilt, pages = server.build()
    assert pages.templated > 60  # every page shows the navigation, which gained a page
    assert pages.converted < pages.templated  # but most conversions are reused
    fresh, _ = server.build(fresh=True)
    assert (rebuilt / "services" / "zz_added" / "index.html").is_file()
    assert tree_hashes(rebuilt) == tree_hashes(fresh)


def test_plain_builds_keep_no_pages(project: Path) -> None:
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "out"))
    config.plugins.on_startup(command="build", dirty=False)
    assert config.plugins["orion-registry"].page_cache is None


def _database(text: str) -> str:
    found = re.search(r"(?m)^database: (\S+)", text)
    assert found is not None
    return found.group(1)


def test_the_env_var_turns_the_parse_cache_off_for_the_site(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    folder = tmp_path / "parse-cache"
    monkeypatch.setenv("ORION_REGISTRY_CACHE_DIR", str(folder))
    monkeypatch.setenv("ORION_REGISTRY_NO_CACHE", "1")
    Server(project).build()
    assert not folder.exists()
    monkeypatch.delenv("ORION_REGISTRY_NO_CACHE")
    describe(project, service_names(project)[0], "A change, so the site loads again.")
    Server(project).build()
    assert len(os.listdir(folder)) > 20


# --- which service pages a change touches (no MkDocs: the rendered Markdown itself) ------
def _pages(root: Path, cache: ParseCache, before: Rendered | None) -> tuple[Rendered, set | None]:
    registry = load_registry(root, cache)
    index = build_index(registry)
    shared = shared_inputs(registry, index)
    only = services_to_render(before, registry, index, shared)
    site = render_site(registry, index=index, services=only)
    uris = {name: SitePaths().service(name) for name in index.names}
    return Rendered(registry, index, merged(before, site, only, uris), shared), only


def _cross_reference(root: Path) -> tuple[Path, str]:
    """A service file with a column referencing another service, and that service."""
    for path in sorted((root / "services").glob("*.yaml")):
        for target in re.findall(r"references: \{column: (\w+)\.\w+\.\w+", path.read_text()):
            if (root / "services" / f"{target}.yaml").is_file():
                return path, target
    raise AssertionError("the generated registry has no cross-service reference")


def _three_owners(root: Path) -> None:
    """Every owner has several services: removing one leaves the set of owners as it is."""
    for n, path in enumerate(sorted((root / "services").glob("*.yaml"))):
        text = re.sub(r"(?m)^owner: .*$", f"owner: team-{n % 3}", path.read_text(), count=1)
        path.write_text(text, encoding="utf-8")


def _edit_yaml(path: Path, edit) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _drop_tables(data: dict) -> None:
    data["tables"] = data["tables"][:1]


EDITS = {
    "description": lambda root, holder, owner: describe(root.parent, owner, "New words."),
    "title of a referenced service": lambda root, holder, owner: _edit_yaml(
        root / "services" / f"{owner}.yaml", lambda d: d.update(title="Renamed")
    ),
    "tables of a referenced service": lambda root, holder, owner: _edit_yaml(
        root / "services" / f"{owner}.yaml", _drop_tables
    ),
    "a referenced service removed": lambda root, holder, owner: (
        root / "services" / f"{owner}.yaml"
    ).unlink(),
    "a referencing service removed": lambda root, holder, owner: holder.unlink(),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_rendering_only_touched_services_gives_every_page_as_a_full_render(
    edit: str, tmp_path: Path
) -> None:
    root = tmp_path / "registry"
    generate(root, 24, 2, violations=False)
    _three_owners(root)
    cache = ParseCache(tmp_path / "cache", keep_models=True)
    before, only = _pages(root, cache, None)
    assert only is None
    again, only = _pages(root, cache, before)
    assert only == set() and again.site.pages == before.site.pages
    holder, owner = _cross_reference(root)
    EDITS[edit](root, holder, owner)
    after, only = _pages(root, cache, again)
    full = render_site(load_registry(root))
    assert only is not None and 0 < len(only) < len(after.index.names)
    assert after.site.pages.keys() == full.pages.keys()
    for uri, page in full.pages.items():
        assert after.site.pages[uri] == page, uri
