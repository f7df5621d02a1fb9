"""Property-based fuzz: random and mutated input never gives a traceback.

* the loader and the rules: random bytes, and the bundled service files mutated (bytes
  flipped, cut, repeated, YAML syntax spliced in) -> findings, never an exception;
* the Prisma parser and importer: the corpus schemas (../shared/corpus) mutated the same
  way with Prisma syntax -> a schema or a located PrismaSyntaxError;
* the DSN handling: random and mutated connection strings -> a parsed DSN or a DsnError,
  and a well-formed DSN's password never shows in what it prints.

The suite runs a bounded, fixed set of examples (tests/fuzzing.py); a long run by hand:
`python benchmarks/fuzz.py` (ORION_FUZZ_EXAMPLES=10000).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_registry.engine import check_registry
from orion_registry.loader import Registry, SettingsDoc, load_service_file
from orion_registry.models import Settings
from orion_registry.prisma.ast import Schema
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import PrismaSyntaxError, parse_text
from orion_registry.prisma.writer import service_yaml
from orion_registry.sql.dsn import DsnError, parse

from .fuzzing import fuzz_settings
from .helpers import BUNDLED_REGISTRY, SHARED
from .test_dsn import PASSWORD_ALPHABET, keyword_value, pieces

SERVICE_FILES = [p.read_bytes() for p in sorted((BUNDLED_REGISTRY / "services").glob("*.yaml"))]
CORPUS = sorted((SHARED / "corpus").rglob("*.prisma"))
YAML_BITS = [
    b"&a ", b"*a", b"<<: *a\n", b"!!python/object:os.system ", b"!!binary ", b"\t", b"\x00",
    b"---\n", b"...\n", b"{", b"}", b"[", b"]", b": ", b"- ", b'"', b"'", b"\\u12",
    b"%YAML 1.1\n", b"? ", b"|\n", b">-\n", b"#", b"\xff\xfe", b"\xe2\x80\xae", b"\r\n", b"~",
    b"0x1F", b"9999-99-99",
    b"2024-02-30", b"1e999", b"-.inf", b"null", b"yes", b"on", b"\xef\xbb\xbf", b" " * 70,
]  # fmt: skip
PRISMA_BITS = [
    "{", "}", "(", ")", "[", "]", "@", "@@", "?", "[]", '"', "\\", "=", ":", ",", ".", "//",
    "///", "/*", "*/", "\n", "model ", "enum ", "type ", "view ", "datasource ", "generator ",
    "@default(", "@relation(fields: [", "@@index([", "@db.VarChar(", "Unsupported(\"",
    "dbgenerated(",
    "autoincrement()", "now()", "\u202e", "\x00", "1e309", "-", "Int", "String?", "@@map(",
    "@@id([", "@@unique([", "@id", "@unique", "@map(", "references: [", "onDelete: Cascade",
    "(((((((", "[[[[[[", "\ufeff",
]  # fmt: skip


def mutate(data: st.DataObject, base: bytes | str, bits: list) -> bytes | str:
    """`base` with a few random edits: flip, cut, repeat or splice in a syntax piece."""
    text = base
    for _ in range(data.draw(st.integers(1, 6), label="edits")):
        size = len(text)
        at = data.draw(st.integers(0, size), label="at")
        end = data.draw(st.integers(at, min(size, at + 64)), label="end")
        edit = data.draw(st.sampled_from(["insert", "delete", "repeat", "replace"]), label="edit")
        piece = data.draw(st.sampled_from(bits), label="piece")
        if edit == "insert":
            text = text[:at] + piece + text[at:]
        elif edit == "delete":
            text = text[:at] + text[end:]
        elif edit == "repeat":
            text = text[:end] + text[at:end] * data.draw(st.integers(2, 40)) + text[end:]
        else:
            text = text[:at] + piece + text[end:]
    return text


def load_and_check(raw: bytes) -> None:
    """Load `raw` as a service file and, when it loads, run every rule on it."""
    findings: list = []
    path = BUNDLED_REGISTRY / "services" / "fuzz.yaml"
    doc = load_service_file(path, "services/fuzz.yaml", findings, raw=raw)
    if doc is not None:
        registry = Registry(
            BUNDLED_REGISTRY, SettingsDoc("orion.yaml", Settings()), {doc.name: doc}, findings
        )
        check_registry(registry)
    for finding in findings:
        assert finding.line >= 1 and finding.column >= 1 and finding.rule.startswith("L")


@fuzz_settings(200)
@given(raw=st.binary(max_size=2000))
def test_loader_random_bytes(raw: bytes) -> None:
    load_and_check(raw)


@fuzz_settings(200)
@given(data=st.data())
def test_loader_mutated_service_files(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from(SERVICE_FILES), label="file")
    raw = mutate(data, base, YAML_BITS)
    load_and_check(
        raw.replace(b"service: ", b"service: fuzz #", 1) if data.draw(st.booleans()) else raw
    )


def import_text(text: str) -> None:
    try:
        blocks = parse_text(text, "fuzz.prisma")
        data, _ = import_schema(Schema(blocks, ["fuzz.prisma"]), "fuzz", "orion_fuzz")
    except PrismaSyntaxError as exc:
        assert exc.line >= 1 and exc.column >= 1 and exc.file == "fuzz.prisma"
        return
    service_yaml(data, ["fuzz"])


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not there")
@fuzz_settings(200)
@given(data=st.data())
def test_prisma_mutated_corpus(data: st.DataObject) -> None:
    path: Path = data.draw(st.sampled_from(CORPUS), label="schema")
    import_text(mutate(data, path.read_text(encoding="utf-8"), PRISMA_BITS))


@fuzz_settings(200)
@given(
    text=st.lists(st.sampled_from(PRISMA_BITS + list("abcXYZ09 _\n")), max_size=120).map("".join)
)
def test_prisma_random_text(text: str) -> None:
    import_text(text)


DSN_BITS = [
    "postgresql://", "postgres://", "@", ":", "/", "?", "&", "=", "%", "%2", "%ZZ", "[", "]",
    "[::1]", ",", "'", "\\", " ", "password=", "host=", "port=", "99999", "-1", "5o32", "\x00",
    "sslmode=require", "options=-c x=1", "\u202e", "dbname=", "user=",
]  # fmt: skip
passwords = st.text(alphabet=PASSWORD_ALPHABET, min_size=4, max_size=16)


def parse_quietly(dsn: str) -> str:
    """What `parse` lets a user see of `dsn`: the shown DSN or the error message."""
    try:
        return parse(dsn).shown()
    except DsnError as exc:
        return str(exc)


@fuzz_settings(200)
@given(data=st.data(), password=passwords)
def test_dsn_mutated(data: st.DataObject, password: str) -> None:
    base = data.draw(
        st.sampled_from(
            [
                "postgresql://orion:{u}@db.internal:5432/orion_user?sslmode=require",
                "postgresql://orion:{u}@[fd00::1]:5432,db2:5433/orion_user",
                "host=db.internal port=5432 user=orion password={k} dbname=orion_user",
                "host = db password = {k} port = 5432",
            ]
        )
    )
    dsn = base.format(u=quote(password, safe=""), k=keyword_value(password))
    shown = parse_quietly(dsn)  # well-formed: the password never shows
    assert not [piece for piece in pieces(password) if piece in shown]
    parse_quietly(mutate(data, dsn, DSN_BITS))  # mutated: no exception but DsnError


@fuzz_settings(200)
@given(dsn=st.lists(st.sampled_from(DSN_BITS + list("abQXZ09")), max_size=40).map("".join))
def test_dsn_random(dsn: str) -> None:
    parse_quietly(dsn)
