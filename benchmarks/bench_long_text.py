"""Benchmark: site build time against the size of one registry text (issue 10).

A copy of the repository's site (mkdocs.yml, docs/, the bundled registry) whose `user`
service gets, in the chosen places, a text of N bytes made only of Markdown and HTML
punctuation (the worst case for Markdown's inline patterns). Each size is one real
`mkdocs build`, in a fresh subprocess; the time should grow linearly with the size.

    python benchmarks/bench_long_text.py [--sizes 100000 400000 1000000]
        [--places service table column migration]

Target: 1 MB in the service description builds in < 5 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PUNCTUATION = "*_`[]()<>#+-!|\\{}~^=$:\"'&.@%"


def punctuation_text(size: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(PUNCTUATION + "ab ") for _ in range(size))


def project(root: Path, text: str, places: list[str]) -> Path:
    shutil.copy2(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "registry", root / "registry")
    if (REPO / "packages").is_dir():  # the Prisma schemas the services name
        shutil.copytree(REPO / "packages", root / "packages")
    path = root / "registry" / "services" / "user.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if "service" in places:
        data["description"] = text
    if "table" in places:
        data["tables"][0]["description"] = text
    if "column" in places:
        data["tables"][0]["columns"][1]["description"] = text
    if "migration" in places:
        data["migrations"][0]["purpose"] = text
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


def build_seconds(root: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", "site"],
        cwd=root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"build failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000, 100_000, 400_000, 1_000_000]
    )
    parser.add_argument(
        "--places", nargs="+", default=["service"],
        choices=["service", "table", "column", "migration"],
    )  # fmt: skip
    args = parser.parse_args(argv)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-long-text-") as tmp:
            seconds = build_seconds(project(Path(tmp), punctuation_text(size), args.places))
        print(f"{size:>9,} bytes in {'+'.join(args.places)}: {seconds:6.2f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
