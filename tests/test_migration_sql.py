"""Migration SQL cross-check (M511-M514, R401 in SQL): handwritten cases and the corpus."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from orion_registry.engine import check_registry
from orion_registry.findings import Finding
from orion_registry.loader import load_registry

from .helpers import ROOT, SHARED

CORPUS = SHARED / "corpus"
UMAMI = CORPUS / "umami-software__umami/prisma/migrations"
LANGFUSE = CORPUS / "langfuse__langfuse/packages/shared/prisma/migrations"
DOCUMENSO = CORPUS / "documenso__documenso/packages/prisma/migrations"
SQL_CODES = ("M511", "M512", "M513", "M514", "R401")


def entry(id_: str, type_: str = "non-breaking") -> dict:
    day = id_[:8]
    date = f"{day[:4]}-{day[4:6]}-{day[6:8]}" if day.isdigit() else "2025-01-01"
    extra = {"steps": ["expand", "contract"]} if type_ == "breaking" else {}
    return {"id": id_, "date": date, "type": type_, "purpose": "p.", "rollback": "r.", **extra}


def registry(
    tmp_path: Path,
    migrations_dir: str | Path,
    entries: list[dict],
    tables: tuple[str, ...] = ("users",),
    others: dict[str, tuple[str, ...]] | None = None,
) -> Path:
    """A registry whose service `app` has `migrations_dir` and these migration entries."""
    root = tmp_path / "registry"
    (root / "services").mkdir(parents=True)
    services = {"app": tables, **(others or {})}
    for name, names in services.items():
        data = {
            "service": name,
            "database": f"orion_{name}",
            "owner": "team",
            "description": "d.",
            "tables": [
                {"name": t, "columns": [{"name": "id", "type": "uuid", "primary_key": True}]}
                for t in names
            ],
        }
        if name == "app":
            data |= {"migrations_dir": str(migrations_dir), "migrations": entries}
        (root / "services" / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def write_sql(base: Path, folder: str, sql: str) -> Path:
    path = base / folder / "migration.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(sql).lstrip("\n"), encoding="utf-8")
    return path


def sql_findings(root: Path) -> list[Finding]:
    findings = check_registry(load_registry(root))
    assert not [f for f in findings if f.rule.startswith("L")], findings
    return [f for f in findings if f.rule in SQL_CODES]


def where(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    return [(f.rule, Path(f.file).parent.name, f.line, f.column) for f in findings]


# --- M511: folders and entries ---------------------------------------------------------


def test_folders_match_entries_by_id_or_by_date_only_id(tmp_path) -> None:
    migrations = tmp_path / "migrations"
    write_sql(migrations, "20251018093000_add_prefs", "CREATE TABLE prefs (id uuid);")
    write_sql(migrations, "20251020101500_add_avatar", "ALTER TABLE users ADD COLUMN a text;")
    write_sql(migrations, "20251021000000_undocumented", "SELECT 1;")
    entries = [
        entry("20251018_add_prefs"),  # the guide's date-only id
        entry("20251020101500_add_avatar"),  # Prisma's folder name
        entry("20251022_never_created"),
    ]
    root = registry(tmp_path, "../../migrations", entries)
    found = sql_findings(root)
    lines = (root / "services" / "app.yaml").read_text(encoding="utf-8").splitlines()
    entry_line = next(i for i, text in enumerate(lines, 1) if "id: 20251022_never_created" in text)
    assert [(f.rule, f.target, f.line) for f in found] == [
        ("M511", "app.20251021000000_undocumented", 1),
        ("M511", "app.20251022_never_created", entry_line),
    ]
    assert found[0].file.endswith("migrations/20251021000000_undocumented/migration.sql")
    assert found[1].file.endswith("services/app.yaml")


def test_a_missing_migrations_dir_is_reported_at_the_key(tmp_path) -> None:
    root = registry(tmp_path, "../prisma/migrations", [])
    [finding] = sql_findings(root)
    assert finding.rule == "M511" and "is not a folder" in finding.message
    line = (root / "services/app.yaml").read_text().splitlines()[finding.line - 1]
    assert line.startswith("migrations_dir:")


def test_a_folder_without_sql_still_needs_an_entry(tmp_path) -> None:
    (tmp_path / "migrations" / "20240112011509_folders").mkdir(parents=True)
    root = registry(tmp_path, "../../migrations", [])
    [finding] = sql_findings(root)
    assert (finding.rule, finding.target) == ("M511", "app.20240112011509_folders")


# --- M512: destructive statements under a non-breaking entry ---------------------------

DESTRUCTIVE = [
    ('ALTER TABLE "users" DROP COLUMN "email";', "DROP COLUMN users.email"),
    ('DROP TABLE "users";', "DROP TABLE users"),
    ("ALTER TABLE users ALTER COLUMN email TYPE varchar(100);", "ALTER COLUMN users.email TYPE"),
    ("ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "SET NOT NULL"),
    ("ALTER TABLE users RENAME COLUMN email TO mail;", "RENAME COLUMN users.email TO mail"),
    ("ALTER TABLE users RENAME TO people;", "RENAME TABLE users TO people"),
    ("ALTER TYPE theme RENAME VALUE 'DARK' TO 'NIGHT';", "RENAME VALUE 'DARK'"),
    ("DROP TYPE theme;", "DROP TYPE theme"),
    ("ALTER TABLE users ADD COLUMN code text NOT NULL;", "ADD COLUMN users.code NOT NULL"),
]


@pytest.mark.parametrize(("sql", "what"), DESTRUCTIVE, ids=[d[1] for d in DESTRUCTIVE])
@pytest.mark.parametrize("type_", ["non-breaking", "data", "breaking"])
def test_destructive_sql_needs_a_breaking_entry(tmp_path, sql: str, what: str, type_: str) -> None:
    migrations = tmp_path / "migrations"
    write_sql(migrations, "20251102090000_change", f"-- a comment\n\nSELECT 1;\n  {sql}\n")
    root = registry(tmp_path, "../../migrations", [entry("20251102090000_change", type_)])
    found = [f for f in sql_findings(root) if f.rule == "M512"]
    if type_ == "breaking":
        assert found == []
        return
    [finding] = found
    assert what in finding.message and f"type {type_}" in finding.message
    column = 3 if "ADD COLUMN" not in what else 3 + sql.index("code")
    assert (finding.line, finding.column) == (4, column)
    assert finding.target == "app.20251102090000_change"


def test_changes_to_a_table_created_in_the_same_migration_are_not_destructive(tmp_path) -> None:
    sql = """
    CREATE TABLE "prefs" ("id" uuid, "theme" text);
    ALTER TABLE "prefs" ALTER COLUMN "theme" SET NOT NULL, ADD COLUMN "x" int NOT NULL;
    ALTER TABLE "prefs" RENAME COLUMN "theme" TO "colour";
    CREATE INDEX "idx_prefs_colour" ON "prefs" ("colour");
    ALTER TABLE "users" ADD COLUMN "nickname" text, ADD COLUMN "n" int NOT NULL DEFAULT 0;
    """
    write_sql(tmp_path / "migrations", "20251102090000_add_prefs", sql)
    root = registry(tmp_path, "../../migrations", [entry("20251102090000_add_prefs")])
    assert sql_findings(root) == []


# --- M513: CREATE INDEX without CONCURRENTLY ---------------------------------------------


def test_blocking_index_on_an_existing_table_is_a_warning(tmp_path) -> None:
    sql = """
    CREATE INDEX "idx_users_email" ON "users" ("email");
    CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "idx_users_name" ON "users" ("name");
    """
    write_sql(tmp_path / "migrations", "20251124093000_index", sql)
    root = registry(tmp_path, "../../migrations", [entry("20251124093000_index")])
    [finding] = sql_findings(root)
    assert (finding.rule, finding.severity, finding.line, finding.column) == (
        "M513",
        "warning",
        1,
        1,
    )
    assert "idx_users_email" in finding.message and "CONCURRENTLY" in finding.message


# --- M514: syntax errors -----------------------------------------------------------------


def test_a_syntax_error_is_a_finding_at_its_position(tmp_path) -> None:
    sql = "-- Straße\nALTER TABLE users ADD COLUMN é text;\nALTER TABLE users ADD x VARCHAR(10;\n"
    write_sql(tmp_path / "migrations", "20251020101500_broken", sql)
    root = registry(tmp_path, "../../migrations", [entry("20251020101500_broken")])
    [finding] = sql_findings(root)
    assert finding.rule == "M514" and "syntax error" in finding.message
    assert (finding.line, finding.column) == (3, 1 + sql.splitlines()[2].index(";"))


def test_a_file_that_is_not_utf8_is_a_finding(tmp_path) -> None:
    path = write_sql(tmp_path / "migrations", "20251020101500_latin1", "SELECT 1;")
    path.write_bytes("SELECT 'caf\xe9';".encode("latin-1"))
    root = registry(tmp_path, "../../migrations", [entry("20251020101500_latin1")])
    [finding] = sql_findings(root)
    assert finding.rule == "M514" and "cannot read" in finding.message


# --- R401 in SQL -------------------------------------------------------------------------


def test_references_to_another_services_table_are_r401_in_the_sql(tmp_path) -> None:
    sql = """
    CREATE TABLE "orders" (
        "id" uuid PRIMARY KEY,
        "user_id" uuid REFERENCES "users" ("id"),
        "account_id" uuid REFERENCES "public"."accounts" ("id"),
        CONSTRAINT "orders_x_fkey" FOREIGN KEY ("id") REFERENCES "orders" ("id")
    );
    ALTER TABLE "orders" ADD CONSTRAINT "o_fkey" FOREIGN KEY ("id") REFERENCES "ghosts"("id");
    ALTER TABLE "orders" ADD COLUMN "shop_id" uuid REFERENCES other_db.public.shops (id);
    """
    write_sql(tmp_path / "migrations", "20251020101500_orders", sql)
    root = registry(
        tmp_path,
        "../../migrations",
        [entry("20251020101500_orders")],
        others={"auth": ("accounts",)},
    )
    found = sql_findings(root)
    lines = textwrap.dedent(sql).lstrip("\n").splitlines()
    expected = [
        (n, 1 + lines[n - 1].index(name))
        for n, name in ((4, '"public"."accounts"'), (7, '"ghosts"'), (8, "other_db"))
    ]
    assert [(f.rule, f.line, f.column) for f in found] == [("R401", *at) for at in expected]
    assert "service 'auth''s table" in found[0].message
    assert "'ghosts' is not a table of service 'app'" in found[1].message
    assert "names database 'other_db'" in found[2].message
    assert found[0].file.endswith("20251020101500_orders/migration.sql")


# --- the corpus: real Prisma migrations ----------------------------------------------------


def corpus_registry(tmp_path: Path, folder: Path, type_: str, tables=()) -> Path:
    """A registry whose migrations are a copy of a corpus folder (inside its repository)."""
    entries = [entry(p.name, type_) for p in sorted(folder.iterdir()) if p.is_dir()]
    shutil.copytree(folder, tmp_path / "migrations")
    return registry(tmp_path, "../../migrations", entries, tables)


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        (
            UMAMI,
            {
                ("05_add_visit_id", 16, "ALTER COLUMN website_event.visit_id SET NOT NULL"),
                ("06_session_data", 5, "RENAME COLUMN event_data.event_key TO data_key"),
                ("06_session_data", 8, "DROP COLUMN session_data.deleted_at"),
                ("06_session_data", 9, "RENAME COLUMN session_data.session_key TO data_key"),
                ("12_update_report_parameter", 2, "ALTER COLUMN report.parameters TYPE"),
            },
        ),
        (
            LANGFUSE,
            {
                ("20230620181114_restructure", 16, "DROP COLUMN observations.attributes"),
                ("20230720172051_tokens_non_null", 14,
                 "ALTER COLUMN observations.prompt_tokens SET NOT NULL"),
                ("20230731162154_score_value_float", 2, "ALTER COLUMN scores.value TYPE"),
                ("20240512151529_rename_memberships_to_project_memberships", 2,
                 "RENAME TABLE memberships TO project_memberships"),
            },
        ),
        (
            DOCUMENSO,
            {
                ("20230621133446_migrate_field_position_to_float", 2,
                 "ALTER COLUMN Field.positionX TYPE"),
                ("20230922121421_fix_document_meta_schema", 38,
                 "DROP COLUMN Document.documentMetaId"),
                ("20230922121421_fix_document_meta_schema", 46,
                 "ALTER COLUMN DocumentMeta.documentId SET NOT NULL"),
                ("20240227003622_migrate_to_cuids_for_webhooks", 8, "ALTER COLUMN Webhook.id TYPE"),
                ("20240418140819_remove_impossible_field_optional_states", 11,
                 "ALTER COLUMN Field.recipientId SET NOT NULL"),
            },
        ),
    ],
    ids=["umami", "langfuse", "documenso"],
)  # fmt: skip
def test_corpus_destructive_migrations_logged_as_non_breaking(
    tmp_path, folder: Path, expected: set
) -> None:
    found = sql_findings(corpus_registry(tmp_path, folder, "non-breaking"))
    assert not [f for f in found if f.rule in ("M511", "M514")], found
    reported = {(Path(f.file).parent.name, f.line, f.message) for f in found if f.rule == "M512"}
    for name, line, what in expected:
        assert any(n == name and ln == line and what in message for n, ln, message in reported), (
            name,
            line,
            what,
            sorted(reported),
        )
    for f in (f for f in found if f.rule == "M512"):
        sql_line = Path(f.file).read_text(encoding="utf-8").splitlines()[f.line - 1]
        assert sql_line[f.column - 1 :].upper().startswith(("ALTER", "DROP")), (f, sql_line)


def test_corpus_migrations_logged_as_breaking_need_nothing_more(tmp_path) -> None:
    tables = ("traces", "observations", "scores", "projects", "prompts", "memberships", "users")
    found = sql_findings(corpus_registry(tmp_path, LANGFUSE, "breaking", tables))
    assert {f.rule for f in found} == {"M513"}  # only the blocking index warning remains
    [index] = found
    assert (Path(index.file).parent.name, index.line) == ("20240105170551_index_tags_in_traces", 2)


def test_corpus_references_to_undeclared_tables_are_r401(tmp_path) -> None:
    found = sql_findings(corpus_registry(tmp_path, LANGFUSE, "breaking", ("observations",)))
    r401 = sorted((Path(f.file).parent.name, f.line) for f in found if f.rule == "R401")
    # `prompts` is created by that migration; `projects` is not declared anywhere.
    assert r401 == [("20231230151856_add_prompt_table", 29)]


def test_check_stays_free_when_no_service_declares_migrations() -> None:
    code = (
        "import sys; from orion_registry.engine import check_registry;"
        "from orion_registry.loader import load_registry;"
        "check_registry(load_registry('registry')); print('pglast' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
