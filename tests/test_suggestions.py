"""A suggestion obeys every other rule: applied as it stands, it draws no new finding.

Every corpus unit is imported, checked, every suggestion applied to the registry data
(renames of tables, columns, models, indexes, enums; the index I301/I302 ask for; the
type T206 gives), and the result checked again: every finding left was there before
(same rule, same object under its new name) and had no suggestion.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_registry.engine import check_registry
from orion_registry.findings import Finding
from orion_registry.lang.names import POSTGRES_MAX_NAME, index_name, model_name, table_name
from orion_registry.lang.words import PASCAL_CASE, SNAKE_CASE, to_snake, words
from orion_registry.loader import load_registry
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import parse_files
from orion_registry.prisma.writer import service_yaml
from orion_registry.rules.examples import write_example

from . import prisma_oracle as oracle
from .helpers import SHARED, one_table, run_cli

CORPUS = SHARED / "corpus"
UNITS = oracle.corpus_units(CORPUS) if CORPUS.is_dir() else []


def write(root: Path, datas: list[dict]) -> list[Finding]:
    (root / "services").mkdir(parents=True, exist_ok=True)
    for data in datas:
        (root / "services" / f"{data['service']}.yaml").write_text(service_yaml(data, []))
    return check_registry(load_registry(root))


class Renames:
    """Old name -> new name of every object a suggestion renamed, to follow targets."""

    def __init__(self) -> None:
        self.tables: dict[tuple[str, str], str] = {}
        self.columns: dict[tuple[str, str, str], str] = {}
        self.indexes: dict[tuple[str, str, str], str] = {}
        self.enums: dict[tuple[str, str], str] = {}

    def target(self, target: str) -> str:
        service, *rest = target.split(".")
        if not rest:
            return target
        if len(rest) == 1:
            name = rest[0]
            new = self.tables.get((service, name)) or self.enums.get((service, name), name)
            return f"{service}.{new}"
        table, inner = rest[0], ".".join(rest[1:])
        inner = self.columns.get((service, table, inner)) or self.indexes.get(
            (service, table, inner), inner
        )
        return f"{service}.{self.tables.get((service, table), table)}.{inner}"


def apply_suggestions(datas: list[dict], findings: list[Finding]) -> Renames:
    """Apply every finding's suggestion to `datas` (in place). Every object is found by its
    name at check time first, then changed: renames do not hide each other."""
    services = {d["service"]: d for d in datas}
    renames = Renames()
    resolved = []
    for f in (f for f in findings if f.suggestion is not None):
        service, *rest = f.target.split(".", 2)
        data = services[service]
        if f.rule == "N108":
            enum = next(e for e in data.get("enums", []) if e["name"] == rest[0])
            kind = (
                "add db_name"
                if f.replaces is None
                else "db_name"  # the name and the db_name may be the same string
                if f"db_name '{f.replaces}'" in f.message
                else "name"
                if f.replaces == enum["name"]
                else "value"
            )
            resolved.append((f, data, enum, kind))
            continue
        table = next(t for t in data["tables"] if t["name"] == rest[0])
        inner = None
        if f.rule == "N106":
            inner = next(i for i in table["indexes"] if i["name"] == rest[1])
        elif len(rest) > 1:
            inner = next(c for c in table["columns"] if c["name"] == rest[1])
        resolved.append((f, data, table, inner))
    order = {"N108": 0, "N103": 1, "I301": 2, "I302": 2, "N106": 3, "N101": 4, "N102": 4}
    for f, data, obj, inner in sorted(resolved, key=lambda r: order.get(r[0].rule, 2)):
        service, *rest = f.target.split(".", 2)
        if f.rule == "N108":
            _apply_enum(data, obj, f, inner, renames)
        elif f.rule in ("N101", "N102"):
            if obj["name"] != f.suggestion:
                renames.tables[(service, rest[0])] = f.suggestion
                _rename_table(data, obj, f.suggestion)
        elif f.rule in ("N104", "N105"):
            obj["model"] = f.suggestion
        elif f.rule == "N103":
            renames.columns[(service, rest[0], rest[1])] = f.suggestion
            _rename_column(data, obj, inner, f.suggestion)
        elif f.rule == "N106":
            renames.indexes[(service, rest[0], rest[1])] = f.suggestion
            inner["name"] = f.suggestion
        elif f.rule in ("I301", "I302"):
            index = {"name": f.suggestion, "columns": [inner["name"]]}
            obj.setdefault("indexes", []).append(index)
        elif f.rule == "T206":
            inner["type"] = f.suggestion
        else:
            raise AssertionError(f"no way to apply a {f.rule} suggestion: {f}")
    return renames


def _rename_column(data: dict, table: dict, column: dict, new: str) -> None:
    old, column["name"] = column["name"], new
    for index in table.get("indexes", []):
        index["columns"] = [new if c == old else c for c in index["columns"]]
    if isinstance(table.get("primary_key"), list):
        table["primary_key"] = [new if c == old else c for c in table["primary_key"]]
    for other in data["tables"]:
        for c in other["columns"]:
            if c.get("references") == f"{table['name']}.{old}":
                c["references"] = f"{table['name']}.{new}"


def _rename_table(data: dict, table: dict, new: str) -> None:
    old, table["name"] = table["name"], new
    for other in data["tables"]:
        for c in other["columns"]:
            ref = c.get("references")
            if isinstance(ref, str) and ref.startswith(f"{old}."):
                c["references"] = f"{new}.{ref.split('.', 1)[1]}"


def _apply_enum(data: dict, enum: dict, f: Finding, kind: str, renames: Renames) -> None:
    columns = [c for t in data["tables"] for c in t["columns"]]
    if kind in ("add db_name", "db_name"):
        enum["db_name"] = f.suggestion
    elif kind == "name":
        renames.enums[(data["service"], enum["name"])] = f.suggestion
        for c in columns:
            if c["type"].removesuffix("[]") == enum["name"]:
                c["type"] = c["type"].replace(enum["name"], f.suggestion, 1)
        enum["name"] = f.suggestion
    else:
        names = {enum["name"], enum.get("db_name")}
        enum["values"] = [f.suggestion if v == f.replaces else v for v in enum["values"]]
        for c in columns:
            if c["type"].removesuffix("[]") in names and c.get("default") == f.replaces:
                c["default"] = f.suggestion


@pytest.mark.skipif(not UNITS, reason="../shared/corpus is not there")
def test_every_corpus_suggestion_draws_no_new_finding(tmp_path):
    datas = [
        import_schema(parse_files(unit), f"s{i:02d}", f"orion_s{i:02d}")[0]
        for i, unit in enumerate(UNITS)
    ]
    before = write(tmp_path / "before", datas)
    suggested = [f for f in before if f.suggestion is not None]
    assert len(suggested) > 1000  # the corpus breaks conventions that have a fix
    fixed = copy.deepcopy(datas)
    renames = apply_suggestions(fixed, before)
    after = write(tmp_path / "after", fixed)
    allowed = {(f.rule, renames.target(f.target)) for f in before if f.suggestion is None}
    new = [f for f in after if (f.rule, f.target) not in allowed]
    assert "\n".join(f"{f.rule} {f.target} {f.message}" for f in new) == ""
    assert {f.rule for f in suggested} >= {"N101", "N102", "N103", "N106", "N108", "I301"}


# --- the oracles of single suggestions ----------------------------------------------------
identifier = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}(_[A-Za-z0-9]{1,8}){0,3}", fullmatch=True)
snake = st.from_regex(r"[a-z][a-z0-9]{0,10}(_[a-z0-9]{1,8}){0,3}", fullmatch=True)


@given(snake)
def test_snake_case_is_its_own_snake_case(name):
    assert to_snake(name) == name


@given(identifier)
def test_to_snake_gives_snake_case_and_is_stable(name):
    converted = to_snake(name)
    assert SNAKE_CASE.match(converted)
    assert to_snake(converted) == converted


@given(identifier)
def test_table_name_is_snake_plural_and_stable(name):
    proper = table_name(name)
    if proper is not None:
        assert SNAKE_CASE.match(proper)
        assert table_name(proper) == proper


@given(identifier)
def test_model_name_is_pascal_singular_and_stable(name):
    proper = model_name(name)
    assert PASCAL_CASE.match(proper)
    assert model_name(proper) == proper


@given(identifier, st.lists(identifier, min_size=1, max_size=6))
def test_index_name_fits_and_is_snake_case(table, columns):
    name = index_name(table, columns)
    assert SNAKE_CASE.match(name) and name.startswith("idx_")
    assert len(name.encode()) <= POSTGRES_MAX_NAME
    assert index_name(table, columns) == name  # deterministic


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("staticIPs", "static_ips"),
        ("model3dId", "model3d_id"),
        ("userID", "user_id"),
        ("HTTPRequest2Logs", "http_request2_logs"),
        ("n8n", "n8n"),
        ("createdAt", "created_at"),
    ],
)
def test_words_split_acronyms_and_digits(name, snake):
    assert to_snake(name) == snake
    assert "_".join(w.lower() for w in words(name)) == snake


@pytest.mark.parametrize(
    ("name", "proper"),
    [
        ("ApiKey", "api_keys"),
        ("report_automated", None),
        ("shipment_tracking", None),
        ("user_settings", "user_settings"),
        ("booking", "bookings"),
        ("TagsOnPosts", "tags_on_posts"),
    ],
)
def test_table_names(name, proper):
    assert table_name(name) == proper


@pytest.mark.parametrize(
    ("name", "proper"),
    [("TagsOnPosts", "TagOnPost"), ("TagsOnPost", "TagOnPost"), ("Users", "User"), ("SMS", "SMS")],
)
def test_model_names(name, proper):
    assert model_name(name) == proper


# --- suggestions in the reporters -------------------------------------------------------
def test_json_and_sarif_carry_the_suggestion(tmp_path):
    root = write_example(one_table(name="userPreference", model="UserPreference"), tmp_path)
    code, out, _ = run_cli("check", "--registry", str(root), "--format", "json", "--select", "N1")
    [n101, n102] = sorted(json.loads(out)["findings"], key=lambda f: f["rule"])
    assert code == 1
    assert n101["suggestion"] == n102["suggestion"] == "user_preferences"
    _, out, _ = run_cli("check", "--registry", str(root), "--format", "sarif", "--select", "N101")
    [result] = json.loads(out)["runs"][0]["results"]
    [change] = result["fixes"][0]["artifactChanges"]
    [replacement] = change["replacements"]
    region = replacement["deletedRegion"]
    line = (root / "services" / "example.yaml").read_text().splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "userPreference"
    assert replacement["insertedContent"]["text"] == "user_preferences"


def test_a_finding_without_a_suggestion_has_no_key(tmp_path):
    root = write_example(one_table(name="report_automated", model="ReportAutomated"), tmp_path)
    _, out, _ = run_cli("check", "--registry", str(root), "--format", "json", "--select", "N102")
    [finding] = json.loads(out)["findings"]
    assert "suggestion" not in finding
    assert "no name is suggested" in finding["message"]
