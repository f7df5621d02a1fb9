"""YAML scalars read as the registry means them (YAML 1.2 booleans)."""

from __future__ import annotations

from orion_registry.source import parse

from .helpers import check_example


def test_only_true_and_false_are_booleans() -> None:
    data = parse("a: off\nb: ON\nc: yes\nd: true\ne: False\n").data
    assert data == {"a": "off", "b": "ON", "c": "yes", "d": True, "e": False}


def test_off_switches_a_rule_off_and_on_is_an_enum_value(tmp_path) -> None:
    example = """
    # orion.yaml
    rules:
      N101: off
      T206: {severity: off}
    ---
    enums:
      - {name: Power, db_name: power, values: [ON, OFF]}
    tables:
      - name: userAccounts
        model: UserAccount
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: power, type: Power, nullable: yes}
    """
    findings = check_example(example, tmp_path)
    assert not [f for f in findings if f.rule.startswith("L") or f.rule in ("N101", "T206")], (
        findings
    )


def test_an_impossible_date_is_a_located_finding_not_a_crash(tmp_path) -> None:
    assert parse("date: 2024-02-30\n").data == {"date": "2024-02-30"}
    example = """
    migrations:
      - id: 20240230_x
        date: 2024-02-30
        type: data
        purpose: p
        rollback: r
    """
    findings = [f for f in check_example(example, tmp_path) if f.rule == "L002"]
    assert len(findings) == 1 and "migrations[0].date" in findings[0].message, findings
