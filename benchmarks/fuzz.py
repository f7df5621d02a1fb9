"""A long property-based fuzz run (issue 10): tests/test_fuzz.py with many examples.

Runs the loader, Prisma and DSN properties with ORION_FUZZ_EXAMPLES examples each (fresh
random examples, not the suite's fixed ones) and prints Hypothesis' statistics: passing,
failing and invalid examples per target. Any traceback fails the property and is shown.

    python benchmarks/fuzz.py [--examples 10000] [--workers 2]

The output is also written to benchmarks/out/fuzz-<examples>.txt (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "benchmarks" / "out"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("-k", default="", help="only the properties matching this expression")
    args = parser.parse_args(argv)
    env = {**os.environ, "ORION_FUZZ_EXAMPLES": str(args.examples)}
    command = [
        sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-q", "-p", "no:cacheprovider",
        "--hypothesis-show-statistics", "-n", str(args.workers),
        *(["-k", args.k] if args.k else []),
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    report = f"{done.stdout}{done.stderr}\nexamples per property: {args.examples}; "
    report += f"exit {done.returncode}; {elapsed:.0f} s\n"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"fuzz-{args.examples}.txt").write_text(report, encoding="utf-8")
    print(report)
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
