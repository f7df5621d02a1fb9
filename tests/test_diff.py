"""`orion-registry diff`: real git repositories (base commit on main, change on a branch)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import BUNDLED_REGISTRY, run_cli

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}

if shutil.which("git") is None:  # pragma: no cover - git is part of the dev setup
    pytest.skip("git is not installed", allow_module_level=True)


class Repo:
    """A git repository holding a copy of the bundled registry, committed on main."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.registry = path / "registry"
        shutil.copytree(BUNDLED_REGISTRY, self.registry)
        self.git("init", "-q", "-b", "main")
        self.commit("base")
        self.git("checkout", "-q", "-b", "change")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV}
        done = subprocess.run(
            ["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout

    def commit(self, message: str) -> None:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)

    def file(self, service: str) -> Path:
        return self.registry / "services" / f"{service}.yaml"

    def load(self, service: str) -> dict[str, Any]:
        return yaml.safe_load(self.file(service).read_text())

    def edit(self, service: str, change: Callable[[dict[str, Any]], None]) -> None:
        data = self.load(service)
        change(data)
        self.file(service).write_text(yaml.safe_dump(data, sort_keys=False))

    def diff(self, *args: str, fmt: str = "json") -> tuple[int, Any, str]:
        code, out, err = run_cli("diff", "--base", "main", "--format", fmt, *args)
        return code, (json.loads(out) if fmt == "json" and out else out), err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORION_REGISTRY_TODAY", "2026-01-15")
    return Repo(tmp_path)


_DAY = iter(range(1, 28))


def entry(name: str, kind: str, purpose: str, steps: list[str] | None = None) -> dict:
    """A well-formed migration entry dated after every entry of the bundled registry."""
    day = dt.date(2099, 1, next(_DAY))
    data = {
        "id": f"{day:%Y%m%d}_{name}",
        "date": day,
        "type": kind,
        "purpose": purpose,
        "changes": [purpose],
        "rollback": "Deploy the previous release and revert the migration.",
    }
    if steps:
        data["steps"] = steps
    return data


def table(data: dict, name: str) -> dict:
    return next(t for t in data["tables"] if t["name"] == name)


def column(data: dict, table_name: str, name: str) -> dict:
    return next(c for c in table(data, table_name)["columns"] if c["name"] == name)


def changes_of(payload: dict, kind: str | None = None) -> list[dict]:
    return [c for c in payload["changes"] if kind is None or c["kind"] == kind]


def m504(payload: dict) -> list[dict]:
    return [f for f in payload["findings"] if f["rule"] == "M504"]


def schema_changes(payload: dict) -> list[dict]:
    return [c for c in payload["changes"] if not c["kind"].startswith("migration.")]


# --- the cases of the issue ----------------------------------------------------------------
def test_no_change_is_clean(repo: Repo) -> None:
    code, payload, _ = repo.diff()
    assert (code, payload["changes"], m504(payload)) == (0, [], [])


def test_dropped_column_without_entry_is_uncovered(repo: Repo) -> None:
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    repo.commit("drop users.email")
    code, payload, _ = repo.diff()
    assert code == 1
    [change] = payload["changes"]
    assert change["kind"] == "column.removed"
    assert change["target"] == "user.users.email"
    assert change["breaking"] is True
    assert change["covered_by"] == []
    assert "was at main:registry/services/user.yaml:" in change["detail"]
    [finding] = m504(payload)
    assert finding["target"] == "user.users.email"
    assert finding["file"] == "registry/services/user.yaml"
    assert finding["severity"] == "error"


def test_optional_column_with_non_breaking_entry_is_covered(repo: Repo) -> None:
    added = entry("add_users_nickname", "non-breaking", "Add column users.nickname.")

    def change(d: dict) -> None:
        table(d, "users")["columns"].insert(
            3, {"name": "nickname", "type": "varchar(50)", "nullable": True}
        )
        d["migrations"].append(added)

    repo.edit("user", change)
    repo.commit("add users.nickname")
    code, payload, _ = repo.diff()
    [change_] = schema_changes(payload)
    assert change_["kind"] == "column.added"
    assert change_["breaking"] is False
    assert change_["covered_by"] == [added["id"]]
    assert m504(payload) == []
    assert code == 0, payload["findings"]


def test_type_change_labelled_non_breaking_is_mislabelled(repo: Repo) -> None:
    def change(d: dict) -> None:
        column(d, "users", "name")["type"] = "varchar(200)"
        d["migrations"].append(entry("widen_users_name", "non-breaking", "Widen users.name."))

    repo.edit("user", change)
    repo.commit("widen users.name")
    code, payload, _ = repo.diff()
    assert code == 1
    [change_] = schema_changes(payload)
    assert (change_["kind"], change_["breaking"], change_["status"]) == (
        "column.type",
        True,
        "mislabelled",
    )
    [finding] = m504(payload)
    assert "non-breaking" in finding["message"]
    assert finding["target"] == "user.users.name"


def test_make_required_with_breaking_multi_step_entry_is_covered(repo: Repo) -> None:
    users = table(repo.load("user"), "users")
    optional = next(
        c["name"] for c in users["columns"] if c.get("nullable") and c["name"] != "deleted_at"
    )
    steps = [
        f"backfill users.{optional} for existing rows",
        f"deploy code that always writes users.{optional}",
        f"set users.{optional} NOT NULL",
    ]
    added = entry(
        f"require_users_{optional}", "breaking", f"Make users.{optional} required.", steps
    )

    def change(d: dict) -> None:
        column(d, "users", optional)["nullable"] = False
        d["migrations"].append(added)

    repo.edit("user", change)
    repo.commit("require a column")
    code, payload, _ = repo.diff()
    [change_] = schema_changes(payload)
    assert (change_["kind"], change_["breaking"]) == ("column.nullability", True)
    assert change_["covered_by"] == [added["id"]]
    assert code == 0, payload["findings"]
    markdown = repo.diff(fmt="markdown")[1]
    assert "- [x] Modify existing table" in markdown
    assert "- [x] Data migration required" in markdown  # a backfill step
    assert "- [x] Breaking changes documented" in markdown
    assert "- [x] Approved" in markdown
    assert added["id"].replace("_", "&#95;") in markdown or added["id"] in markdown


def test_renamed_table_is_one_breaking_change(repo: Repo) -> None:
    data = repo.load("notifications")
    old = data["tables"][-1]["name"]

    def change(d: dict) -> None:
        d["tables"][-1]["name"] = f"{old}_v2"

    repo.edit("notifications", change)
    repo.commit("rename a table")
    _, payload, _ = repo.diff()
    tables = [c for c in schema_changes(payload) if c["kind"].startswith("table.")]
    assert len(tables) == 1
    assert tables[0]["kind"] == "table.renamed"
    assert tables[0]["target"] == f"notifications.{old}_v2"
    assert tables[0]["breaking"] is True
    assert f"looks like a rename of {old}" in tables[0]["detail"]


def test_renamed_column_is_one_breaking_change(repo: Repo) -> None:
    repo.edit("user", lambda d: column(d, "users", "name").update(name="display_name"))
    repo.commit("rename users.name")
    _, payload, _ = repo.diff()
    [change] = schema_changes(payload)
    assert change["kind"] == "column.renamed"
    assert change["target"] == "user.users.display_name"
    assert "looks like a rename of users.name" in change["detail"]


def test_removed_enum_value_is_breaking_and_lists_its_columns(repo: Repo) -> None:
    data = repo.load("user")
    enum = data["enums"][0]
    value = enum["values"][-1]
    users_of_enum = {
        f"user.{t['name']}.{c['name']}"
        for t in data["tables"]
        for c in t["columns"]
        if c["type"] in (enum["name"], enum.get("db_name"))
    }

    def change(d: dict) -> None:
        d["enums"][0]["values"].remove(value)

    repo.edit("user", change)
    repo.commit("remove an enum value")
    code, payload, _ = repo.diff()
    assert code == 1
    [change_] = schema_changes(payload)
    assert change_["kind"] == "enum.value_removed"
    assert change_["target"] == f"user.{enum['name']}"
    assert value in change_["detail"]
    assert change_["breaking"] is True
    assert {i["target"] for i in change_["impacted"]} == users_of_enum


def test_added_enum_value_with_entry_is_covered(repo: Repo) -> None:
    enum = repo.load("user")["enums"][0]["name"]
    added = entry("add_high_contrast", "non-breaking", f"Add value HIGH_CONTRAST to enum {enum}.")

    def change(d: dict) -> None:
        d["enums"][0]["values"].append("HIGH_CONTRAST")
        d["migrations"].append(added)

    repo.edit("user", change)
    repo.commit("add an enum value")
    code, payload, _ = repo.diff()
    [change_] = schema_changes(payload)
    assert (change_["kind"], change_["breaking"]) == ("enum.value_added", False)
    assert change_["covered_by"] == [added["id"]]
    assert code == 0, payload["findings"]


def test_added_index_without_entry_is_uncovered(repo: Repo) -> None:
    def change(d: dict) -> None:
        table(d, "users").setdefault("indexes", []).append(
            {"name": "idx_users_created_at", "columns": ["created_at"]}
        )

    repo.edit("user", change)
    repo.commit("add an index")
    code, payload, _ = repo.diff()
    assert code == 1
    [change_] = schema_changes(payload)
    assert (change_["kind"], change_["breaking"], change_["status"]) == (
        "index.added",
        False,
        "uncovered",
    )
    assert [f["target"] for f in m504(payload)] == ["user.users.idx_users_created_at"]
    markdown = repo.diff(fmt="markdown")[1]
    assert "- [x] Add index" in markdown
    assert "- [ ] Breaking changes documented" in markdown
    assert "- [x] Requires changes" in markdown


NEW_SERVICE = """\
service: billing
title: Billing Service
owner: payments-team
description: Invoices of every Orion account.
database: orion_billing
tables:
  - name: invoices
    model: Invoice
    description: One invoice per billing period and account.
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: number, type: varchar(32), unique: true}
      - {name: created_at, type: timestamptz, default: now()}
      - {name: updated_at, type: timestamptz, updated_at: true}
migrations:
  - id: 20990101_create_invoices
    date: 2099-01-01
    type: non-breaking
    purpose: Create the invoices table.
    changes: [add table invoices]
    rollback: Drop the invoices table.
"""


def test_new_service_with_its_entries_is_covered(repo: Repo) -> None:
    repo.file("billing").write_text(NEW_SERVICE)
    repo.commit("billing service")
    code, payload, _ = repo.diff()
    [change] = schema_changes(payload)
    assert (change["kind"], change["target"], change["breaking"]) == (
        "service.added",
        "billing",
        False,
    )
    assert change["covered_by"] == ["20990101_create_invoices"]
    assert code == 0, payload["findings"]


def test_new_service_without_entries_is_uncovered(repo: Repo) -> None:
    repo.file("billing").write_text(NEW_SERVICE.split("migrations:")[0])
    code, payload, _ = repo.diff()  # uncommitted: the working tree is the new version
    assert code == 1
    assert [f["target"] for f in m504(payload)] == ["billing"]


def test_edited_old_migration_entry_breaks_the_append_only_log(repo: Repo) -> None:
    old = repo.load("user")["migrations"][0]["id"]

    def change(d: dict) -> None:
        d["migrations"][0]["purpose"] = "Something else entirely."

    repo.edit("user", change)
    repo.commit("rewrite history")
    code, payload, _ = repo.diff()
    assert code == 1
    [change_] = changes_of(payload, "migration.edited")
    assert change_["target"] == f"user.{old}"
    assert "purpose" in change_["detail"]
    [finding] = m504(payload)
    assert "append-only" in finding["message"]


def test_deleted_old_migration_entry_breaks_the_append_only_log(repo: Repo) -> None:
    repo.edit("user", lambda d: d["migrations"].pop(0))
    code, payload, _ = repo.diff()
    assert code == 1
    assert [c["kind"] for c in payload["changes"]] == ["migration.removed"]
    assert "append-only" in m504(payload)[0]["message"]


def test_missing_base_revision_is_a_clear_usage_error(repo: Repo) -> None:
    code, out, err = run_cli("diff", "--base", "no-such-branch")
    assert code == 2
    assert out == ""
    assert "base revision 'no-such-branch' does not exist" in err
    assert "Traceback" not in err


def test_base_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    code, _, err = run_cli("diff", "--base", "main", "--registry", str(registry))
    assert code == 2
    assert "not inside a git repository" in err


def test_base_as_a_directory(repo: Repo, tmp_path: Path) -> None:
    base = tmp_path / "base-registry"
    shutil.copytree(repo.registry, base)
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    code, out, _ = run_cli("diff", "--base", str(base), "--format", "json")
    payload = json.loads(out)
    assert code == 1
    assert [c["target"] for c in payload["changes"]] == ["user.users.email"]
    assert payload["base"] == base.as_posix()


def test_git_base_leaves_the_working_tree_alone(repo: Repo) -> None:
    repo.edit("user", lambda d: column(d, "users", "name").update(type="text"))
    before = repo.git("status", "--porcelain")
    _, payload, _ = repo.diff()
    assert [c["kind"] for c in payload["changes"]] == ["column.type"]
    assert repo.git("status", "--porcelain") == before
    assert repo.git("rev-parse", "--abbrev-ref", "HEAD").strip() == "change"


# --- classification details --------------------------------------------------------------
def test_new_not_null_column_without_default_is_breaking(repo: Repo) -> None:
    repo.edit(
        "user",
        lambda d: table(d, "users")["columns"].append({"name": "locale2", "type": "varchar(10)"}),
    )
    _, payload, _ = repo.diff()
    [change] = schema_changes(payload)
    assert (change["kind"], change["breaking"]) == ("column.added", True)
    assert "NOT NULL without a default" in change["detail"]


def test_removing_a_consumed_event_is_breaking_and_names_the_consumers(repo: Repo) -> None:
    services = {p.stem: yaml.safe_load(p.read_text()) for p in repo.registry.glob("services/*")}
    consumed = {e for name, d in services.items() for e in d.get("events", {}).get("consumes", [])}
    publisher, event = next(
        (name, e["name"])
        for name, d in sorted(services.items())
        for e in d.get("events", {}).get("publishes", [])
        if e["name"] in consumed
    )
    consumers = {
        name
        for name, d in services.items()
        if event in d.get("events", {}).get("consumes", []) and name != publisher
    }

    def change(d: dict) -> None:
        d["events"]["publishes"] = [e for e in d["events"]["publishes"] if e["name"] != event]

    repo.edit(publisher, change)
    _, payload, _ = repo.diff()
    [change_] = changes_of(payload, "event.unpublished")
    assert change_["breaking"] is True
    assert consumers <= {i["service"] for i in change_["impacted"]}


def test_impact_of_dropping_users_email_names_every_copy(repo: Repo) -> None:
    """Every column that copies or references user.users.email, and every query of users
    that names it, found independently."""
    expected = set()
    for path in sorted(repo.registry.glob("services/*.yaml")):
        data = yaml.safe_load(path.read_text())
        for t in data.get("tables", []):
            for c in t.get("columns", []):
                for key in ("copy_of", "references"):
                    link = c.get(key)
                    target = link.get("column") if isinstance(link, dict) else link
                    if target == "user.users.email":
                        expected.add(
                            (data["service"], f"{data['service']}.{t['name']}.{c['name']}")
                        )
            for q in (
                t.get("queries", []) if (data["service"], t["name"]) == ("user", "users") else []
            ):
                if "email" in [*q.get("where", []), q.get("range"), *q.get("order_by", [])]:
                    expected.add(("user", f"user.users.{q['name']}"))  # a declared query
    assert expected, "the bundled registry should copy user.users.email somewhere"
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    _, payload, _ = repo.diff()
    [change] = schema_changes(payload)
    links = [i for i in change["impacted"] if not i["via"].startswith("payload of")]
    assert {(i["service"], i["target"]) for i in links} == expected
    for impact in links:
        line = Path(impact["file"]).read_text().splitlines()[impact["line"] - 1]
        if impact["via"] == "query":  # at the query's entry
            assert line.strip() == f"- name: {impact['target'].rsplit('.', 1)[-1]}"
        else:
            assert "user.users.email" in line or impact["via"] in line
    # user.created's payload lists `email`: its consumers are impacted too (tests/test_payloads.py)
    readers = [i for i in change["impacted"] if i["via"].startswith("payload of")]
    assert {i["service"] for i in readers} == {"notifications"}


def test_text_and_markdown_show_the_impact(repo: Repo) -> None:
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    code, text, _ = repo.diff(fmt="text")
    assert code == 1
    assert "BREAKING column.removed user.users.email" in text
    assert "impacts notifications." in text
    assert "M504" in text
    markdown = repo.diff(fmt="markdown")[1]
    assert markdown.startswith("# Orion registry review")
    assert "## Schema Change Request" in markdown
    assert "- [x] Remove column (breaking)" in markdown
    assert "- [ ] New table" in markdown
    assert "```diff" in markdown and "-- {name: email" in markdown
    assert "## Database Lead Review (automated)" in markdown
    assert "registry/services/notifications.yaml" in markdown


def test_sarif_and_github_carry_m504(repo: Repo) -> None:
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    code, out, _ = repo.diff(fmt="sarif")
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    assert "M504" in {r["ruleId"] for r in results}
    code, out, _ = repo.diff(fmt="github")
    assert code == 1
    assert any(line.startswith("::error ") and "title=M504" in line for line in out.splitlines())


def test_output_is_deterministic(repo: Repo) -> None:
    repo.edit("user", lambda d: table(d, "users")["columns"].remove(column(d, "users", "email")))
    repo.edit("auth", lambda d: d["tables"][0]["columns"].append({"name": "x", "type": "text"}))
    first, second = repo.diff(fmt="markdown")[1], repo.diff(fmt="markdown")[1]
    assert first == second
    assert first.index("auth") < first.index("User Service")


# --- found by trying the command on hand-made repositories ----------------------------------
def test_removed_service_impact_names_the_consumers_of_its_events(repo: Repo) -> None:
    services = {p.stem: yaml.safe_load(p.read_text()) for p in repo.registry.glob("services/*")}
    removed = "auth"
    published = {e["name"] for e in services[removed]["events"]["publishes"]}
    consumers = {
        name
        for name, d in services.items()
        if name != removed and published & set(d.get("events", {}).get("consumes", []))
    }
    assert consumers, "the bundled registry should consume an auth event somewhere"
    repo.file(removed).unlink()
    _, payload, _ = repo.diff()
    [change] = changes_of(payload, "service.removed")
    consuming = {i["service"] for i in change["impacted"] if i["via"] == "consumes"}
    assert consuming == consumers


def test_event_moved_to_another_service_is_not_breaking(repo: Repo) -> None:
    moved: list[dict] = []

    def unpublish(d: dict) -> None:
        moved.append(d["events"]["publishes"].pop())

    repo.edit("user", unpublish)
    repo.edit("auth", lambda d: d["events"]["publishes"].append(moved[0]))
    _, payload, _ = repo.diff()
    [change] = changes_of(payload, "event.unpublished")
    assert change["breaking"] is False
    assert change["impacted"] == []
    assert "now published by auth" in change["detail"]


def test_append_only_message_and_none_default_read_well(repo: Repo) -> None:
    def change(d: dict) -> None:
        d["migrations"][0]["purpose"] = "Something else entirely."
        column(d, "users", "avatar_url").update(nullable=False, default="''")

    repo.edit("user", change)
    _, payload, _ = repo.diff()
    [nullability] = changes_of(payload, "column.nullability")
    assert nullability["breaking"] is True  # a default does not fill the existing NULLs
    [default] = changes_of(payload, "column.default")
    assert "default none -> ''" in default["detail"]
    [edited] = [f for f in m504(payload) if "append-only" in f["message"]]
    assert "instead of editing an old one" in edited["message"]


def test_markdown_of_new_entries_only_has_no_empty_change_table(repo: Repo) -> None:
    repo.edit("user", lambda d: d["migrations"].append(entry("note", "non-breaking", "A note.")))
    code, markdown, _ = repo.diff(fmt="markdown")
    assert code == 0
    changes = markdown.split("### Changes\n", 1)[1].split("\n\n###", 1)[0]
    assert "|" not in changes
    assert "new migration entries only" in changes


def test_base_that_is_a_file_is_named_as_such(repo: Repo) -> None:
    settings = (repo.registry / "orion.yaml").relative_to(repo.path).as_posix()
    code, out, err = run_cli("diff", "--base", settings)
    assert (code, out) == (2, "")
    assert f"base '{settings}' is a file" in err


def test_removed_service_is_reported_at_its_repository_path(repo: Repo) -> None:
    repo.file("auth").unlink()
    code, payload, _ = repo.diff()
    assert code == 1
    [change] = changes_of(payload, "service.removed")
    assert change["file"] == "registry/services/auth.yaml"
    assert "was at main:registry/services/auth.yaml:" in change["detail"]
    code, out, _ = repo.diff(fmt="sarif")
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in json.loads(out)["runs"][0]["results"]
        if r["ruleId"] == "M504"
    }
    assert uris == {"registry/services/auth.yaml"}
