"""The registry vs a Prisma schema: each kind of disagreement is exactly one drift code,
located in the registry and naming the Prisma file and line; the corpus agrees with itself."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from orion_registry.engine import run
from orion_registry.loader import load_registry
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.live import read_prisma_schema
from orion_registry.prisma.parser import parse_files
from orion_registry.prisma.writer import service_yaml
from orion_registry.rules.context import Inputs

from .helpers import BUNDLED_REGISTRY, run_cli

SERVICE = """\
service: shop
database: orion_shop
owner: shop-team
description: Orders of the shop.
prisma_schema: ../../packages/shop/prisma/schema.prisma
enums:
  - name: OrderStatus
    db_name: order_status
    values: [OPEN, PAID, SHIPPED]
tables:
  - name: customers
    model: Customer
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: email, type: varchar(255), unique: true}
      - {name: nickname, type: text, nullable: true}
      - {name: created_at, type: timestamptz(6), default: now()}
  - name: orders
    model: Order
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: customer_id, type: uuid, references: customers.id}
      - {name: status, type: OrderStatus, default: OPEN}
      - {name: total_cents, type: integer, default: 0}
    indexes:
      - {name: orders_customer_id_status_idx, columns: [customer_id, status]}
  - name: notes
    model: Note
    columns:
      - {name: id, type: integer, primary_key: true, default: autoincrement()}
      - {name: body, type: text}
"""

PRISMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

enum OrderStatus {
  OPEN
  PAID
  SHIPPED

  @@map("order_status")
}

model Customer {
  id        String   @id @default(uuid()) @db.Uuid
  email     String   @unique @db.VarChar(255)
  nickname  String?
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(6)
  orders    Order[]

  @@map("customers")
}

model Order {
  id         String      @id @default(uuid()) @db.Uuid
  customerId String      @map("customer_id") @db.Uuid
  customer   Customer    @relation(fields: [customerId], references: [id])
  status     OrderStatus @default(OPEN)
  totalCents Int         @default(0) @map("total_cents")

  @@index([customerId, status])
  @@map("orders")
}

model Note {
  id   Int    @id @default(autoincrement())
  body String

  @@map("notes")
}
"""

NOTE_MODEL = PRISMA[PRISMA.index("model Note") :]


def write(root: Path, prisma: str, service: str = SERVICE) -> Path:
    """A repository with the registry and the Prisma schema; returns the schema file."""
    (root / ".git").mkdir(parents=True)
    services = root / "registry" / "services"
    services.mkdir(parents=True)
    (services / "shop.yaml").write_text(service, encoding="utf-8")
    schema = root / "packages" / "shop" / "prisma" / "schema.prisma"
    schema.parent.mkdir(parents=True)
    schema.write_text(prisma, encoding="utf-8")
    return schema


def differences(registry, service: str, live) -> list[tuple[str, str, str]]:
    """(code, target, message) of each drift finding: the engine's drift rules only."""
    inputs = Inputs(live={service: live})
    findings = run(registry, inputs, scope=lambda rule: "live" in rule.needs)
    return [(f.rule, f.target, f.message) for f in findings]


def compare(root: Path, prisma: str, service: str = SERVICE):
    schema = write(root, prisma, service)
    registry = load_registry(root / "registry")
    assert registry.findings == []
    live = read_prisma_schema(schema, "packages/shop/prisma/schema.prisma")
    return live, differences(registry, "shop", live)


def test_the_example_agrees(tmp_path):
    _, found = compare(tmp_path, PRISMA)
    assert found == []


# (code, Prisma text replaced, by what, the target; the Prisma object and a text on its
# line, when the Prisma schema has the object)
DISAGREEMENTS = [
    ("D701", NOTE_MODEL, "", "shop.notes", None, None),
    ("D702", "model Note {", "model AuditLog {\n  id Int @id\n}\n\nmodel Note {", "shop.AuditLog",
     "AuditLog", "model AuditLog"),
    ("D703", "  nickname  String?\n", "", "shop.customers.nickname", None, None),
    ("D704", "  orders    Order[]\n", "  orders    Order[]\n  phone String?\n",
     "shop.customers.phone", "customers.phone", "phone String?"),
    ("D705", "@db.VarChar(255)", "@db.VarChar(320)", "shop.customers.email", "customers.email",
     "VarChar(320)"),
    ("D706", "nickname  String?", "nickname  String ", "shop.customers.nickname",
     "customers.nickname", "nickname"),
    ("D707", "@default(0)", "@default(1)", "shop.orders.total_cents", "orders.total_cents",
     "@default(1)"),
    ("D708", "String   @unique @db.VarChar", "String   @db.VarChar", "shop.customers.email",
     "customers.email", "email"),
    ("D709", "  @@index([customerId, status])\n", "", "shop.orders.orders_customer_id_status_idx",
     None, None),
    ("D710", "  @@map(\"orders\")", "  @@index([status])\n  @@map(\"orders\")",
     "shop.orders.orders_status_idx", "orders.orders_status_idx", "@@index([status])"),
    ("D711", "@@index([customerId, status])", "@@index([customerId, status], type: Brin)",
     "shop.orders.orders_customer_id_status_idx", "orders.orders_customer_id_status_idx",
     "type: Brin"),
    ("D712", "  SHIPPED\n", "", "shop.OrderStatus", "order_status", "enum OrderStatus"),
    ("D713", "  SHIPPED\n", "  SHIPPED\n  REFUNDED\n", "shop.OrderStatus", "order_status",
     "enum OrderStatus"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "old", "new", "target", "key", "text"),
    DISAGREEMENTS,
    ids=[d[0] for d in DISAGREEMENTS],
)
def test_each_disagreement_is_one_difference(tmp_path, code, old, new, target, key, text):
    assert old in PRISMA
    prisma = PRISMA.replace(old, new, 1)
    live, found = compare(tmp_path, prisma)
    assert [(c, t) for c, t, _ in found] == [(code, target)]
    if key is None:  # the object is the registry's only
        assert live.location(target.split(".", 1)[1]) is None
    else:
        line = next(i for i, row in enumerate(prisma.splitlines(), 1) if text in row)
        assert live.location(key) == ("packages/shop/prisma/schema.prisma", line)


def test_lines_of_each_kind_of_object(tmp_path):
    live, _ = compare(tmp_path, PRISMA)
    shown = "packages/shop/prisma/schema.prisma"
    lines = PRISMA.splitlines()
    expected = {
        "order_status": "enum OrderStatus {",
        "customers": "model Customer {",
        "customers.created_at": "  createdAt DateTime",
        "customers.customers_pkey": "  id        String   @id",
        "customers.customers_email_key": "  email     String   @unique",
        "orders.orders_customer_id_status_idx": "  @@index([customerId, status])",
        "notes.body": "  body String",
    }
    for key, text in expected.items():
        file, line = live.location(key)
        assert file == shown and lines[line - 1].startswith(text), (key, line)
    assert live.where("orders") == f" ({shown}:24)"
    assert live.label == "the Prisma schema"


def test_a_multi_file_schema_names_the_file_of_each_object(tmp_path):
    folder = tmp_path / "prisma"
    (folder / "models").mkdir(parents=True)
    cut = PRISMA.index("model Order")
    (folder / "schema.prisma").write_text(PRISMA[:cut], encoding="utf-8")
    (folder / "models" / "order.prisma").write_text(PRISMA[cut:], encoding="utf-8")
    live = read_prisma_schema(folder, "prisma")
    assert live.location("customers") == ("prisma/schema.prisma", 14)
    assert live.location("orders.total_cents") == ("prisma/models/order.prisma", 6)
    assert live.where("notes") == " (prisma/models/order.prisma:12)"


def test_a_composite_primary_key_keeps_its_order_and_name(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        textwrap.dedent("""\
        model Member {
          teamId Int @map("team_id")
          userId Int @map("user_id")

          @@id([userId, teamId], map: "members_key")
          @@map("members")
        }
        """),
        encoding="utf-8",
    )
    live = read_prisma_schema(schema, "schema.prisma")
    (primary,) = live.tables["members"].indexes.values()
    assert (primary.name, primary.columns, primary.primary) == (
        "members_key",
        ("user_id", "team_id"),
        True,
    )
    assert live.location("members.members_key") == ("schema.prisma", 5)


def test_every_corpus_unit_agrees_with_its_own_import(tmp_path):
    """import prisma, then compare the registry with the same schema: nothing differs."""
    from .test_prisma_corpus import IDS, UNITS

    if not UNITS:
        pytest.skip("../shared/corpus is not there")
    failures = {}
    for i, (unit, unit_id) in enumerate(zip(UNITS, IDS, strict=True)):
        schema = parse_files(unit)
        data, _ = import_schema(schema, "corpus", "orion_corpus")
        root = tmp_path / f"u{i:02d}"
        (root / "services").mkdir(parents=True)
        (root / "services" / "corpus.yaml").write_text(service_yaml(data, []), encoding="utf-8")
        registry = load_registry(root)
        assert registry.findings == [], unit_id
        from orion_registry.prisma.live import live_schema

        found = differences(registry, "corpus", live_schema(schema))
        if found:
            failures[unit_id] = found
    assert len(UNITS) == 36
    assert failures == {}


@pytest.mark.parametrize(
    ("declared", "reason"),
    [
        ("../../../outside.prisma", "leaves the repository"),
        ("../../packages/shop/prisma/missing.prisma", "no such file or folder"),
        (
            "../../packages/shop/prisma/escape.prisma",
            "is a symbolic link that leaves the repository",
        ),
        ("../../packages/shop/prisma/dangling.prisma", "is a symbolic link to nothing"),
    ],
)
def test_a_prisma_schema_outside_the_repository_is_refused(tmp_path, declared, reason):
    repo = tmp_path / "repo"
    write(repo, PRISMA, SERVICE.replace("../../packages/shop/prisma/schema.prisma", declared))
    (tmp_path / "outside.prisma").write_text(PRISMA, encoding="utf-8")
    folder = repo / "packages" / "shop" / "prisma"
    (folder / "escape.prisma").symlink_to(tmp_path / "outside.prisma")
    (folder / "dangling.prisma").symlink_to(folder / "gone.prisma")
    registry = load_registry(repo / "registry")
    assert [(f.rule, f.file, f.line, f.message) for f in registry.findings] == [
        (
            "L002",
            (repo / "registry/services/shop.yaml").as_posix(),
            5,
            f"prisma_schema '{declared}' {reason}",
        )
    ]


def test_without_git_the_repository_is_the_registrys_parent(tmp_path):
    write(tmp_path, PRISMA)
    (tmp_path / ".git").rmdir()
    assert load_registry(tmp_path / "registry").findings == []
    registry = tmp_path / "other" / "registry"
    (registry / "services").mkdir(parents=True)
    text = SERVICE.replace("../../packages/shop", "../../../packages/shop")
    (registry / "services" / "shop.yaml").write_text(text, encoding="utf-8")
    (finding,) = load_registry(registry).findings
    assert finding.message.endswith("leaves the repository")


def test_drift_with_a_prisma_schema(tmp_path, monkeypatch):
    write(tmp_path, PRISMA.replace("@default(0)", "@default(1)"))
    monkeypatch.chdir(tmp_path)
    schema = "packages/shop/prisma/schema.prisma"
    args = ("drift", "--service", "shop", "--registry", "registry", "--prisma")
    code, out, err = run_cli(*args, schema, "--format", "json")
    assert (code, err) == (1, "")
    (finding,) = json.loads(out)["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == (
        "D707",
        "registry/services/shop.yaml",
        24,
    )
    assert run_cli(*args, "packages/shop/prisma", "--format", "json")[0] == 1  # the folder
    Path(schema).write_text(PRISMA, encoding="utf-8")
    assert run_cli(*args, schema) == (0, "All checks passed: no findings.\n", "")
    Path(schema).write_text("model {\n", encoding="utf-8")
    code, out, err = run_cli(*args, schema)
    assert (code, out) == (2, "") and err.startswith(f"{schema}:1:7: error: ")
    code, _, err = run_cli(*args, "missing.prisma")
    assert code == 2 and "missing.prisma: no such file or folder" in err


def test_drift_takes_one_of_dsn_and_prisma():
    code, _, err = run_cli("drift", "--service", "user")
    assert code == 2 and "one of the arguments --dsn --prisma is required" in err
    code, _, err = run_cli("drift", "--service", "user", "--dsn", "x", "--prisma", "y")
    assert code == 2 and "not allowed with argument" in err


def test_the_bundled_services_agree_with_their_prisma_schemas():
    registry = load_registry(BUNDLED_REGISTRY)
    named = {name: doc for name, doc in registry.services.items() if doc.model.prisma_schema}
    assert "user" in named and registry.findings == []
    for name, doc in named.items():
        path = (doc.path.parent / doc.model.prisma_schema).resolve()
        live = read_prisma_schema(path, doc.model.prisma_schema)
        assert differences(registry, name, live) == [], name


def test_check_compares_each_service_with_its_prisma_schema(tmp_path, monkeypatch):
    write(tmp_path, PRISMA.replace("@default(0)", "@default(1)"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("check", "--registry", "registry", "--select", "D", "--format", "json")
    assert code == 1
    assert json.loads(out)["findings"] == [
        {
            "rule": "D707",
            "severity": "error",
            "message": "column orders.total_cents has default 0 in the registry but 1 in the "
            "Prisma schema (packages/shop/prisma/schema.prisma:29)",
            "file": "registry/services/shop.yaml",
            "line": 24,
            "column": 53,
            "target": "shop.orders.total_cents",
        }
    ]
    _, out, _ = run_cli("check", "--registry", "registry", "--select", "D", "--format", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "registry/services/shop.yaml"
    )
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"] == {
        "artifactLocation": {"uri": "packages/shop/prisma/schema.prisma"},
        "region": {"startLine": 29},
    }


def test_check_reports_a_prisma_schema_that_does_not_parse(tmp_path, monkeypatch):
    write(tmp_path, PRISMA.replace("model Note {", "model Note {{"))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "--registry", "registry", "--select", "D,L")
    assert code == 1 and err == ""
    assert out.startswith(
        "packages/shop/prisma/schema.prisma:35:13: L002 the Prisma schema of service 'shop' "
        "does not parse: unexpected '{'"
    )


def test_check_without_a_disagreement_is_clean_for_the_drift_rules(tmp_path, monkeypatch):
    write(tmp_path, PRISMA)
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "--registry", "registry", "--select", "D,L") == (
        0,
        "All checks passed: no findings.\n",
        "",
    )


def test_the_service_page_names_its_prisma_schema_and_says_whether_it_agrees(tmp_path):
    from orion_registry.engine import check_registry
    from orion_registry.render import render_site

    def facts(prisma: str) -> str:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        write(root, prisma)
        registry = load_registry(root / "registry")
        site = render_site(registry, check_registry(registry))
        (row,) = [
            line
            for block in site.pages["services/shop.md"].blocks
            for line in block.splitlines()
            if "<th>Prisma schema</th>" in line
        ]
        return row

    assert facts(PRISMA) == (
        "<tr><th>Prisma schema</th><td><code>packages/shop/prisma/schema.prisma</code>: "
        "agrees with this page</td></tr>"
    )
    disagreeing = PRISMA.replace("@default(0)", "@default(1)").replace("  SHIPPED\n", "")
    assert "<strong>disagrees</strong> with this page (2 differences, see" in facts(disagreeing)


def _shape(live) -> dict:
    """What drift compares, without the names PostgreSQL and Prisma may spell differently
    (a key's or a foreign key's name, a long unique constraint's name)."""
    tables = {}
    for name, table in live.tables.items():
        indexes = sorted(
            (
                ix.name if not (ix.primary or (ix.unique and len(ix.columns) == 1)) else "",
                ix.columns,
                ix.unique,
                ix.primary,
                ix.method,
                ix.where,
                ix.ops or (None,) * len(ix.columns),
                ix.descending or (False,) * len(ix.columns),
            )
            for ix in table.indexes.values()
        )
        keys = sorted((fk.columns, fk.ref_table, fk.ref_columns) for fk in table.foreign_keys)
        tables[name] = (table.columns, indexes, keys)
    return {"tables": tables, "enums": live.enums}


@pytest.mark.system
def test_a_prisma_schema_reads_as_postgresql_holds_its_import(pg_server, tmp_path):
    """For every corpus unit: the LiveSchema made from the Prisma schema equals what
    introspection reads from a database made with `export sql` of its import."""
    import psycopg

    from orion_registry.prisma.live import live_schema
    from orion_registry.sql.introspect import introspect

    from .test_drift import CORPUS_ALLOWED, EXTENSIONS, apply_ddl
    from .test_prisma_corpus import IDS, UNITS

    if not UNITS:
        pytest.skip("../shared/corpus is not there")
    failures, compared = {}, 0
    for i, (unit, unit_id) in enumerate(zip(UNITS, IDS, strict=True)):
        schema = parse_files(unit)
        data, _ = import_schema(schema, "corpus", "orion_corpus")
        ours = live_schema(schema)
        for table in data["tables"]:  # what the DDL cannot create (see test_drift)
            left_out = {
                ix["name"]
                for ix in table.get("indexes", [])
                if (unit_id, table["name"], ix["name"]) in CORPUS_ALLOWED
            }
            table["indexes"] = [ix for ix in table.get("indexes", []) if ix["name"] not in left_out]
            for name in left_out:
                del ours.tables[table["name"]].indexes[name]
        root = tmp_path / f"u{i:02d}"
        (root / "services").mkdir(parents=True)
        (root / "services" / "corpus.yaml").write_text(service_yaml(data, []), encoding="utf-8")
        database = f"prisma_{i:02d}"
        pg_server.execute(f'CREATE DATABASE "{database}"')
        try:
            apply_ddl(pg_server.dsn(database), "corpus", root, first=EXTENSIONS)
            theirs = _shape(introspect(pg_server.dsn(database)))
            compared += 1
            if _shape(ours) != theirs:
                failures[unit_id] = [
                    (name, _shape(ours)["tables"].get(name), theirs["tables"].get(name))
                    for name in sorted(set(_shape(ours)["tables"]) | set(theirs["tables"]))
                    if _shape(ours)["tables"].get(name) != theirs["tables"].get(name)
                ][:3] or [("enums", ours.enums, theirs["enums"])]
        except psycopg.Error as exc:
            failures[unit_id] = f"DDL refused: {exc}"
        finally:
            pg_server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    assert failures == {}
    assert compared == len(UNITS) == 36


def test_check_with_a_multi_file_prisma_schema_names_the_file_of_the_object(tmp_path, monkeypatch):
    write(tmp_path, "", SERVICE.replace("prisma/schema.prisma", "prisma"))
    folder = tmp_path / "packages" / "shop" / "prisma"
    (folder / "schema.prisma").unlink()
    (folder / "models").mkdir()
    cut = PRISMA.index("model Order")
    (folder / "schema.prisma").write_text(PRISMA[:cut], encoding="utf-8")
    changed = PRISMA[cut:].replace("@default(0)", "@default(1)")
    (folder / "models" / "order.prisma").write_text(changed, encoding="utf-8")
    (folder / "migrations" / "0_init").mkdir(parents=True)  # never read as schema
    (folder / "migrations" / "0_init" / "x.prisma").write_text("model {", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("check", "--registry", "registry", "--select", "D,L", "--format", "json")
    (finding,) = json.loads(out)["findings"]
    assert code == 1 and finding["rule"] == "D707"
    assert finding["message"].endswith("(packages/shop/prisma/models/order.prisma:6)")


@pytest.mark.parametrize(
    ("service", "prisma", "what"),
    [
        (
            SERVICE.replace(
                "{name: orders_customer_id_status_idx, columns: [customer_id, status]}",
                "{name: orders_customer_id_status_idx, columns: [customer_id, status], "
                "order: {customer_id: desc}}",
            ),
            PRISMA,
            "customer_id DESC",
        ),
        (
            SERVICE,
            PRISMA.replace(
                "@@index([customerId, status])",
                '@@index([customerId(ops: raw("uuid_minmax_ops")), status], type: Brin)',
            ),
            "brin",
        ),
        (
            SERVICE.replace(
                "{name: orders_customer_id_status_idx, columns: [customer_id, status]}",
                "{name: orders_customer_id_status_idx, columns: [customer_id, status], "
                "ops: {status: enum_ops}}",  # the default class: the same index
            ),
            PRISMA.replace(
                "@@index([customerId, status])",
                '@@index([customerId, status(ops: raw("text_pattern_ops"))])',
            ),
            "text_pattern_ops",
        ),
    ],
    ids=["sort-order", "type", "operator-class"],
)
def test_an_index_key_that_differs_is_d711(tmp_path, service, prisma, what):
    _, found = compare(tmp_path, prisma, service)
    assert [(c, t) for c, t, _ in found] == [("D711", "shop.orders.orders_customer_id_status_idx")]
    assert what in found[0][2]


def test_a_primary_key_in_another_order_is_d708(tmp_path):
    service = SERVICE.replace(
        "  - name: notes\n    model: Note\n",
        "  - name: notes\n    model: Note\n    primary_key: [id, body]\n",
    ).replace("{name: body, type: text}", "{name: body, type: text, primary_key: true}")
    agreeing = PRISMA.replace(
        "id   Int    @id @default(autoincrement())", "id   Int    @default(autoincrement())"
    ).replace('  @@map("notes")', '  @@id([id, body])\n  @@map("notes")')
    assert compare(tmp_path / "a", agreeing, service)[1] == []
    disagreeing = agreeing.replace("@@id([id, body])", "@@id([body, id])")
    live, found = compare(tmp_path / "b", disagreeing, service)
    assert [(c, t) for c, t, _ in found] == [("D708", "shop.notes")]
    assert "(id, body) in the registry but (body, id) in the Prisma schema" in found[0][2]
    line = disagreeing.splitlines().index("  @@id([body, id])") + 1
    assert live.location("notes.notes_pkey") == ("packages/shop/prisma/schema.prisma", line)
