"""I301-I305: reference columns indexed, soft deletes indexed, no redundant or excess indexes."""

from __future__ import annotations

import pytest

from orion_registry.findings import Finding

from .helpers import check_example, one_table, rule_findings, text_at


def table(columns: str, indexes: str = "", name: str = "posts") -> str:
    """A one-table service; `columns` / `indexes` are YAML list items, one per line."""
    return one_table(name, "Post", columns.split("\n"), filter(None, indexes.split("\n")))


def run(code: str, example: str, tmp_path) -> list[Finding]:
    return rule_findings(code, example, tmp_path, clean_load=False)


# --- I301 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "column",
    [
        "{name: author_id, type: uuid}",
        "{name: author_id, type: text, external: true}",  # looked up too: still needs one
        "{name: author, type: uuid, references: posts.id}",
        "{name: author, type: uuid, copy_of: {column: posts.id, sync: cache, ttl_seconds: 60}}",
    ],
)
def test_i301_reference_without_index(column: str, tmp_path) -> None:
    [hit] = run("I301", table(column), tmp_path)
    name = column.split(",")[0].removeprefix("{name: ")
    assert hit.target == f"example.posts.{name}"
    assert text_at(hit).startswith(name)
    assert hit.severity == "error"


@pytest.mark.parametrize(
    ("column", "indexes"),
    [
        ("{name: author_id, type: uuid}", "{name: idx_posts_author_id, columns: [author_id]}"),
        ("{name: author_id, type: uuid}", "{name: idx_x, columns: [author_id, id]}"),
        ("{name: author_id, type: uuid}", "{name: idx_x, columns: [author_id], unique: true}"),
        ("{name: author_id, type: uuid, unique: true}", ""),
        ("{name: title, type: text}", ""),
        ("{name: email, type: text, copy_of: {column: posts.title, sync: api, endpoint: x}}", ""),
    ],
)
def test_i301_indexed_or_not_a_reference(column: str, indexes: str, tmp_path) -> None:
    assert run("I301", table(column, indexes), tmp_path) == []


def test_i301_second_column_of_composite_index_does_not_count(tmp_path) -> None:
    example = table("{name: author_id, type: uuid}", "{name: idx_x, columns: [id, author_id]}")
    [hit] = run("I301", example, tmp_path)
    assert hit.target == "example.posts.author_id"


def test_i301_primary_key_reference_is_covered(tmp_path) -> None:
    example = """
    tables:
      - name: profiles
        model: Profile
        columns:
          - {name: user_id, type: uuid, primary_key: true, external: true}
    """
    assert run("I301", example, tmp_path) == []


def test_i301_second_column_of_composite_primary_key_does_not_count(tmp_path) -> None:
    example = """
    tables:
      - name: memberships
        model: Membership
        columns:
          - {name: user_id, type: uuid, primary_key: true, external: true}
          - {name: group_id, type: uuid, primary_key: true, external: true}
    """
    [hit] = run("I301", example, tmp_path)  # user_id leads the key; group_id leads nothing
    assert hit.target == "example.memberships.group_id"
    assert text_at(hit).startswith("group_id")


# --- I302 ---------------------------------------------------------------------------------
DELETED = "{name: deleted_at, type: timestamptz, nullable: true}"


@pytest.mark.parametrize(
    ("indexes", "fires"),
    [
        ("", True),
        ("{name: idx_posts_id_deleted_at, columns: [id, deleted_at]}", True),
        ("{name: idx_posts_deleted_at, columns: [deleted_at]}", False),
        ("{name: idx_posts_live, columns: [id], where: deleted_at IS NULL}", False),
    ],
)
def test_i302_soft_delete_index(indexes: str, fires: bool, tmp_path) -> None:
    hits = run("I302", table(DELETED, indexes), tmp_path)
    assert len(hits) == fires
    if fires:
        assert hits[0].target == "example.posts.deleted_at"
        assert hits[0].severity == "warning"
        assert text_at(hits[0]).startswith("deleted_at")


# --- I303 ---------------------------------------------------------------------------------
COLS = "{name: a, type: text}\n{name: b, type: text}\n{name: u, type: text, unique: true}"


@pytest.mark.parametrize(
    ("indexes", "redundant", "names"),
    [
        ("{name: idx_1, columns: [a, b]}\n{name: idx_2, columns: [a, b]}", "idx_2", "idx_1"),
        ("{name: idx_1, columns: [a]}\n{name: idx_2, columns: [a, b]}", "idx_1", "idx_2"),
        ("{name: idx_1, columns: [u]}", "idx_1", "'u'"),
        ("{name: idx_1, columns: [id]}", "idx_1", "'id'"),
        # the plain one is redundant versus the unique one, whichever comes first
        (
            "{name: idx_1, columns: [a, b], unique: true}\n{name: idx_2, columns: [a, b]}",
            "idx_2",
            "idx_1",
        ),
        (
            "{name: idx_1, columns: [a, b]}\n{name: idx_2, columns: [a, b], unique: true}",
            "idx_1",
            "idx_2",
        ),
        # a unique index is never redundant versus a plain one
        ("{name: idx_1, columns: [a], unique: true}\n{name: idx_2, columns: [a, b]}", None, ""),
        # different method or predicate: not comparable
        ("{name: idx_1, columns: [a], type: hash}\n{name: idx_2, columns: [a, b]}", None, ""),
        ("{name: idx_1, columns: [a], where: b IS NULL}\n{name: idx_2, columns: [a]}", None, ""),
        ("{name: idx_1, columns: [a, b]}\n{name: idx_2, columns: [b, a]}", None, ""),
    ],
)
def test_i303_redundant_index(indexes: str, redundant: str | None, names: str, tmp_path) -> None:
    hits = run("I303", table(COLS, indexes), tmp_path)
    if redundant is None:
        assert hits == []
        return
    [hit] = hits
    assert hit.target == f"example.posts.{redundant}"
    assert names in hit.message
    assert text_at(hit).startswith(redundant)


WAIVED_USERS = """
tables:
  - name: users
    model: User
    columns:
      - {name: id, type: uuid, primary_key: true, default: uuid()}
      - {name: email, type: varchar(255), unique: true}
    indexes:
      - {name: idx_users_email, columns: [email]}
"""


def _waiver(expires: str) -> str:
    return (
        "# orion.yaml\nwaivers:\n  - rule: I303\n    target: user.users.idx_users_email\n"
        "    reason: kept until the search service moves to trigram search\n"
        f"    expires: {expires}\n---\nservice: user\n{WAIVED_USERS}"
    )


def test_i303_waiver_suppresses_the_finding(tmp_path) -> None:
    findings = check_example(_waiver("2027-03-31"), tmp_path)
    assert [f.rule for f in findings if f.rule in ("I303", "S602", "S603")] == []


def test_i303_expired_waiver_suppresses_nothing(tmp_path) -> None:
    findings = check_example(_waiver("2020-03-31"), tmp_path)
    [i303] = [f for f in findings if f.rule == "I303"]
    [s602] = [f for f in findings if f.rule == "S602"]
    assert i303.target == "user.users.idx_users_email"
    assert s602.file.endswith("orion.yaml") and text_at(s602).startswith("2020-03-31")


# --- I304 ---------------------------------------------------------------------------------
def _many(count: int) -> str:
    columns = "\n".join(f"{{name: c{i}, type: text}}" for i in range(count))
    indexes = "\n".join(f"{{name: idx_posts_c{i}, columns: [c{i}]}}" for i in range(count))
    return table(columns, indexes)


def test_i304_limit_is_five_by_default(tmp_path) -> None:
    assert run("I304", _many(5), tmp_path / "five") == []
    [hit] = run("I304", _many(6), tmp_path / "six")
    assert hit.target == "example.posts" and hit.severity == "warning"
    assert "6 indexes" in hit.message
    assert text_at(hit).startswith("name: idx_posts_c5")  # the first index over the limit


@pytest.mark.parametrize(
    ("override", "count", "severity"),
    [
        ("{severity: warning, max_indexes: 6}", 6, None),
        ("{severity: warning, max_indexes: 6}", 7, "warning"),
        ("{severity: error, max_indexes: 3}", 4, "error"),
        ("{max_indexes: 2}", 3, "warning"),
        ("'off'", 9, None),
    ],
)
def test_i304_options_from_orion_yaml(override, count, severity, tmp_path) -> None:
    example = f"# orion.yaml\nrules:\n  I304: {override}\n---\n{_many(count)}"
    findings = check_example(example, tmp_path)
    assert not [f for f in findings if f.rule.startswith("L")], findings
    assert [f.severity for f in findings if f.rule == "I304"] == ([severity] if severity else [])


# --- I305 ---------------------------------------------------------------------------------
def test_i305_unknown_index_column(tmp_path) -> None:
    example = table("{name: title, type: text}", "{name: idx_x, columns: [title, titel, nope]}")
    hits = run("I305", example, tmp_path)
    assert [text_at(h).split()[0] for h in hits] == ["titel", "nope"]
    assert {h.target for h in hits} == {"example.posts.idx_x"}
    assert all(h.severity == "error" for h in hits)
