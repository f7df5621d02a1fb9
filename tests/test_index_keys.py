"""A composite primary key keeps its column order, an index key its operator class and sort
order: through `import prisma`, the registry, `export prisma`, `export sql`, drift, and the
rules that read them (I301, I303, I305)."""

from __future__ import annotations

import textwrap

import pytest

from orion_registry.loader import load_registry
from orion_registry.prisma.ast import Schema
from orion_registry.prisma.exporter import export_service
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import parse_text
from orion_registry.prisma.writer import service_yaml
from orion_registry.rules.examples import write_example
from orion_registry.sql.ddl import service_ddl

from .helpers import ID_COLUMN, rule_findings
from .test_drift import apply_ddl, drift

SCHEMA = """
datasource db {
  provider = "postgresql"
}

model Member {
  userId    String   @map("user_id") @db.Uuid
  teamId    String   @map("team_id") @db.Uuid
  name      String
  email     String
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz
  @@id([userId, teamId])
  @@index([name(ops: raw("gin_trgm_ops"))], map: "idx_members_name", type: Gin)
  @@index([email(ops: TextPatternOps)], map: "idx_members_email")
  @@index([teamId, createdAt(sort: Desc)], map: "idx_members_team_id_created_at")
  @@map("members")
}
"""


def imported(text: str = SCHEMA) -> dict:
    data, notes = import_schema(
        Schema(parse_text(textwrap.dedent(text), "s.prisma"), ["s.prisma"]), "club", "orion_club"
    )
    assert notes == []
    return data


def registry(tmp_path, data: dict):
    (tmp_path / "services").mkdir(parents=True, exist_ok=True)
    (tmp_path / "services" / "club.yaml").write_text(service_yaml(data, []))
    return load_registry(tmp_path)


def test_import_keeps_key_order_operator_classes_and_sort_order():
    [table] = imported()["tables"]
    assert table["primary_key"] == ["user_id", "team_id"]
    assert table["indexes"] == [
        {"name": "idx_members_name", "columns": ["name"], "type": "gin",
         "ops": {"name": "gin_trgm_ops"}},
        {"name": "idx_members_email", "columns": ["email"], "ops": {"email": "text_pattern_ops"}},
        {"name": "idx_members_team_id_created_at", "columns": ["team_id", "created_at"],
         "order": {"created_at": "desc"}},
    ]  # fmt: skip


def test_the_registry_file_loads_and_exports_them_again(tmp_path):
    reg = registry(tmp_path, imported())
    assert reg.findings == []
    service = reg.services["club"].model
    text, notes = export_service(service, [])
    assert notes == []
    assert "@@id([userId, teamId])" in text
    assert 'name(ops: raw("gin_trgm_ops"))' in text and "type: Gin" in text
    assert 'email(ops: raw("text_pattern_ops"))' in text
    assert "createdAt(sort: Desc)" in text
    again = imported(text)
    assert again["tables"] == imported()["tables"]  # the round trip loses nothing


def test_ddl_writes_them(tmp_path):
    ddl = service_ddl(registry(tmp_path, imported()).services["club"])
    assert 'PRIMARY KEY ("user_id", "team_id")' in ddl
    assert 'USING gin ("name" gin_trgm_ops)' in ddl
    assert '("email" text_pattern_ops)' in ddl
    assert '("team_id", "created_at" DESC)' in ddl


@pytest.mark.system
def test_drift_sees_key_order_operator_class_and_sort_order(pg_database, tmp_path):
    reg_root = tmp_path / "registry"
    registry(reg_root, imported())
    trgm = "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    apply_ddl(pg_database, "club", reg_root, first=trgm)
    assert drift(pg_database, "club", reg_root)[:2] == (0, [])
    apply_ddl(
        pg_database,
        "club",
        reg_root,
        first="DROP SCHEMA public CASCADE; CREATE SCHEMA public; " + trgm,
        then="DROP INDEX idx_members_email; CREATE INDEX idx_members_email ON members (email);"
        "DROP INDEX idx_members_team_id_created_at;"
        "CREATE INDEX idx_members_team_id_created_at ON members (team_id, created_at);"
        "ALTER TABLE members DROP CONSTRAINT members_pkey;"
        "ALTER TABLE members ADD PRIMARY KEY (team_id, user_id);",
    )
    code, findings, _ = drift(pg_database, "club", reg_root)
    said = "\n".join(f["message"] for f in findings)
    assert code == 1
    assert "email text_pattern_ops" in said
    assert "created_at DESC" in said
    assert "primary key (user_id, team_id) in the registry but (team_id, user_id)" in said


# --- the rules ------------------------------------------------------------------------------
MEMBERS = """
tables:
  - name: teams
    model: Team
    columns:
      - {ID}
  - name: members
    model: Member
    primary_key: [user_id, team_id]
    columns:
      - {{name: user_id, type: uuid, primary_key: true, external: true}}
      - {{name: team_id, type: uuid, primary_key: true, references: teams.id}}
      - {{name: email, type: varchar(254), unique: true}}
      - {{name: name, type: varchar(100)}}
    indexes:
{indexes}
"""


def members(*indexes: str) -> str:
    lines = "\n".join(f"      - {i}" for i in indexes) or "      []"
    text = MEMBERS.format(ID=ID_COLUMN, indexes=lines)
    return text.replace("    indexes:\n      []\n", "")


def test_i301_judges_the_key_in_its_order(tmp_path):
    hits = rule_findings("I301", members(), tmp_path)
    assert [h.target for h in hits] == ["example.members.team_id"]  # user_id leads the key


@pytest.mark.parametrize(
    "index",
    [
        "{name: idx_members_email, columns: [email], ops: {email: text_pattern_ops}}",
        "{name: idx_members_email, columns: [email], type: gin, ops: {email: gin_trgm_ops}}",
        "{name: idx_members_email, columns: [email], where: deleted_at IS NULL}",
    ],
)
def test_i303_an_index_that_differs_is_not_redundant(index, tmp_path):
    assert rule_findings("I303", members(index), tmp_path) == []


def test_i303_still_finds_a_plain_duplicate(tmp_path):
    hits = rule_findings("I303", members("{name: idx_members_email, columns: [email]}"), tmp_path)
    assert [h.target for h in hits] == ["example.members.idx_members_email"]


def test_i303_sort_order_makes_keys_differ(tmp_path):
    example = members(
        "{name: idx_members_team_id, columns: [team_id, name], order: {name: desc}}",
        "{name: idx_members_team_id_name, columns: [team_id, name]}",
    )
    assert rule_findings("I303", example, tmp_path) == []


def test_i305_checks_the_key_and_the_key_options(tmp_path):
    example = members("{name: idx_members_name, columns: [name], ops: {nam: text_pattern_ops}}")
    example = example.replace("primary_key: [user_id, team_id]", "primary_key: [user_id, tem_id]")
    hits = rule_findings("I305", example, tmp_path)
    said = [h.message for h in hits]
    assert any("lists column 'tem_id'" in m for m in said)
    assert any("gives ops for 'nam'" in m for m in said)
    assert any("'team_id' is marked primary_key" in m for m in said)


def test_a_bad_operator_class_is_a_located_ddl_error(tmp_path):
    from .helpers import run_cli

    example = members("{name: idx_members_name, columns: [name], ops: {name: 'x; DROP TABLE y'}}")
    root = write_example(example, tmp_path)
    code, _, err = run_cli("export", "sql", "--service", "example", "--registry", str(root))
    assert code == 2
    assert "operator class" in err and "example.yaml:" in err
