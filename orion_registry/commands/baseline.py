"""`orion-registry baseline`: accept today's findings in `baseline.yaml`, to adopt the guide
gradually (as PHPStan's baseline or RuboCop's auto-gen-config do).

Entries are keyed by rule and target, with a count, never by line: edits elsewhere in a
file keep them valid. `check` then fails only on new findings, shows the baselined ones as
a count, and reports entries that no longer occur (S605) so the file shrinks as teams fix
things. Load problems (L) and the rules that judge waivers and the baseline are never
baselined.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from ..engine import check_registry
from ..findings import exit_code
from ..loader import BASELINE_FILE, display_path, load_registry
from ..waivers import JUDGES
from .common import UsageError, add_registry_argument, print_problems

HEADER = (
    "# Findings accepted when this registry adopted the guide, written by\n"
    "# `orion-registry baseline`. `check` fails only on findings not listed here; fix one\n"
    "# and remove its entry (S605 says which). Keyed by rule and target, not by line.\n"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "baseline",
        help="accept today's findings in baseline.yaml, so check fails only on new ones",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    add_registry_argument(parser)
    parser.set_defaults(run=run)


def baseline_text(counts: Counter[tuple[str, str]]) -> str:
    entries = [
        {"rule": rule, "target": target, "count": count}
        for (rule, target), count in sorted(counts.items())
    ]
    body = yaml.safe_dump({"baseline": entries}, sort_keys=False, default_flow_style=None)
    return HEADER + body


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder; never through a
    symbolic link."""
    if path.is_symlink():
        raise UsageError(f"'{path.as_posix()}' is a symbolic link: not written through")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    registry = load_registry(args.registry)
    if registry.baseline is None and (registry.root / BASELINE_FILE).exists():
        problems = [f for f in registry.findings if f.target == "baseline"]
        print_problems(problems)
        raise UsageError(f"{BASELINE_FILE} does not load: fix it or delete it, then run again")
    findings = check_registry(registry, ignore=sorted(JUDGES))
    if exit_code(findings) == 2 or any(f.rule.startswith("L") for f in findings):
        print_problems(f for f in findings if f.rule.startswith("L"))
        raise UsageError("the registry does not load cleanly: fix the problems above first")
    counts = Counter((f.rule, f.target) for f in findings)
    path = registry.root / BASELINE_FILE
    write_atomically(path, baseline_text(counts))
    total = sum(counts.values())
    print(
        f"Recorded {total} finding(s) as {len(counts)} entr{'y' if len(counts) == 1 else 'ies'} "
        f"in {display_path(registry.root, BASELINE_FILE)}."
    )
    return 0
