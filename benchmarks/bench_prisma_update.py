"""Benchmark `import prisma --update` and the Prisma side of `check` on the corpus's
largest schema (civitai's `schema.full.prisma`: 302 models, a 4,400-line service file).

Times, best of `--runs`, in one process (the grammar built before timing):
- `live`: the Prisma schema read as a LiveSchema (parse + import + canonical forms);
- `update-stale`: `update_text` of a stale registry (a table, every third column, every
  other index and each enum's last value missing) -> ~1,500 changes;
- `update-current`: `update_text` of the updated file (no change, nothing written).

    python benchmarks/bench_prisma_update.py [--runs 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orion_registry.prisma.importer import import_schema  # noqa: E402
from orion_registry.prisma.live import live_schema  # noqa: E402
from orion_registry.prisma.parser import parse_files  # noqa: E402
from orion_registry.prisma.update import update_text  # noqa: E402
from orion_registry.prisma.writer import service_yaml  # noqa: E402
from tests.test_prisma_update import _stale  # noqa: E402

SCHEMA = (
    REPO.parent / "shared" / "corpus" / "civitai__civitai" / "packages" / "civitai-db-schema"
    / "prisma" / "schema.full.prisma"
)  # fmt: skip


def best(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    schema = parse_files([SCHEMA])
    data, _ = import_schema(schema, "civitai", "orion_civitai")
    stale = service_yaml(_stale(data), ["stale"])
    current, changes = update_text(stale, data)
    print(f"{SCHEMA.name}: {len(data['tables'])} tables, {len(changes)} changes")
    print(f"live            {best(args.runs, lambda: live_schema(parse_files([SCHEMA]))):.2f} s")
    print(f"update-stale    {best(args.runs, lambda: update_text(stale, data)):.2f} s")
    print(f"update-current  {best(args.runs, lambda: update_text(current, data)):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
