"""`import prisma`: the parser, the mapping to the registry, and the command."""

from __future__ import annotations

import textwrap

import pytest
import yaml

from orion_registry.commands.prisma import _modeline
from orion_registry.loader import load_registry
from orion_registry.prisma.ast import Schema
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import PrismaSyntaxError, parse_text

from .helpers import BUNDLED_REGISTRY, run_cli

HEAD = 'datasource db {\n  provider = "postgresql"\n}\n'


def imported(body: str) -> tuple[dict, list[str]]:
    text = HEAD + textwrap.dedent(body)
    data, notes = import_schema(Schema(parse_text(text, "s.prisma"), ["s.prisma"]), "x", "orion_x")
    return data, [str(n) for n in notes]


def table(data: dict, name: str) -> dict:
    return next(t for t in data["tables"] if t["name"] == name)


def column(data: dict, tbl: str, name: str) -> dict:
    return next(c for c in table(data, tbl)["columns"] if c["name"] == name)


@pytest.mark.parametrize(
    ("declaration", "expected"),
    [
        ("String", "text"),
        ("String @db.VarChar(255)", "varchar(255)"),
        ("String @db.Char(2)", "char(2)"),
        ("String @db.Text", "text"),
        ("String @db.Uuid", "uuid"),
        ("String @db.Citext", "citext"),
        ("Int", "integer"),
        ("Int @db.SmallInt", "smallint"),
        ("BigInt", "bigint"),
        ("Float", "double precision"),
        ("Float @db.Real", "real"),
        ("Decimal", "numeric(65,30)"),
        ("Decimal @db.Decimal(10, 4)", "numeric(10,4)"),
        ("DateTime", "timestamp(3)"),
        ("DateTime @db.Timestamptz(6)", "timestamptz(6)"),
        ("DateTime @db.Timestamptz", "timestamptz"),
        ("DateTime @db.Date", "date"),
        ("DateTime @db.Time", "time"),
        ("Boolean", "boolean"),
        ("Json", "jsonb"),
        ("Json @db.Json", "json"),
        ("Bytes", "bytea"),
        ("String[]", "text[]"),
        ("Json[]", "jsonb[]"),
        ("Mood", "Mood"),
        ("Mood[]", "Mood[]"),
    ],
)
def test_types(declaration, expected):
    data, _ = imported(
        f"enum Mood {{\n  HAPPY\n}}\nmodel T {{\n  id Int @id\n  v {declaration}\n}}\n"
    )
    assert column(data, "T", "v")["type"] == expected


def test_names_from_map_in_both_spellings():
    data, notes = imported("""
        model UserPreference {
          id        Int      @id
          createdAt DateTime @map(name: "created_at")
          userId    Int      @map("user_id")
          @@map(name: "user_preferences")
        }
    """)
    assert notes == []
    assert table(data, "user_preferences")["model"] == "UserPreference"
    assert [c["name"] for c in table(data, "user_preferences")["columns"]] == [
        "id",
        "created_at",
        "user_id",
    ]


def test_defaults_nullability_updated_at():
    data, _ = imported("""
        enum Kind {
          ANDROID @map("android")
          IOS
        }
        model T {
          id      String   @id @default(uuid()) @db.Uuid
          c       String   @default(cuid(2))
          n       Int      @default(autoincrement())
          g       String   @default(dbgenerated("gen_random_uuid()")) @db.Uuid
          g2      String   @default(dbgenerated())
          neg     Decimal  @default(-1)
          f       Float    @default(0.5)
          s       String?  @default("{\\"users\\": []}")
          b       Boolean  @default(true)
          k       Kind     @default(ANDROID)
          ks      Kind[]   @default([IOS])
          tags    String[] @default([])
          at      DateTime @default(now()) @updatedAt
        }
    """)
    defaults = {c["name"]: c.get("default") for c in table(data, "T")["columns"]}
    assert defaults == {
        "id": "uuid()", "c": "cuid(2)", "n": "autoincrement()",
        "g": 'dbgenerated("gen_random_uuid()")',
        "g2": "dbgenerated()", "neg": -1, "f": 0.5, "s": '{"users": []}', "b": True,
        "k": "android", "ks": "[IOS]", "tags": "[]", "at": "now()",
    }  # fmt: skip
    assert column(data, "T", "s")["nullable"] is True
    assert "nullable" not in column(data, "T", "id")
    assert column(data, "T", "at")["updated_at"] is True


def test_keys_and_indexes():
    data, notes = imported("""
        model A {
          id    Int    @id()
          email String @unique
          code  String @unique(map: "a_code_unique")
          x     Int
          y     Int
          @@unique([x, y])
          @@unique([email, x], map: "a_email_x", name: "emailX")
          @@index([x, y(sort: Desc)], map: "idx_a_x_y", type: Hash)
          @@index([y])
        }
        model B {
          a Int
          b Int
          @@id([b, a])
        }
        model C {
          k Int
          @@id(k)
        }
    """)
    assert column(data, "A", "id")["primary_key"] is True
    assert column(data, "A", "email")["unique"] is True
    assert "unique" not in column(data, "A", "code")
    assert table(data, "A")["indexes"] == [
        {"name": "A_x_y_key", "columns": ["x", "y"], "unique": True},
        {"name": "a_email_x", "columns": ["email", "x"], "unique": True},
        {"name": "idx_a_x_y", "columns": ["x", "y"], "type": "hash"},
        {"name": "A_y_idx", "columns": ["y"]},
        {"name": "a_code_unique", "columns": ["code"], "unique": True},
    ]
    assert all(c.get("primary_key") for c in table(data, "B")["columns"])
    assert column(data, "C", "k")["primary_key"] is True
    assert any("'y(sort: Desc)' is recorded as 'y'" in n for n in notes)
    assert table(data, "B")["primary_key"] == ["b", "a"]  # the key's order, not the table's
    assert "primary_key" not in table(data, "C")
    assert not any("composite primary key" in n for n in notes)


def test_default_index_names_fit_postgres_identifiers():
    long = "a_very_long_column_name_that_goes_on"
    data, _ = imported(
        f"model T {{\n  id Int @id\n  {long} Int\n  {long}2 Int\n  @@index([{long}, {long}2])\n}}\n"
    )
    name = table(data, "T")["indexes"][0]["name"]
    assert len(name) == 63 and name.endswith("_idx") and name.startswith(f"T_{long}_a_very")


def test_relations_become_references():
    data, notes = imported("""
        model User {
          id    String @id @db.Uuid
          posts Post[]
          @@map("users")
        }
        model Post {
          id       Int    @id
          authorId String @map("author_id") @db.Uuid
          author   User   @relation("A", onDelete: Cascade, fields: [authorId], references: [id])
          @@map("posts")
        }
    """)
    assert column(data, "posts", "author_id")["references"] == "users.id"
    assert [c["name"] for c in table(data, "users")["columns"]] == ["id"]  # no relation columns
    assert notes == []


def test_enums_with_map_and_docs():
    data, notes = imported("""
        /// The state of a poll.
        enum PollStatus {
          /// open
          LIVE   @map("live")
          PAUSED
          @@map("poll_status")
        }
        /**
         * A poll.
         */
        model Poll {
          id     Int        @id /// the key
          /// Where it is
          /// now.
          status PollStatus
        }
    """)
    assert data["enums"] == [
        {
            "name": "PollStatus",
            "db_name": "poll_status",
            "values": ["live", "PAUSED"],
            "description": "The state of a poll.",
        }
    ]  # fmt: skip
    assert table(data, "Poll")["description"] == "A poll."
    assert column(data, "Poll", "id")["description"] == "the key"
    assert column(data, "Poll", "status")["description"] == "Where it is\nnow."
    assert any("stored values (LIVE -> 'live')" in n for n in notes)


def test_what_the_registry_cannot_hold_is_a_warning():
    data, notes = imported("""
        model T {
          id   Int                      @id
          geom Unsupported("geometry")?
          @@schema("base")
        }
        view V {
          id Int @unique
        }
        type Address {
          street String
        }
    """)
    assert column(data, "T", "geom") == {"name": "geom", "type": "geometry", "nullable": True}
    assert [t["name"] for t in data["tables"]] == ["T"]
    text = "\n".join(notes)
    for expected in [
        'Unsupported("geometry")',
        "@@schema on 'T'",
        "view 'V' is not imported",
        "composite type 'Address'",
    ]:
        assert expected in text
    assert all(n.startswith("s.prisma:") and ": warning: " in n for n in notes)


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("model T {\n  id Int @id\n", "2:13", "unexpected end of file (is a block not closed"),
        ("model T {\n  id Int @id(\n}\n", "3:1", "unexpected '}'"),
        ("model T {\n  id Int @id $\n}\n", "2:14", "unexpected character '$'"),
        ("model T {\n  id\n}\n", "3:1", "expected a name"),
    ],
)
def test_syntax_errors_are_located(text, where, message):
    with pytest.raises(PrismaSyntaxError) as caught:
        parse_text(text, "bad.prisma")
    assert str(caught.value).startswith(f"bad.prisma:{where}: error: ")
    assert message in str(caught.value)


def test_duplicate_models_are_an_error():
    with pytest.raises(
        PrismaSyntaxError,
        match=r"s.prisma:7:1: error: 'T' is defined twice \(first at s.prisma:4\)",
    ):
        imported("model T {\n  id Int @id\n}\nmodel T {\n  id Int @id\n}\n")


# --- the command ---------------------------------------------------------------------------
SCHEMA = HEAD + 'model User {\n  id String @id @default(uuid()) @db.Uuid\n  @@map("users")\n}\n'


def test_cli_writes_a_file_that_loads_and_is_checked(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    registry = tmp_path / "reg"
    (registry).mkdir()
    (registry / "orion.yaml").write_text("database_prefix: acme_\n")
    code, out, err = run_cli(
        "import", "prisma", str(schema), "--service", "user", "--registry", str(registry)
    )
    assert (code, err) == (0, "")
    written = registry / "services" / "user.yaml"
    assert out == f"wrote {written.as_posix()}: 1 tables, 0 enums, 0 warnings\n"
    text = written.read_text()
    assert text.startswith(
        f"# Imported from {schema.as_posix()} by `orion-registry import prisma`.\n"
    )
    assert "owner:  # TODO" in text
    data = yaml.safe_load(text)
    assert data["database"] == "acme_user" and data["owner"] is None
    assert load_registry(registry).findings == []
    code, out, _ = run_cli("check", "--registry", str(registry), "--format", "json")
    assert code == 1 and '"S601"' in out  # the owner is still to be filled in


def test_cli_never_overwrites_without_force(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    target = tmp_path / "services" / "user.yaml"
    target.parent.mkdir()
    target.write_text("keep me\n")
    code, _, err = run_cli(
        "import", "prisma", str(schema), "--service", "user", "--registry", str(tmp_path)
    )
    assert code == 2 and "already exists: use --force" in err
    assert target.read_text() == "keep me\n"
    code, _, _ = run_cli(
        "import", "prisma", str(schema), "--service", "user", "--registry", str(tmp_path), "--force"
    )
    assert code == 0 and "service: user" in target.read_text()


def test_cli_parse_error_writes_nothing(tmp_path):
    schema = tmp_path / "schema.prisma"
    schema.write_text(HEAD + "model User {\n  id String @id @default(\n}\n")
    code, out, err = run_cli(
        "import", "prisma", str(schema), "--service", "user", "--registry", str(tmp_path)
    )
    assert code == 2 and out == ""
    assert err.startswith(f"{schema.as_posix()}:6:1: error: ")
    assert not (tmp_path / "services").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.prisma", "--service", "x"], "missing.prisma: no such file or folder"),
        (["{schema}", "--service", "Bad-Name"], "service name 'Bad-Name' must match"),
    ],
)
def test_cli_usage_errors(tmp_path, argv, message):
    schema = tmp_path / "schema.prisma"
    schema.write_text(SCHEMA)
    argv = [a.format(schema=schema) for a in argv]
    code, _, err = run_cli("import", "prisma", *argv, "--registry", str(tmp_path))
    assert code == 2 and message in err


def test_cli_reads_a_multi_file_folder(tmp_path):
    folder = tmp_path / "prisma"
    (folder / "models").mkdir(parents=True)
    (folder / "schema.prisma").write_text(HEAD)
    (folder / "models" / "poll.prisma").write_text(
        'model Poll {\n  id Int @id\n  @@map("polls")\n}\n'
    )
    (folder / "models" / "vote.prisma").write_text(
        'model Vote {\n  id Int @id\n  pollId Int @map("poll_id")\n'
        "  poll Poll @relation(fields: [pollId], references: [id])\n}\n"
    )
    (folder / "migrations" / "0_init").mkdir(parents=True)
    (folder / "migrations" / "0_init" / "schema.prisma").write_text(
        "model Old {\n  id Int @id\n}\n"
    )
    code, _, err = run_cli(
        "import", "prisma", str(folder), "--service", "polls", "--registry", str(tmp_path / "r")
    )
    assert code == 0, err
    data = yaml.safe_load((tmp_path / "r" / "services" / "polls.yaml").read_text())
    assert [t["name"] for t in data["tables"]] == ["polls", "Vote"]  # not the migration snapshot
    assert data["tables"][1]["columns"][1]["references"] == "polls.id"


def test_modeline_follows_the_registry(tmp_path):
    bundled = _modeline(BUNDLED_REGISTRY / "services")
    assert bundled == [
        "yaml-language-server: $schema=../../orion_registry/schemas/service.schema.json"
    ]
    assert _modeline(tmp_path / "services") == []  # outside the project: no path to point at
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "a.yaml").write_text(
        "# yaml-language-server: $schema=https://x/s.json\nservice: a\n"
    )
    assert _modeline(tmp_path / "services") == ["yaml-language-server: $schema=https://x/s.json"]
