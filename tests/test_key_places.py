"""A registry key has one list of places (models/places.py), and the list is true.

Every field of the table, column, index and enum models is listed; for each place a key is
listed at, changing the key in a sample registry changes that place's output, and for each
place it is not listed at, the output stays the same (so the list cannot go stale either way).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from orion_registry.diff import compare_with_base
from orion_registry.loader import Registry, load_registry
from orion_registry.models import Column, Enum, Index, Table
from orion_registry.models.places import KEY_PLACES
from orion_registry.prisma.exporter import export_service
from orion_registry.render.pages import render_site
from orion_registry.sql.ddl import service_ddl

MODELS = {"Table": Table, "Column": Column, "Index": Index, "Enum": Enum}
CONTAINERS = {("Table", "columns"), ("Table", "indexes")}  # their members are probed instead
SAMPLE: dict[str, Any] = {
    "service": "shop",
    "database": "orion_shop",
    "owner": "shop-team",
    "description": "Orders.",
    "enums": [{"name": "Status", "db_name": "status", "values": ["OPEN", "DONE"]}],
    "tables": [
        {
            "name": "users",
            "model": "User",
            "columns": [{"name": "id", "type": "uuid", "primary_key": True, "default": "uuid()"}],
        },
        {
            "name": "orders",
            "model": "Order",
            "description": "One row per order.",
            "columns": [
                {"name": "id", "type": "uuid", "primary_key": True, "default": "uuid()"},
                {"name": "user_id", "type": "uuid", "references": "users.id"},
                {"name": "note", "type": "text", "description": "Free text."},
                {"name": "status", "type": "Status", "default": "OPEN"},
            ],
            "indexes": [
                {"name": "idx_orders_user_id", "columns": ["user_id"], "description": "Inbox."}
            ],
        },
    ],
}
COLUMN = ("tables", 1, "columns", 2)
OBJECTS = {
    "Table": ("tables", 1),
    "Column": COLUMN,
    "Index": ("tables", 1, "indexes", 0),
    "Enum": ("enums", 0),
}
MUTATIONS: dict[tuple[str, str], Any] = {
    ("Table", "name"): "purchases",
    ("Table", "model"): "Purchase",
    ("Table", "description"): "Another description.",
    ("Table", "estimated_rows"): 2_000_000,
    ("Table", "queries"): [{"name": "by_note", "where": ["note"]}],
    ("Column", "name"): "remark",
    ("Column", "type"): "varchar(20)",
    ("Column", "primary_key"): True,
    ("Column", "nullable"): True,
    ("Column", "unique"): True,
    ("Column", "default"): "none yet",
    ("Column", "updated_at"): True,
    ("Column", "references"): "users.id",
    ("Column", "copy_of"): {"column": "crm.notes.text", "sync": "event", "events": ["crm.noted"]},
    ("Column", "external"): True,
    ("Column", "description"): "Another description.",
    ("Table", "primary_key"): ["id", "user_id"],
    ("Index", "ops"): {"user_id": "uuid_minmax_ops"},
    ("Index", "order"): {"user_id": "desc"},
    ("Index", "name"): "idx_orders_note",
    ("Index", "columns"): ["note"],
    ("Index", "unique"): True,
    ("Index", "type"): "hash",
    ("Index", "where"): "note IS NOT NULL",
    ("Index", "description"): "Another description.",
    ("Enum", "name"): "OrderStatus",
    ("Enum", "db_name"): "order_status",
    ("Enum", "values"): ["OPEN", "DONE", "LOST"],
    ("Enum", "description"): "Where an order is.",
}


def _load(data: dict[str, Any], root: Path) -> Registry:
    (root / "services").mkdir(parents=True)
    (root / "services" / "shop.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    registry = load_registry(root)
    assert not registry.findings, registry.findings
    return registry


def _outputs(registry: Registry) -> dict[str, str]:
    doc = registry.services["shop"]
    pages = render_site(registry).pages
    return {
        "ddl": service_ddl(doc),
        "prisma": export_service(doc.model, [])[0],
        "site": "".join(str(pages[uri].inline()) for uri in sorted(pages)),
    }


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_field_is_listed(model: str) -> None:
    assert {f.name for f in dataclasses.fields(MODELS[model])} == set(KEY_PLACES[model]), (
        f"a {model} key is missing from models/places.py (or listed but gone)"
    )


@pytest.mark.parametrize(
    "model, key", sorted(k for k in MUTATIONS if k not in CONTAINERS), ids="-".join
)
def test_each_place_listed_for_a_key_reacts_to_it(model: str, key: str, tmp_path) -> None:
    before = _load(SAMPLE, tmp_path / "before")
    data = copy.deepcopy(SAMPLE)
    target = data
    for step in OBJECTS[model]:
        target = target[step]
    target[key] = MUTATIONS[model, key]
    after = _load(data, tmp_path / "after")
    old, new = _outputs(before), _outputs(after)
    reacted = {place for place in old if old[place] != new[place]}
    if compare_with_base(tmp_path / "after", str(tmp_path / "before")).changes:
        reacted.add("diff")
    listed = KEY_PLACES[model][key] - {"drift"}
    assert reacted == listed, f"{model}.{key}: places that react {sorted(reacted)}"


def test_every_key_has_a_probe() -> None:
    keys = {(m, k) for m, fields in KEY_PLACES.items() for k in fields}
    assert keys - CONTAINERS == set(MUTATIONS)
