"""R401-R406: cross-service references, their targets, sync, events and freshness."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from orion_registry.engine import check_registry
from orion_registry.findings import Finding
from orion_registry.loader import load_registry
from orion_registry.rules.examples import write_example

from .helpers import ID_COLUMN as ID
from .helpers import text_at

# The owner of the data: auth has users, publishes events about them.
AUTH = f"""
service: auth
tables:
  - name: users
    model: User
    columns:
      - {ID}
      - {{name: email, type: varchar(255), unique: true}}
events:
  publishes:
    - {{name: auth.user_created, payload: [user_id]}}
    - {{name: auth.user_updated, payload: [user_id, changes]}}
    - {{name: auth.account_deleted, payload: [user_id]}}
"""


def consumer(column: str, extra: str = "") -> str:
    """The guide's User Service `user_notifications` table with one extra column."""
    return f"""
service: user
tables:
  - name: user_notifications
    model: UserNotification
    columns:
      - {ID}
      - {textwrap.indent(column.strip(), "        ").strip()}
{extra}"""


def ref(link: str, type_: str = "uuid", name: str = "user_id", kind: str = "references") -> str:
    return f"{{name: {name}, type: {type_}, {kind}: {link}}}"


API = "sync: api, endpoint: GET /users"


def run(code: str, *services: str, tmp_path: Path, broken: str = "") -> list[Finding]:
    """Check the services (one YAML document each); `broken` names a service file that fails."""
    root = write_example("\n---\n".join(services), tmp_path)
    if broken:
        (root / "services" / f"{broken}.yaml").write_text("service: [\n", encoding="utf-8")
    return [f for f in check_registry(load_registry(root)) if f.rule == code]


# --- R401: the guide's cross-database foreign key -----------------------------------------
GUIDE_BAD_FK = """name: user_id
type: uuid
references: {column: auth.users.id, foreign_key: true, sync: event, events: [auth.user_created]}
"""
GUIDE_BAD_SAME_DB = "{name: user_id, type: uuid, references: users.id}"
GUIDE_GOOD = """name: user_id
type: uuid
references: {column: auth.users.id, sync: event, events: [auth.user_created, auth.user_updated]}
"""


def test_r401_guide_bad_cross_database_fk(tmp_path) -> None:
    [hit] = run("R401", AUTH, consumer(GUIDE_BAD_FK), tmp_path=tmp_path)
    assert hit.target == "user.user_notifications.user_id" and hit.severity == "error"
    assert text_at(hit).startswith("true")  # foreign_key: true
    assert hit.file.endswith("user.yaml")


def test_r401_guide_bad_written_as_same_database_fk(tmp_path) -> None:
    [hit] = run("R401", AUTH, consumer(GUIDE_BAD_SAME_DB), tmp_path=tmp_path)
    assert hit.target == "user.user_notifications.user_id"
    assert text_at(hit).startswith("users.id")
    assert "auth.users.id" in hit.message  # the form to write instead
    assert run("R402", AUTH, consumer(GUIDE_BAD_SAME_DB), tmp_path=tmp_path / "2") == []


def test_r401_guide_good_has_no_relationship_finding(tmp_path) -> None:
    root = write_example(AUTH + "---" + consumer(GUIDE_GOOD), tmp_path)
    findings = check_registry(load_registry(root))
    assert [f for f in findings if f.rule[0] in "RL"] == []


def test_r401_foreign_key_inside_own_service_is_allowed(tmp_path) -> None:
    column = ref("{column: user.user_notifications.id, foreign_key: true}", name="parent_id")
    assert run("R401", consumer(column), tmp_path=tmp_path) == []


# --- R402: targets exist, same type --------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "points_at", "message"),
    [
        (ref("user_notification.id"), "user_notification.id", "table 'user_notification.id'"),
        (ref("user_notifications.ident"), "user_notifications.ident", "column"),
        (ref(f"{{column: billing.users.id, {API}}}"), "billing.users.id", "service 'billing'"),
        (ref(f"{{column: auth.users.id, {API}}}", "text"), "auth.users.id", "text but its target"),
        (
            ref(
                "{column: auth.users.email, sync: cache, ttl_seconds: 9}",
                "varchar(100)",
                "mail",
                "copy_of",
            ),
            "auth.users.email",
            "is varchar(255)",
        ),
        (ref("users"), "users", "write table.column"),
        (ref("a.b.c.d"), "a.b.c.d", "write table.column"),
        (ref("auth..id"), "auth..id", "write table.column"),
    ],
)
def test_r402_bad_targets(column: str, points_at: str, message: str, tmp_path) -> None:
    [hit] = run("R402", AUTH, consumer(column), tmp_path=tmp_path)
    assert hit.target.startswith("user.user_notifications.") and hit.severity == "error"
    assert message in hit.message
    assert text_at(hit).startswith(points_at)


@pytest.mark.parametrize(
    "column",
    [
        ref(f"{{column: auth.users.id, {API}}}"),
        ref("user.user_notifications.id", "UUID", "parent_id"),  # itself, written with 3 parts
        ref(
            "{column: auth.users.email, sync: cache, ttl_seconds: 9}",
            "character varying(255)",
            "mail",
            "copy_of",
        ),
    ],
)
def test_r402_good_targets(column: str, tmp_path) -> None:
    assert run("R402", AUTH, consumer(column), tmp_path=tmp_path) == []


@pytest.mark.parametrize(("source", "target"), [("Theme", "ui_theme"), ("ui_theme", "Theme")])
def test_r402_enum_by_name_or_db_name_is_the_same_type(source: str, target: str, tmp_path) -> None:
    example = f"""
enums:
  - {{name: Theme, db_name: ui_theme, values: [LIGHT, DARK]}}
tables:
  - name: users
    model: User
    columns:
      - {ID}
      - {{name: theme, type: {target}, unique: true}}
  - name: sessions
    model: Session
    columns:
      - {ID}
      - {{name: theme, type: {source}, references: users.theme}}
      - {{name: mode, type: text, references: users.theme}}
"""
    [hit] = run("R402", example, tmp_path=tmp_path)  # only the text column differs
    assert hit.target == "example.sessions.mode"


def test_r402_skips_targets_in_unloaded_services(tmp_path) -> None:
    column = ref(f"{{column: auth.users.nope, {API}}}")
    assert run("R402", consumer(column), tmp_path=tmp_path, broken="auth") == []
    assert len(run("R402", consumer(column), tmp_path=tmp_path / "2")) == 1  # missing for real


# --- R403: sync declared -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "points_at", "message"),
    [
        (ref("auth.users.id"), "auth.users.id", "references: {column: auth.users.id"),
        (ref("{column: auth.users.id}"), "auth.users.id", "declares no sync"),
        (ref("{column: auth.users.id, sync: event}"), "event", "lists no events"),
        (ref("{column: auth.users.id, sync: api}"), "api", "no endpoint"),
        (ref("{column: auth.users.id, sync: cache}"), "cache", "ttl_seconds"),
        (ref("{column: auth.users.id, sync: cache, ttl_seconds: 0}"), "cache", "ttl_seconds"),
        (ref("{column: user_notifications.id}", kind="copy_of"), "user_notifications.id", "sync"),
    ],
)
def test_r403_missing_sync(column: str, points_at: str, message: str, tmp_path) -> None:
    [hit] = run("R403", AUTH, consumer(column), tmp_path=tmp_path)
    assert hit.severity == "error" and message in hit.message
    assert hit.target == "user.user_notifications.user_id"
    assert text_at(hit).startswith(points_at)


@pytest.mark.parametrize(
    "column",
    [
        ref("{column: auth.users.id, sync: cache, ttl_seconds: 60}"),
        ref(f"{{column: auth.users.id, {API}}}"),
        GUIDE_GOOD,
        ref("user_notifications.id"),  # same database: may be a real foreign key
    ],
)
def test_r403_sync_declared(column: str, tmp_path) -> None:
    assert run("R403", AUTH, consumer(column), tmp_path=tmp_path) == []


# --- R404: events published by the owner ---------------------------------------------------
def test_r404_sync_event_not_published_by_owner(tmp_path) -> None:
    column = ref("{column: auth.users.id, sync: event, events: [auth.user_created, user.gone]}")
    extra = "events:\n  publishes: [{name: user.gone}]\n"
    [hit] = run("R404", AUTH, consumer(column, extra), tmp_path=tmp_path)
    assert hit.target == "user.user_notifications.user_id"
    assert text_at(hit).startswith("user.gone")  # events[1]
    assert "published by user" in hit.message


@pytest.mark.parametrize(
    ("consumes", "fires"),
    [
        ("[auth.user_created]", False),
        ("[auth.user_deleted]", True),  # auth exists and does not publish it
        ("[billing.paid]", True),  # no such service and nobody publishes it
        ("[user.gone]", False),  # the user service itself publishes it
        ("[gone]", False),  # no service named by the prefix: any publisher will do
        ("[other.gone]", True),
    ],
)
def test_r404_consumed_events(consumes: str, fires: bool, tmp_path) -> None:
    extra = f"events:\n  publishes: [{{name: user.gone}}, {{name: gone}}]\n  consumes: {consumes}\n"
    hits = run("R404", AUTH, consumer("{name: title, type: text}", extra), tmp_path=tmp_path)
    assert len(hits) == fires
    if fires:
        assert hits[0].target == "user"
        assert text_at(hits[0]).startswith(consumes.strip("[]"))


def test_r404_skips_unloaded_owner(tmp_path) -> None:
    extra = "events:\n  consumes: [auth.anything]\n"
    column = ref("{column: auth.users.id, sync: event, events: [auth.x]}")
    assert run("R404", consumer(column, extra), tmp_path=tmp_path, broken="auth") == []


# --- R405: copies refreshed ----------------------------------------------------------------
def _copy(sync: str) -> str:
    return f"{{name: email, type: varchar(255), copy_of: {{column: auth.users.email, {sync}}}}}"


@pytest.mark.parametrize(
    ("sync", "points_at"),
    [
        ("sync: event, events: [auth.user_created]", "- auth.user_created"),  # the events list
        ("sync: api, endpoint: GET /users", "api"),
        ("sync: event, events: [auth.user_created, auth.user_updated]", None),
        ("sync: event, events: [auth.account_deleted, auth.user_updated]", None),
        ("sync: cache, ttl_seconds: 3600", None),
        ("sync: cache, ttl_seconds: 3600, events: [auth.user_updated]", None),
        ("sync: event", None),  # no events at all: R403's finding, not R405's
    ],
)
def test_r405_copy_refreshed(sync: str, points_at: str | None, tmp_path) -> None:
    hits = run("R405", AUTH, consumer(_copy(sync)), tmp_path=tmp_path)
    assert len(hits) == (points_at is not None)
    if points_at is not None:
        assert hits[0].target == "user.user_notifications.email"
        assert text_at(hits[0]).startswith(points_at)


def test_r405_update_event_must_be_the_owners(tmp_path) -> None:
    extra = "events:\n  publishes: [{name: user.email_changed}]\n"
    copy = _copy("sync: event, events: [user.email_changed]")
    assert len(run("R405", AUTH, consumer(copy, extra), tmp_path=tmp_path)) == 1
    owner = AUTH + "    - {name: auth.email_changed}\n"
    copy = _copy("sync: event, events: [auth.email_changed]")
    assert run("R405", owner, consumer(copy), tmp_path=tmp_path / "2") == []


def test_r405_suggests_the_owners_own_update_events(tmp_path) -> None:
    [hit] = run(
        "R405", AUTH, consumer(_copy("sync: event, events: [auth.user_created]")), tmp_path=tmp_path
    )
    assert "auth.user_updated" in hit.message  # what auth publishes, not an invented name
    assert "auth.updated" not in hit.message
    owner = AUTH.replace("    - {name: auth.user_updated, payload: [user_id, changes]}\n", "")
    [hit] = run(
        "R405",
        owner,
        consumer(_copy("sync: event, events: [auth.user_created]")),
        tmp_path=tmp_path / "2",
    )
    assert "auth.updated" in hit.message  # none published: an example name


# --- R406: ids document their target -------------------------------------------------------
@pytest.mark.parametrize(
    ("column", "fires"),
    [
        ("{name: stripe_charge_id, type: text}", True),
        ("{name: stripe_charge_id, type: text, external: true}", False),
        ("{name: parent_id, type: uuid, references: user_notifications.id}", False),
        ("{name: ident, type: uuid}", False),
    ],
)
def test_r406_id_documents_target(column: str, fires: bool, tmp_path) -> None:
    hits = run("R406", consumer(column), tmp_path=tmp_path)
    assert len(hits) == fires
    if fires:
        assert hits[0].severity == "warning"
        assert hits[0].target == "user.user_notifications.stripe_charge_id"
        assert text_at(hits[0]).startswith("stripe_charge_id")


@pytest.mark.parametrize(
    ("table", "key", "fires"),
    [
        ("user", "user_id", False),  # umami: the table's own id under another name
        ("users", "user_id", False),
        ("website_events", "event_id", False),
        ("user_profiles", "user_id", True),  # a 1:1 extension keyed by another table's id
    ],
)
def test_r406_own_primary_key_is_not_a_reference(
    table: str, key: str, fires: bool, tmp_path
) -> None:
    service = f"""
service: user
tables:
  - name: {table}
    columns:
      - {{name: {key}, type: uuid, primary_key: true}}
"""
    hits = run("R406", service, tmp_path=tmp_path)
    assert [h.target for h in hits] == ([f"user.{table}.{key}"] if fires else [])
