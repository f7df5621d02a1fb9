"""Benchmark `diff` against a cold `check` (issue 4, "Speed").

Generates the synthetic registry (`generate.py`, 500 services by default) in a temporary git
repository, commits it on `main`, then makes a handful of changes on a branch (a dropped
column, an optional column with its entry, a new index, an enum value, a renamed table) and
measures, each in a fresh interpreter (imports excluded from the timing):

* check: `load_registry` + `check_registry` + the text report of the new revision;
* diff:  `review(registry, "main")` (base read from git, changed services compared, impact,
  M504, plus the same full check) + the text report.

Wall time is the best of `--runs` runs. Target: diff <= 2x check.

    python benchmarks/bench_diff.py [--services 500] [--runs 3] [--seed 0]

Results are also written to `benchmarks/out/diff-<services>.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"
TARGET = 2.0
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, env={**os.environ, **GIT_ENV},
                   capture_output=True)  # fmt: skip


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _entry(n: int, kind: str, purpose: str) -> dict:
    day = dt.date(2099, 1, n)
    data = {"id": f"{day:%Y%m%d}_bench_{n}", "date": day, "type": kind, "purpose": purpose,
            "changes": [purpose], "rollback": "Revert the migration."}  # fmt: skip
    if kind == "breaking":
        data["steps"] = ["deploy code that stops using it", purpose]
    return data


def make_changes(registry: Path) -> int:
    """A handful of edits in 5 services; returns how many services changed."""
    files = sorted((registry / "services").glob("*.yaml"))
    picks = files[:: max(1, len(files) // 5)][:5]

    def drop_column(d: dict) -> None:
        table = d["tables"][0]
        col = table["columns"].pop(-3)
        d["migrations"].append(_entry(1, "breaking", f"Drop column {table['name']}.{col['name']}."))

    def add_column(d: dict) -> None:
        table = d["tables"][1]
        table["columns"].append({"name": "bench_note", "type": "text", "nullable": True})
        d["migrations"].append(_entry(2, "non-breaking", f"Add column {table['name']}.bench_note."))

    def add_index(d: dict) -> None:
        table = d["tables"][2]
        name = f"idx_{table['name']}_created_at"
        table.setdefault("indexes", []).append({"name": name, "columns": ["created_at"]})

    def add_enum_value(d: dict) -> None:
        if d.get("enums"):
            d["enums"][0]["values"].append("BENCH")

    def rename_table(d: dict) -> None:
        d["tables"][-1]["name"] += "_v2"

    for path, change in zip(picks, (drop_column, add_column, add_index, add_enum_value,
                                    rename_table), strict=False):  # fmt: skip
        _edit(path, change)
    return len(picks)


def child(mode: str, registry: Path) -> dict[str, float | int]:
    """One measured run in a fresh interpreter: imports first, then the timed work."""
    from orion_registry.diff import review
    from orion_registry.diff.report import render_text
    from orion_registry.engine import check_registry
    from orion_registry.loader import load_registry
    from orion_registry.reporters import REPORTERS

    start = time.perf_counter()
    if mode == "check":
        findings = check_registry(load_registry(registry))
        REPORTERS["text"](findings)
        counts = {"findings": len(findings)}
    else:
        result = review(registry, "main")
        render_text(result)
        counts = {"findings": len(result.findings), "changes": len(result.changes),
                  "breaking": sum(c.breaking for c in result.changes)}  # fmt: skip
    return {"wall_s": time.perf_counter() - start, **counts}


def measure(mode: str, registry: Path, runs: int) -> dict[str, float | int]:
    best: dict[str, float | int] | None = None
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--registry", str(registry)],
            check=True, capture_output=True, text=True, cwd=registry.parent,
        )  # fmt: skip
        result = json.loads(done.stdout)
        if best is None or result["wall_s"] < best["wall_s"]:
            best = result
    assert best is not None
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=("check", "diff"), help=argparse.SUPPRESS)
    parser.add_argument("--registry", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.registry)))
        return 0

    sys.path.insert(0, str(REPO / "benchmarks"))
    from generate import generate

    with tempfile.TemporaryDirectory(prefix="orion-bench-diff-") as tmp:
        repo = Path(tmp)
        registry = repo / "registry"
        generate(registry, services=args.services, seed=args.seed, violations=False)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "base")
        git(repo, "checkout", "-q", "-b", "change")
        changed = make_changes(registry)
        git(repo, "commit", "-q", "-am", "a handful of changes")
        check = measure("check", registry, args.runs)
        diff = measure("diff", registry, args.runs)

    ratio = diff["wall_s"] / check["wall_s"]
    report = {
        "services": args.services,
        "changed_services": changed,
        "runs": args.runs,
        "python": platform.python_version(),
        "check": check,
        "diff": diff,
        "ratio": round(ratio, 3),
        "target": TARGET,
        "ok": ratio <= TARGET,
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"diff-{args.services}.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"services: {args.services} ({changed} changed), best of {args.runs} runs")
    print(f"check (cold, one revision): {check['wall_s']:.2f} s, {check['findings']} findings")
    print(f"diff --base main:           {diff['wall_s']:.2f} s, {diff['changes']} changes "
          f"({diff['breaking']} breaking), {diff['findings']} findings")  # fmt: skip
    print(
        f"ratio diff/check: {ratio:.2f} (target <= {TARGET}) -> {'ok' if report['ok'] else 'SLOW'}"
    )
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
