"""Every rule documents itself; its Bad example must fire it and its Good example must not."""

from __future__ import annotations

import pytest

from orion_registry.rules import RULES
from orion_registry.rules.base import REQUIRED_SECTIONS

from .helpers import check_example

# Rules whose examples run as they are: on the registry alone, or with a `# base` revision.
CHECKED = sorted(code for code, rule in RULES.items() if rule.needs <= {"base"})


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


@pytest.mark.parametrize("code", CHECKED)
def test_good_example_passes_the_rule(code: str, tmp_path) -> None:
    findings = check_example(RULES[code].example("Good"), tmp_path)
    assert not [f for f in findings if f.rule.startswith("L")], findings
    assert code not in [f.rule for f in findings], findings
