"""Benchmark the published site (issue 3, "Speed"): our build vs stock mkdocs-material.

For each size (default 500 and 2000 services) in one run:

* site: a synthetic registry (`generate.py`, no violations) built with the repository's
  own `mkdocs.yml` and `docs/` (guide pages, macros, the orion-registry plugin);
* stock: mkdocs-material with its defaults on the same number of plain Markdown pages, all
  in the (automatic) navigation;
* check: `load_registry` + `check_registry` alone, in-process, to show how much of the
  site build is the registry check that every build must run.

Each build runs `mkdocs build` in a fresh subprocess; wall time is the best of `--runs`.
Targets: 500 services <= 1.3x stock; 2000 services <= 20 s and < 150 KB per service page
(the whole site's size divided by the number of services).

    python benchmarks/bench_site.py [--services 500 2000] [--runs 1]

Results are written to `benchmarks/out/site-<services>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate  # noqa: E402

STOCK_CONFIG = "site_name: Stock\ntheme:\n  name: material\n"
STOCK_PAGE = """# Page {n}

A plain page of the stock benchmark, number {n}. It has a short paragraph, a list and a
small table, like a typical hand-written documentation page.

- first point of page {n}
- second point of page {n}

| Key | Value |
|---|---|
| page | {n} |
| kind | plain |
"""


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def build(project: Path, runs: int) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    best = float("inf")
    for _ in range(runs):
        shutil.rmtree(project / "site", ignore_errors=True)
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"build failed in {project}:\n{result.stdout}{result.stderr}")
        best = min(best, elapsed)
    return best


def site_project(root: Path, services: int, seed: int) -> Path:
    project = root / "site"
    project.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(REPO / "docs", project / "docs")
    generate(project / "registry", services, seed, violations=False)
    return project


def stock_project(root: Path, pages: int) -> Path:
    project = root / "stock"
    (project / "docs").mkdir(parents=True)
    (project / "mkdocs.yml").write_text(STOCK_CONFIG)
    (project / "docs" / "index.md").write_text("# Stock\n")
    for n in range(pages):
        (project / "docs" / f"page-{n:05d}.md").write_text(STOCK_PAGE.format(n=n))
    return project


def check_time(registry: Path) -> float:
    code = (
        "import time;from orion_registry.loader import load_registry;"
        "from orion_registry.engine import check_registry;t=time.perf_counter();"
        f"check_registry(load_registry({str(registry)!r}));print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def measure(services: int, runs: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix=f"bench-site-{services}-") as tmp:
        root = Path(tmp)
        site, stock = site_project(root, services, seed), stock_project(root, services)
        site_time, stock_time = build(site, runs), build(stock, runs)
        service_pages = list((site / "site" / "services").glob("*/index.html"))
        site_bytes = folder_size(site / "site")
        return {
            "services": services,
            "site_seconds": round(site_time, 2),
            "stock_seconds": round(stock_time, 2),
            "ratio": round(site_time / stock_time, 2),
            "check_seconds": round(check_time(site / "registry"), 2),
            "site_mb": round(site_bytes / 1e6, 1),
            "stock_mb": round(folder_size(stock / "site") / 1e6, 1),
            "site_kb_per_service": round(site_bytes / services / 1e3, 1),
            "service_page_kb_mean": round(
                sum(p.stat().st_size for p in service_pages) / len(service_pages) / 1e3, 1
            ),
            "service_page_kb_max": round(max(p.stat().st_size for p in service_pages) / 1e3, 1),
            "search_index_mb": round(
                (site / "site" / "search" / "search_index.json").stat().st_size / 1e6, 1
            ),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=1, help="best of N builds (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for services in args.services:
        result = measure(services, args.runs, args.seed)
        (OUT_DIR / f"site-{services}.json").write_text(json.dumps(result, indent=2) + "\n")
        target = "<= 1.3x stock" if services <= 500 else "<= 20 s, < 150 KB/service"
        print(
            f"{services} services: site {result['site_seconds']} s "
            f"(registry check alone {result['check_seconds']} s), "
            f"stock {result['stock_seconds']} s, ratio {result['ratio']}x; "
            f"site {result['site_mb']} MB = {result['site_kb_per_service']} KB/service "
            f"(service page mean {result['service_page_kb_mean']} KB, "
            f"max {result['service_page_kb_max']} KB; search index "
            f"{result['search_index_mb']} MB); stock site {result['stock_mb']} MB "
            f"[target {target}]"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
