"""Which migration entry covers each change (M504, in rules/migrations.py, reports the
changes this leaves with a `problem`); the log is append-only.

Which entry covers a change (documented in M504's docstring):

1. Candidates are the entries added since the base (ids the base did not have) in the
   changed service (for a removed service: new entries of any service naming it).
2. An entry *names* a change when the words of its `purpose`, `changes` and `steps`
   include the change's names: the table, the table and column (`users.email`), the
   index (or its table and columns), the enum (and value), the event.
3. The entries naming the change decide; when none names it, any candidate does.
4. A breaking change needs a `breaking` entry with `steps`; a non-breaking one accepts
   `non-breaking` or `breaking`. An entry naming the change with the wrong type makes it
   *mislabelled*; no suitable entry makes it *uncovered*.

Edited or deleted entries that existed at the base are errors too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..changes import Change, words
from ..loader import ServiceDoc
from ..models import Migration


def new_entries(old: ServiceDoc | None, new: ServiceDoc) -> list[Migration]:
    known = {m.id for m in old.model.migrations} if old is not None else set()
    return [m for m in new.model.migrations if m.id not in known]


def _text_words(entry: Migration) -> frozenset[str]:
    return words(entry.purpose, *entry.changes, *entry.steps)


def _suits(entry: Migration, change: Change) -> bool:
    if entry.type == "breaking":
        return bool(entry.steps) or not change.breaking
    return entry.type == "non-breaking" and not change.breaking


def _need(change: Change) -> str:
    return "a `breaking` entry with its steps" if change.breaking else "a `non-breaking` entry"


def cover(
    changes: Iterable[Change],
    base: Mapping[str, ServiceDoc],
    head: Mapping[str, ServiceDoc],
) -> None:
    """Set each change's `status`, `covered_by` and, when the log fails it, `problem`."""
    changes = list(changes)
    fresh: dict[str, list[tuple[Migration, frozenset[str]]]] = {}
    for name in {c.service for c in changes}:
        if name in head:
            fresh[name] = [(m, _text_words(m)) for m in new_entries(base.get(name), head[name])]
    everywhere = [pair for entries in fresh.values() for pair in entries]

    def report(change: Change, message: str) -> None:
        change.problem = message

    for change in changes:
        if change.kind in ("migration.edited", "migration.removed"):
            change.status = "forbidden"
            verb = "editing" if change.kind == "migration.edited" else "deleting"
            report(
                change,
                f"{change.detail}: the migration log is append-only; restore the "
                f"entry and add a new one instead of {verb} an old one",
            )
            continue
        if not change.needs_entry:
            continue
        if change.kind == "service.removed":
            candidates = [(m, w) for m, w in everywhere if m.type == "breaking"]
        else:
            candidates = fresh.get(change.service, [])
        naming = [m for m, w in candidates if any(n <= w for n in change.mentions if n)]
        pool = naming or [m for m, _ in candidates]
        good = [m for m in pool if _suits(m, change)]
        label = "breaking change" if change.breaking else "change"
        if good:
            change.status, change.covered_by = "covered", [m.id for m in good]
        elif naming:
            change.status = "mislabelled"
            shown = ", ".join(
                f"{m.id} (type: {m.type or 'none'}"
                + (", no steps" if m.type == "breaking" else "")
                + ")"
                for m in naming
            )
            report(
                change,
                f"{label} labelled wrong: {change.detail}; the entry naming it, "
                f"{shown}, must be {_need(change)}",
            )
        else:
            change.status = "uncovered"
            others = ", ".join(f"{m.id} ({m.type or 'no type'})" for m in pool)
            hint = f" (new entries here: {others})" if others else ""
            report(
                change,
                f"{label} not covered by a new migration entry: {change.detail}; "
                f"add {_need(change)} that names it{hint}",
            )
