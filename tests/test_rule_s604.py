"""S604: a waiver is narrow (its target does not cover every service) and temporary (it
has `expires`, at most `max_waiver_days` after the engine's today); S rules are not
waivable. Only the rule's findings are asserted here: that S-rule waivers suppress nothing
is the engine's part (waivers.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from .helpers import ID_COLUMN, check_example

TODAY = dt.date(2026, 3, 10)
SERVICES = """
---
service: ledger
tables:
  - name: ledgerEntries
    model: LedgerEntry
    columns:
      - {id}
---
service: payouts
tables:
  - name: payout_runs
    model: PayoutRun
    columns:
      - {id}
""".replace("{id}", ID_COLUMN)


def s604(tmp_path, waiver: str, settings: str = "", services: str = SERVICES) -> list:
    example = f"# orion.yaml\n{settings}waivers:\n  - {waiver}\n{services}"
    findings = check_example(example, tmp_path)
    assert not [f for f in findings if f.rule.startswith("L")], findings
    return [f for f in findings if f.rule == "S604"]


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch) -> None:
    monkeypatch.setenv("ORION_REGISTRY_TODAY", TODAY.isoformat())


def waiver(target: str = "ledger.ledgerEntries", expires: object = "2026-09-01", rule="N101"):
    tail = "" if expires is None else f", expires: {expires}"
    return f"{{rule: {rule}, target: '{target}', reason: kept for the export job{tail}}}"


def test_a_narrow_temporary_waiver_passes(tmp_path) -> None:
    assert s604(tmp_path, waiver()) == []


def test_a_waiver_without_expires_fires_at_the_waiver(tmp_path) -> None:
    [finding] = s604(tmp_path, waiver(expires=None))
    assert finding.file.endswith("orion.yaml") and finding.line == 3
    assert "has no `expires`" in finding.message


@pytest.mark.parametrize(
    ("days", "fires"), [(0, False), (365, False), (366, True), (4000, True), (-3, False)]
)
def test_expires_within_max_waiver_days_of_today(tmp_path, days: int, fires: bool) -> None:
    expires = (TODAY + dt.timedelta(days=days)).isoformat()
    found = s604(tmp_path, waiver(expires=expires))
    assert bool(found) == fires
    if fires:
        assert "more than 365 days after 2026-03-10" in found[0].message


def test_max_waiver_days_is_an_option(tmp_path) -> None:
    settings = "rules:\n  S604: {max_waiver_days: 30}\n"
    late = (TODAY + dt.timedelta(days=31)).isoformat()
    on_time = (TODAY + dt.timedelta(days=30)).isoformat()
    assert s604(tmp_path, waiver(expires=late), settings)
    assert not s604(tmp_path, waiver(expires=on_time), settings)


@pytest.mark.parametrize(
    "target", ["*", "*.*", "?*", "[a-z]*", "*.*.*", "[lp]*", "*[sr]", "*.*.id", "**"]
)
def test_a_target_covering_every_service_fires(tmp_path, target: str) -> None:
    [finding] = s604(tmp_path, waiver(target=target))
    assert f"covers every service with target '{target}'" in finding.message


@pytest.mark.parametrize("target", ["ledger.*", "l*", "ledger", "*.ledgerEntries", "p*.*"])
def test_a_target_inside_some_services_passes(tmp_path, target: str) -> None:
    assert s604(tmp_path, waiver(target=target)) == []


@pytest.mark.parametrize("code", ["S601", "S602", "S603"])
def test_an_s_rule_waiver_fires(tmp_path, code: str) -> None:
    [finding] = s604(tmp_path, waiver(target="ledger", rule=code))
    assert "S rule" in finding.message and "cannot be waived" in finding.message


@pytest.mark.xfail(
    strict=True,
    reason="a waiver of S604 on its own target suppresses its own finding until the engine "
    "makes S rules non-waivable (waivers.py, issue 8): then remove this mark",
)
def test_a_waiver_of_s604_itself_fires(tmp_path) -> None:
    [finding] = s604(tmp_path, waiver(target="ledger", rule="S604"))
    assert "cannot be waived" in finding.message
