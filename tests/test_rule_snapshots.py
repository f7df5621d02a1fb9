"""Snapshot tests per rule family, as ruff does: every finding of every rule example.

Each family's snapshot (`tests/snapshots/<family>.txt`) holds, for each rule's Bad and Good
example, the full output of `check` on it: rule, severity, file, line, column, target,
message and any other field a finding carries. A changed message or position is a visible
diff in review. To accept a change, run with `ORION_UPDATE_SNAPSHOTS=1` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import textwrap
from pathlib import Path

import pytest

from orion_registry.diff import compare_with_base
from orion_registry.engine import check_registry, run
from orion_registry.loader import load_registry
from orion_registry.rules import RULES
from orion_registry.rules.base import FAMILIES
from orion_registry.rules.context import Inputs
from orion_registry.rules.examples import BASE_DIR, write_example

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("ORION_UPDATE_SNAPSHOTS") == "1"
BASE = frozenset({"base"})  # examples run alone, or with a `# base` revision
TODAY = dt.date(2026, 1, 1)  # waivers and migration dates are judged against a fixed day


def family_output(family: str) -> str:
    """Every example's findings; the examples are written under the working directory."""
    lines = []
    for code in sorted(c for c, rule in RULES.items() if c[0] == family and rule.needs <= BASE):
        for section in ("Bad", "Good"):
            folder = Path(f"{code}-{section}")  # relative: messages name relative paths
            write_example(textwrap.dedent(RULES[code].example(section)), folder)
            lines.append(f"## {code} {section}")
            for finding in _findings(folder):
                data = finding.as_dict()
                data["file"] = Path(data["file"]).relative_to(folder).as_posix()
                lines.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _findings(folder: Path) -> list:
    """`check`, or `diff --base` when the example has a base revision (M504)."""
    if (folder / BASE_DIR).is_dir():
        registry = load_registry(folder)
        result = compare_with_base(folder, str(folder / BASE_DIR))
        inputs = Inputs(base=result.base, changes=result.changes)
        return run(registry, inputs, on_date=TODAY)
    return check_registry(load_registry(folder), on_date=TODAY)


FAMILIES_WITH_EXAMPLES = sorted(
    {code[0] for code, rule in RULES.items() if rule.needs <= BASE} & set(FAMILIES)
)


@pytest.mark.parametrize("family", FAMILIES_WITH_EXAMPLES)
def test_family_output_matches_its_snapshot(family: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    output = family_output(family)
    snapshot = SNAPSHOTS / f"{family}.txt"
    if UPDATE or not snapshot.exists():
        snapshot.write_text(output, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote a new snapshot {snapshot.name}: review and commit it")
    assert output == snapshot.read_text(encoding="utf-8")
