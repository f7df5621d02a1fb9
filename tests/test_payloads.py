"""R407 and diff's impact through event payloads: dropping `users.email` while
`user.created`'s payload still lists `email` is a finding, and the event's consumers are
impacted. Payload fields that never were columns (`changes`) are not judged."""

from __future__ import annotations

import pytest

from .test_diff import Repo, column, table


@pytest.fixture
def repo(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)
    return Repo(tmp_path)


def r407(payload: dict) -> list[dict]:
    return [f for f in payload["findings"] if f["rule"] == "R407"]


def drop_email(data: dict) -> None:
    table(data, "users")["columns"].remove(column(data, "users", "email"))


def test_a_dropped_column_still_in_a_payload_is_a_finding_and_an_impact(repo: Repo) -> None:
    repo.edit("user", drop_email)
    repo.commit("drop users.email")
    code, payload, _ = repo.diff()
    assert code == 1
    [finding] = r407(payload)
    assert finding["target"] == "user.user.created"
    assert (
        "payload field 'email' of event 'user.created' named column users.email"
        in (finding["message"])
    )
    line = repo.file("user").read_text().splitlines()[finding["line"] - 1]
    assert line.strip() in ("- email", "payload: [user_id, account_id, email, name]")
    [change] = [c for c in payload["changes"] if c["kind"] == "column.removed"]
    readers = [i for i in change["impacted"] if i["via"].startswith("payload of user.created")]
    assert {i["service"] for i in readers} == {"notifications"}


def test_dropping_it_from_the_payload_too_is_clean(repo: Repo) -> None:
    def change(data: dict) -> None:
        drop_email(data)
        for event in data["events"]["publishes"]:
            event["payload"] = [f for f in event.get("payload", []) if f != "email"]

    repo.edit("user", change)
    repo.commit("drop users.email and the payload field")
    _, payload, _ = repo.diff()
    assert r407(payload) == []
    [removed] = [c for c in payload["changes"] if c["kind"] == "column.removed"]
    assert not any(i["via"].startswith("payload of") for i in removed["impacted"])


def test_fields_that_never_were_columns_are_not_judged(repo: Repo) -> None:
    def change(data: dict) -> None:
        table(data, "users")["columns"].remove(column(data, "users", "avatar_url"))

    repo.edit("user", change)
    repo.commit("drop users.avatar_url")
    _, payload, _ = repo.diff()
    assert r407(payload) == []  # `changes`, `updated_at`... are not columns that went away


def test_r407_can_be_switched_off(repo: Repo) -> None:
    repo.edit("user", drop_email)
    settings = repo.registry / "orion.yaml"
    settings.write_text(settings.read_text().replace("rules:\n", "rules:\n  R407: 'off'\n"))
    repo.commit("drop users.email, R407 off")
    _, payload, _ = repo.diff()
    assert r407(payload) == []
