"""Findings of service-scope rules, kept per service file between runs.

A rule that declares `scope="service"` finds on a service only what that service's file
and `orion.yaml` say (`rules/base.py`). So its findings are kept beside the registry's
parse cache (`cache.py`; its `findings/` folder, same entry format), one entry per service
file, keyed by a hash of everything they depend on: the file's bytes and shown path,
`orion.yaml`'s bytes (severities, options, prefix), the day the rules judge on, the rules
that ran, and the code of this package (any upgrade or edit of a rule misses). A run looks
every service up; the rules then run once, on the services that missed, and their findings
are stored per file. A hit gives exactly the findings a run would give
(`tests/test_rule_cache.py` holds the rules to that).

Entries are plain tuples; one that is not a sound list of finding rows is a miss.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import fields, replace
from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary

from . import __version__
from .cache import ParseCache, digest
from .findings import Finding
from .loader import ServiceDoc
from .rules import Rule
from .rules.context import Context

_FIELDS = tuple(f.name for f in fields(Finding))
FOLDER = "findings"


@cache
def _code_digest() -> str:
    """The package's own code: a changed rule must not reuse what the old one found."""
    hashed = hashlib.blake2b(digest_size=16)
    hashed.update(f"{__version__}\0{sys.version}\0".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        hashed.update(path.relative_to(package).as_posix().encode() + b"\0")
        hashed.update(path.read_bytes())
    return hashed.hexdigest()


def _key(ctx: Context, doc: ServiceDoc, codes: str) -> str:
    settings = ctx.registry.settings.digest
    return digest(_code_digest(), settings, doc.file, doc.digest, ctx.today.isoformat(), codes)


def _row(finding: Finding) -> tuple:
    return tuple(getattr(finding, name) for name in _FIELDS)


def _findings(data: object) -> list[Finding] | None:
    """The findings an entry holds, or None when it is not a list of sound rows."""
    if not isinstance(data, list):
        return None
    try:
        found = [Finding(*row) for row in data]
    except TypeError:
        return None
    plain = all(
        isinstance(f.file, str) and isinstance(f.line, int) and isinstance(f.rule, str)
        for f in found
    )
    return found if plain else None


_STORES: WeakKeyDictionary[ParseCache, ParseCache] = WeakKeyDictionary()
# A long-lived store (`mkdocs serve`) also keeps the last run's findings in memory.
_RECENT: WeakKeyDictionary[ParseCache, dict[str, list[Finding]]] = WeakKeyDictionary()


def _kept(store: ParseCache, recent: dict[str, list[Finding]], key: str) -> list[Finding] | None:
    """The findings kept under `key`: from the last run in memory, else from the store."""
    if not key:
        return None
    if key in recent:
        return recent[key]
    return _findings(store.get(key)[1])


def findings_store(parse_cache: ParseCache | None) -> ParseCache | None:
    """Where the findings of a registry loaded through `parse_cache` are kept, if anywhere
    (one store per parse cache, so a long-lived one keeps its findings in memory too)."""
    if parse_cache is None or parse_cache.folder is None:
        return None
    if parse_cache not in _STORES:
        _STORES[parse_cache] = ParseCache(parse_cache.folder / FOLDER)
    return _STORES[parse_cache]


def kept_findings(
    ctx: Context,
    rules: list[Rule],
    store: ParseCache,
    run: Callable[[Context], list[Finding]],
) -> list[Finding]:
    """The findings of service-scope `rules` on every service of `ctx`: kept ones from
    `store`, the rest from `run` on a context of the services that missed."""
    codes = ",".join(sorted(rule.code for rule in rules))
    found: list[Finding] = []
    missed: dict[str, tuple[ServiceDoc, str]] = {}
    recent, now = _RECENT.get(store, {}), {}
    for name, doc in ctx.registry.services.items():
        key = _key(ctx, doc, codes) if doc.digest else ""
        kept = _kept(store, recent, key)
        if kept is None:
            missed[name] = (doc, key)
        else:
            found.extend(kept)
            now[key] = kept
    _RECENT[store] = now
    if not missed:
        return found
    services = {name: doc for name, (doc, _) in missed.items()}
    part = Context(replace(ctx.registry, services=services), ctx.inputs)
    part.today = ctx.today
    fresh = run(part)
    by_file: dict[str, list[Finding]] = {doc.file: [] for doc in services.values()}
    if all(f.file in by_file for f in fresh):  # else a rule looked beyond its service
        for finding in fresh:
            by_file[finding.file].append(finding)
        for doc, key in missed.values():
            if key:
                store.put(key, [_row(f) for f in by_file[doc.file]])
                now[key] = by_file[doc.file]
    return found + fresh
