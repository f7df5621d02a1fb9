"""Every rule documents itself; its Bad example must fire it and its Good example must not."""

from __future__ import annotations

import pytest

from orion_registry.rules import RULES
from orion_registry.rules.base import REQUIRED_SECTIONS

from .helpers import check_example

# Other drift codes a Bad example cannot help firing: a cross-service foreign key needs a
# copy of the other service's table in this service's schema, and that copy is an extra
# table (D702).
ALSO_DRIFT = {"D715": {"D702"}}

# Rules whose examples run as they are: on the registry alone, with a `# base` revision,
# or (the drift rules, `live`) with the Prisma schema their service names (`# file:`).
CHECKED = sorted(code for code, rule in RULES.items() if rule.needs <= {"base", "live"})


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_docs_are_complete(code: str) -> None:
    rule = RULES[code]
    missing = [s for s in REQUIRED_SECTIONS if not rule.sections.get(s)]
    assert not missing, f"{code} docstring lacks sections: {missing}"
    assert rule.summary.endswith("."), f"{code} summary should be one sentence"
    for section in ("Bad", "Good"):
        assert rule.example(section).strip(), f"{code} {section} has no ```yaml block"


@pytest.mark.parametrize("code", CHECKED)
def test_bad_example_fires_the_rule(code: str, tmp_path) -> None:
    findings = check_example(RULES[code].example("Bad"), tmp_path)
    assert not [f for f in findings if f.rule.startswith("L")], findings
    hits = [f for f in findings if f.rule == code]
    assert hits, f"{code}'s Bad example did not fire it; got {findings}"
    for hit in hits:
        assert hit.line >= 1 and hit.column >= 1 and hit.target
    if code.startswith("D"):  # a drift example disagrees with its schema in one way only
        others = {f.rule for f in findings if f.rule.startswith("D")} - {code}
        assert others == ALSO_DRIFT.get(code, set()), findings


@pytest.mark.parametrize("code", CHECKED)
def test_good_example_passes_the_rule(code: str, tmp_path) -> None:
    findings = check_example(RULES[code].example("Good"), tmp_path)
    assert not [f for f in findings if f.rule.startswith("L")], findings
    assert code not in [f.rule for f in findings], findings
    if code.startswith("D"):  # a Good drift example agrees with its schema entirely
        assert not [f for f in findings if f.rule.startswith("D")], findings
