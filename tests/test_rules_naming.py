"""N101-N108: names of tables, columns, models, indexes, databases and enums; plural/singular."""

from __future__ import annotations

import pytest

from orion_registry.lang import words

from .helpers import ID_COLUMN as ID
from .helpers import check_example, text_at
from .helpers import one_table as table
from .helpers import rule_findings as run

# --- words: the shared plural / singular helpers ----------------------------------------
PLURALS = ["users", "preferences", "templates", "entries", "statuses", "categories", "people"]
UNCOUNTABLE = ["data", "metadata", "news", "information", "series", "feedback"]
SINGULARS = ["user", "person", "category", "status", "preference", "bus", "alias", "analysis"]


@pytest.mark.parametrize("word", PLURALS + UNCOUNTABLE)
def test_is_plural(word: str) -> None:
    assert words.is_plural(word, words.DEFAULT_UNCOUNTABLE)


@pytest.mark.parametrize("word", SINGULARS + UNCOUNTABLE)
def test_is_singular(word: str) -> None:
    assert words.is_singular(word, words.DEFAULT_UNCOUNTABLE)


@pytest.mark.parametrize("word", SINGULARS)
def test_singular_is_not_plural(word: str) -> None:
    assert not words.is_plural(word, words.DEFAULT_UNCOUNTABLE)


@pytest.mark.parametrize("word", PLURALS)
def test_plural_is_not_singular(word: str) -> None:
    assert not words.is_singular(word, words.DEFAULT_UNCOUNTABLE)


@pytest.mark.parametrize(
    ("singular", "plural"),
    [("user", "users"), ("person", "people"), ("category", "categories"), ("entry", "entries")],
)
def test_pluralize_and_singularize(singular: str, plural: str) -> None:
    assert words.pluralize(singular) == plural
    assert words.singularize(plural) == singular


@pytest.mark.parametrize(
    ("identifier", "snake", "pascal"),
    [
        ("userSessions", "user_sessions", "UserSessions"),
        ("EmailAddress", "email_address", "EmailAddress"),
        ("user_pref", "user_pref", "UserPref"),
        ("HTTPRequest", "http_request", "HTTPRequest"),
    ],
)
def test_case_conversions(identifier: str, snake: str, pascal: str) -> None:
    assert words.to_snake(identifier) == snake
    assert words.to_pascal(identifier) == pascal


# --- N101 / N102: table names -------------------------------------------------------------
GOOD_TABLES = [
    "users",
    "user_preferences",
    "notification_templates",
    "audit_entries",
    "statuses",
    "categories",
    "people",
    "data",
    "metadata",
    "news",
    "oauth2_tokens",
    "users_v2",
]


@pytest.mark.parametrize("name", GOOD_TABLES)
def test_good_table_names(name: str, tmp_path) -> None:
    findings = check_example(table(name), tmp_path)
    assert [f for f in findings if f.rule in ("N101", "N102")] == []


@pytest.mark.parametrize(
    ("name", "code", "suggestion"),
    [
        ("User", "N101", "users"),  # snake_case and plural (N102)
        ("userPreferences", "N101", "user_preferences"),
        ("user-sessions", "N101", "user_sessions"),
        ("user", "N102", "users"),
        ("person", "N102", "people"),
        ("category", "N102", "categories"),
        ("user_preference", "N102", "user_preferences"),
        ("User", "N102", "users"),  # the plural is judged on the snake_case form
    ],
)
def test_bad_table_names(name: str, code: str, suggestion: str, tmp_path) -> None:
    [hit] = run(code, table(name), tmp_path)
    assert hit.target == f"example.{name}"
    assert f"'{suggestion}'" in hit.message
    assert text_at(hit).startswith(name)


def test_userpreferences_is_only_a_case_problem(tmp_path) -> None:
    assert run("N102", table("userPreferences"), tmp_path) == []


def test_uncountable_option_extends_the_word_list(tmp_path) -> None:
    assert [f.target for f in run("N102", table("inventory"), tmp_path)] == ["example.inventory"]
    option = "# orion.yaml\nrules:\n  N102: {uncountable: [inventory]}\n---\n"
    assert run("N102", option + table("inventory"), tmp_path / "with_option") == []


# --- N103: column names -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["user_id", "created_at", "email_address", "address2"])
def test_good_column_names(name: str, tmp_path) -> None:
    assert run("N103", table(columns=[f"{{name: {name}, type: text}}"]), tmp_path) == []


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("userId", "user_id"), ("createdAt", "created_at"), ("EmailAddress", "email_address")],
)
def test_bad_column_names(name: str, suggestion: str, tmp_path) -> None:
    [hit] = run("N103", table(columns=[f"{{name: {name}, type: text}}"]), tmp_path)
    assert hit.target == f"example.users.{name}"
    assert f"use '{suggestion}'" in hit.message
    assert text_at(hit).startswith(name)


# --- N104 / N105: model names -------------------------------------------------------------
GOOD_MODELS = ["User", "UserPreference", "Status", "Person", "Metadata", "Data", "News"]
GOOD_MODELS += ["Alias", "Analysis", "SMS", "OAuth2Token", "Sms", "Gps"]  # no vowel: an acronym


@pytest.mark.parametrize("model", GOOD_MODELS)
def test_good_model_names(model: str, tmp_path) -> None:
    findings = check_example(table(model=model), tmp_path)
    assert [f for f in findings if f.rule in ("N104", "N105")] == []


@pytest.mark.parametrize(
    ("model", "code", "suggestion"),
    [
        ("user", "N104", "User"),
        ("user_pref", "N104", "UserPref"),
        ("Users", "N105", "User"),
        ("UserPreferences", "N105", "UserPreference"),
        ("People", "N105", "Person"),
    ],
)
def test_bad_model_names(model: str, code: str, suggestion: str, tmp_path) -> None:
    [hit] = run(code, table(model=model), tmp_path)
    assert hit.target == "example.users"
    assert f"'{suggestion}'" in hit.message
    assert text_at(hit).startswith(model)


def test_model_is_optional(tmp_path) -> None:
    example = f"tables:\n  - name: users\n    columns:\n      - {ID}\n"
    findings = check_example(example, tmp_path)
    assert [f for f in findings if f.rule in ("N104", "N105")] == []


# --- N106: index names --------------------------------------------------------------------
EMAIL = "{name: email, type: varchar(255)}"
USER_ID = "{name: user_id, type: uuid}"
CREATED = "{name: created_at, type: timestamptz, default: now()}"


@pytest.mark.parametrize(
    ("name", "columns", "index"),
    [
        ("users", [EMAIL], "{name: idx_users_email, columns: [email]}"),
        ("users", [EMAIL], "{name: uq_users_email, columns: [email], unique: true}"),
        ("users", [EMAIL], "{name: idx_users_email, columns: [email], unique: true}"),
        (
            "user_preferences",
            [USER_ID, CREATED],
            "{name: idx_user_preferences_user_id_created_at, columns: [user_id, created_at]}",
        ),
    ],
)
def test_good_index_names(name: str, columns: list[str], index: str, tmp_path) -> None:
    example = table(name, "UserPreference", columns, [index])
    assert run("N106", example, tmp_path) == []


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        ("{name: users_email_index, columns: [email]}", "idx_users_email"),
        ("{name: uq_users_email, columns: [email]}", "idx_users_email"),  # uq_ is for unique
        (
            "{name: idx_users_created_at_email, columns: [email, created_at]}",
            "idx_users_email_created_at",
        ),
    ],
)
def test_bad_index_names(index: str, expected: str, tmp_path) -> None:
    [hit] = run("N106", table(columns=[EMAIL, CREATED], indexes=[index]), tmp_path)
    name = index.split(",")[0].removeprefix("{name: ")
    assert hit.target == f"example.users.{name}"
    assert f"should be named '{expected}'" in hit.message
    assert text_at(hit).startswith(name)


def test_index_names_respect_the_postgres_length_limit(tmp_path) -> None:
    long_columns = [f"{{name: {c}, type: text}}" for c in ("a" * 30, "b" * 30)]
    too_long = f"idx_users_{'a' * 30}_{'b' * 30}"  # 71 characters: Postgres truncates it
    short = "idx_users_a_b"
    cols = f"[{'a' * 30}, {'b' * 30}]"
    example = table(columns=long_columns, indexes=[f"{{name: {too_long}, columns: {cols}}}"])
    [hit] = run("N106", example, tmp_path)
    assert "longer than 63" in hit.message
    example = table(columns=long_columns, indexes=[f"{{name: {short}, columns: {cols}}}"])
    assert run("N106", example, tmp_path / "short") == []


# --- N107: database names -----------------------------------------------------------------
def test_database_name(tmp_path) -> None:
    [hit] = run("N107", "service: billing\ndatabase: billing_db\n", tmp_path)
    assert hit.target == "billing"
    assert "'orion_billing'" in hit.message
    assert text_at(hit).startswith("billing_db")
    assert run("N107", "service: billing\ndatabase: orion_billing\n", tmp_path / "good") == []


def test_database_prefix_comes_from_settings(tmp_path) -> None:
    settings = "# orion.yaml\ndatabase_prefix: acme_\n---\n"
    [hit] = run("N107", settings + "service: billing\ndatabase: orion_billing\n", tmp_path)
    assert "'acme_billing'" in hit.message
    good = settings + "service: billing\ndatabase: acme_billing\n"
    assert run("N107", good, tmp_path / "good") == []


# --- N108: enums --------------------------------------------------------------------------
def enum(name: str, values: str, db_name: str | None = None) -> str:
    mapped = f"    db_name: {db_name}\n" if db_name else ""
    return f"enums:\n  - name: {name}\n{mapped}    values: {values}\n"


def test_guide_enum_passes(tmp_path) -> None:
    example = enum(
        "NotificationStatus", "[QUEUED, SENDING, DELIVERED, FAILED, BOUNCED]", "notification_status"
    )
    assert run("N108", example, tmp_path) == []


def test_snake_case_db_name_may_be_left_out_only_when_the_name_is_snake(tmp_path) -> None:
    [hit] = run("N108", enum("NotificationStatus", "[QUEUED]"), tmp_path)
    assert "add db_name: notification_status" in hit.message
    assert text_at(hit).startswith("NotificationStatus")


@pytest.mark.parametrize(
    ("name", "db_name", "offending", "suggestion"),
    [
        ("notification_status", "notification_status", "notification_status", "NotificationStatus"),
        ("NotificationStatus", "NotificationStatus", "NotificationStatus", "notification_status"),
    ],
)
def test_bad_enum_names(name: str, db_name: str, offending: str, suggestion: str, tmp_path):
    [hit] = run("N108", enum(name, "[QUEUED]", db_name), tmp_path)
    assert hit.target == f"example.{name}"
    assert f"use '{suggestion}'" in hit.message
    assert text_at(hit).startswith(offending)


def test_one_finding_per_bad_enum_value(tmp_path) -> None:
    example = enum("NotificationStatus", "[QUEUED, sending, DELIVERED, inProgress]", "n_status")
    hits = run("N108", example, tmp_path)
    assert [text_at(h).split()[0] for h in hits] == ["sending", "inProgress"]
    assert ["'SENDING'" in hits[0].message, "'IN_PROGRESS'" in hits[1].message] == [True, True]
    assert {h.target for h in hits} == {"example.NotificationStatus"}
