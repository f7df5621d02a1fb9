"""Waivers around services that failed to load."""

from __future__ import annotations

from .helpers import check_example


def test_waivers_of_a_service_that_failed_to_load_are_not_judged(tmp_path, monkeypatch) -> None:
    """While `billing.yaml` is broken, its waiver is neither 'missing' (S602) nor unused."""
    monkeypatch.setenv("ORION_REGISTRY_TODAY", "2026-06-01")
    example = """
    # orion.yaml
    waivers:
      - {rule: N101, target: billing.userAccounts, reason: legacy, expires: 2027-01-01}
    ---
    service: billing
    tables: {not: a list}
    """
    findings = check_example(example, tmp_path)
    assert [f.rule for f in findings] == ["L002"], findings
