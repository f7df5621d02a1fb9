"""The site on hostile registry text: a long text never goes through Markdown (build time
linear in its size; the timing itself is benchmarks/bench_long_text.py) and stays escaped;
a failed `mkdocs build` keeps the last good site."""

from __future__ import annotations

import html
import random
from pathlib import Path

import pytest

from orion_registry.loader import load_registry
from orion_registry.render import escape_markdown, make_env, render_site
from orion_registry.render.paths import SitePaths

from .test_site import INJECTED, edit_service, make_project, mkdocs_build, page_text

PUNCTUATION = "*_`[]()<>#+-!|\\{}~^=$:\"'&."


def long_text(size: int, seed: int) -> str:
    rng = random.Random(seed)
    body = "".join(rng.choice(PUNCTUATION + "ab ") for _ in range(size))
    return f"LONG-START {INJECTED} {body} LONG-END"


def test_a_long_value_is_a_block_inside_a_page_and_escaped_outside() -> None:
    from orion_registry.render.blocks import HtmlBlocks
    from orion_registry.render.escape import LONG_TEXT

    text = long_text(LONG_TEXT + 500, seed=3)
    outside = str(escape_markdown(text))
    assert html.unescape(outside) == " ".join(text.split())
    blocks = HtmlBlocks()
    with blocks.active():
        marker = str(escape_markdown(text))
    assert "LONG-START" not in marker and blocks.blocks == [outside]
    short = "x" * LONG_TEXT
    with blocks.active():
        assert str(escape_markdown(short)) == short


@pytest.mark.parametrize("place", ["service", "table", "column", "migration", "enum"])
def test_long_registry_text_never_reaches_markdown(tmp_path: Path, place: str) -> None:
    project = make_project(tmp_path / "p")
    text = long_text(30_000, seed=len(place))

    def edit(data: dict) -> None:
        target = {
            "service": data,
            "table": data["tables"][0],
            "column": data["tables"][0]["columns"][1],
            "migration": data["migrations"][0],
            "enum": data["enums"][0] if data.get("enums") else data,
        }[place]
        target["purpose" if place == "migration" else "description"] = text

    edit_service(project, "user", edit)
    registry = load_registry(project / "registry")
    site = render_site(registry, [], make_env(None), SitePaths("", True))
    shown = " ".join(text.split())
    for uri, page in site.pages.items():
        assert "LONG-START" not in page.markdown, uri  # Markdown never sees the long text
        if "LONG-START" in page.inline():
            assert shown in html.unescape(page.inline())


def test_a_long_punctuation_description_builds_escaped(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    text = long_text(200_000, seed=7)
    edit_service(project, "user", lambda data: data.update(description=text))
    result = mkdocs_build(project, "--strict")
    assert result.returncode == 0, result.stderr
    page = (project / "site" / "services" / "user" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert " ".join(text.split()) in page_text(
        project / "site" / "services" / "user" / "index.html"
    )


def test_a_failed_build_keeps_the_last_good_site(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    assert mkdocs_build(project).returncode == 0
    site = project / "site"
    before = sorted(str(p.relative_to(site)) for p in site.rglob("*"))
    user_page = (site / "services" / "user" / "index.html").read_bytes()
    edit_service(project, "user", lambda data: data["tables"][0].update(name="brokenName"))
    failed = mkdocs_build(project)
    assert failed.returncode != 0 and "N101" in failed.stderr
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*")) == before
    assert (site / "services" / "user" / "index.html").read_bytes() == user_page
    assert sorted(p.name for p in project.iterdir()) == ["docs", "mkdocs.yml", "registry", "site"]


def test_a_strict_failure_keeps_the_site_and_a_success_replaces_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    assert mkdocs_build(project).returncode == 0
    site = project / "site"
    (site / "stale.html").write_text("left from an old build", encoding="utf-8")
    (project / "docs" / "broken-link.md").write_text("[x](nowhere.md)\n", encoding="utf-8")
    assert mkdocs_build(project, "--strict").returncode != 0  # a warning under --strict
    assert (site / "stale.html").exists() and (site / "index.html").exists()
    assert mkdocs_build(project).returncode == 0
    assert not (site / "stale.html").exists() and (site / "broken-link" / "index.html").exists()
    assert sorted(p.name for p in project.iterdir()) == ["docs", "mkdocs.yml", "registry", "site"]
