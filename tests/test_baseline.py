"""`orion-registry baseline`: adopt the guide gradually; check fails only on new findings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from orion_registry.loader import BASELINE_FILE

from .helpers import BUNDLED_REGISTRY, SHARED, run_cli

CIVITAI = SHARED / "corpus" / "civitai__civitai"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _json(*argv: str) -> tuple[int, dict]:
    code, out, _ = run_cli(*argv, "--format", "json")
    return code, json.loads(out)


@pytest.fixture
def registry(tmp_path) -> Path:
    """The bundled registry with two violations: a camelCase table and a camelCase column."""
    root = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, root)
    user = root / "services" / "user.yaml"
    _edit(user, "name: user_preferences", "name: userPreferences")
    _edit(user, "name: email_notifications", "name: emailNotifications")
    return root


def test_baseline_accepts_todays_findings_and_check_fails_only_on_new_ones(registry) -> None:
    assert run_cli("check", "--registry", str(registry))[0] == 1
    code, out, err = run_cli("baseline", "--registry", str(registry))
    assert (code, err) == (0, "")
    assert "Recorded 2 finding(s) as 2 entries" in out
    code, out, _ = run_cli("check", "--registry", str(registry))
    assert code == 0
    assert out == "All checks passed: no findings (2 baselined, not shown).\n"

    _edit(registry / "services" / "auth.yaml", "name: user_agent", "name: userAgent")
    code, report = _json("check", "--registry", str(registry))
    new = [f for f in report["findings"] if not f.get("baselined")]
    assert code == 1
    assert [(f["rule"], f["target"]) for f in new] == [("N103", "auth.sessions.userAgent")]
    assert report["summary"]["baselined"] == 2


def test_fixing_a_baselined_finding_reports_one_stale_entry(registry) -> None:
    run_cli("baseline", "--registry", str(registry))
    _edit(registry / "services" / "user.yaml", "name: emailNotifications", "name: email_notify")
    code, report = _json("check", "--registry", str(registry))
    stale = [f for f in report["findings"] if f["rule"] == "S605"]
    assert code == 0 and len(stale) == 1, report
    assert stale[0]["file"].endswith(BASELINE_FILE) and stale[0]["severity"] == "warning"
    assert "emailNotifications" in stale[0]["message"] and "remove it" in stale[0]["message"]


def test_entries_survive_edits_elsewhere_in_the_file(registry) -> None:
    run_cli("baseline", "--registry", str(registry))
    user = registry / "services" / "user.yaml"
    user.write_text("# a new comment line\n" * 5 + user.read_text(encoding="utf-8"))
    assert run_cli("check", "--registry", str(registry))[0] == 0


def test_a_count_accepts_that_many_findings_of_one_rule_on_one_target(tmp_path) -> None:
    root = tmp_path / "registry"
    (root / "services").mkdir(parents=True)
    (root / "services" / "shop.yaml").write_text(
        "service: shop\ndatabase: orion_shop\nowner: shop-team\ndescription: Orders.\n"
        "tables:\n  - name: orders\n    model: Order\n    columns:\n"
        "      - {name: id, type: uuid, primary_key: true, default: uuid()}\n"
    )
    run_cli("baseline", "--registry", str(root))
    text = (root / BASELINE_FILE).read_text()
    assert "{rule: T203, target: shop.orders, count: 2}" in text  # created_at and updated_at
    _edit(root / BASELINE_FILE, "count: 2", "count: 1")
    _, report = _json("check", "--registry", str(root))
    t203 = [f for f in report["findings"] if f["rule"] == "T203"]
    assert [bool(f.get("baselined")) for f in t203] == [True, False]


def test_sarif_marks_baselined_results_as_suppressed(registry) -> None:
    run_cli("baseline", "--registry", str(registry))
    _, out, _ = run_cli("check", "--registry", str(registry), "--format", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert len(results) == 2
    assert all(r["baselineState"] == "unchanged" and r["suppressions"] for r in results)


def test_github_annotations_leave_baselined_findings_out(registry) -> None:
    run_cli("baseline", "--registry", str(registry))
    assert run_cli("check", "--registry", str(registry), "--format", "github")[1] == ""


def test_diff_treats_a_baselined_finding_on_a_touched_object_as_new(registry, tmp_path) -> None:
    run_cli("baseline", "--registry", str(registry))
    base = tmp_path / "base"
    shutil.copytree(registry, base)
    user = registry / "services" / "user.yaml"
    _edit(user, "type: boolean", "type: boolean\n        nullable: true")  # emailNotifications
    _, out, _ = run_cli(
        "diff", "--registry", str(registry), "--base", str(base), "--format", "json"
    )
    findings = json.loads(out)["findings"]
    touched = [f for f in findings if f["target"] == "user.userPreferences.emailNotifications"]
    assert touched and not any(f.get("baselined") for f in touched)
    untouched = [f for f in findings if f["target"] == "user.userPreferences"]
    assert untouched and all(f.get("baselined") for f in untouched)
    assert not [f for f in findings if f["rule"] == "S605"]


def test_a_broken_baseline_is_a_located_error_and_baseline_refuses_to_overwrite(registry) -> None:
    (registry / BASELINE_FILE).write_text("baseline:\n  - {rule: N101, count: many}\n")
    code, report = _json("check", "--registry", str(registry))
    problems = [f for f in report["findings"] if f["file"].endswith(BASELINE_FILE)]
    assert problems and all(f["rule"] == "L002" and f["line"] == 2 for f in problems)
    code, _, err = run_cli("baseline", "--registry", str(registry))
    assert code == 2 and "does not load" in err
    assert "many" in (registry / BASELINE_FILE).read_text()


def test_unknown_rule_in_the_baseline_is_reported(registry) -> None:
    (registry / BASELINE_FILE).write_text("baseline:\n  - {rule: Q999, target: user}\n")
    _, report = _json("check", "--registry", str(registry))
    assert any(f["rule"] == "S605" and "Q999" in f["message"] for f in report["findings"])


@pytest.mark.skipif(not CIVITAI.is_dir(), reason="../shared/corpus is not there")
def test_civitai_imported_baselined_then_checked_is_clean(tmp_path) -> None:
    root = tmp_path / "registry"
    root.mkdir()
    schema = next(CIVITAI.rglob("*.prisma"))
    code, _, err = run_cli("import", "prisma", str(schema), "--service", "civitai",
                           "--registry", str(root))  # fmt: skip
    assert code == 0, err
    assert run_cli("check", "--registry", str(root))[0] == 1
    assert run_cli("baseline", "--registry", str(root))[0] == 0
    code, out, _ = run_cli("check", "--registry", str(root))
    assert code == 0 and "baselined, not shown" in out, out
