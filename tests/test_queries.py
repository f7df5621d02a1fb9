"""Query patterns and size estimates: the format, "served" (I306), I305/I307/I308, and the
guide's own review feedback reproduced from declared queries."""

from __future__ import annotations

import pytest

from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.models import Query
from orion_registry.render import render_site
from orion_registry.rules.examples import write_example
from orion_registry.rules.serving import serves, suggested_columns, suggested_name

from .helpers import BUNDLED_REGISTRY, check_example, rule_findings, text_at


def q(where=(), range=None, order_by=()) -> Query:
    return Query("q", None, list(where), list(order_by), range)


@pytest.mark.parametrize(
    ("columns", "query", "served"),
    [
        (["a"], q(["a"]), True),
        (["a", "b"], q(["a"]), True),  # more columns after the served ones are fine
        (["b", "a"], q(["a", "b"]), True),  # where columns in any order
        (["a", "x", "b"], q(["a", "b"]), False),  # a gap
        (["b"], q(["a", "b"]), False),
        (["a", "r"], q(["a"], range="r"), True),
        (["r", "a"], q(["a"], range="r"), False),  # an equality after the range
        (["a", "c"], q(["a"], order_by=["c"]), True),
        (["a", "c", "d"], q(["a"], order_by=["d", "c"]), False),  # order matters
        (["a", "r", "c"], q(["a"], range="r", order_by=["r", "c"]), True),  # range first
        (["a", "r", "c"], q(["a"], range="r", order_by=["c"]), True),  # the contract
        (["c"], q(order_by=["c"]), True),
        (["a"], q(), False),  # a query that reads everything needs no index
    ],
)
def test_served_as_the_contract_defines(columns, query, served) -> None:
    assert serves(columns, query) is served


def test_a_hash_index_serves_one_lookup_and_other_methods_none() -> None:
    assert serves(["a"], q(["a"]), "hash")
    assert not serves(["a"], q(["a"], order_by=["b"]), "hash")
    assert not serves(["a"], q(["a"]), "gin")


def test_the_suggestion_orders_where_range_order_and_fits_postgres() -> None:
    query = q(["status", "user_id"], range="created_at", order_by=["created_at", "id"])
    assert suggested_columns(query) == ("status", "user_id", "created_at", "id")
    long = suggested_name("a" * 40, ["b" * 20, "c" * 20])
    assert len(long.encode()) <= 63 and long.startswith("idx_") and not long.endswith("_")


TABLE = """\
tables:
  - name: notifications
    model: Notification
    estimated_rows: 50000000
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: user_id, type: uuid, external: true}
      - {name: email, type: varchar(255), unique: true}
      - {name: status, type: varchar(20)}
      - {name: kind, type: varchar(20)}
      - {name: created_at, type: timestamptz, default: now()}
      - {name: deleted_at, type: timestamptz, nullable: true}
    indexes:
INDEXES
    queries:
QUERIES
"""


def table(indexes: list[str], queries: list[str]) -> str:
    return TABLE.replace("INDEXES\n", "".join(f"      - {i}\n" for i in indexes)).replace(
        "QUERIES\n", "".join(f"      - {x}\n" for x in queries)
    )


INBOX = "{name: inbox, where: [user_id, status], order_by: [created_at]}"
USER_ID = "{name: idx_notifications_user_id, columns: [user_id]}"
DELETED = "{name: idx_notifications_deleted_at, columns: [deleted_at]}"


def test_i306_names_the_index_to_add_and_the_one_it_replaces(tmp_path) -> None:
    (hit,) = rule_findings("I306", table([USER_ID, DELETED], [INBOX]), tmp_path)
    assert hit.message == (
        "query 'inbox' of 'notifications' (where user_id, status; order by created_at) is "
        "served by no index, unique column or primary key: add "
        "idx_notifications_user_id_status_created_at on [user_id, status, created_at] "
        "(it replaces idx_notifications_user_id)"
    )
    assert text_at(hit).startswith("inbox") and hit.target == "example.notifications"


def test_applying_the_suggestion_draws_no_new_finding(tmp_path) -> None:
    before = check_example(table([USER_ID, DELETED], [INBOX]), tmp_path / "a")
    added = (
        "{name: idx_notifications_user_id_status_created_at, "
        "columns: [user_id, status, created_at]}"
    )
    after = check_example(table([added, DELETED], [INBOX]), tmp_path / "b")
    assert "I306" in {f.rule for f in before}
    assert {f.rule for f in after} <= {f.rule for f in before} - {"I306"}


def test_unique_column_and_primary_key_serve(tmp_path) -> None:
    queries = ["{name: by_email, where: [email]}", "{name: by_id, where: [id]}"]
    assert rule_findings("I306", table([USER_ID, DELETED], queries), tmp_path) == []


def test_a_partial_index_serves_nothing(tmp_path) -> None:
    partial = (
        "{name: idx_notifications_user_id_status_created_at, "
        "columns: [user_id, status, created_at], where: deleted_at IS NULL}"
    )
    assert rule_findings("I306", table([USER_ID, partial], [INBOX]), tmp_path)


def test_query_columns_that_do_not_exist_are_i305_not_i306(tmp_path) -> None:
    query = "{name: inbox, where: [user_id, state], range: created, order_by: [created]}"
    findings = check_example(table([USER_ID, DELETED], [query]), tmp_path)
    i305 = [f for f in findings if f.rule == "I305"]
    assert [text_at(f).strip("[], ")[:7] for f in i305] == ["state", "created", "created"]
    assert "query 'inbox' names column 'state'" in i305[0].message
    assert "I306" not in {f.rule for f in findings}


def test_i307_reports_an_index_no_query_or_rule_needs(tmp_path) -> None:
    kind = "{name: idx_notifications_kind, columns: [kind]}"
    unique = "{name: uq_notifications_kind_status, columns: [kind, status], unique: true}"
    partial = "{name: idx_notifications_id, columns: [id], where: kind IS NULL}"
    live = "{name: idx_notifications_status, columns: [status], where: deleted_at IS NULL}"
    indexes = [USER_ID, DELETED, kind, unique, partial, live]
    hits = rule_findings("I307", table(indexes, ["{name: by_id, where: [id]}"]), tmp_path)
    assert sorted(h.target for h in hits) == [
        "example.notifications.idx_notifications_id",
        "example.notifications.idx_notifications_kind",
    ]
    # Declaring the query an index exists for clears it; no queries, no check.
    by_kind = "{name: by_kind, where: [kind]}"
    assert [h.target for h in rule_findings("I307", table(indexes, [by_kind]), tmp_path / "b")] == [
        "example.notifications.idx_notifications_id"
    ]


def test_i308_threshold_is_an_option(tmp_path) -> None:
    body = "tables:\n  - name: events\n    model: Event\n    estimated_rows: 2000000\n"
    body += "    columns:\n      - {name: id, type: uuid, primary_key: true, default: uuid()}\n"
    (hit,) = rule_findings("I308", body, tmp_path / "a")
    assert "estimated at 2,000,000 rows (large_table_rows: 1,000,000)" in hit.message
    assert text_at(hit) == "2000000"
    raised = "# orion.yaml\nrules: {I308: {large_table_rows: 5000000}}\n---\n" + body
    assert rule_findings("I308", raised, tmp_path / "b") == []


@pytest.mark.parametrize(
    ("snippet", "message", "line"),
    [
        ("estimated_rows: '12'", "tables[0].estimated_rows: Input should be a valid integer", 0),
        ("estimated_rows: 1.5", "tables[0].estimated_rows: Input should be a valid integer", 0),
        ("estimated_rows: true", "tables[0].estimated_rows: Input should be a valid integer", 0),
        ("estimated_rows: -1", "tables[0].estimated_rows: Input should be greater than", 0),
        ("queries: [{name: Inbox}]", "tables[0].queries[0].name: must match", 1),
        ("queries: [{name: a, where: b}]", "tables[0].queries[0].where: Input should", 2),
        ("queries: [{name: a, range: [b]}]", "tables[0].queries[0].range: Input should", 3),
        ("queries: [{name: a, sort: [b]}]", "unknown key 'sort'", 2),
        (
            "queries: [{name: a, where: [id]}, {name: a, where: [id]}]",
            "tables[0].queries: query name 'a' is declared twice (entries 0 and 1)",
            1,
        ),
    ],
)
def test_bad_shapes_are_located_load_errors(tmp_path, snippet, message, line: int) -> None:
    """Each error points at its key or value (`line`: lines after the snippet's key)."""
    body = (
        "tables:\n  - name: events\n    model: Event\n"
        f"    {snippet}\n"
        "    columns:\n      - {name: id, type: uuid, primary_key: true, default: uuid()}\n"
    )
    root = write_example(body, tmp_path)
    file = root / "services" / "example.yaml"
    lines = file.read_text(encoding="utf-8").splitlines()
    key_line = next(i for i, text in enumerate(lines, 1) if snippet.split(":")[0] in text)
    (hit,) = [f for f in check_registry(load_registry(root)) if f.rule == "L002"]
    assert hit.message.startswith(message), hit.message
    assert (hit.file, hit.line) == (str(file), key_line + line)


# The guide's UserPreferences change request, as the registry records it, with the queries
# its Database Lead reviews: "search queries" on email, "temporal queries" by user and time.
GUIDE_REVIEW = """\
tables:
  - name: users
    model: User
    estimated_rows: 900000
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: email, type: varchar(255)}
      - {name: created_at, type: timestamptz, default: now()}
    queries:
      - name: search_by_email
        description: Search queries on the email field.
        where: [email]
  - name: user_preferences
    model: UserPreference
    estimated_rows: 900000
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: user_id, type: uuid, unique: true, references: users.id}
      - {name: email_notifications, type: boolean, default: true}
      - {name: created_at, type: timestamptz, default: now()}
    queries:
      - name: by_user
        description: Single lookups by userId.
        where: [user_id]
      - name: history
        description: Temporal queries, the preferences of a user over time.
        where: [user_id]
        order_by: [created_at]
"""


def test_the_guides_review_feedback_comes_from_declared_queries(tmp_path) -> None:
    """'Add index on email field for search queries' and 'Add @@index([userId, createdAt])
    for temporal queries'; 'Single lookups by userId' are served already; under 1M rows
    in the first year, no I308."""
    findings = check_example(GUIDE_REVIEW, tmp_path)
    i306 = [f.message for f in findings if f.rule == "I306"]
    assert len(i306) == 2, i306
    assert i306[0].startswith("query 'search_by_email' of 'users'")
    assert i306[0].endswith("add idx_users_email on [email]")
    assert i306[1].startswith("query 'history' of 'user_preferences'")
    assert i306[1].endswith("add idx_user_preferences_user_id_created_at on [user_id, created_at]")
    assert "I308" not in {f.rule for f in findings}


def test_the_service_page_shows_the_missing_index_and_the_total(tmp_path) -> None:
    queries = [INBOX, "{name: everything}", "{name: odd, where: [colour]}"]
    registry = load_registry(write_example(table([USER_ID, DELETED], queries), tmp_path))
    page = render_site(registry).pages["services/example.md"]
    text = page.markdown + "".join(page.blocks)
    assert "<tr><th>Estimated rows</th><td>50,000,000 (all tables)</td></tr>" in text
    assert "Estimated rows: 50,000,000." in text
    assert (
        "<strong>missing</strong>: add <code>idx_notifications_user_id_status_created_at</code>"
        " on user_id, status, created_at" in text
    )
    assert "<td>the whole table</td><td>no index needed</td>" in text
    assert "names unknown column <code>colour</code>" in text
    assert 'id="index-notifications-idx-notifications-user-id"' in text


def test_the_i306_page_documents_the_planner_readings() -> None:
    page = render_site(load_registry(BUNDLED_REGISTRY)).pages["rules/i306.md"]
    text = page.markdown + "".join(page.blocks)
    for reading in ("A gap is not a seek", "A key and more", "Direction", "A range, then an order"):
        assert reading in text
