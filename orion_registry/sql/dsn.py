"""Connection strings (DSNs) read with libpq's own rules, and shown without their secrets.

`parse` uses psycopg's `conninfo` helpers (libpq's parser), so a keyword DSN with spaces
around `=`, quoted values with escaped quotes or spaces, and URLs with percent-encoded or
query-string passwords are read exactly as the driver reads them. Every message built from
a DSN or from a driver error goes through `Secrets.scrub` first: the password (decoded and
as typed), anything that looks like one in a DSN libpq cannot parse, and the whole DSN are
masked, so nothing that fails later can print them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote

from psycopg import conninfo

MASK = "***"
SECRET_KEYS = ("password", "sslpassword")
_MIN_SECRET = 3  # shorter values are not masked inside messages (they would garble them)
_MAX_PORT = 65535
# Where a password may sit in text libpq could not parse (keyword or URL form).
_KEYWORD_SECRET = re.compile(
    r"(?:ssl)?password\s*=\s*(?:'((?:\\.|[^'\\])*)'?|((?:\\.|[^\s\\])+))", re.IGNORECASE
)
_QUERY_SECRET = re.compile(r"[?&](?:ssl)?password=([^&#]*)", re.IGNORECASE)
_URL_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://([^/?#]*)@", re.IGNORECASE)
_SYNTAX_TOKENS = ('"="', '"]"')  # what libpq quotes of its own syntax, not of the input


class DsnError(Exception):
    """A DSN that cannot be used; the message never contains its secrets."""


@dataclass(frozen=True, slots=True)
class Secrets:
    """Every text of one DSN that must not be shown, longest first."""

    texts: tuple[str, ...]

    @classmethod
    def of(cls, dsn: str, params: dict[str, str] | None = None) -> Secrets:
        found = {dsn.strip()}
        for key in SECRET_KEYS:
            if params and params.get(key):
                found.add(params[key])
        env = os.environ.get("PGPASSWORD")
        if env:
            found.add(env)
        found.update(_raw_secrets(dsn))
        kept = {text for text in found if len(text) >= _MIN_SECRET}
        return cls(tuple(sorted(kept, key=lambda text: (-len(text), text))))

    def scrub(self, text: str) -> str:
        for secret in self.texts:
            text = text.replace(secret, MASK)
        return text


@dataclass(frozen=True, slots=True)
class Dsn:
    """A parsed DSN: libpq's keyword -> value map, and what to hide when showing it."""

    params: dict[str, str]
    secrets: Secrets

    def shown(self) -> str:
        """The DSN in keyword form with its secrets masked, for messages."""
        visible = {k: (MASK if k in SECRET_KEYS else v) for k, v in self.params.items()}
        return self.secrets.scrub(conninfo.make_conninfo("", **visible))

    def with_defaults(self, **defaults: str) -> str:
        """The DSN (keyword form) with `defaults` for keys it does not set itself."""
        return conninfo.make_conninfo("", **{**defaults, **self.params})


def parse(dsn: str) -> Dsn:
    """`dsn` read by libpq's rules; DsnError (already redacted) when it is not valid."""
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except Exception as exc:  # psycopg.ProgrammingError, or anything else the parser raises
        secrets = Secrets.of(dsn)
        raise DsnError(
            f"the connection string is not valid libpq syntax: {parse_error(exc, secrets)}"
        ) from None
    parsed = Dsn({k: str(v) for k, v in params.items()}, Secrets.of(dsn, params))
    _check_ports(parsed)
    return parsed


def parse_error(exc: BaseException, secrets: Secrets) -> str:
    """The first line of a parser error, cut where it starts quoting the input: libpq quotes
    the offending token, which may be a piece of the password (or contain quotes itself)."""
    first = secrets.scrub((str(exc).strip().splitlines() or [type(exc).__name__])[0])
    start = 0
    while (quote := first.find('"', start)) >= 0:
        if first[quote : quote + 3] not in _SYNTAX_TOKENS:
            return first[:quote] + '"…"'
        start = quote + 3
    return first


def driver_error(exc: BaseException, secrets: Secrets) -> str:
    """The first line of a driver error, with the DSN's secrets masked."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return secrets.scrub(first)


def _check_ports(parsed: Dsn) -> None:
    ports = parsed.params.get("port", "")
    for port in ports.split(",") if ports else ():
        port = port.strip()
        if port and not (port.isdigit() and 1 <= int(port) <= _MAX_PORT):
            raise DsnError(
                f"invalid port {parsed.secrets.scrub(port)!r} in the connection string "
                f"{parsed.shown()}: expected a number from 1 to {_MAX_PORT}"
            )


def _raw_secrets(dsn: str) -> set[str]:
    """What looks like a password in `dsn`, as typed and decoded, even when libpq cannot
    parse it (so a failing parse cannot echo it)."""
    found: set[str] = set()
    for match in _KEYWORD_SECRET.finditer(dsn):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        found.update({value, re.sub(r"\\(.)", r"\1", value)})
    for match in _QUERY_SECRET.finditer(dsn):
        found.update({match.group(1), unquote(match.group(1))})
    userinfo = _URL_USERINFO.match(dsn.strip())
    if userinfo and ":" in userinfo.group(1):
        password = userinfo.group(1).split(":", 1)[1]
        for end in [i for i, char in enumerate(password) if char == "@"] + [len(password)]:
            found.update({password[:end], unquote(password[:end])})  # libpq ends at the first @
    return {text for text in found if text}
