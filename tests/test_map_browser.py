"""The interactive relationship map at 300 services, in headless Chromium.

A synthetic registry (benchmarks/generate.py) is built with the repository's mkdocs.yml and
docs/; the test loads the map, searches a service, checks that exactly its one-hop
neighbourhood is highlighted, clicks it and lands on its page. Screenshots (focused and
not, 1400 px and 390 px wide) go to test-output/browser/. Time-to-interactive is measured
and written next to them (map-300-timing.json), never asserted: timings are not tests.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orion_registry.loader import load_registry
from orion_registry.render.index import build_index

from .helpers import ROOT
from .test_browser import CHROMIUM, CHROMIUM_ARGS, _missing, serve
from .test_site import mkdocs_build

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

pytestmark = pytest.mark.system

SERVICES = 300
GRAPH_LIMIT = 1_000_000  # bytes of map/graph.json
WIDTHS = (1400, 390)


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    project = tmp_path_factory.mktemp("map300")
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", project / "docs")
    generate(project / "registry", services=SERVICES, seed=0, violations=False)
    result = mkdocs_build(project, "--strict")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    with serve(project / "site") as url:
        yield url, project / "site", project / "registry"


@pytest.fixture(scope="module")
def chromium(big_site) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_map(browser, url: str, width: int, errors: list[str]):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.goto(url)
    page.wait_for_selector("#orion-map[data-state=ready]", timeout=60000)
    return page


def shoot(page, path: Path) -> None:
    """The map and its controls (scrolled to just below the header), as a reader sees them."""
    page.evaluate(
        "window.scrollTo(0, document.getElementById('orion-map').getBoundingClientRect().top"
        " + window.scrollY - 60)"
    )
    page.screenshot(path=str(path))


def test_graph_data_is_small_and_complete(big_site) -> None:
    _, site, registry_dir = big_site
    graph = site / "map" / "graph.json"
    size = graph.stat().st_size
    print(f"\nmap/graph.json at {SERVICES} services: {size / 1000:.0f} kB")
    assert size < GRAPH_LIMIT
    document = json.loads(graph.read_text(encoding="utf-8"))
    assert [s["name"] for s in document["services"]] == sorted(load_registry(registry_dir).services)
    raw = (site / "map" / "index.html").read_text(encoding="utf-8")
    assert "mermaid" not in raw.lower()


def test_search_highlights_the_neighbourhood_and_a_click_opens_the_service(
    big_site, chromium, output_dir: Path
) -> None:
    url, _, registry_dir = big_site
    index = build_index(load_registry(registry_dir))
    name = max(index.names, key=lambda n: (len(index.neighbours(n)), n))
    expected = sorted(index.neighbours(name))
    timings: dict[str, object] = {"services": SERVICES}
    errors: list[str] = []
    for width in WIDTHS:
        page = open_map(chromium, f"{url}map/", width, errors)
        timings[f"interactive_ms_{width}"] = round(page.evaluate("orionMap.readyAt"))
        timings[f"layout_ms_{width}"] = int(page.get_attribute("#orion-map", "data-layout-ms"))
        assert page.evaluate("orionMap.cy.nodes().length") > 0
        shoot(page, output_dir / f"map-300-{width}.png")

        page.fill("#orion-map-search", name)
        page.press("#orion-map-search", "Enter")
        page.wait_for_selector(f"#orion-map[data-focus='{name}']", timeout=30000)
        cy = "orionMap.cy"
        assert page.evaluate(f"{cy}.nodes('.focus').map(n => n.data('label'))") == [name]
        highlighted = page.evaluate(f"{cy}.nodes('.neighbour').map(n => n.data('label'))")
        assert sorted(highlighted) == expected
        edges = page.evaluate(
            f"{cy}.edges().map(e => [e.source().data('label'), e.target().data('label')])"
        )
        assert edges and all(name in pair for pair in edges)
        assert {other for pair in edges for other in pair} - {name} == set(expected)
        assert page.locator("#orion-map-links li").count() == len(expected)
        assert f"focus={name}" in page.url
        shoot(page, output_dir / f"map-300-{width}-focused.png")

        node = page.evaluate(
            f"(() => {{ const p = {cy}.nodes('.focus').renderedPosition();"
            " const box = document.getElementById('orion-map-canvas').getBoundingClientRect();"
            " return [box.left + p.x, box.top + p.y]; })()"
        )
        page.mouse.click(*node)
        page.wait_for_url(f"**/services/{name}/", timeout=30000)
        assert page.locator("h1").first.inner_text().strip()
        assert f'href="../../map/?focus={name}"' in page.content()
        page.close()
    timings["focused_service"] = name
    timings["neighbours"] = len(expected)
    (output_dir / "map-300-timing.json").write_text(json.dumps(timings, indent=2) + "\n")
    print(f"\nrelationship map at {SERVICES} services: {timings}")
    assert errors == []


def test_focus_from_the_url_and_without_javascript_a_list_of_links(
    big_site, chromium, output_dir: Path
) -> None:
    url, _, registry_dir = big_site
    index = build_index(load_registry(registry_dir))
    name = index.names[0]
    errors: list[str] = []
    page = open_map(chromium, f"{url}map/?focus={name}", 1400, errors)
    assert page.get_attribute("#orion-map", "data-focus") == name
    page.close()
    assert errors == []

    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}map/")
    assert not page.locator("#orion-map").is_visible()
    hrefs = set(page.eval_on_selector_all(".orion-map-list a", "as => as.map(a => a.href)"))
    for other in index.names:
        assert f"{url}services/{other}/" in hrefs
    teams = page.eval_on_selector_all(".orion-map-team", "hs => hs.map(h => h.textContent)")
    assert teams == [f"{owner} ({len(index.owners[owner])})" for owner in sorted(index.owners)]
    context.close()
