"""Benchmark the interactive relationship map in headless Chromium, and compare layouts.

Builds the site of a synthetic registry (`generate.py`, default 300 services) with the
repository's mkdocs.yml and docs/ (or reuses `--site`), opens `map/` and reports:

* time to interactive (navigation start -> the map answers: graph read, drawn, laid out),
  the size of map/graph.json and of the page;
* the fCoSE layout (what the page uses) on three views: the opening one (teams collapsed),
  the focus on the busiest service, and every team open without lines (what the page lays
  out when thousands of lines would tie every box to every other);
* with `--elk path/to/elk.bundled.js` (the npm package `elkjs`, not a dependency of the
  project), ELK's `layered` and `stress` algorithms on the same views, for comparison.

    python benchmarks/bench_map.py [--services 300] [--site DIR] [--elk elk.bundled.js]

Results go to `benchmarks/out/map-<services>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
CHROMIUM = "/usr/bin/chromium"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

# The graph Cytoscape holds, as ELK input: compound teams with their services, and edges.
ELK_RUN = """async ([algorithm]) => {
  const cy = orionMap.cy;
  const children = new Map();
  const top = [];
  cy.nodes().forEach(n => {
    const box = n.boundingBox({includeLabels: true});
    const node = {id: n.id(), width: box.w, height: box.h, children: []};
    children.set(n.id(), node);
  });
  cy.nodes().forEach(n => {
    const parent = n.parent();
    (parent.length ? children.get(parent.id()).children : top).push(children.get(n.id()));
  });
  const graph = {
    id: "root",
    layoutOptions: {"elk.algorithm": algorithm, "elk.hierarchyHandling": "INCLUDE_CHILDREN",
                    "elk.randomSeed": "1"},
    children: top,
    edges: cy.edges().map(e => ({
      id: e.id(), sources: [e.source().id()], targets: [e.target().id()],
    })),
  };
  const started = performance.now();
  await new ELK().layout(graph);
  return Math.round(performance.now() - started);
}"""
# fCoSE with the page's settings on whatever Cytoscape holds (positions are not kept).
FCOSE_RUN = """() => {
  const cy = orionMap.cy;
  const started = performance.now();
  cy.layout({name: "fcose", quality: "default", randomize: true, animate: false, fit: false,
             nodeDimensionsIncludeLabels: true, packComponents: true, tile: true,
             idealEdgeLength: 260, nodeRepulsion: 800000, edgeElasticity: 0.05,
             gravity: 0.05, nodeSeparation: 120, numIter: 2500}).run();
  return Math.round(performance.now() - started);
}"""


@contextlib.contextmanager
def serve(site: Path) -> Iterator[str]:
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


def build_site(services: int, work: Path) -> Path:
    shutil.copy2(REPO / "mkdocs.yml", work / "mkdocs.yml")
    shutil.copytree(REPO / "docs", work / "docs")
    generate(work / "registry", services=services, seed=0, violations=False)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"],
        cwd=work,
        env=env,
        check=True,
    )
    return work / "site"


def measure(site: Path, elk: Path | None) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    result: dict[str, object] = {
        "graph_json_bytes": (site / "map" / "graph.json").stat().st_size,
        "map_page_bytes": (site / "map" / "index.html").stat().st_size,
    }

    def note(key: str, value: object) -> None:
        result[key] = value
        print(f"{key}: {value}", flush=True)

    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(600_000)
        page.goto(f"{url}map/")
        page.wait_for_selector("#orion-map[data-state=ready]")
        note("interactive_ms", round(page.evaluate("orionMap.readyAt")))
        if elk:
            page.add_script_tag(path=str(elk))
        views = {
            "opening": None,  # every team collapsed at this size
            "focus": "orionMap.focus(orionMap.graph.services.reduce((a, b) =>"
            " b.links.length > a.links.length ? b : a).name)",
            "every_team_open_no_lines": "document.getElementById('orion-map-expand').click();"
            " orionMap.cy.edges().remove()",
        }
        for view, action in views.items():
            if action:
                page.evaluate(action)
            note(
                f"{view}_view",
                page.evaluate(
                    "({nodes: orionMap.cy.nodes().length, edges: orionMap.cy.edges().length})"
                ),
            )
            note(f"fcose_{view}_ms", page.evaluate(FCOSE_RUN))
            if elk:
                for algorithm in ("layered", "stress"):
                    note(f"elk_{algorithm}_{view}_ms", page.evaluate(ELK_RUN, [algorithm]))
        browser.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--site", type=Path, help="a site already built (skips the build)")
    parser.add_argument("--elk", type=Path, help="elk.bundled.js from the npm package elkjs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_site(args.services, Path(tmp))
        result = {"services": args.services, **measure(site, args.elk)}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"map-{args.services}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
