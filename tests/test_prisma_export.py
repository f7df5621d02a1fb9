"""`export prisma`: a schema that follows the conventions, which imports back to the service."""

from __future__ import annotations

import dataclasses
import re
import textwrap

import pytest
from pydantic import TypeAdapter

from orion_registry.loader import load_registry
from orion_registry.models import Service
from orion_registry.prisma.exporter import export_service
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.naming import model_name
from orion_registry.prisma.parser import parse_text
from orion_registry.prisma.types import canonical_type

from . import prisma_oracle as oracle
from .helpers import BUNDLED_REGISTRY, run_cli

FIXTURE = """\
service: shop
owner: shop-team
description: Orders of the shop.
database: orion_shop
enums:
  - name: OrderStatus
    db_name: order_status
    description: Where an order is.
    values: [PENDING, PAID, in-transit]
tables:
  - name: orders
    model: Order
    description: |-
      One row per order.
      Never deleted.
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: user_id
        type: uuid
        references: {column: user.users.id, sync: event, events: [user.created]}
      - {name: status, type: OrderStatus, default: in-transit}
      - {name: total, type: "numeric(10,2)", default: 0}
      - {name: note, type: varchar(500), nullable: true, description: A note of the buyer.}
      - {name: tags, type: "text[]", default: "[]"}
      - {name: paid, type: boolean, default: false}
      - {name: created_at, type: timestamptz, default: now()}
      - {name: updated_at, type: timestamptz, updated_at: true}
    indexes:
      - {name: idx_orders_user_id, columns: [user_id]}
      - {name: idx_orders_status_created_at, columns: [status, created_at], type: hash}
  - name: order_lines
    columns:
      - {name: order_id, type: uuid, primary_key: true, references: orders.id}
      - {name: line, type: integer, primary_key: true}
      - {name: sku, type: varchar(64)}
      - {name: replaces_order_id, type: uuid, nullable: true, references: orders.id}
    indexes:
      - {name: idx_order_lines_sku, columns: [sku], unique: true}
  - name: receipts
    columns:
      - {name: id, type: uuid, primary_key: true, default: "dbgenerated(\\"gen_random_uuid()\\")"}
      - {name: order_id, type: uuid, unique: true, references: orders.id}
      - {name: body, type: jsonb, default: "{\\"lines\\": []}"}
  - name: audit_log
    columns:
      - {name: at, type: timestamptz, nullable: true}
      - {name: shape, type: geometry, nullable: true}
"""


def fixture_service() -> Service:
    import yaml

    return TypeAdapter(Service).validate_python(yaml.safe_load(FIXTURE))


def comparable(service: Service) -> dict:
    """What a Prisma schema can hold of a service: names, types, keys, defaults, indexes,
    enums, descriptions and references inside the service. Cross-service links, events,
    migrations and the owner are registry-only and left out."""
    enums = {e.name for e in service.enums} | {e.db_name for e in service.enums if e.db_name}
    tables = {t.name for t in service.tables}
    out: dict = {"enums": [], "tables": []}
    for enum in service.enums:
        db_name = enum.db_name if enum.db_name != enum.name else None
        out["enums"].append((enum.name, db_name, list(enum.values), enum.description))
    for table in service.tables:
        columns = []
        for c in table.columns:
            ref = (
                c.references
                if isinstance(c.references, str) and c.references.split(".")[0] in tables
                else None
            )
            default = c.default
            if isinstance(default, str) and default.lstrip("-").replace(".", "", 1).isdigit():
                default = float(default)
            nullable = c.nullable and not c.type.endswith("[]")  # Prisma lists are required
            kind = canonical_type(c.type, enums)
            columns.append(
                (
                    c.name,
                    kind,
                    c.primary_key,
                    nullable,
                    c.unique,
                    default,
                    c.updated_at,
                    ref,
                    c.description,
                )
            )
        indexes = [
            (i.name, list(i.columns), i.unique, (i.type or "btree").lower()) for i in table.indexes
        ]
        model = table.model or model_name(table.name)
        out["tables"].append((table.name, model, table.description, columns, indexes))
    return out


def round_trip(service: Service) -> tuple[Service, str]:
    text, _ = export_service(service, [])
    data, _ = import_schema_text(text, service)
    return TypeAdapter(Service).validate_python(data), text


def without_noted(service: Service) -> Service:
    """The service less exactly what the exporter reported it could not write: a
    reference with no Prisma relation, an index type that needs an operator class."""
    _, notes = export_service(service, [])
    tables = list(service.tables)
    for note in notes:
        match note.path:
            case ("tables", t, "columns", c, "references"):
                columns = list(tables[t].columns)
                columns[c] = dataclasses.replace(columns[c], references=None)
                tables[t] = dataclasses.replace(tables[t], columns=columns)
            case ("tables", t, "indexes", k, "type"):
                indexes = list(tables[t].indexes)
                indexes[k] = dataclasses.replace(indexes[k], type=None)
                tables[t] = dataclasses.replace(tables[t], indexes=indexes)
    return dataclasses.replace(service, tables=tables)


def import_schema_text(text: str, service: Service) -> tuple[dict, list]:
    from orion_registry.prisma.ast import Schema

    return import_schema(
        Schema(parse_text(text, "exported.prisma"), ["exported.prisma"]),
        service.service,
        service.database,
    )


def test_export_follows_the_conventions():
    text, notes = export_service(fixture_service(), ["header line"])
    text = re.sub(r"(?<=\S) {2,}", " ", text)  # fields are aligned in columns
    assert text.startswith("// header line\n")
    assert 'datasource db {\n  provider = "postgresql"' in text
    assert "/// Where an order is.\nenum OrderStatus {" in text
    assert '  in_transit @map("in-transit")' in text
    assert '@@map("order_status")' in text
    assert "/// One row per order.\n/// Never deleted.\nmodel Order {" in text
    assert '@@map("orders")' in text
    assert "id String @id @default(uuid()) @db.Uuid" in text
    assert (
        '@map("user_id") @db.Uuid // references user.users.id (another service: no foreign key)'
        in text
    )
    assert "@default(in_transit)" in text
    assert "@default(0) @db.Decimal(10, 2)" in text
    assert '@@index([userId], map: "idx_orders_user_id")' in text
    assert '@@index([status, createdAt], map: "idx_orders_status_created_at", type: Hash)' in text
    # order_lines: no model name given -> PascalCase singular; composite key; two relations.
    assert "model OrderLine {" in text and '@@map("order_lines")' in text
    assert "@@id([orderId, line])" in text
    assert '@@unique([sku], map: "idx_order_lines_sku")' in text
    assert '@relation("OrderLineOrder", fields: [orderId], references: [id])' in text
    assert (
        '@relation("OrderLineReplacesOrder", fields: [replacesOrderId], references: [id])' in text
    )
    # one-to-one: the back relation is optional, not a list.
    assert "receipt Receipt?" in text
    assert '@default(dbgenerated("gen_random_uuid()"))' in text
    assert '@default("{\\"lines\\": []}")' in text
    # no unique criterion -> @@ignore; an unknown type -> Unsupported.
    assert 'Unsupported("geometry")?' in text and "@@ignore" in text
    messages = [n.message for n in notes]
    assert any("no Prisma scalar" in m for m in messages)
    assert any("@@ignore" in m for m in messages)
    assert ("tables", 3, "columns", 1, "type") in [n.path for n in notes]


def test_round_trip_of_a_fixture():
    service = fixture_service()
    again, text = round_trip(service)
    assert comparable(again) == comparable(service), text


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in (BUNDLED_REGISTRY / "services").glob("*.yaml"))
)
def test_round_trip_of_the_bundled_registry(name):
    registry = load_registry(BUNDLED_REGISTRY)
    doc = registry.service(name)
    assert doc is not None, registry.findings
    again, text = round_trip(doc.model)
    assert comparable(again) == comparable(doc.model), text


def test_cli_prints_the_schema_and_warnings(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "shop.yaml").write_text(FIXTURE)
    code, out, err = run_cli("export", "prisma", "--service", "shop", "--registry", str(tmp_path))
    assert code == 0
    assert out.startswith("// Generated by `orion-registry export prisma --service shop`")
    shown = (tmp_path / "services" / "shop.yaml").as_posix()
    line = FIXTURE.splitlines().index("      - {name: shape, type: geometry, nullable: true}") + 1
    assert f"{shown}:{line}:29: warning: type 'geometry'" in err  # located in the YAML


def test_cli_unknown_or_broken_service(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "shop.yaml").write_text(FIXTURE)
    (tmp_path / "services" / "bad.yaml").write_text(
        "service: bad\ndatabase: orion_bad\ntables: 3\n"
    )
    code, _, err = run_cli("export", "prisma", "--service", "nope", "--registry", str(tmp_path))
    assert code == 2 and "no service 'nope'" in err and "bad, shop" not in err and "shop" in err
    code, _, err = run_cli("export", "prisma", "--service", "bad", "--registry", str(tmp_path))
    assert code == 2 and "L002" in err and "does not load" in err


@pytest.mark.system
def test_prisma_accepts_every_exported_schema():
    oracle.require()
    registry = load_registry(BUNDLED_REGISTRY)
    services = [fixture_service()] + [doc.model for _, doc in sorted(registry.services.items())]
    units = [[(f"{s.service}.prisma", export_service(s, [])[0])] for s in services]
    results = oracle.run("validate", units)
    refused = {s.service: r.error for s, r in zip(services, results, strict=True) if not r.ok}
    assert refused == {}


def test_a_schema_without_relations_or_enums_is_minimal():
    service = TypeAdapter(Service).validate_python(
        {
            "service": "x",
            "database": "orion_x",
            "tables": [
                {"name": "things", "columns": [{"name": "id", "type": "uuid", "primary_key": True}]}
            ],
        }
    )
    text, notes = export_service(service, [])
    assert notes == []
    assert text.endswith(textwrap.dedent("""\
        model Thing {
          id String @id @db.Uuid

          @@map("things")
        }
        """))  # fmt: skip
