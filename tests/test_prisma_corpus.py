"""Every real-world schema of ../shared/corpus imports, loads, and reads as Prisma reads it.

The oracle is Prisma's own engine (`get_dmmf` of @prisma/prisma-schema-wasm, see
prisma_oracle.py): tables, columns, types (with native types), nullability, keys,
indexes, enums, references and doc comments must match what it reports.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import parse_files
from orion_registry.prisma.writer import service_yaml

from . import prisma_oracle as oracle
from .helpers import SHARED, run_cli

CORPUS = SHARED / "corpus"
UNITS = oracle.corpus_units(CORPUS) if CORPUS.is_dir() else []
IDS = [(u[0].parent if len(u) > 1 else u[0]).relative_to(CORPUS).as_posix() for u in UNITS]

# What the PostgreSQL type of a Prisma field is, as Prisma's migrations create it (spec).
SCALARS = {
    "String": "text", "Boolean": "boolean", "Int": "integer", "BigInt": "bigint",
    "Float": "double precision", "Decimal": "numeric(65,30)", "DateTime": "timestamp(3)",
    "Json": "jsonb", "Bytes": "bytea",
}  # fmt: skip
NATIVE = {
    "VarChar": "varchar", "Char": "char", "Text": "text", "Uuid": "uuid", "Citext": "citext",
    "Inet": "inet", "Xml": "xml", "Bit": "bit", "VarBit": "varbit", "SmallInt": "smallint",
    "Integer": "integer", "Oid": "oid", "BigInt": "bigint", "Real": "real",
    "DoublePrecision": "double precision", "Decimal": "numeric", "Money": "money",
    "Timestamp": "timestamp", "Timestamptz": "timestamptz", "Date": "date", "Time": "time",
    "Timetz": "timetz", "Boolean": "boolean", "Json": "json", "JsonB": "jsonb", "ByteA": "bytea",
}  # fmt: skip
ALGORITHMS = {
    "BTree": "btree", "Hash": "hash", "Gist": "gist",
    "Gin": "gin", "SpGist": "spgist", "Brin": "brin",
}  # fmt: skip
pytestmark = pytest.mark.skipif(not UNITS, reason="../shared/corpus is not there")


def service_name(i: int) -> str:
    return f"s{i:02d}"


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, list[dict]]:
    """Every unit imported into one registry (service s00, s01, ... in UNITS order)."""
    root = tmp_path_factory.mktemp("corpus-registry")
    (root / "services").mkdir()
    datas = []
    for i, unit in enumerate(UNITS):
        data, _ = import_schema(parse_files(unit), service_name(i), f"orion_{service_name(i)}")
        (root / "services" / f"{service_name(i)}.yaml").write_text(service_yaml(data, []))
        datas.append(data)
    return root, datas


def test_the_corpus_is_all_there():
    assert len(UNITS) == 36
    assert sum(len(u) for u in UNITS) == 58
    assert {len(u) for u in UNITS if len(u) > 1} == {2, 10, 13}  # formbricks, papermark, rallly


@pytest.mark.parametrize("unit", UNITS, ids=IDS)
def test_import_through_the_cli(unit, tmp_path):
    argument = unit[0].parent if len(unit) > 1 else unit[0]
    code, out, err = run_cli(
        "import", "prisma", str(argument), "--service", "corpus", "--registry", str(tmp_path)
    )
    assert code == 0, err
    assert "error" not in err
    assert out.startswith(f"wrote {tmp_path.as_posix()}/services/corpus.yaml")
    assert all(re.match(r"^\S+\.prisma:\d+:\d+: warning: ", line) for line in err.splitlines())
    registry = load_registry(tmp_path)
    assert registry.findings == []
    assert list(registry.services) == ["corpus"]


def test_every_imported_file_loads_and_is_checked(imported):
    root, _ = imported
    registry = load_registry(root)
    assert [f for f in registry.findings if f.rule.startswith("L")] == []
    assert len(registry.services) == len(UNITS)
    findings = check_registry(registry)
    assert {f.rule for f in findings} >= {"S601", "N101", "N103"}  # the corpus breaks conventions


# --- the oracle -------------------------------------------------------------------------
@cache
def _dmmf() -> tuple:
    units = [
        [(p.relative_to(CORPUS).as_posix(), p.read_text(encoding="utf-8")) for p in u]
        for u in UNITS
    ]
    return tuple(oracle.run("dmmf", units))


@pytest.fixture(scope="module")
def dmmf() -> tuple:
    oracle.require()
    results = _dmmf()
    refused = [(IDS[i], r.error) for i, r in enumerate(results) if not r.ok]
    assert refused == [], "Prisma's engine refused a corpus schema"
    return results


def _doc(text: str | None) -> str | None:
    """Prisma keeps trailing spaces, and `/** */` comments raw (`*\\n * text`); the importer
    drops both: compare the words."""
    if text is None or not text.startswith("*"):
        return None if text is None else "\n".join(line.rstrip() for line in text.split("\n"))
    lines = (line.strip().lstrip("*").strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line) or None


def view_names(unit: list[Path]) -> set[str]:
    """DMMF lists views as models: the importer does not import them."""
    return {m for p in unit for m in re.findall(r"^view\s+(\w+)", p.read_text(), re.MULTILINE)}


def expected_service(datamodel: dict, views: set[str]) -> dict:
    """What the registry file should hold, from Prisma's DMMF."""
    models = {m["name"]: m for m in datamodel["models"] if m["name"] not in views}
    table_of = {name: m["dbName"] or name for name, m in models.items()}
    column_of = {
        (m["name"], f["name"]): f.get("dbName") or f["name"]
        for m in models.values()
        for f in m["fields"]
    }
    enum_names = {e["name"] for e in datamodel["enums"]}
    tables = {}
    for model in models.values():
        columns = {}
        for f in model["fields"]:
            if f["kind"] == "object":
                continue
            if f["kind"] == "enum":
                kind = f["type"]
            elif f.get("nativeType"):
                native, args = f["nativeType"]
                kind = NATIVE[native] + (f"({','.join(args)})" if args else "")
            else:
                kind = SCALARS[f["type"]]
            columns[column_of[(model["name"], f["name"])]] = {
                "type": kind + ("[]" if f["isList"] else ""),
                "nullable": not f["isRequired"],
                "primary_key": f["isId"]
                or f["name"] in ((model["primaryKey"] or {}).get("fields") or []),
                "description": _doc(f.get("documentation")),
            }
        for f in model["fields"]:
            if f["type"] in views:
                continue
            for source, target in zip(
                f.get("relationFromFields") or [], f.get("relationToFields") or [], strict=True
            ):
                column = columns[column_of[(model["name"], source)]]
                column.setdefault(
                    "references", f"{table_of[f['type']]}.{column_of[(f['type'], target)]}"
                )
        tables[table_of[model["name"]]] = {
            "model": model["name"],
            "description": _doc(model.get("documentation")),
            "columns": columns,
            "indexes": set(),
            "unique_columns": set(),
        }
    for index in datamodel["indexes"]:
        if index["type"] == "id" or index["model"] in views:
            continue
        table = table_of[index["model"]]
        columns = tuple(column_of[(index["model"], f["name"])] for f in index["fields"])
        unique = index["type"] == "unique"
        suffix = "_key" if unique else "_idx"
        default = f"{table}_{'_'.join(columns)}"[: 63 - len(suffix)] + suffix
        name = index.get("dbName") or default
        if unique and len(columns) == 1 and name == default:
            tables[table]["unique_columns"].add(columns[0])
        else:
            tables[table]["indexes"].add(
                (name, columns, unique, ALGORITHMS.get(index.get("algorithm")))
            )
    enums = {
        e["name"]: (
            e["dbName"],
            [v["dbName"] or v["name"] for v in e["values"]],
            _doc(e.get("documentation")),
        )
        for e in datamodel["enums"]
    }
    return {"tables": tables, "enums": enums, "enum_names": enum_names}


def actual_service(data: dict) -> dict:
    tables = {}
    for table in data["tables"]:
        tables[table["name"]] = {
            "model": table["model"],
            "description": table.get("description"),
            "columns": {
                c["name"]: {
                    "type": c["type"],
                    "nullable": c.get("nullable", False),
                    "primary_key": c.get("primary_key", False),
                    "description": c.get("description"),
                    **({"references": c["references"]} if "references" in c else {}),
                }
                for c in table["columns"]
            },
            "indexes": {
                (i["name"], tuple(i["columns"]), i.get("unique", False), i.get("type"))
                for i in table.get("indexes", [])
            },
            "unique_columns": {c["name"] for c in table["columns"] if c.get("unique")},
        }
    enums = {
        e["name"]: (e.get("db_name"), e["values"], e.get("description"))
        for e in data.get("enums", [])
    }
    return {"tables": tables, "enums": enums}


@pytest.mark.system
@pytest.mark.parametrize("i", range(len(UNITS)), ids=IDS)
def test_import_reads_what_prisma_reads(i, imported, dmmf):
    expected = expected_service(dmmf[i].datamodel, view_names(UNITS[i]))
    actual = actual_service(imported[1][i])
    assert list(actual["tables"]) == list(expected["tables"])
    for name, table in expected["tables"].items():
        assert actual["tables"][name] == table, name
    assert actual["enums"] == expected["enums"]


# --- export of the imported corpus ----------------------------------------------------------
def _services(imported) -> list:
    from pydantic import TypeAdapter

    from orion_registry.models import Service

    return [TypeAdapter(Service).validate_python(data) for data in imported[1]]


@pytest.mark.parametrize("i", range(len(UNITS)), ids=IDS)
def test_export_of_an_imported_schema_imports_back(i, imported):
    from .test_prisma_export import comparable, round_trip, without_noted

    service = _services(imported)[i]
    again, text = round_trip(service)
    assert comparable(again) == comparable(without_noted(service)), text[:2000]


@pytest.mark.system
def test_prisma_accepts_the_export_of_every_imported_schema(imported):
    oracle.require()
    from orion_registry.prisma.exporter import export_service

    units = [
        [(f"{IDS[i]}.prisma", export_service(s, [])[0])] for i, s in enumerate(_services(imported))
    ]
    results = oracle.run("validate", units)
    refused = {IDS[i]: r.error[:1500] for i, r in enumerate(results) if not r.ok}
    assert refused == {}
