"""The bundled registry (`registry/`) models the guide's three services and follows every rule.

Its files are also validated against the committed JSON Schemas, which must equal what
`orion-registry schema` prints (so editors' completion never drifts from the models).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from orion_registry.commands.schema import SCHEMAS, schema_text
from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.models import Link
from orion_registry.reporters import REPORTERS

from .helpers import BUNDLED_REGISTRY, ROOT, run_cli

SCHEMA_DIR = ROOT / "orion_registry" / "schemas"
SERVICE_FILES = sorted((BUNDLED_REGISTRY / "services").glob("*.yaml"))
SETTINGS_FILE = BUNDLED_REGISTRY / "orion.yaml"
SCHEMA_OF = {**{path: "service" for path in SERVICE_FILES}, SETTINGS_FILE: "settings"}


@pytest.fixture(scope="module")
def registry():
    return load_registry(BUNDLED_REGISTRY)


def links(registry) -> list[tuple[str, str, Link]]:
    """Every cross-service reference and copy: (`service.table.column`, key, link)."""
    found = []
    for name, doc in registry.services.items():
        for table in doc.model.tables:
            for column in table.columns:
                for key in ("references", "copy_of"):
                    link = getattr(column, key)
                    if isinstance(link, Link):
                        found.append((f"{name}.{table.name}.{column.name}", key, link))
    return found


def test_bundled_registry_has_no_findings(registry):
    assert check_registry(registry) == []


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_check_is_clean_in_every_format(fmt):
    code, out, err = run_cli("check", "--registry", str(BUNDLED_REGISTRY), "--format", fmt)
    assert (code, err) == (0, ""), out
    if fmt == "text":
        assert "All checks passed" in out
    elif fmt == "json":
        assert json.loads(out)["findings"] == []
    elif fmt == "sarif":
        assert json.loads(out)["runs"][0]["results"] == []
    else:
        assert out == ""


@pytest.mark.parametrize("path", list(SCHEMA_OF), ids=lambda p: p.name)
def test_every_file_points_at_its_json_schema(path):
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first_line.startswith(prefix), f"{path.name}: first line must be `{prefix}...`"
    schema_path = (path.parent / first_line.removeprefix(prefix)).resolve()
    assert schema_path == SCHEMA_DIR / f"{SCHEMA_OF[path]}.schema.json"


def test_the_guides_three_databases_exist(registry):
    databases = {name: doc.model.database for name, doc in registry.services.items()}
    assert databases == {
        "auth": "orion_auth",
        "user": "orion_user",
        "notifications": "orion_notifications",
    }


def test_a_breaking_migration_has_a_multi_step_plan(registry):
    breaking = [
        m
        for doc in registry.services.values()
        for m in doc.model.migrations
        if m.type == "breaking" and len(m.steps) >= 2
    ]
    assert breaking, "no breaking migration with at least two steps"
    ids = {m.id for doc in registry.services.values() for m in doc.model.migrations}
    assert {"20251018_add_user_preferences", "20251102_rename_old_email"} <= ids


def test_every_sync_strategy_appears(registry):
    by_strategy = {link.sync: link for _, _, link in links(registry)}
    assert set(by_strategy) == {"event", "api", "cache"}
    assert by_strategy["event"].events
    assert by_strategy["api"].endpoint
    assert by_strategy["cache"].ttl_seconds


def test_the_guides_denormalised_email_copy(registry):
    copies = {where: link for where, key, link in links(registry) if key == "copy_of"}
    email = copies["notifications.notifications.email"]
    assert (email.column, email.sync, email.events) == (
        "user.users.email",
        "event",
        ["user.updated"],
    )


def test_a_soft_deleted_table_and_the_guides_enums(registry):
    user, notifications = registry.services["user"].model, registry.services["notifications"].model
    users = next(t for t in user.tables if t.name == "users")
    assert any(c.name == "deleted_at" and c.nullable for c in users.columns)
    status = next(e for e in notifications.enums if e.name == "NotificationStatus")
    assert (status.db_name, status.values) == (
        "notification_status",
        ["QUEUED", "SENDING", "DELIVERED", "FAILED", "BOUNCED"],
    )


# --- the committed JSON Schemas ------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_committed_schema_matches_the_models(kind):
    committed = (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(kind), (
        f"orion_registry/schemas/{kind}.schema.json is stale; regenerate it with\n"
        f"  orion-registry schema {kind} > orion_registry/schemas/{kind}.schema.json"
    )


def _json_ready(value: object) -> object:
    """YAML dates -> ISO strings, as a YAML language server sees them."""
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.mark.parametrize("path", list(SCHEMA_OF), ids=lambda p: p.name)
def test_bundled_file_validates_against_its_schema(path: Path):
    schema = json.loads((SCHEMA_DIR / f"{SCHEMA_OF[path]}.schema.json").read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator_class(schema, format_checker=validator_class.FORMAT_CHECKER).iter_errors(
            data
        )
    ]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects():
    """The schema is strict like the models: an unknown key fails validation."""
    schema = json.loads((SCHEMA_DIR / "service.schema.json").read_text("utf-8"))
    data = _json_ready(yaml.safe_load(SERVICE_FILES[0].read_text(encoding="utf-8")))
    data["tabels"] = []
    assert not jsonschema.Draft202012Validator(schema).is_valid(data)
