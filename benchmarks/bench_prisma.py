"""Benchmark `import prisma` on the corpus's largest schema, next to Prisma's own parser
(issue 5, "Speed").

civitai's `schema.full.prisma` (290 KB, 302 models, 121 enums) is imported in-process
(parse + map to the registry + YAML text), best of `--runs`; the parser is built once
before timing, as in a long-lived process. In the same run, `get_dmmf` of
@prisma/prisma-schema-wasm reads the same file in one node process (the engine's own
time, and the whole process including loading the wasm). Target: import <= 1 s.

    python benchmarks/bench_prisma.py [--runs 3]

Results are also written to `benchmarks/out/prisma.json` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from orion_registry.prisma.importer import import_schema  # noqa: E402
from orion_registry.prisma.parser import _parser, parse_files  # noqa: E402
from orion_registry.prisma.writer import service_yaml  # noqa: E402
from tests import prisma_oracle  # noqa: E402

SCHEMA = (
    REPO.parent / "shared" / "corpus" / "civitai__civitai" / "packages" / "civitai-db-schema"
    / "prisma" / "schema.full.prisma"
)  # fmt: skip
TARGET_SECONDS = 1.0


def import_once(path: Path) -> tuple[float, dict[str, float], int]:
    started = time.perf_counter()
    schema = parse_files([path])
    parsed = time.perf_counter()
    data, _ = import_schema(schema, "civitai", "orion_civitai")
    mapped = time.perf_counter()
    service_yaml(data, [])
    done = time.perf_counter()
    phases = {"parse": parsed - started, "map": mapped - parsed, "yaml": done - mapped}
    return done - started, phases, len(data["tables"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not SCHEMA.is_file():
        print(f"missing {SCHEMA}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    _parser()
    build = time.perf_counter() - started
    runs = [import_once(SCHEMA) for _ in range(args.runs)]
    best, phases, tables = min(runs, key=lambda r: r[0])
    result = {
        "schema": SCHEMA.relative_to(REPO.parent).as_posix(),
        "bytes": SCHEMA.stat().st_size,
        "tables": tables,
        "import_best_s": round(best, 3),
        "import_runs_s": [round(r[0], 3) for r in runs],
        "phases_s": {k: round(v, 3) for k, v in phases.items()},
        "parser_build_s": round(build, 3),
        "target_s": TARGET_SECONDS,
        "python": platform.python_version(),
    }
    reason = prisma_oracle.available()
    if reason is None:
        dmmf, wall = prisma_oracle.timed_dmmf([(SCHEMA.name, SCHEMA.read_text(encoding="utf-8"))])
        result["get_dmmf_s"] = round(dmmf.ms / 1000, 3) if dmmf.ok else None
        result["get_dmmf_process_s"] = round(wall, 3)
    else:
        result["get_dmmf_s"] = f"skipped: {reason}"
    split = ", ".join(f"{k} {v:.3f}" for k, v in phases.items())
    print(
        f"import prisma  {best:.3f} s best of {args.runs} ({split}; parser built once in "
        f"{build:.3f} s) -> {tables} tables; target <= {TARGET_SECONDS} s"
    )
    if reason is None:
        print(
            f"get_dmmf       {result['get_dmmf_s']} s in the engine, "
            f"{result['get_dmmf_process_s']} s for the whole node process"
        )
    else:
        print(f"get_dmmf       {result['get_dmmf_s']}")
    out = REPO / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "prisma.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0 if best <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
