"""T201-T207: uuid keys and ids, timestamps, JSON, enums, string lengths, soft deletes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_registry.lang import pgtypes
from orion_registry.rules.types import _Words

from .helpers import ID_COLUMN as ID
from .helpers import check_example, one_table, text_at
from .helpers import rule_findings as run

CREATED = "{name: created_at, type: timestamptz, default: now()}"
UPDATED = "{name: updated_at, type: timestamptz, updated_at: true}"
THEME = "enums:\n  - {name: Theme, db_name: theme, values: [LIGHT, DARK]}\n"


def table(*columns: str, indexes: tuple[str, ...] = (), id_column: str | None = ID) -> str:
    """A `users` table with the given YAML flow-mapping columns (the id first unless None)."""
    return one_table(columns=columns, indexes=indexes, id_column=id_column)


# --- pgtypes: the shared type normalisation -----------------------------------------------
@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("UUID", "uuid"),
        ("TIMESTAMPTZ", "timestamptz"),
        ("timestamp with time zone", "timestamptz"),
        ("Timestamp(3)  With Time Zone", "timestamptz(3)"),
        ("timestamptz(3)", "timestamptz(3)"),
        ("character varying( 255 )", "varchar(255)"),
        ("NUMERIC(10, 2)", "numeric(10,2)"),
        ("int4", "integer"),
        ("text []", "text[]"),
    ],
)
def test_normalize(spelling: str, canonical: str) -> None:
    assert pgtypes.normalize(spelling) == canonical


def test_type_predicates() -> None:
    assert pgtypes.is_timestamp("TIMESTAMP(6) WITHOUT TIME ZONE")
    assert pgtypes.is_uuid("UUID") and not pgtypes.is_uuid("uuid[]")
    assert pgtypes.is_text("varchar(255)") and not pgtypes.is_text("text[]")
    assert not pgtypes.is_text("Theme", {"Theme"}) and pgtypes.is_text("citext")
    assert pgtypes.is_json("JSONB") and not pgtypes.is_json("jsonb", {"jsonb"})
    assert pgtypes.is_uuid_default("gen_random_uuid()") and not pgtypes.is_uuid_default("cuid()")
    assert pgtypes.is_now_default("CURRENT_TIMESTAMP") and not pgtypes.is_now_default("'now'")


# --- T201: primary key ------------------------------------------------------------------
@pytest.mark.parametrize(
    "id_column",
    [
        ID,
        "{name: id, type: UUID, primary_key: true, default: gen_random_uuid()}",
        "{name: id, type: uuid, primary_key: true, default: 'dbgenerated(\"gen_random_uuid()\")'}",
    ],
)
def test_t201_good_keys(id_column: str, tmp_path) -> None:
    assert run("T201", table(id_column=id_column), tmp_path) == []


@pytest.mark.parametrize(
    ("id_column", "pointed_at", "says"),
    [
        (
            "{name: id, type: integer, primary_key: true, default: uuid()}",
            "integer",
            "use type uuid",
        ),
        (
            "{name: id, type: uuid, primary_key: true, default: cuid()}",
            "cuid()",
            "default 'cuid()'",
        ),
        ("{name: id, type: uuid, primary_key: true}", "name: id", "no default"),
        (
            "{name: user_id, type: uuid, primary_key: true, default: uuid()}",
            "user_id",
            "named 'id'",
        ),
    ],
)
def test_t201_wrong_key_reported_at_the_column(id_column, pointed_at, says, tmp_path) -> None:
    [hit] = run("T201", table(id_column=id_column), tmp_path)
    assert hit.target.startswith("example.users.")
    assert says in hit.message
    assert text_at(hit).startswith(pointed_at)


@pytest.mark.parametrize(
    ("columns", "says"),
    [
        (("{name: id, type: uuid, default: uuid()}",), "no primary key"),
        (
            (
                "{name: user_id, type: uuid, primary_key: true}",
                "{name: role_id, type: uuid, primary_key: true}",
            ),
            "composite primary key (user_id, role_id)",
        ),
    ],
)
def test_t201_missing_or_composite_key_reported_at_the_table(columns, says, tmp_path) -> None:
    [hit] = run("T201", table(*columns, id_column=None), tmp_path)
    assert hit.target == "example.users"
    assert says in hit.message
    assert text_at(hit).startswith("users")


# --- T202: ids are uuids ------------------------------------------------------------------
@pytest.mark.parametrize(
    "column",
    [
        "{name: user_id, type: uuid}",
        "{name: user_id, type: UUID}",
        "{name: stripe_customer_id, type: varchar(255), external: true}",
        "{name: valid, type: boolean}",
    ],
)
def test_t202_good(column: str, tmp_path) -> None:
    assert run("T202", table(column), tmp_path) == []


@pytest.mark.parametrize("column", ["{name: user_id, type: text}", "{name: org_id, type: bigint}"])
def test_t202_bad(column: str, tmp_path) -> None:
    [hit] = run("T202", table(column), tmp_path)
    name = column.split(",")[0].removeprefix("{name: ")
    assert hit.target == f"example.users.{name}"
    assert "external: true" in hit.message
    assert text_at(hit).startswith(column.split("type: ")[1].rstrip("}"))


def test_t202_leaves_the_primary_key_to_t201(tmp_path) -> None:
    example = table(id_column="{name: id, type: text, primary_key: true, default: uuid()}")
    assert run("T202", example, tmp_path) == []


# --- T203: timestamps ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("created", "updated"),
    [
        (CREATED, UPDATED),
        (
            "{name: created_at, type: timestamp(3) with time zone, default: CURRENT_TIMESTAMP}",
            "{name: updated_at, type: TIMESTAMP(3), updated_at: true, default: now()}",
        ),
    ],
)
def test_t203_good(created: str, updated: str, tmp_path) -> None:
    assert run("T203", table(created, updated), tmp_path) == []


@pytest.mark.parametrize(
    ("columns", "pointed_at", "says"),
    [
        ((UPDATED,), "users", "no created_at column"),
        ((CREATED,), "users", "no updated_at column"),
        (("{name: created_at, type: timestamptz}", UPDATED), "name: created_at", "no default"),
        (("{name: created_at, type: date, default: now()}", UPDATED), "date", "use timestamptz"),
        (
            (CREATED, "{name: updated_at, type: timestamptz}"),
            "name: updated_at",
            "updated_at: true",
        ),
    ],
)
def test_t203_bad(columns, pointed_at: str, says: str, tmp_path) -> None:
    [hit] = run("T203", table(*columns), tmp_path)
    assert hit.severity == "warning"
    assert says in hit.message
    assert text_at(hit).startswith(pointed_at)


# --- T204: JSON used sparingly ------------------------------------------------------------
def test_t204_flexible_json_is_fine(tmp_path) -> None:
    assert run("T204", table("{name: metadata, type: jsonb, nullable: true}"), tmp_path) == []


@pytest.mark.parametrize(
    ("column", "indexes", "says"),
    [
        (
            "{name: settings, type: jsonb}",
            ("{name: idx_users_settings, columns: [settings]}",),
            "indexed",
        ),
        ("{name: profile, type: JSON, unique: true}", (), "indexed"),
        ("{name: recipient_ids, type: jsonb}", (), "named like an id"),
        ("{name: owner, type: jsonb, references: users.id}", (), "relational data"),
    ],
)
def test_t204_bad(column: str, indexes: tuple[str, ...], says: str, tmp_path) -> None:
    [hit] = run("T204", table(column, indexes=indexes), tmp_path)
    assert says in hit.message
    assert text_at(hit).lower().startswith("json")


# --- T205: closed sets are enums ----------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "column"),
    [
        (THEME, "{name: theme, type: Theme}"),
        (THEME, "{name: theme, type: theme}"),  # the Postgres name of the enum
        ("", "{name: content_type, type: varchar(255)}"),
        ("", "{name: is_active, type: boolean}"),
        ("", "{name: statuses, type: 'text[]'}"),
    ],
)
def test_t205_good(prefix: str, column: str, tmp_path) -> None:
    assert run("T205", prefix + table(column), tmp_path) == []


@pytest.mark.parametrize(
    "column",
    [
        "{name: theme, type: text, default: light}",
        "{name: delivery_status, type: varchar(20)}",
        "{name: role, type: citext}",
    ],
)
def test_t205_bad(column: str, tmp_path) -> None:
    [hit] = run("T205", table(column), tmp_path)
    assert "enum" in hit.message
    assert text_at(hit).startswith(column.split("type: ")[1].split(",")[0].rstrip("}"))


def test_t205_closed_set_names_option(tmp_path) -> None:
    example = "# orion.yaml\nrules:\n  T205: {closed_set_names: [flavour]}\n---\n" + table(
        "{name: ice_flavour, type: text}", "{name: status, type: text}"
    )
    assert [f.target for f in run("T205", example, tmp_path)] == ["example.users.ice_flavour"]


# --- T206: deliberate string lengths ------------------------------------------------------
@pytest.mark.parametrize(
    "column",
    [
        "{name: email, type: varchar(255)}",
        "{name: bio, type: text}",
        "{name: email, type: citext}",
        "{name: country, type: char(2)}",
    ],
)
def test_t206_good(column: str, tmp_path) -> None:
    assert run("T206", table(column), tmp_path) == []


@pytest.mark.parametrize(
    ("column", "says"),
    [
        ("{name: email, type: text}", "use varchar(254)"),
        ("{name: phone_number, type: text}", "use varchar(32)"),
        ("{name: display_name, type: TEXT}", "varchar(n)"),
        ("{name: notes, type: varchar}", "without a length"),
        ("{name: email, type: character varying}", "without a length"),
    ],
)
def test_t206_bad(column: str, says: str, tmp_path) -> None:
    [hit] = run("T206", table(column), tmp_path)
    assert says in hit.message
    assert text_at(hit).startswith(column.split("type: ")[1].rstrip("}"))


# --- T207: soft deletes -------------------------------------------------------------------
@pytest.mark.parametrize("type_", ["timestamptz", "timestamptz(3)", "timestamp"])
def test_t207_good(type_: str, tmp_path) -> None:
    column = f"{{name: deleted_at, type: {type_}, nullable: true}}"
    assert run("T207", table(column), tmp_path) == []


@pytest.mark.parametrize(
    ("column", "pointed_at", "says"),
    [
        ("{name: deleted_at, type: timestamptz}", "name: deleted_at", "nullable: true"),
        ("{name: deleted_at, type: boolean, nullable: true}", "boolean", "timestamptz"),
        ("{name: deleted_at, type: timestamptz, nullable: false}", "false", "nullable: true"),
    ],
)
def test_t207_bad(column: str, pointed_at: str, says: str, tmp_path) -> None:
    [hit] = run("T207", table(column), tmp_path)
    assert hit.target == "example.users.deleted_at"
    assert hit.severity == "error"
    assert says in hit.message
    assert text_at(hit).startswith(pointed_at)


def test_guide_patterns_pass_every_type_rule(tmp_path) -> None:
    """The guide's UUID key, timestamps, soft delete and enum patterns, together."""
    example = (
        "enums:\n  - name: NotificationStatus\n    db_name: notification_status\n"
        "    values: [QUEUED, SENDING, DELIVERED, FAILED, BOUNCED]\n"
        + table(
            "{name: status, type: NotificationStatus, default: QUEUED}",
            "{name: metadata, type: jsonb, nullable: true}",
            CREATED,
            UPDATED,
            "{name: deleted_at, type: timestamptz, nullable: true}",
        )
    )
    findings = check_example(example, tmp_path)
    assert [f for f in findings if f.rule.startswith(("T", "L"))] == []


_PARTS = st.sampled_from(["status", "code", "country", "type", "kind", "_", "", "a", "id"])
_NAMES = st.lists(_PARTS, max_size=5).map("_".join)


@given(st.lists(_NAMES, max_size=6), _NAMES)
def test_word_lookup_names_the_first_word_a_name_is_or_ends_with(
    words: list[str], name: str
) -> None:
    """The lookup T205/T206 use agrees with the plain reading, in the list's order."""
    plain = next((w for w in words if name == w or name.endswith("_" + w)), None)
    assert _Words(words).named(name) == plain
