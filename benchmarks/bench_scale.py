"""Speed at scale (issue 12): the five figures in one run, each next to its target.

* P1 cold `check`, 500 services (150k columns), empty parse cache, against the CSafeLoader
  floor (read every file and `yaml.load` it): target <= 1.3x.
* P2 `check` after editing one of the 500 service files (the cache holds the others):
  target <= 10% of P1.
* P3a `mkdocs build` of the site for 500 services against stock mkdocs-material on the same
  number of plain pages, in the same run: target <= 1.3x.
* P3b `mkdocs build` for 2000 services: target <= 20 s; its peak memory is reported.
* P3c `mkdocs serve` with 500 services: a service file is edited and its page polled until
  the edit shows: target <= 3 s from the save.

Every measurement runs in a fresh subprocess; times are wall clock, best of `--runs`, with
the CPU time of the process and its children next to them (on a busy machine the wall time
of a multi-process run says little: compare CPU). Results go to `benchmarks/out/scale.json`.

    python benchmarks/bench_scale.py [--runs 2] [--skip site,big,serve] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_site import site_project, stock_project  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
MEASURE = """
import json, resource, sys, time
{setup}
start, cpu = time.perf_counter(), time.process_time()
{work}
wall = time.perf_counter() - start
children = resource.getrusage(resource.RUSAGE_CHILDREN)
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"wall": wall, "cpu": time.process_time() - cpu
    + children.ru_utime + children.ru_stime, "rss_mib": max(own.ru_maxrss,
    children.ru_maxrss) / 1024}}))
"""
# Each piece of work: its imports, then (after `# timed`) what is measured.
FLOOR = """
import yaml
from pathlib import Path
# timed
root = Path(sys.argv[1])
keep = [yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        for p in [root / "orion.yaml", *sorted((root / "services").glob("*.yaml"))]]
"""
CHECK = """
from orion_registry.cli import main
import contextlib, io
# timed
sys.argv = ["orion-registry", "check", "--registry", sys.argv[1]]  # as the command runs
with contextlib.redirect_stdout(io.StringIO()):
    main()
"""
BUILD = """
from mkdocs.__main__ import cli
import os
# timed
os.chdir(sys.argv[1])
try:
    cli(["build", "-q", "-d", "site"])
except SystemExit as exc:
    if exc.code: raise
"""


def measured(work: str, *args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    setup, _, timed = work.partition("# timed\n")
    code = MEASURE.format(setup=setup, work=timed)
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=REPO,
        env=env or ENV,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"failed: {args}\n{done.stdout}{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: int, work: str, *args: str, env: dict[str, str] | None = None, before=None):
    results = []
    for _ in range(runs):
        if before is not None:
            before()
        results.append(measured(work, *args, env=env))
    return min(results, key=lambda r: r["wall"]), results


def edit_service(registry: Path, marker: str, which: int, column: bool = False) -> Path:
    """Change a service's description (its page and the services index show it), or with
    `column` add a column to its first table (a schema change)."""
    path = sorted((registry / "services").glob("*.yaml"))[which * 37 % 500]
    text = path.read_text(encoding="utf-8")
    if column:
        added = f"  - {{name: note_{marker.replace('-', '_')}, type: text, nullable: true}}\n"
        text = re.sub(r"(?m)^  columns:\n", lambda m: m.group(0) + added, text, count=1)
    else:
        text = re.sub(r"(?m)^description: .*$", f"description: Edited {marker}.", text, count=1)
    path.write_text(text, encoding="utf-8")
    return path


def p1_p2(root: Path, runs: int) -> dict[str, object]:
    registry = root / "registry"
    subprocess.run(
        [sys.executable, "-m", "benchmarks.generate", "--out", str(registry), "--clean-only"],
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    cache = root / "cache"
    env = {**ENV, "ORION_REGISTRY_CACHE_DIR": str(cache)}
    floor, _ = best(runs, FLOOR, str(registry))
    cold, _ = best(runs, CHECK, str(registry), env=env, before=lambda: shutil.rmtree(cache, True))
    counter = iter(range(1000))

    def edit() -> None:
        n = next(counter)
        edit_service(registry, f"p2-{n}", n)

    def add_column() -> None:
        n = next(counter)
        edit_service(registry, f"p2-{n}", n, column=True)

    measured(CHECK, str(registry), env=env)  # warm
    warm, _ = best(runs, CHECK, str(registry), env=env, before=edit)
    schema, _ = best(runs, CHECK, str(registry), env=env, before=add_column)
    return {"floor": floor, "cold": cold, "edited": warm, "column_added": schema}


def p3a(root: Path, runs: int) -> dict[str, object]:
    site = site_project(root / "p3a", 500, 0)
    cache = root / "p3a-cache"
    env = {**ENV, "ORION_REGISTRY_CACHE_DIR": str(cache)}
    ours, _ = best(runs, BUILD, str(site), env=env, before=lambda: shutil.rmtree(cache, True))
    pages = sum(1 for _ in (site / "site").rglob("index.html"))
    stock = stock_project(root / "p3a", pages - 1)  # stock adds its own home page
    theirs, _ = best(runs, BUILD, str(stock))
    return {"site": ours, "stock": theirs, "pages": pages}


def p3b(root: Path) -> dict[str, object]:
    site = site_project(root / "p3b", 2000, 0)
    env = {**ENV, "ORION_REGISTRY_CACHE_DIR": str(root / "p3b-cache")}
    return {"site": measured(BUILD, str(site), env=env)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def site_url(project: Path) -> str:
    """The project's `site_url` (serve mounts the site at its path)."""
    found = re.search(r"(?m)^site_url:\s*(\S+)", (project / "mkdocs.yml").read_text())
    return found.group(1) if found and "://" in found.group(1) else "/"  # not `!ENV ...`


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p3c(root: Path, edits: int) -> dict[str, object]:
    site = root / "p3c" / "site"
    if not site.exists():
        site = site_project(root / "p3c", 500, 0)
    port = _free_port()
    env = {**ENV, "ORION_REGISTRY_CACHE_DIR": str(root / "p3c-cache")}
    log = (root / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=site,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        start = time.perf_counter()
        first = sorted((site / "registry" / "services").glob("*.yaml"))[0].stem
        base = f"http://127.0.0.1:{port}{urlsplit(site_url(site)).path}"
        while "</html>" not in _get(f"{base}services/{first}/"):
            if server.poll() is not None or time.perf_counter() - start > 900:
                raise SystemExit(f"serve did not start; see {root / 'serve.log'}")
            time.sleep(0.5)
        initial = time.perf_counter() - start
        waits, cpus = [], []
        for n in range(edits):
            time.sleep(2)  # let the watcher settle
            marker = f"serve-{n}-{time.time_ns()}"
            path = edit_service(site / "registry", marker, n)
            saved, cpu = time.perf_counter(), cpu_seconds(server.pid)
            url = f"{base}services/{path.stem}/"
            while marker not in _get(url):
                if time.perf_counter() - saved > 900:
                    raise SystemExit(f"edit never showed; see {root / 'serve.log'}")
                time.sleep(0.05)
            waits.append(time.perf_counter() - saved)
            cpus.append(cpu_seconds(server.pid) - cpu)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    builds = re.findall(
        r"Documentation built in ([0-9.]+) seconds", (root / "serve.log").read_text()
    )
    return {
        "initial_s": initial,
        "edit_to_page_s": waits,
        "serve_cpu_s": cpus,
        "builds_s": [float(b) for b in builds],
    }


def verdict(value: float, target: float) -> str:
    return f"{'PASS' if value <= target else 'MISS'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=2, help="best of N (default 2)")
    parser.add_argument("--edits", type=int, default=3, help="serve: edits to time")
    parser.add_argument("--skip", default="", help="comma-separated: check,site,big,serve")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    result: dict[str, object] = {"cpus": os.cpu_count(), "load": os.getloadavg()}
    lines = []
    try:
        if "check" not in skip:
            checks = result["check"] = p1_p2(root, args.runs)
            floor, cold, edited = checks["floor"], checks["cold"], checks["edited"]
            p1 = cold["wall"] / floor["wall"]
            p2 = edited["wall"] / cold["wall"]
            p1_cpu, p2_cpu = cold["cpu"] / floor["cpu"], edited["cpu"] / cold["cpu"]
            lines.append(
                f"P1 cold check 500 services: {cold['wall']:.2f} s (cpu {cold['cpu']:.2f}) vs "
                f"CSafeLoader floor {floor['wall']:.2f} s (cpu {floor['cpu']:.2f}) = {p1:.2f}x "
                f"(cpu {p1_cpu:.2f}x) [target <= 1.3x] {verdict(p1, 1.3)}"
            )
            lines.append(
                f"P2 check after one edit: {edited['wall']:.2f} s (cpu {edited['cpu']:.2f}) = "
                f"{p2:.0%} of cold (cpu {p2_cpu:.0%}) [target <= 10%] {verdict(p2, 0.10)}"
            )
            added = checks["column_added"]
            lines.append(
                f"   (the edit a column added instead of a description: {added['wall']:.2f} s = "
                f"{added['wall'] / cold['wall']:.0%} of cold)"
            )
        if "site" not in skip:
            sites = result["site"] = p3a(root, args.runs)
            ratio = sites["site"]["wall"] / sites["stock"]["wall"]
            ratio_cpu = sites["site"]["cpu"] / sites["stock"]["cpu"]
            lines.append(
                f"P3a site 500 services ({sites['pages']} pages): {sites['site']['wall']:.1f} s "
                f"(cpu {sites['site']['cpu']:.1f}) vs stock Material "
                f"{sites['stock']['wall']:.1f} s (cpu {sites['stock']['cpu']:.1f}) = {ratio:.2f}x "
                f"(cpu {ratio_cpu:.2f}x) [target <= 1.3x] "
                f"{verdict(ratio, 1.3)}"
            )
        if "big" not in skip:
            big = result["big"] = p3b(root)
            wall = big["site"]["wall"]
            lines.append(
                f"P3b site 2000 services: {wall:.1f} s (cpu {big['site']['cpu']:.1f}), peak "
                f"memory {big['site']['rss_mib']:.0f} MiB [target <= 20 s] {verdict(wall, 20)}"
            )
        if "serve" not in skip:
            serve = result["serve"] = p3c(root, args.edits)
            worst = max(serve["edit_to_page_s"])
            shown = ", ".join(f"{w:.2f}" for w in serve["edit_to_page_s"])
            builds = ", ".join(f"{b:.1f}" for b in serve["builds_s"])
            cpus = ", ".join(f"{c:.2f}" for c in serve["serve_cpu_s"])
            lines.append(
                f"P3c serve 500 services: edit -> page served in {shown} s (worst {worst:.2f}; "
                f"serve's CPU meanwhile {cpus} s); builds {builds} s [target <= 3 s] "
                f"{verdict(worst, 3)}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result["lines"] = lines
    (OUT_DIR / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"machine: {result['cpus']} cpus, load average {result['load'][0]:.1f} at start")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
