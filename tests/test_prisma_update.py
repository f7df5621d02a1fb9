"""`import prisma --update`: a hand-written service file follows its Prisma schema and keeps
every comment, every hand-written field and its key order; no change, no write."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
import yaml

from orion_registry.prisma.update import update_text

from .helpers import run_cli

SERVICE = """\
# The shop service: written by hand, refreshed from Prisma with --update.
service: shop
title: Shop Service  # shown on the site
owner: shop-team
description: >-
  Orders of the shop and the customers who place them. Customers are copies of the
  user service's people.
database: orion_shop
prisma_schema: ../../packages/shop/prisma/schema.prisma

enums:
  # Where an order is in its life.
  - name: OrderStatus
    db_name: order_status
    description: Where an order is.
    values: [OPEN, PAID]  # SHIPPED comes with the carrier integration

tables:
  - name: customers
    model: Customer
    description: One row per person who ordered.  # hand-written
    columns:
      - {name: id, type: uuid, primary_key: true, default: gen_random_uuid()}
      # The person behind the customer, in the user database.
      - name: user_id
        type: uuid
        unique: true
        description: The person (user service).
        references:
          column: user.users.id
          sync: api
          endpoint: GET /api/v1/users/{user_id}
          ttl_seconds: 60
      - name: email
        type: varchar(255)
        description: Copied from the user service.
        copy_of:
          column: user.users.email
          sync: event
          events: [user.updated]
      - name: tax_id
        type: varchar(40)
        nullable: true
        external: true  # issued by the tax office
      - {name: created_at, type: timestamptz, default: now()}

  - name: orders
    model: Order
    estimated_rows: 2000000  # a year of orders
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: customer_id, type: uuid, references: customers.id}
      - {name: status, type: OrderStatus, default: OPEN}
      - name: total_cents
        type: int  # the registry's own spelling of integer
        default: 0
        description: Sum of the lines, in cents.
      - {name: created_at, type: timestamptz, default: now()}
    indexes:
      # The customer's order list.
      - name: idx_orders_customer_id_status
        columns: [customer_id, status]
        description: A customer's orders by status.
    queries:
      - name: by_customer  # the order list
        description: A customer's orders, newest first.
        where: [customer_id]

  - name: coupons
    model: Coupon
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: code, type: text, unique: true}

events:
  publishes:
    - name: order.paid  # consumed by billing
      description: An order was paid.
      payload: [order_id, customer_id]
  consumes: [user.updated]

migrations:
  - id: 20250101_create_shop
    date: 2025-01-01
    type: non-breaking
    purpose: Create the shop.
    rollback: Drop the database.
"""

PRISMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

enum OrderStatus {
  OPEN
  PAID

  @@map("order_status")
}

model Customer {
  id        String   @id @default(uuid()) @db.Uuid
  userId    String   @unique @map("user_id") @db.Uuid
  email     String   @db.VarChar(255)
  taxId     String?  @map("tax_id") @db.VarChar(40)
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz
  orders    Order[]

  @@map("customers")
}

model Order {
  id         String      @id @default(uuid()) @db.Uuid
  customerId String      @map("customer_id") @db.Uuid
  customer   Customer    @relation(fields: [customerId], references: [id])
  status     OrderStatus @default(OPEN)
  totalCents Int         @default(0) @map("total_cents")
  createdAt  DateTime    @default(now()) @map("created_at") @db.Timestamptz

  @@index([customerId, status], map: "idx_orders_customer_id_status")
  @@map("orders")
}

model Coupon {
  id   String @id @default(uuid()) @db.Uuid
  code String @unique

  @@map("coupons")
}
"""

CHANGED = (
    PRISMA.replace("  PAID\n", "  PAID\n  SHIPPED\n")
    .replace("@db.VarChar(40)", "@db.VarChar(64)")
    .replace("  orders    Order[]\n", "  orders    Order[]\n  phone     String?\n")
    .replace('  @@index([customerId, status], map: "idx_orders_customer_id_status")\n', "")
    .replace("  totalCents Int         @default(0)", "  totalCents BigInt      @default(0)")
    .replace(PRISMA[PRISMA.index("model Coupon") :], "")
    + """
model Refund {
  id      String @id @default(uuid()) @db.Uuid
  orderId String @map("order_id") @db.Uuid

  @@index([orderId], map: "idx_refunds_order_id")
  @@map("refunds")
}
"""
)

CHANGES = [
    "changed enum OrderStatus: values [OPEN, PAID] -> [OPEN, PAID, SHIPPED]",
    "changed column customers.tax_id: type varchar(40) -> varchar(64)",
    "added column customers.phone",
    "changed column orders.total_cents: type int -> bigint",
    "removed index orders.idx_orders_customer_id_status",
    "removed table coupons",
    "added table refunds",
]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "registry" / "services").mkdir(parents=True)
    (tmp_path / "registry" / "services" / "shop.yaml").write_text(SERVICE, encoding="utf-8")
    schema = tmp_path / "packages" / "shop" / "prisma" / "schema.prisma"
    schema.parent.mkdir(parents=True)
    schema.write_text(PRISMA, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def update(*schema: str) -> tuple[int, str, str]:
    return run_cli("import", "prisma", *schema, "--service", "shop", "--update")


def drift_codes() -> list[str]:
    _, out, _ = run_cli("check", "--select", "D,L", "--format", "json")
    return [f["rule"] for f in yaml.safe_load(out)["findings"]]


def test_an_agreeing_file_is_not_touched(repo: Path):
    service = repo / "registry" / "services" / "shop.yaml"
    before = service.stat().st_mtime_ns
    assert drift_codes() == []
    code, out, err = update()
    assert (code, err) == (0, "")
    assert out == (
        "registry/services/shop.yaml is up to date with packages/shop/prisma/schema.prisma: "
        "nothing changed\n"
    )
    assert service.read_text(encoding="utf-8") == SERVICE
    assert service.stat().st_mtime_ns == before


def test_update_follows_the_schema_and_keeps_the_hand_written_file(repo: Path):
    service = repo / "registry" / "services" / "shop.yaml"
    (repo / "packages" / "shop" / "prisma" / "schema.prisma").write_text(CHANGED, "utf-8")
    assert "D713" in drift_codes()
    code, out, err = update()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == (
        "updated registry/services/shop.yaml from packages/shop/prisma/schema.prisma: "
        f"{len(CHANGES)} change(s)"
    )
    assert sorted(line.strip() for line in lines[1:]) == sorted(CHANGES)
    text = service.read_text(encoding="utf-8")
    assert drift_codes() == []  # the registry agrees with the schema now
    # every comment stays, except those of what was removed
    removed = {"      # The customer's order list."}
    for line in SERVICE.splitlines():
        comment = line.split("#", 1)[1] if "#" in line and "#/" not in line else None
        if comment and line not in removed:
            assert f"#{comment}" in text, line
    data, before = yaml.safe_load(text), yaml.safe_load(SERVICE)
    for key in ("title", "owner", "description", "events", "migrations", "prisma_schema"):
        assert data[key] == before[key]
    for key in ("estimated_rows", "queries"):
        assert data["tables"][1][key] == before["tables"][1][key]
    customers = {c["name"]: c for c in data["tables"][0]["columns"]}
    old_customers = {c["name"]: c for c in before["tables"][0]["columns"]}
    for name in ("user_id", "email"):
        assert customers[name] == old_customers[name]  # cross-service link, copy_of
    assert customers["tax_id"] == {**old_customers["tax_id"], "type": "varchar(64)"}
    assert customers["id"]["default"] == "gen_random_uuid()"  # same meaning: not rewritten
    assert list(customers) == ["id", "user_id", "email", "tax_id", "created_at", "phone"]
    assert data["tables"][0]["description"] == before["tables"][0]["description"]
    assert [t["name"] for t in data["tables"]] == ["customers", "orders", "refunds"]
    total = data["tables"][1]["columns"][3]
    assert total == {**before["tables"][1]["columns"][3], "type": "bigint"}
    assert "indexes" not in data["tables"][1]
    assert text.startswith("# The shop service: written by hand")
    assert "values: [OPEN, PAID, SHIPPED]  # SHIPPED comes" in text  # comments stay clear
    assert "type: bigint  # the registry's own spelling" in text
    assert "  - name: orders\n" in text and "\n\n  - name: refunds\n" in text
    # a second update changes nothing and does not write
    mtime = service.stat().st_mtime_ns
    code, out, _ = update()
    assert code == 0 and out.endswith("nothing changed\n")
    assert service.read_text(encoding="utf-8") == text
    assert service.stat().st_mtime_ns == mtime


def test_update_from_a_named_schema_folder(repo: Path):
    folder = repo / "other"
    (folder / "models").mkdir(parents=True)
    cut = CHANGED.index("model Order")
    (folder / "schema.prisma").write_text(CHANGED[:cut], encoding="utf-8")
    (folder / "models" / "order.prisma").write_text(CHANGED[cut:], encoding="utf-8")
    code, out, _ = update("other")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "updated registry/services/shop.yaml from other/models/order.prisma, other/schema.prisma"
    )


def test_update_keeps_keys_it_does_not_know():
    text = SERVICE.replace(
        "  - name: coupons\n",
        "  - name: coupons\n    estimated_rows: 5000  # a later format key\n",
    ).replace("events:\n", "queries:\n  - name: recent_orders\n\nevents:\n")
    imported = {
        "enums": [{"name": "OrderStatus", "db_name": "order_status", "values": ["OPEN"]}],
        "tables": [
            *yaml.safe_load(SERVICE)["tables"][:2],
            {"name": "coupons", "model": "Coupon", "columns": [{"name": "id", "type": "uuid"}]},
        ],
    }
    new, changes = update_text(text, imported)
    assert "    estimated_rows: 5000  # a later format key\n" in new
    assert "queries:\n  - name: recent_orders\n" in new
    assert "removed column coupons.code" in changes


def test_update_refuses_what_it_cannot_do(repo: Path, tmp_path: Path):
    code, _, err = run_cli("import", "prisma", "--service", "nope", "--update")
    assert code == 2 and "registry/services/nope.yaml does not exist" in err
    code, _, err = run_cli(
        "import", "prisma", "x.prisma", "--service", "shop", "--update", "--force"
    )
    assert code == 2 and "not allowed with argument" in err
    service = repo / "registry" / "services" / "shop.yaml"
    real = repo / "shop-real.yaml"
    service.rename(real)
    service.symlink_to(real)
    (repo / "packages" / "shop" / "prisma" / "schema.prisma").write_text(CHANGED, "utf-8")
    code, _, err = update()
    assert code == 2 and "is a symbolic link: not rewritten" in err
    assert real.read_text(encoding="utf-8") == SERVICE and service.is_symlink()


def test_the_written_file_keeps_its_permissions(repo: Path):
    service = repo / "registry" / "services" / "shop.yaml"
    os.chmod(service, 0o640)
    (repo / "packages" / "shop" / "prisma" / "schema.prisma").write_text(CHANGED, "utf-8")
    assert update()[0] == 0
    assert service.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in service.parent.iterdir()] == ["shop.yaml"]  # no temporary left


def test_a_table_mapped_to_a_new_name_is_renamed_in_place(repo: Path):
    schema = repo / "packages" / "shop" / "prisma" / "schema.prisma"
    schema.write_text(PRISMA.replace('@@map("customers")', '@@map("clients")'), "utf-8")
    code, out, _ = update()
    assert code == 0
    assert out.splitlines()[1:] == [
        "  renamed table customers -> clients",
        "  changed column orders.customer_id: references customers.id -> clients.id",
    ]
    text = (repo / "registry" / "services" / "shop.yaml").read_text(encoding="utf-8")
    assert text == SERVICE.replace("  - name: customers\n", "  - name: clients\n").replace(
        "references: customers.id", "references: clients.id"
    )


def test_sort_order_and_operator_classes_follow_the_schema(repo: Path):
    schema = repo / "packages" / "shop" / "prisma" / "schema.prisma"
    schema.write_text(
        PRISMA.replace(
            "@@index([customerId, status], ",
            '@@index([customerId(sort: Desc), status(ops: raw("enum_ops"))], ',
        ),
        "utf-8",
    )
    code, out, _ = update()
    assert code == 0
    assert out.splitlines()[1:] == [
        "  changed index orders.idx_orders_customer_id_status: ops none -> {status: enum_ops}",
        "  changed index orders.idx_orders_customer_id_status: order none -> {customer_id: desc}",
    ]
    text = (repo / "registry" / "services" / "shop.yaml").read_text(encoding="utf-8")
    assert (  # before the description, where the registry writes them
        "        columns: [customer_id, status]\n"
        "        ops: {status: enum_ops}\n"
        "        order: {customer_id: desc}\n"
        "        description: A customer's orders by status.\n"
    ) in text
    assert drift_codes() == []
    assert update()[1].endswith("nothing changed\n")


def _stale(data: dict) -> dict:
    """The imported data as an out-of-date registry holds it: a table, every third column
    (but keys), every other index and each enum's last value missing; text is varchar(10)."""
    old = copy.deepcopy(data)
    if len(old["tables"]) > 1:
        old["tables"].pop()
    for table in old["tables"]:
        table["columns"] = [
            c for i, c in enumerate(table["columns"]) if i % 3 != 2 or c.get("primary_key")
        ]
        table.pop("primary_key", None)
        if table.get("indexes"):
            table["indexes"] = table["indexes"][::2]
        for column in table["columns"]:
            if column["type"] == "text":
                column["type"] = "varchar(10)"
    for enum in old.get("enums", []):
        enum["values"] = enum["values"][:-1] or enum["values"]
    return old


def test_an_out_of_date_corpus_registry_agrees_after_one_update(tmp_path):
    """For the corpus units of up to 60 tables (the larger ones take seconds each: see
    benchmarks/bench_prisma_update.py): update a stale registry, then it agrees with the
    schema, and a second update changes nothing."""
    from orion_registry.engine import run
    from orion_registry.loader import load_registry
    from orion_registry.prisma.importer import import_schema
    from orion_registry.prisma.live import live_schema
    from orion_registry.prisma.parser import parse_files
    from orion_registry.prisma.writer import service_yaml
    from orion_registry.rules.context import Inputs

    from .test_prisma_corpus import IDS, UNITS

    if not UNITS:
        pytest.skip("../shared/corpus is not there")
    failures, updated = {}, 0
    for i, (unit, unit_id) in enumerate(zip(UNITS, IDS, strict=True)):
        schema = parse_files(unit)
        data, _ = import_schema(schema, "corpus", "orion_corpus")
        if len(data["tables"]) > 60:
            continue
        text, changes = update_text(service_yaml(_stale(data), ["stale"]), data)
        root = tmp_path / f"u{i:02d}"
        (root / "services").mkdir(parents=True)
        (root / "services" / "corpus.yaml").write_text(text, encoding="utf-8")
        registry = load_registry(root)
        inputs = Inputs(live={"corpus": live_schema(schema)})
        found = registry.findings or run(registry, inputs, scope=lambda r: "live" in r.needs)
        again = update_text(text, data)
        if found or again != (text, []) or not changes:
            failures[unit_id] = ([(f.rule, f.message) for f in found][:3], again[1][:3])
        updated += 1
    assert failures == {}
    assert updated >= 25
