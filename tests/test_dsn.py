"""`drift` never prints a secret of its DSN: on every error path (a DSN libpq cannot parse,
a bad port, a server that cannot be reached, a driver error while reading), neither the
password nor any 4-character piece of it reaches stdout or stderr."""

from __future__ import annotations

import os
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .fuzzing import fuzz_settings
from .helpers import BUNDLED_REGISTRY, run_cli
from .postgres import PgServer

# Letters and signs that the fixed parts of the test DSNs and libpq's messages do not
# string together, so any 4 of them in a row in the output can only come from the password.
PASSWORD_ALPHABET = "QXZJVW" + " '\"\\@:/?#&=%,;!~é€"
passwords = st.text(alphabet=PASSWORD_ALPHABET, min_size=4, max_size=24)
UNREACHABLE = "host=127.0.0.1 port=1 connect_timeout=2"


def pieces(password: str, size: int = 4) -> set[str]:
    return {password[i : i + size] for i in range(len(password) - size + 1)}


def assert_hidden(password: str, *outputs: str) -> None:
    for output in outputs:
        leaked = sorted(piece for piece in pieces(password) if piece in output)
        assert not leaked, f"{leaked} of the password in {output!r}"


def keyword_value(value: str) -> str:
    """`value` quoted as libpq's keyword syntax wants it."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def drift(dsn: str, service: str = "user") -> tuple[int, str, str]:
    return run_cli("drift", "--service", service, "--dsn", dsn, "--registry", str(BUNDLED_REGISTRY))


MALFORMED_URLS = [
    "postgresql://orion:{pw}@[fd00::7/orion_user",  # IPv6 bracket never closed
    "postgresql://orion:{pw}@db.internal:54x2/orion_user",  # port is not a number
    "postgresql://orion:{pw}@db.internal:70000/orion_user",  # port out of range
    "postgresql://orion:{pw}@db1:5432,db2:5o33/orion_user",  # bad port in a host list
    "postgresql://orion:{pw}@db1:5432,[fd00::8:5433/orion_user",  # bracket in a host list
    "postgresql://orion:{pw}@db/orion_user?sslmode=require&nosuch=1",  # unknown parameter
    "postgresql://orion:{pw}%G1@db/orion_user",  # broken percent escape after the password
]


@fuzz_settings(50)
@given(password=passwords, template=st.sampled_from(MALFORMED_URLS))
def test_malformed_url_dsn_exits_2_without_the_password(password: str, template: str) -> None:
    code, out, err = drift(template.format(pw=quote(password, safe="")))
    assert code == 2 and out == ""
    assert "Traceback" not in err and err.startswith("orion-registry: error:")
    assert_hidden(password, out, err)


KEYWORD_FORMS = [
    "host = 127.0.0.1 port = 1 password = {q} connect_timeout = 2",  # spaces around =
    "password={q} " + UNREACHABLE,
    UNREACHABLE + " password ={q}",
    "password={q} host=127.0.0.1 port=70000",  # parses, bad port
    "password={q} host=127.0.0.1 port=1,2x",  # parses, bad port in a list
    "password={q} host=127.0.0.1 = nonsense",  # does not parse after the password
    "host=127.0.0.1 password={q} nosuchoption=1",  # unknown option
    "host=127.0.0.1 password={raw}",  # unquoted: spaces and quotes end or break the value
    "host=127.0.0.1 password='{raw}",  # quote never closed
]


@fuzz_settings(50)
@given(password=passwords, template=st.sampled_from(KEYWORD_FORMS))
def test_keyword_dsn_exits_2_without_the_password(password: str, template: str) -> None:
    dsn = template.format(q=keyword_value(password), raw=password)
    code, out, err = drift(dsn)
    assert code == 2 and out == ""
    assert "Traceback" not in err and err.startswith("orion-registry: error:")
    assert_hidden(password, out, err)


@fuzz_settings(30)
@given(password=passwords)
def test_unreachable_url_dsn_exits_2_without_the_password(password: str) -> None:
    dsn = f"postgresql://orion:{quote(password, safe='')}@127.0.0.1:1/orion_user?connect_timeout=2"
    code, out, err = drift(dsn)
    assert code == 2 and out == "" and "cannot connect to" in err
    assert_hidden(password, out, err)


def test_escaped_space_and_quote_in_a_password_are_read_as_libpq_reads_them() -> None:
    from orion_registry.sql.dsn import parse

    parsed = parse(r"host = db  password = 'Zq\'x y\\w'  user=orion")
    assert parsed.params["password"] == "Zq'x y\\w"
    parsed = parse(r"host=db password=Qv\ Xw\ Jk user=orion")
    assert parsed.params["password"] == "Qv Xw Jk"
    assert "Qv" not in parsed.shown() and "Xw" not in parsed.shown()
    assert sorted(parsed.shown().split()) == ["host=db", "password=***", "user=orion"]


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://u:QXZJ%20W@db:5432/x",
        "postgresql://u@db/x?password=QXZJ%20W&sslmode=require",
        "host=db password=QXZJ\\ W dbname=x",
        "host=db password = 'QXZJ W' dbname=x",
    ],
)
def test_shown_dsn_keeps_everything_but_the_password(dsn: str) -> None:
    from orion_registry.sql.dsn import parse

    shown = parse(dsn).shown()
    assert "QXZJ" not in shown and "password=***" in shown and "host=db" in shown


def test_bad_port_is_named_without_the_password() -> None:
    from orion_registry.sql.dsn import DsnError, parse

    with pytest.raises(DsnError, match=r"invalid port '99x'") as caught:
        parse("postgresql://u:QXZJVW@db:99x/x")
    assert "QXZJ" not in str(caught.value)


def test_pgpassword_in_the_environment_is_left_alone(monkeypatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "QXZJ-env-secret")
    code, out, err = drift(UNREACHABLE)
    assert code == 2 and "cannot connect to" in err
    assert "QXZJ" not in out + err and "env-secret" not in out + err
    assert os.environ["PGPASSWORD"] == "QXZJ-env-secret"


def test_a_driver_error_while_reading_is_redacted(monkeypatch) -> None:
    """A driver error after connecting (here forced) quotes the DSN: it is redacted."""
    from orion_registry.sql import introspect

    dsn = "host=db.example password=QXZJ-in-error user=orion"

    class FakeConnection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def failing_read(conn, schema):
        raise psycopg.OperationalError(f"lost {dsn} (password QXZJ-in-error)\nmore")

    monkeypatch.setattr(introspect.psycopg, "connect", lambda *a, **k: FakeConnection())
    monkeypatch.setattr(introspect, "read_schema", failing_read)
    code, out, err = drift(dsn)
    assert code == 2 and out == "" and "cannot read schema 'public'" in err
    assert "QXZJ" not in err and "in-error" not in err


def test_missing_service_and_registry_errors_do_not_show_the_dsn(tmp_path) -> None:
    dsn = "postgresql://u:QXZJ-usage@127.0.0.1:1/x"
    for argv in (
        ["--service", "nosuch", "--registry", str(BUNDLED_REGISTRY)],
        ["--service", "user", "--registry", str(tmp_path / "none")],
    ):
        code, out, err = run_cli("drift", *argv, "--dsn", dsn)
        assert code == 2 and "QXZJ" not in out + err


@pytest.mark.system
def test_server_errors_and_findings_do_not_show_the_password(pg_server: PgServer) -> None:
    """A real server: a missing database (a server-side error) and a successful run with
    drift (every table missing) print no secret."""
    url = f"postgresql://postgres:QXZJ%27live@{pg_server.host}:{pg_server.port}"
    code, out, err = drift(f"{url}/no_such_database")
    assert code == 2 and "no_such_database" in err and "QXZJ" not in err
    code, out, err = drift(f"{url}/postgres")
    assert code == 1 and "D70" in out
    assert "QXZJ" not in out + err and "'live" not in out + err
