"""Snapshot tests per rule family, as ruff does: every finding of every rule example.

Each family's snapshot (`tests/snapshots/<family>.txt`) holds, for each rule's Bad and Good
example, the full output of `check` on it: rule, severity, file, line, column, target,
message and any other field a finding carries. A changed message or position is a visible
diff in review. To accept a change, run with `ORION_UPDATE_SNAPSHOTS=1` and review the diff.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from orion_registry.rules import RULES
from orion_registry.rules.base import FAMILIES
from orion_registry.rules.examples import EXAMPLE_DAY, write_example

from .helpers import example_findings

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("ORION_UPDATE_SNAPSHOTS") == "1"
# examples run alone, with a `# base` revision, or with their service's `prisma_schema`
RUNNABLE = frozenset({"base", "live"})
TODAY = EXAMPLE_DAY  # waivers and migration dates are judged against a fixed day


def family_output(family: str) -> str:
    """Every example's findings; the examples are written under the working directory."""
    lines = []
    for code in sorted(c for c, rule in RULES.items() if c[0] == family and rule.needs <= RUNNABLE):
        for section in ("Bad", "Good"):
            folder = Path(f"{code}-{section}")  # relative: messages name relative paths
            write_example(textwrap.dedent(RULES[code].example(section)), folder)
            lines.append(f"## {code} {section}")
            for finding in example_findings(folder, TODAY):
                data = finding.as_dict()
                data["file"] = Path(data["file"]).relative_to(folder).as_posix()
                lines.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(lines) + "\n"


FAMILIES_WITH_EXAMPLES = sorted(
    {code[0] for code, rule in RULES.items() if rule.needs <= RUNNABLE} & set(FAMILIES)
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
