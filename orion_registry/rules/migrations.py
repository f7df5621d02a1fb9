"""M: the migration log (documented, multi-step when breaking, ordered, covering every change)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..models import Migration
from .base import Violation, rule
from .context import Context, MigrationRef, Ref

MIGRATION_ID = re.compile(r"^(?P<day>\d{8})(?P<time>\d{6})?_[a-z0-9]+(_[a-z0-9]+)*$")
REQUIRED_TEXT = ("purpose", "rollback")
Stamp = tuple[dt.date, dt.time | None]  # an id's day, and its time when it has one


def id_stamp(migration: Migration) -> Stamp | None:
    """The day (and time, if any) an id's `YYYYMMDD[HHMMSS]` prefix names; None when the id
    is malformed or names no real date and time."""
    match = MIGRATION_ID.match(migration.id)
    if match is None:
        return None
    try:
        day = dt.datetime.strptime(match["day"], "%Y%m%d").date()
        time = dt.datetime.strptime(match["time"], "%H%M%S").time() if match["time"] else None
    except ValueError:
        return None
    return day, time


def id_date(migration: Migration) -> dt.date | None:
    """The day an id's `YYYYMMDD` prefix names; None when the id is malformed or no real date."""
    stamp = id_stamp(migration)
    return stamp[0] if stamp else None


def entry_problems(migration: Migration) -> Iterator[tuple[str, str]]:
    """(key to point at, message) for each problem of one migration entry."""
    if not MIGRATION_ID.match(migration.id):
        yield "id", "is not YYYYMMDD[HHMMSS]_snake_name (e.g. 20251018_add_user_preferences)"
    elif (day := id_date(migration)) is None:
        yield "id", "does not start with a real date and time (YYYYMMDD[HHMMSS])"
    elif migration.date is not None and migration.date != day:
        yield "date", f"has date {migration.date.isoformat()} but its id says {day.isoformat()}"
    if migration.date is None:
        yield "date", "has no date"
    if migration.type is None:
        yield "type", "has no type (non-breaking, breaking or data)"
    for key in REQUIRED_TEXT:
        if not (getattr(migration, key) or "").strip():
            yield key, f"has no {key}"


@rule("M501", "migration-documented", "error", scope="service")
def migration_documented(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every migration entry has a well-formed id, a date, a type, a purpose and a rollback.

    ## What it checks
    Each entry of `migrations:` has an `id` of the form `YYYYMMDD[HHMMSS]_snake_name`
    (Prisma's migration folder name), a `date` equal to the day the id starts with, a
    `type` (`non-breaking`, `breaking` or `data`), a non-empty `purpose` and a non-empty
    `rollback`. Each missing key is its own finding.

    ## Why
    The guide's "Document Migration" step records exactly these facts for every
    migration, and its review checklist asks whether the migration is reversible: a
    rollback nobody wrote down is a rollback nobody can run at 3 a.m. A date that
    disagrees with the id makes the log lie about when the change happened.

    ## Bad
    ```yaml
    migrations:
      - id: AddUserPreferences
        date: 2025-10-18
        type: non-breaking
        purpose: Store user preferences separately from the users table.
    ```

    ## Good
    ```yaml
    migrations:
      - id: 20251018_add_user_preferences
        date: 2025-10-18
        type: non-breaking
        purpose: Store user preferences separately from the users table.
        rollback: Stop creating preferences for new users, then drop the table.
    ```
    """
    for ref in ctx.migrations:
        for key, message in entry_problems(ref.migration):
            yield Violation(ref, f"migration '{ref.migration.id}' {message}", (key,))


@rule(
    "M502",
    "breaking-migration-steps",
    "error",
    options={"min_steps": (2, "the fewest steps a breaking migration's plan may have")},
    scope="service",
)
def breaking_migration_steps(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A breaking migration lists its multi-step plan.

    ## What it checks
    An entry with `type: breaking` has `steps` with at least `min_steps` items
    (default 2): the expand / migrate / contract plan, in order.

    ## Why
    The guide never breaks a schema in one go: add the new column, populate it, deploy
    code that uses it, make it required, then drop the old one. Writing the steps down
    lets the review check that every deployed version works with the schema at each step.

    ## Bad
    ```yaml
    migrations:
      - id: 20251102_rename_old_email
        date: 2025-11-02
        type: breaking
        purpose: Rename users.old_email to users.email.
        rollback: Deploy the previous release.
    ```

    ## Good
    ```yaml
    migrations:
      - id: 20251102_rename_old_email
        date: 2025-11-02
        type: breaking
        purpose: Rename users.old_email to users.email.
        steps:
          - add column users.email (nullable)
          - backfill users.email from users.old_email
          - deploy code that reads users.email
          - set users.email NOT NULL
          - drop column users.old_email
        rollback: Deploy the previous release; users.old_email is kept until step 5.
    ```
    """
    least = int(options["min_steps"])
    for ref in ctx.migrations:
        count = len(ref.migration.steps)
        if ref.migration.type == "breaking" and count < least:
            yield Violation(
                ref,
                f"breaking migration '{ref.migration.id}' lists {count} step(s); a breaking "
                f"change needs a plan of at least {least} (expand, migrate, contract)",
                ("steps",),
            )


def _log_stamp(migration: Migration) -> Stamp | None:
    """When an entry happened: its date (or its id's day), and its id's time if it has one."""
    stamp = id_stamp(migration)
    day = migration.date or (stamp[0] if stamp else None)
    return (day, stamp[1] if stamp else None) if day else None


def _earlier(stamp: Stamp, than: Stamp) -> bool:
    """Earlier day, or the same day and an earlier id time (when both ids have one)."""
    (day, time), (then_day, then_time) = stamp, than
    if day != then_day:
        return day < then_day
    return time is not None and then_time is not None and time < then_time


@rule("M503", "migration-log-ordered", "error", scope="service")
def migration_log_ordered(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Migration ids are unique within a service and entries are in date order.

    ## What it checks
    Within one service no two entries share an `id`, and each entry's `date` (or, without
    one, the day its id starts with) is not earlier than the previous entry's; on the same
    day, two ids that both carry a time (`YYYYMMDDHHMMSS_...`) are in time order, the order
    Prisma applies them in. The finding points at the later entry and names the earlier one.

    ## Why
    The migration log is read top to bottom as the history of the database. A duplicate
    id makes it ambiguous which change a rollback refers to, and an entry out of order
    usually means a merge put a migration in the wrong place, or gave it the wrong date.

    ## Bad
    ```yaml
    migrations:
      - id: 20251102_add_avatar
        date: 2025-11-02
        type: non-breaking
        purpose: Let users upload an avatar.
        rollback: Drop the column.
      - id: 20251018_add_user_preferences
        date: 2025-10-18
        type: non-breaking
        purpose: Store user preferences separately.
        rollback: Drop the table.
    ```

    ## Good
    ```yaml
    migrations:
      - id: 20251018_add_user_preferences
        date: 2025-10-18
        type: non-breaking
        purpose: Store user preferences separately.
        rollback: Drop the table.
      - id: 20251102_add_avatar
        date: 2025-11-02
        type: non-breaking
        purpose: Let users upload an avatar.
        rollback: Drop the column.
    ```
    """
    seen: dict[tuple[str, str], MigrationRef] = {}
    previous: dict[str, tuple[MigrationRef, Stamp]] = {}  # service -> last dated entry
    for ref in ctx.migrations:
        service, migration = ref.doc.name, ref.migration
        first = seen.setdefault((service, migration.id), ref)
        if first is not ref:
            yield Violation(
                ref,
                f"migration id '{migration.id}' is used twice (first at entry "
                f"{int(first.path[-1]) + 1})",
                ("id",),
            )
        stamp = _log_stamp(migration)
        if stamp is None:
            continue
        before = previous.get(service)
        if before is not None and _earlier(stamp, before[1]):
            same_day = stamp[0] == before[1][0]
            yield Violation(
                ref,
                f"migration '{migration.id}' ({_shown(stamp, same_day)}) comes after "
                f"'{before[0].migration.id}' ({_shown(before[1], same_day)}); keep the log in "
                f"date order",
                ("id" if same_day else "date",),
            )
        else:
            previous[service] = (ref, stamp)


def _shown(stamp: Stamp, with_time: bool) -> str:
    day, time = stamp
    return f"{day.isoformat()} {time.isoformat()}" if with_time and time else day.isoformat()


@rule("M504", "migration-covers-changes", "error", needs=("base",))
def migration_covers_changes(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every schema change since the base revision is covered by a new migration entry.

    ## What it checks
    Evaluated by `orion-registry diff --base BASE`, not by `check`: each change between the
    registry at the base revision and now (a table, column, index or enum value added,
    removed or changed) is covered by a migration entry added since the base whose type
    matches. A breaking change - removing or renaming a table or column, changing a type,
    making a column required, removing an enum value - needs `type: breaking` (and so, by
    M502, a multi-step plan).

    An entry covers a change when it was added since the base, sits in the changed
    service, and its `purpose`, `changes` or `steps` name the change (the table; the
    table and column, as in `users.email`; the index, or its table and columns; the enum
    and value; the event). When no new entry names a change, any new entry of that service
    with a suitable type covers it. A breaking change needs `type: breaking` with `steps`;
    `breaking` or `non-breaking` covers a non-breaking one; an entry that names a change
    with the wrong type makes it *mislabelled*. A removed service is covered by a new
    breaking entry in another service that names it. Adding or dropping an event publication
    needs no entry unless another service consumes the event (then it is breaking).
    The log is append-only: editing or deleting an entry that existed at the base is an
    error too.

    ## Why
    The guide's review checklist asks whether "breaking changes [are] documented", and its
    schema change process ends with documenting the migration. A schema edit without a
    log entry, or a breaking one logged as non-breaking, skips the multi-step plan that
    keeps running services working.

    ## Bad
    ```yaml
    # base
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: old_email, type: varchar(255), nullable: true}
    ---
    # Since the base revision, users.old_email was dropped, yet the new entry says:
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    migrations:
      - id: 20251102_drop_old_email
        date: 2025-11-02
        type: non-breaking
        purpose: Drop users.old_email.
        rollback: Re-add the column.
    ```

    ## Good
    ```yaml
    # base
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: old_email, type: varchar(255), nullable: true}
    ---
    # Since the base revision, users.old_email was dropped, and the new entry says:
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    migrations:
      - id: 20251102_drop_old_email
        date: 2025-11-02
        type: breaking
        purpose: Drop users.old_email now that every reader uses users.email.
        steps:
          - deploy code that no longer reads users.old_email
          - drop column users.old_email
        rollback: Re-add users.old_email and backfill it from users.email.
    ```
    """
    for change in ctx.inputs.changes:  # `diff` matched each change to the entries covering it
        if change.problem is None:
            continue
        doc = ctx.registry.services.get(change.service) or (ctx.inputs.base or {}).get(
            change.service
        )
        if doc is None:
            continue
        where = change.place
        yield Violation(
            Ref(doc, (), change.service),
            change.problem,
            target=change.target,
            place=(where.file, where.line, where.column),
        )
