"""Headless Chromium opens the built site from a local server: Mermaid diagrams render
offline (an SVG inside each `.mermaid`), no console errors, the search box finds a column
and lands on its table, pages read well at 1400 and 390 px (no identifier wrapped mid-word,
no main table scrolling sideways at 1400 px), a broken registry under `mkdocs serve` shows
its banner; screenshots of each go to test-output/browser/.

Needs Debian's `/usr/bin/chromium` (Playwright cannot download browsers here) and the
vendored `docs/assets/vendor/mermaid.min.js` (copied from the npm package by setup).
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from orion_registry.loader import load_registry
from orion_registry.render.graph import map_links
from orion_registry.render.index import build_index
from orion_registry.render.mermaid import er_diagram, flowchart, service_edges

from .helpers import BUNDLED_REGISTRY, ROOT
from .test_site import built_bundled, edit_service, make_project, served

pytestmark = pytest.mark.system

CHROMIUM = Path("/usr/bin/chromium")
VENDORED_MERMAID = ROOT / "docs" / "assets" / "vendor" / "mermaid.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Material draws each diagram into a *closed* shadow root; open it so the test can look in.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attach.call(this, {...init, mode: "open"});
};
"""


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not VENDORED_MERMAID.is_file():
        return f"{VENDORED_MERMAID.relative_to(ROOT)} is missing (run the setup: npm ci, then copy)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (test extras)"
    return None


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
    """A local HTTP server for a built site; yields its root URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url, timeout=1).close()
                break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    with serve(built_bundled(str(tmp_path_factory.mktemp("browser")))) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str, screenshot: Path) -> tuple[list[str], list[str]]:
    """Load `url`, wait for every diagram; return (diagram texts, console errors)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.add_init_script(OPEN_SHADOW_ROOTS)
    page.goto(url, wait_until="networkidle")
    diagrams = page.locator("div.mermaid")
    expected = page.locator("pre.mermaid, div.mermaid").count()
    assert expected > 0, f"{url} has no Mermaid diagram"
    page.wait_for_function(
        "n => document.querySelectorAll('div.mermaid').length >= n"
        " && [...document.querySelectorAll('div.mermaid')].every(d => d.shadowRoot"
        " && d.shadowRoot.querySelector('svg'))",
        arg=expected,
        timeout=30000,
    )
    texts = [
        diagrams.nth(i).evaluate("d => d.shadowRoot.querySelector('svg').textContent")
        for i in range(diagrams.count())
    ]
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return texts, errors


def busiest_service() -> str:
    registry = load_registry(BUNDLED_REGISTRY)
    return max(sorted(registry.services), key=lambda n: len(registry.services[n].model.tables))


def test_service_page_diagrams_render_offline(browser, server: str, output_dir: Path) -> None:
    name = busiest_service()
    shot = output_dir / f"service-{name}.png"
    texts, errors = open_page(browser, f"{server}services/{name}/", shot)
    assert errors == []
    tables = load_registry(BUNDLED_REGISTRY).services[name].model.tables
    er = next(t for t in texts if all(table.name in t for table in tables))
    assert "Syntax error" not in er
    assert shot.stat().st_size > 10_000


def test_relationship_map_draws_every_service_without_mermaid(
    browser, server: str, output_dir: Path
) -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.goto(f"{server}map/", wait_until="networkidle")
    page.wait_for_selector("#orion-map[data-state=ready]", timeout=30000)
    drawn = page.evaluate("orionMap.cy.nodes('[kind = \"service\"]').map(n => n.data('label'))")
    assert sorted(drawn) == sorted(registry.services)  # small registry: teams open
    assert page.locator(".mermaid").count() == 0
    assert page.evaluate("typeof window.mermaid") == "undefined"
    # Hovering a line names its columns.
    link = next(link for link in map_links(build_index(registry)) if link.columns)
    table, column, target_table, target_column = link.columns[0]
    edge = f"svc-{sorted(registry.services).index(link.source)}>"
    edge += f"svc-{sorted(registry.services).index(link.target)}:{link.kind}:{link.sync}"
    x, y = page.evaluate(
        f"(() => {{ const m = orionMap.cy.$id('{edge}').renderedMidpoint();"
        " const box = document.getElementById('orion-map-canvas').getBoundingClientRect();"
        " return [box.left + m.x, box.top + m.y]; })()"
    )
    page.mouse.move(x, y)
    tip = page.locator("#orion-map-tip")
    tip.wait_for(state="visible", timeout=5000)
    assert f"{table}.{column} → {target_table}.{target_column}" in tip.inner_text()
    page.screenshot(path=str(output_dir / "map.png"), full_page=True)
    assert errors == []
    page.close()


# Odd but valid registry text: Mermaid keywords as names, key markers (`pk`) as column
# names, types with parentheses, brackets and spaces, metacharacters in owners, a service
# consuming its own event and one nobody publishes, same-table references.
ODD_SERVICES = {
    "index": """service: index
owner: "Équipe / données <b>ü</b> --> %% ; \\"q\\" {{ x }}"
database: orion_index
events: {publishes: [{name: index.updated}], consumes: [index.updated, ghost.happened]}
""",
    "a_b": """service: a_b
owner: "team | with *stars* `tick` end"
database: orion_a_b
tables:
  - name: end
    columns:
      - {name: pk, type: uuid, primary_key: true}
      - {name: FK, type: "numeric(10,2)"}
      - {name: uk, type: "text[]"}
      - {name: at, type: timestamp with time zone}
      - {name: parent_id, type: uuid, references: end.pk}
      - {name: graph_id, type: uuid, references: graph.id}
  - name: graph
    columns: [{name: id, type: Pk, primary_key: true}]
  - name: class
    columns: [{name: style, type: uuid, primary_key: true}]
  - name: subgraph
    columns: [{name: end, type: uuid, primary_key: true}]
  - name: style
    columns: [{name: classDef, type: '"x"', primary_key: true}]
events: {publishes: [{name: a_b.created}]}
""",
    "a__b": """service: a__b
owner: end
database: orion_a__b
tables:
  - name: end
    columns:
      - {name: id, type: uuid, primary_key: true}
      - name: a_b_pk
        type: uuid
        references: {column: a_b.end.pk, sync: event, events: [a_b.created]}
events: {consumes: [a_b.created]}
""",
}


def odd_diagrams(root: Path) -> list[str]:
    (root / "services").mkdir(parents=True)
    for name, text in ODD_SERVICES.items():
        (root / "services" / f"{name}.yaml").write_text(text, encoding="utf-8")
    registry = load_registry(root)
    assert not registry.findings
    index = build_index(registry)
    names = sorted(registry.services)
    return [
        *(er_diagram(registry.services[n].model, index) for n in names),
        flowchart(index, names, service_edges(index, names), highlight="a_b").source,
        *(flowchart(index, [n], service_edges(index, [n]), highlight=n).source for n in names),
    ]


def test_diagrams_of_odd_registry_text_render_without_syntax_errors(
    browser, server: str, tmp_path: Path
) -> None:
    diagrams = odd_diagrams(tmp_path / "registry")
    page = browser.new_page()
    page.goto(server, wait_until="networkidle")
    page.add_script_tag(url=f"{server}assets/vendor/mermaid.min.js")
    page.evaluate("window.mermaid.initialize({startOnLoad: false})")
    for number, source in enumerate(diagrams):
        result = page.evaluate(
            """async ([id, text]) => {
                try { return (await window.mermaid.render(id, text)).svg; }
                catch (error) { return "FAILED " + error; }
            }""",
            [f"odd{number}", source],
        )
        assert result.startswith("<svg") and "Syntax error" not in result, (source, result)
    page.close()


# --- search, readability, a broken registry ------------------------------------------------
WIDTHS = (1400, 390)
# Identifiers in table cells that the browser broke over two lines (mid-word wraps).
WRAPPED_CODE = """() => [...document.querySelectorAll('.md-typeset td code')]
  .filter(c => c.getClientRects().length > 1).map(c => c.textContent)"""
# Tables wider than the content column (they would scroll sideways), cells whose text
# sticks out of them.
OVERFLOWING_TABLES = """() => [...document.querySelectorAll(
    '.md-typeset table, .md-typeset .md-typeset__scrollwrap, .md-typeset .md-typeset__table')]
  .filter(t => t.offsetParent !== null && t.scrollWidth > t.clientWidth + 1)
  .map(t => t.querySelector('th, td').textContent)
  .concat([...document.querySelectorAll('.md-typeset td')]
    .filter(td => td.offsetParent !== null && td.scrollWidth > td.clientWidth + 1)
    .map(td => 'cell: ' + td.textContent))"""


def column_of_one_table() -> tuple[str, str, str]:
    """The longest column name that only one table of the bundled registry has:
    (column, service, table)."""
    registry = load_registry(BUNDLED_REGISTRY)
    where: dict[str, list[tuple[str, str]]] = {}
    for name, doc in sorted(registry.services.items()):
        for table in doc.model.tables:
            for column in table.columns:
                where.setdefault(column.name, []).append((name, table.name))
    unique = sorted(
        (c for c, places in where.items() if len(places) == 1), key=lambda c: (-len(c), c)
    )
    service, table = where[unique[0]][0]
    return unique[0], service, table


def test_search_finds_a_column_and_lands_on_its_table(
    browser, server: str, output_dir: Path
) -> None:
    from orion_registry.render.links import table_anchor

    column, service, table = column_of_one_table()
    anchor = table_anchor(table)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server, wait_until="networkidle")
    page.locator("input.md-search__input").click()
    page.keyboard.type(column, delay=20)
    result = page.locator(
        f'.md-search-result__item a[href*="services/{service}/"][href$="#{anchor}"]'
    )
    result.first.wait_for(timeout=20000)
    assert column in result.first.inner_text()
    page.screenshot(path=str(output_dir / "search-1400.png"))
    result.first.click()
    page.wait_for_url(f"**/services/{service}/**#{anchor}", timeout=10000)
    heading = page.locator(f"#{anchor}")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the table's heading is not in view"
    columns = page.locator(
        f"xpath=//*[@id='{anchor}']/following-sibling::div[contains(@class, 'orion-columns')][1]"
    )
    assert column in columns.inner_text()
    page.close()


def look(browser, url: str, width: int, shot: Path) -> dict[str, list[str]]:
    """Open `url` at `width`, wait for its diagrams, save a full-page screenshot; return what
    reads badly: failed requests and console errors, wrapped identifiers, wide tables."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda req: errors.append(f"request failed: {req.url}"))
    page.add_init_script(OPEN_SHADOW_ROOTS)
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('pre.mermaid, div.mermaid')].every("
        "d => d.tagName === 'DIV' && d.shadowRoot && d.shadowRoot.querySelector('svg'))",
        timeout=30000,
    )
    page.screenshot(path=str(shot), full_page=True)
    found = {
        "errors": errors,
        "wrapped": page.evaluate(WRAPPED_CODE),
        "overflowing": page.evaluate(OVERFLOWING_TABLES) if width >= 1400 else [],
        "python": [
            text
            for text in page.locator(".md-typeset td").all_inner_texts()
            if re.search(r"\['|\bTrue\b|\bFalse\b|\bNone\b", text)
        ],
    }
    page.close()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_read_well_at_both_widths(browser, server: str, output_dir: Path, width: int) -> None:
    pages = {
        "home": "",
        "service": f"services/{busiest_service()}/",
        "map": "map/",
        "rule": "rules/n102/",
        "services": "services/",
        "migrations": "migrations/",
        "guide-naming": "guide/naming/",
    }
    for name, path in pages.items():
        found = look(browser, f"{server}{path}", width, output_dir / f"{name}-{width}.png")
        assert found == {"errors": [], "wrapped": [], "overflowing": [], "python": []}, name


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`mkdocs serve` of the bundled registry with one error: a service without owner."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    project = make_project(tmp_path_factory.mktemp("broken") / "project")
    name = busiest_service()
    edit_service(project, name, lambda data: data.update(owner=""))
    with served(project) as base:
        yield base


@pytest.mark.parametrize("width", WIDTHS)
def test_a_broken_registry_shows_its_banner(
    browser, broken_server: str, output_dir: Path, width: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(broken_server, wait_until="networkidle")
    banner = page.locator(".orion-banner")
    assert banner.is_visible()
    assert "1 error and 0 warnings" in banner.inner_text()
    page.screenshot(path=str(output_dir / f"findings-banner-{width}.png"))
    banner.locator("a").click()
    page.wait_for_url("**/registry-findings/")
    assert "S601" in page.locator("article").inner_text()
    page.goto(f"{broken_server}services/{busiest_service()}/", wait_until="networkidle")
    flagged = page.locator(".orion-flagged-list")
    assert "S601" in flagged.inner_text()
    page.screenshot(path=str(output_dir / f"findings-service-{width}.png"), full_page=True)
    page.close()
