"""A change between two versions of the registry: its kind, target and place, whether it
breaks and needs a migration entry, and (filled in later) its coverage and impact.

`diff/comparison.py` finds the changes; `diff/coverage.py` and `diff/impact.py` complete
them. It lives outside `diff/` because rules read changes too (M504).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .loader import ServiceDoc

Path = tuple[str | int, ...]
# What dependents hang on: ("service", svc, *its published events) | ("table", svc, t)
# | ("column", svc, t, c)
# | ("enum", svc, name, db_name) | ("event", name)
Subject = tuple[str, ...]
_WORD = re.compile(r"[a-z0-9_]+")


@dataclass(frozen=True, slots=True)
class Place:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Impact:
    """A dependency of another object on a changed one."""

    service: str
    target: str  # the dependent object, e.g. notifications.notifications.email
    via: str  # references | copy_of | consumes | sync events | enum type | payload of <event>
    file: str
    line: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "target": self.target,
            "via": self.via,
            "file": self.file,
            "line": self.line,
        }


@dataclass(slots=True)
class Change:
    kind: str  # e.g. column.removed, see classify.py
    service: str
    target: str  # as in the format contract: service.table.column...
    detail: str
    breaking: bool
    needs_entry: bool
    place: Place
    mentions: tuple[frozenset[str], ...] = ()  # word sets a migration entry names it by
    subject: Subject | None = None
    status: str = "not-required"  # covered | uncovered | mislabelled | not-required
    covered_by: list[str] = field(default_factory=list)
    problem: str | None = None  # why the migration log does not cover it (M504 reports it)
    impacted: list[Impact] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "target": self.target,
            "breaking": self.breaking,
            "covered_by": self.covered_by,
            "impacted": [i.as_dict() for i in self.impacted],
            "detail": self.detail,
            "service": self.service,
            "status": self.status,
            "file": self.place.file,
            "line": self.place.line,
        }


def words(*names: str | None) -> frozenset[str]:
    """The lower-case words of names: `users.email` -> {users, email}."""
    return frozenset(w for name in names if name for w in _WORD.findall(name.lower()))


def place(doc: ServiceDoc, path: Path, key: bool = False) -> Place:
    return Place(doc.file, *doc.source.locate(path, key=key))
