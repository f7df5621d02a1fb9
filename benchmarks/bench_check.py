"""Benchmark `check` against the parse floor (issue 2, "Speed").

Generates a synthetic registry (`generate.py`, 500 services by default), then measures, each
run in a fresh subprocess so that peak memory is its own:

* floor: read every file and `yaml.load` it with libyaml's CSafeLoader, keeping the results;
* check: `load_registry` + `check_registry` + the text report, in-process.

Wall time is the best of `--runs` runs; peak memory is `ru_maxrss`, raw and net of the
interpreter after its imports. Targets: check <= 1.3x the floor's time and <= 2x its memory.

    python benchmarks/bench_check.py [--services 500] [--runs 3] [--seed 0]

Results are also written to `benchmarks/out/check-<services>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
TIME_TARGET = 1.3
MEMORY_TARGET = 2.0
MODES = ("floor", "check")


def _max_rss_kib() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage  # macOS reports bytes


def _registry_files(root: Path) -> list[Path]:
    return [root / "orion.yaml", *sorted((root / "services").glob("*.yaml"))]


def child(mode: str, root: Path) -> dict[str, float | int]:
    """One measured run (in a fresh interpreter): imports first, then the timed work."""
    if mode == "floor":
        import yaml

        def work() -> int:
            docs = []
            for path in _registry_files(root):
                text = path.read_text(encoding="utf-8")
                docs.append(yaml.load(text, Loader=yaml.CSafeLoader))
            work.keep = docs  # type: ignore[attr-defined]  # alive until the peak is read
            return 0

    else:
        from orion_registry.engine import check_registry
        from orion_registry.loader import load_registry
        from orion_registry.reporters import REPORTERS

        def work() -> int:
            registry = load_registry(root)
            findings = check_registry(registry)
            REPORTERS["text"](findings)
            work.keep = registry  # type: ignore[attr-defined]
            return len(findings)

    baseline = _max_rss_kib()
    start, cpu = time.perf_counter(), time.process_time()
    findings = work()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _max_rss_kib()
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_kib": peak,
        "net_kib": peak - baseline,
        "findings": findings,
    }


def run_child(mode: str, root: Path) -> dict[str, float | int]:
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_check", "--child", mode, str(root)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


def measure(root: Path, runs: int) -> dict[str, dict[str, float | int | list]]:
    """Per mode: best wall and CPU time, highest peak memory of `runs` fresh subprocesses.

    The modes take turns, so a busy machine slows both alike."""
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for _ in range(runs):
        for mode in MODES:
            results[mode].append(run_child(mode, root))
    return {
        mode: {
            "wall_s": min(r["wall_s"] for r in runs_),
            "cpu_s": min(r["cpu_s"] for r in runs_),
            "rss_kib": max(r["rss_kib"] for r in runs_),
            "net_kib": max(r["net_kib"] for r in runs_),
            "findings": runs_[0]["findings"],
            "walls_s": [round(r["wall_s"], 3) for r in runs_],
        }
        for mode, runs_ in results.items()
    }


def report(services: int, floor: dict, check: dict) -> dict:
    time_ratio = check["wall_s"] / floor["wall_s"]
    cpu_ratio = check["cpu_s"] / floor["cpu_s"]
    raw_ratio = check["rss_kib"] / floor["rss_kib"]
    net_ratio = check["net_kib"] / max(floor["net_kib"], 1)
    rows = [
        (
            "wall time (s, best)",
            f"{floor['wall_s']:.2f}",
            f"{check['wall_s']:.2f}",
            time_ratio,
            TIME_TARGET,
        ),
        ("CPU time (s, best)", f"{floor['cpu_s']:.2f}", f"{check['cpu_s']:.2f}", cpu_ratio, None),
        (
            "peak RSS net (MiB)",
            f"{floor['net_kib'] / 1024:.0f}",
            f"{check['net_kib'] / 1024:.0f}",
            net_ratio,
            MEMORY_TARGET,
        ),
        (
            "peak RSS raw (MiB)",
            f"{floor['rss_kib'] / 1024:.0f}",
            f"{check['rss_kib'] / 1024:.0f}",
            raw_ratio,
            None,
        ),
    ]
    print(f"check benchmark: {services} services, {check['findings']} findings")
    print(f"{'':<22}{'floor':>8}{'check':>8}{'ratio':>8}  target")
    for name, a, b, ratio, target in rows:
        verdict = f"<= {target}x {'PASS' if ratio <= target else 'FAIL'}" if target else "-"
        print(f"{name:<22}{a:>8}{b:>8}{ratio:>7.2f}x  {verdict}")
    return {
        "services": services,
        "python": platform.python_version(),
        "floor": floor,
        "check": check,
        "ratios": {
            "time": time_ratio,
            "cpu": cpu_ratio,
            "memory_net": net_ratio,
            "memory_raw": raw_ratio,
        },
        "targets": {"time": TIME_TARGET, "memory_net": MEMORY_TARGET},
        "pass": {"time": time_ratio <= TIME_TARGET, "memory": net_ratio <= MEMORY_TARGET},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", type=int, default=500, help="default: %(default)s")
    parser.add_argument("--runs", type=int, default=3, help="default: %(default)s")
    parser.add_argument("--seed", type=int, default=0, help="default: %(default)s")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        mode, root = args.child
        if mode not in MODES:
            parser.error(f"mode must be one of {', '.join(MODES)}")
        print(json.dumps(child(mode, Path(root))))
        return 0
    if args.services < 1 or args.runs < 1:
        parser.error("--services and --runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="orion-bench-") as tmp:
        root = Path(tmp) / "registry"
        # In a subprocess: a child's ru_maxrss starts at its parent's peak (Linux keeps the
        # high-water mark across fork + exec), so the parent must stay small.
        subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.generate",
                "--out",
                str(root),
                "--services",
                str(args.services),
                "--seed",
                str(args.seed),
            ],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        measured = measure(root, args.runs)
    result = report(args.services, measured["floor"], measured["check"])
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"check-{args.services}.json"
    out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"results: {os.path.relpath(out)}")
    return 0 if all(result["pass"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
