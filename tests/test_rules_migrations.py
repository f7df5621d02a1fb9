"""M501-M504: the migration log is documented, planned when breaking, unique and ordered."""

from __future__ import annotations

import pytest

from orion_registry.engine import check_registry
from orion_registry.findings import Finding
from orion_registry.loader import load_registry
from orion_registry.rules import RULES
from orion_registry.rules.context import Context
from orion_registry.rules.examples import write_example

from .helpers import check_example, rule_findings, text_at

COMPLETE = {
    "id": "20251018_add_user_preferences",
    "date": "2025-10-18",
    "type": "non-breaking",
    "purpose": "Store user preferences separately.",
    "rollback": "Drop the table.",
}


def entry(**keys: str | list[str] | None) -> str:
    """A migration entry as a YAML list item: COMPLETE with `keys` changed (None drops one)."""
    fields = {**COMPLETE, **keys}
    lines = [
        f"{k}: {v}" if not isinstance(v, list) else f"{k}: [{', '.join(v)}]"
        for k, v in fields.items()
        if v is not None
    ]
    return "  - " + "\n    ".join(lines) + "\n"


def run(code: str, *entries: str, tmp_path, settings: str = "") -> list[Finding]:
    example = (f"# orion.yaml\n{settings}\n---\n" if settings else "") + "migrations:\n"
    return rule_findings(code, example + "".join(entries), tmp_path)


# --- M501 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "migration_id",
    ["20251018_add_user_preferences", "20251018093000_add_user_preferences", "20251018_v2"],
)
def test_m501_complete_entry(migration_id: str, tmp_path) -> None:
    assert run("M501", entry(id=migration_id), tmp_path=tmp_path) == []


@pytest.mark.parametrize(
    "migration_id",
    [
        "AddUserPreferences",
        "2025101_add",  # 7 digits
        "202510181_add",  # 9 digits
        "20251018-add-prefs",
        "20251018_Add_prefs",
        "20251018_add__prefs",
        "20251018_add_",
        "x20251018_add",
    ],
)
def test_m501_bad_id(migration_id: str, tmp_path) -> None:
    [hit] = run("M501", entry(id=migration_id), tmp_path=tmp_path)
    assert hit.target == f"example.{migration_id}" and hit.severity == "error"
    assert "YYYYMMDD" in hit.message
    assert text_at(hit).startswith(migration_id)


def test_m501_id_that_is_no_real_date(tmp_path) -> None:
    [hit] = run("M501", entry(id="20251399_add_prefs"), tmp_path=tmp_path)
    assert "real date" in hit.message  # and no date mismatch: there is no day to compare
    assert text_at(hit).startswith("20251399_add_prefs")


@pytest.mark.parametrize("migration_id", ["20251018246000_add_prefs", "20251018126000_add_prefs"])
def test_m501_id_with_no_real_time(migration_id: str, tmp_path) -> None:
    [hit] = run("M501", entry(id=migration_id), tmp_path=tmp_path)
    assert "real date" in hit.message
    assert text_at(hit).startswith(migration_id)


@pytest.mark.parametrize("missing", ["date", "type", "purpose", "rollback"])
def test_m501_one_finding_per_missing_key(missing: str, tmp_path) -> None:
    [hit] = run("M501", entry(**{missing: None}), tmp_path=tmp_path)
    assert f"has no {missing}" in hit.message
    assert text_at(hit).startswith("id: 20251018_add_user_preferences")  # the entry


def test_m501_every_missing_key_is_reported(tmp_path) -> None:
    bare = entry(date=None, type=None, purpose=None, rollback=None)
    messages = [h.message for h in run("M501", bare, tmp_path=tmp_path)]
    assert len(messages) == 4
    for key in ("date", "type", "purpose", "rollback"):
        assert sum(f"has no {key}" in m for m in messages) == 1


def test_m501_empty_text_points_at_the_value(tmp_path) -> None:
    [hit] = run("M501", entry(rollback="'  '"), tmp_path=tmp_path)
    assert "has no rollback" in hit.message
    assert text_at(hit).startswith("'  '")


def test_m501_date_must_match_the_id(tmp_path) -> None:
    [hit] = run("M501", entry(date="2025-10-19"), tmp_path=tmp_path)
    assert "2025-10-19" in hit.message and "2025-10-18" in hit.message
    assert text_at(hit).startswith("2025-10-19")


# --- M502 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("type_", "steps", "fires"),
    [
        ("breaking", None, True),
        ("breaking", ["do it"], True),
        ("breaking", ["expand", "contract"], False),
        ("non-breaking", None, False),
        ("data", ["one"], False),
    ],
)
def test_m502_breaking_needs_steps(type_, steps, fires: bool, tmp_path) -> None:
    hits = run("M502", entry(type=type_, steps=steps), tmp_path=tmp_path)
    assert len(hits) == fires
    if fires:
        assert hits[0].target == "example.20251018_add_user_preferences"
        expected = "- do it" if steps else "id: 20251018"  # the steps, or the entry without any
        assert text_at(hits[0]).startswith(expected)


def test_m502_min_steps_option(tmp_path) -> None:
    steps = entry(type="breaking", steps=["expand", "contract"])
    settings = "rules:\n  M502: {min_steps: 3}"
    [hit] = run("M502", steps, tmp_path=tmp_path, settings=settings)
    assert "at least 3" in hit.message
    assert run("M502", steps, tmp_path=tmp_path / "default") == []


# --- M503 ---------------------------------------------------------------------------------
def test_m503_duplicate_id(tmp_path) -> None:
    [hit] = run("M503", entry(), entry(purpose="Again."), tmp_path=tmp_path)
    assert "used twice" in hit.message and "entry 1" in hit.message
    assert text_at(hit).startswith("20251018_add_user_preferences")
    lines = (tmp_path / "services" / "example.yaml").read_text().splitlines()
    first = next(i for i, line in enumerate(lines, 1) if "20251018_add_user_preferences" in line)
    assert hit.line > first  # the later entry is reported


def test_m503_same_id_in_two_services_is_fine(tmp_path) -> None:
    example = f"migrations:\n{entry()}---\nservice: other\nmigrations:\n{entry()}"
    assert [f for f in check_example(example, tmp_path) if f.rule == "M503"] == []


@pytest.mark.parametrize(
    ("second", "fires"),
    [
        (entry(id="20251017_older", date="2025-10-17"), True),
        (entry(id="20251017_older", date=None), True),  # the id's day stands in for the date
        (entry(id="20251018_same_day"), False),
        (entry(id="20251102_newer", date="2025-11-02"), False),
    ],
)
def test_m503_date_order(second: str, fires: bool, tmp_path) -> None:
    hits = run("M503", entry(), second, tmp_path=tmp_path)
    assert len(hits) == fires
    if fires:
        assert hits[0].target == "example.20251017_older"
        assert "'20251018_add_user_preferences'" in hits[0].message  # names the previous one


@pytest.mark.parametrize(
    ("second_id", "fires"),
    [
        ("20251018093000_earlier", True),  # same day, earlier time: Prisma applies it first
        ("20251018120000_same_time", False),
        ("20251018150000_later", False),
        ("20251018_no_time", False),  # no time to compare: the day is all there is
    ],
)
def test_m503_same_day_ids_in_time_order(second_id: str, fires: bool, tmp_path) -> None:
    first = entry(id="20251018120000_add_user_preferences")
    hits = run("M503", first, entry(id=second_id), tmp_path=tmp_path)
    assert [h.target for h in hits] == ([f"example.{second_id}"] if fires else [])
    if fires:
        assert "'20251018120000_add_user_preferences'" in hits[0].message
        assert text_at(hits[0]).startswith(second_id)


# --- M504 ---------------------------------------------------------------------------------
def test_m504_needs_the_base_and_is_silent_in_check(tmp_path) -> None:
    m504 = RULES["M504"]
    assert m504.needs == {"base"} and m504.severity == "error"
    root = write_example(f"migrations:\n{entry(type='breaking')}", tmp_path)
    assert list(m504.check(Context(load_registry(root)), m504.options)) == []
    assert [f for f in check_registry(load_registry(root)) if f.rule == "M504"] == []


def test_check_leaves_waivers_of_diff_only_rules_to_diff(tmp_path) -> None:
    """`check` cannot tell whether an M504 waiver is used: no S603 for it there."""
    example = """
    # orion.yaml
    waivers:
      - {rule: M504, target: example, reason: migrated by hand, expires: 2999-01-01}
      - {rule: N101, target: example, reason: nothing to waive, expires: 2999-01-01}
    ---
    tables: []
    """
    unused = [f.message for f in check_example(example, tmp_path) if f.rule == "S603"]
    assert len(unused) == 1 and "N101" in unused[0], unused
