"""`diff` and declared queries: a query that loses its index is an impact of the index
change, a new query no index serves is reported, and the change request's Performance
Considerations come from the queries and the estimates."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from tests.test_diff import Repo, changes_of, entry, table

INBOX_INDEX = "idx_notifications_user_id_status_created_at"


@pytest.fixture
def git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    """The bundled registry committed on main, a branch checked out (as in test_diff)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ORION_REGISTRY_TODAY", "2026-01-15")
    return Repo(tmp_path)


def drop_index(name: str):
    def change(data: dict) -> None:
        indexes = table(data, "notifications")["indexes"]
        indexes[:] = [ix for ix in indexes if ix["name"] != name]
        data["migrations"].append(entry("drop_index", "non-breaking", f"drop index {name}"))

    return change


def query_line(repo: Repo, service: str, query: str) -> int:
    lines = repo.file(service).read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.strip() == f"- name: {query}")


def test_a_removed_index_impacts_the_query_it_served(git: Repo) -> None:
    git.edit("notifications", drop_index(INBOX_INDEX))
    _, payload, _ = git.diff()
    (removed,) = changes_of(payload, "index.removed")
    assert removed["impacted"] == [
        {
            "service": "notifications",
            "target": "notifications.notifications.inbox",
            "via": f"query, served by {INBOX_INDEX} before",
            "file": "registry/services/notifications.yaml",
            "line": query_line(git, "notifications", "inbox"),
        }
    ]
    text = git.diff(fmt="text")[1]
    assert f"impacts notifications.notifications.inbox (query, served by {INBOX_INDEX}" in text


def test_a_changed_index_impacts_only_queries_nothing_else_serves(git: Repo) -> None:
    def change(data: dict) -> None:
        for ix in table(data, "notifications")["indexes"]:
            if ix["name"] == "idx_notifications_created_at":
                ix["columns"] = ["template_id", "created_at"]
        data["migrations"].append(entry("feed_index", "non-breaking", "change the feed index"))

    git.edit("notifications", change)
    _, payload, _ = git.diff()
    (changed,) = changes_of(payload, "index.changed")
    # admin_feed (order by created_at) lost its index; by_template is served by another.
    assert [i["target"] for i in changed["impacted"]] == ["notifications.notifications.admin_feed"]


def test_an_index_whose_queries_are_served_elsewhere_impacts_none(git: Repo) -> None:
    def change(data: dict) -> None:
        t = table(data, "notifications")
        t["indexes"].append(
            {"name": "idx_notifications_template_id_id", "columns": ["template_id", "id"]}
        )
        t["indexes"] = [ix for ix in t["indexes"] if ix["name"] != "idx_notifications_template_id"]
        data["migrations"].append(entry("swap", "non-breaking", "swap template index"))

    git.edit("notifications", change)
    _, payload, _ = git.diff()
    assert [c["impacted"] for c in changes_of(payload, "index.removed")] == [[]]


def test_a_new_unserved_query_is_reported_and_a_served_one_is_not(git: Repo) -> None:
    def change(data: dict) -> None:
        queries = table(data, "users")["queries"]
        queries.append({"name": "by_name", "where": ["name"]})
        queries.append({"name": "by_id", "where": ["id"]})

    git.edit("user", change)
    code, payload, _ = git.diff()
    (unserved,) = changes_of(payload, "query.unserved")
    assert unserved["target"] == "user.users"
    assert unserved["detail"] == (
        "new query by_name (where name) is NOT served: add idx_users_name on [name]"
    )
    assert (unserved["status"], unserved["breaking"]) == ("not-required", False)
    assert unserved["line"] == query_line(git, "user", "by_name")
    assert code == 1 and "I306" in {f["rule"] for f in payload["findings"]}


def test_markdown_fills_performance_considerations(git: Repo) -> None:
    git.edit("notifications", drop_index(INBOX_INDEX))
    markdown = git.diff(fmt="markdown")[1]
    section = markdown.split("### Performance Considerations\n", 1)[1].split("\n### ", 1)[0]
    lines = html.unescape(section).splitlines()
    assert lines[:4] == [
        "- <code>notifications</code>: 50,000,000 estimated rows",
        "  - <code>inbox</code> (where user_id, status; order by created_at): NOT served: add "
        f"{INBOX_INDEX} on [user_id, status, created_at]",
        "  - <code>by_template</code> (where template_id): served by index "
        "idx_notifications_template_id",
        "  - <code>admin_feed</code> (order by created_at): served by index "
        "idx_notifications_created_at",
    ]
    assert f"- notifications.notifications.inbox (query, served by {INBOX_INDEX} before) " in (
        html.unescape(section)
    )
    assert "I306" in markdown.split("Proper indexes defined", 1)[1].split("\n- [", 1)[0]
