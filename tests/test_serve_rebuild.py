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
from mkdocs.commands.build import build
from mkdocs.config import load_config

from benchmarks.generate import generate
from orion_registry.mkdocs_plugin import OrionRegistryPlugin
from orion_registry.page_cache import PageCache

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
            self.plugin.pages = PageCache()
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
        config = self.config(site)
        assert config.plugins["orion-registry"] is self.plugin  # kept, as serve keeps it
        build(config, serve_url=SERVE_URL)
        assert self.plugin.pages is not None
        return site, self.plugin.pages


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
    assert total > 60 and pages.templated == total  # the first build does every page

    _, pages = server.build()  # nothing changed: nothing is converted or templated again
    assert (pages.converted, pages.templated) == (0, 0)

    name = service_names(project)[3]
    describe(project, name, "Edited while serving.")
    rebuilt, pages = server.build()
    assert 1 <= pages.converted <= 6, pages.converted  # the service, the services index...
    assert pages.templated == pages.converted  # the navigation did not change
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
    assert config.plugins["orion-registry"].pages is None


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
