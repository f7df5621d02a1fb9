"""R: relationships across services (no cross-database FKs, targets exist, data stays in sync)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from ..lang.pgtypes import normalize
from ..lang.words import normal_name, singularize
from ..models import Link, Service
from .base import Violation, rule
from .columns import is_own_identifier, name_of
from .context import ColumnRef, Context, Ref
from .migration_sql import cross_database_references

Key = tuple[str | int, ...]
# The last part of an event name that says the owner's data changed: user.updated, email_changed.
_UPDATE_EVENT = re.compile(r"(^|[._])(updated|changed|modified|renamed|replaced|upserted|synced)$")


@dataclass(frozen=True, slots=True)
class LinkUse:
    """One `references` or `copy_of` of a column, with its target parsed."""

    ref: ColumnRef
    kind: str  # "references" | "copy_of"
    column: str  # the target as written
    link: Link | None  # None for a bare `references: table.column` string
    target: tuple[str, str, str] | None  # (service, table, column); None when malformed

    @property
    def service(self) -> str:
        return self.ref.doc.name

    @property
    def at(self) -> Key:
        """Where the target is written."""
        return (self.kind,) if self.link is None else (self.kind, "column")

    @property
    def cross_service(self) -> bool:
        return self.target is not None and self.target[0] != self.service

    @property
    def events(self) -> list[str]:
        return self.link.events if self.link is not None else []

    def key(self, *more: str | int) -> Key:
        return (self.kind, *more)


def parse_target(column: str, own_service: str) -> tuple[str, str, str] | None:
    """`table.column` (this service) or `service.table.column`; None when malformed."""
    parts = column.split(".")
    if not all(p.strip() for p in parts):
        return None
    if len(parts) == 2:
        return own_service, parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return None


_LINKS: WeakKeyDictionary[Context, list[LinkUse]] = WeakKeyDictionary()


def links(ctx: Context) -> list[LinkUse]:
    """Every `references` and `copy_of` of the registry, computed once per run."""
    if ctx not in _LINKS:
        found = []
        for ref in ctx.linked_columns:
            col = ref.column
            for kind, value in (("references", col.references), ("copy_of", col.copy_of)):
                if value is None:
                    continue
                link = None if isinstance(value, str) else value
                column = value if isinstance(value, str) else value.column
                found.append(LinkUse(ref, kind, column, link, parse_target(column, ref.doc.name)))
        _LINKS[ctx] = found
    return _LINKS[ctx]


def table_owners(ctx: Context) -> dict[str, list[str]]:
    """Table name -> the services that have a table of that name."""
    owners: dict[str, list[str]] = {}
    for service, table in ctx.table_index:
        owners.setdefault(table, []).append(service)
    return owners


def foreign_table_owner(use: LinkUse, ctx: Context, owners: dict[str, list[str]]) -> str | None:
    """For a 2-part reference to a table this service lacks: the other service that has it."""
    if use.kind != "references" or use.target is None or use.column.count(".") != 1:
        return None
    service, table, _ = use.target
    if (service, table) in ctx.table_index:
        return None
    return next((s for s in owners.get(table, ()) if s != service), None)


@rule("R401", "no-cross-database-foreign-key", "error")
def no_cross_database_fk(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """No foreign key points into another service's database.

    ## What it checks
    A `references` or `copy_of` naming another service (`service.table.column`) must not
    say `foreign_key: true`. A two-part `references: table.column` is a same-database
    foreign key, so it is also reported when this service has no such table but another
    service does: the author wrote a foreign key to the other service's table.
    When the service declares `migrations_dir:`, its migration SQL is read too: a
    `REFERENCES` to a table neither its registry file nor its migrations create is
    reported at that line of `migration.sql`.

    ## Why
    "NEVER create foreign keys between databases." Each service owns its own PostgreSQL
    database; a constraint across them either cannot be created or couples two services'
    deployments, migrations and outages. The relationship is kept at the application
    level and synchronised by events instead.

    ## Bad
    ```yaml
    service: auth
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - {name: auth.user_created, payload: [user_id]}
    ---
    service: user
    tables:
      - name: user_notifications
        model: UserNotification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: user_id
            type: uuid
            references:
              column: auth.users.id
              foreign_key: true
              sync: event
              events: [auth.user_created]
        indexes:
          - {name: idx_user_notifications_user_id, columns: [user_id]}
    ```

    ## Good
    ```yaml
    service: auth
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - {name: auth.user_created, payload: [user_id]}
    ---
    service: user
    tables:
      - name: user_notifications
        model: UserNotification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: user_id
            type: uuid
            references: {column: auth.users.id, sync: event, events: [auth.user_created]}
        indexes:
          - {name: idx_user_notifications_user_id, columns: [user_id]}
    ```
    """
    owners = table_owners(ctx)
    for use in links(ctx):
        if use.cross_service and use.link is not None and use.link.foreign_key:
            yield Violation(
                use.ref,
                f"'{use.ref.column.name}' has a foreign key to {use.column} in another "
                "service's database; drop foreign_key and keep it consistent with sync",
                use.key("foreign_key"),
            )
        elif (other := foreign_table_owner(use, ctx, owners)) is not None:
            _, table, column = use.target  # type: ignore[misc]
            yield Violation(
                use.ref,
                f"'{use.ref.column.name}' references '{use.column}' as a same-database "
                f"foreign key, but table '{table}' belongs to service '{other}'; write "
                f"references: {{column: {other}.{table}.{column}, sync: ...}} instead",
                use.at,
            )
    yield from cross_database_references(ctx)


@rule("R402", "reference-target-exists", "error")
def reference_target_exists(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every reference and copy target exists and has the same type.

    ## What it checks
    The column named by `references` or `copy_of` - `table.column` in this service or
    `service.table.column` - exists, and its type is the same as the referring column's
    (spellings of one type are equal: `varchar(255)` and `character varying(255)`).
    Targets in a service file that failed to load are skipped. A two-part reference to
    another service's table is R401's finding, not this one's.

    ## Why
    Without foreign keys nothing in the database checks an application-level
    relationship: the registry is its only documentation. A reference to a renamed table,
    or a `text` copy of a `uuid`, is a bug waiting for the first join or comparison.

    ## Bad
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: text, references: users.id}
        indexes:
          - {name: idx_sessions_user_id, columns: [user_id]}
    ```

    ## Good
    ```yaml
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
      - name: sessions
        model: Session
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, references: users.id}
        indexes:
          - {name: idx_sessions_user_id, columns: [user_id]}
    ```
    """
    owners = table_owners(ctx)
    loaded = set(ctx.registry.services)
    # An enum type may be written by its name or its db_name: compare one spelling.
    enum_spelling = {(e.doc.name, e.enum.db_name): e.enum.name for e in ctx.enums if e.enum.db_name}

    def type_of(ref: ColumnRef) -> str:
        return normalize(enum_spelling.get((ref.doc.name, ref.column.type), ref.column.type))

    for use in links(ctx):
        name = use.ref.column.name
        if use.target is None:
            yield Violation(
                use.ref,
                f"'{name}' {use.kind} '{use.column}': write table.column (this service) "
                "or service.table.column (another service)",
                use.at,
            )
            continue
        service, table, _ = use.target
        if service in ctx.unloaded_services or foreign_table_owner(use, ctx, owners):
            continue
        target = ctx.column_at(*use.target)
        if service not in loaded:
            problem = f"names service '{service}', which does not exist"
        elif target is None:
            where = "table" if (service, table) not in ctx.table_index else "column"
            problem = f"names {where} '{use.column}', which does not exist in service '{service}'"
        elif type_of(target) != type_of(use.ref):
            problem = (
                f"is {use.ref.column.type} but its target {target.target} is {target.column.type}"
            )
        else:
            continue
        yield Violation(use.ref, f"'{name}' ({use.kind}) {problem}", use.at)


def sync_problem(use: LinkUse) -> tuple[Key, str] | None:
    """Why a cross-service link does not say how it stays consistent; None when it does."""
    link, what = use.link, f"{use.kind} {use.column}"
    if link is None:
        return use.at, (
            f"{what} is a bare string that does not say how it stays consistent; write "
            f"references: {{column: {use.column}, sync: event, events: [...]}}"
        )
    if link.sync is None:
        return use.at, (
            f"{what} declares no sync: event (with events), api (with endpoint) "
            "or cache (with ttl_seconds)"
        )
    if link.sync == "event" and not link.events:
        return use.key("sync"), f"{what} has sync: event but lists no events"
    if link.sync == "api" and not (link.endpoint or "").strip():
        return use.key("sync"), f"{what} has sync: api but names no endpoint"
    if link.sync == "cache" and not link.ttl_seconds:
        return use.key("sync"), f"{what} has sync: cache but no positive ttl_seconds"
    return None


@rule("R403", "cross-service-sync", "error")
def cross_service_sync(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every cross-service reference and every copy declares how it stays consistent.

    ## What it checks
    A `references` naming another service, and every `copy_of`, has a `sync`:
    `event` with a non-empty `events` list, `api` with an `endpoint`, or `cache` with a
    positive `ttl_seconds` (its `events` that invalidate the cache are optional: the TTL
    alone bounds how stale it gets; events listed are checked by R404). A bare string
    `references: user.users.id` says nothing, so it is reported with the mapping form
    to use.

    ## Why
    Without foreign keys, consistency between services is the application's job, and
    the guide names three ways: synchronise via events, fetch on demand from the owner's
    API, or denormalise with a cache. A reference that names none of them is data that
    silently drifts from its owner.

    ## Bad
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: user_id, type: uuid, references: user.users.id}
        indexes:
          - {name: idx_notifications_user_id, columns: [user_id]}
    ```

    ## Good
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: user_id
            type: uuid
            references:
              column: user.users.id
              sync: api
              endpoint: "GET /api/v1/users/{id}"
        indexes:
          - {name: idx_notifications_user_id, columns: [user_id]}
    ```
    """
    for use in links(ctx):
        if use.kind == "copy_of" or use.cross_service:
            problem = sync_problem(use)
            if problem is not None:
                key, message = problem
                yield Violation(use.ref, f"'{use.ref.column.name}': {message}", key)


def _event_owner_problem(event: str, owner: str, ctx: Context) -> str | None:
    publishers = ctx.publishers.get(event, set())
    if owner in publishers:
        return None
    others = f" (published by {', '.join(sorted(publishers))})" if publishers else ""
    return f"event '{event}' is not published by '{owner}'{others}"


def _consumed_owner(event: str, ctx: Context) -> str | None:
    """The service an event name's prefix names (`auth.account_deleted` -> auth), if any."""
    prefix = event.split(".", 1)[0]
    return prefix if prefix in ctx.registry.services or prefix in ctx.unloaded_services else None


@rule("R404", "event-published", "error")
def event_published(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """Every event named in a sync, or consumed, is published by the service that owns the data.

    ## What it checks
    Each event in a `references` / `copy_of` `events:` list is in the `events.publishes`
    of the target's service. Each event in `events.consumes` is published by the service
    its name starts with (`auth.account_deleted` -> `auth`) when such a service exists,
    otherwise by some service. Events of a service whose file failed to load are skipped.

    ## Why
    Event-driven synchronisation only works if someone emits the event. A consumer
    waiting for `user.email_changed` when the user service publishes `user.updated`
    never updates its copy, and nothing fails loudly: the data just goes stale.

    ## Bad
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - {name: user.created, payload: [user_id]}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: user_id
            type: uuid
            references: {column: user.users.id, sync: event, events: [user.created, user.removed]}
        indexes:
          - {name: idx_notifications_user_id, columns: [user_id]}
    events:
      consumes: [user.created]
    ```

    ## Good
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - {name: user.created, payload: [user_id]}
        - {name: user.deleted, payload: [user_id]}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: user_id
            type: uuid
            references: {column: user.users.id, sync: event, events: [user.created, user.deleted]}
        indexes:
          - {name: idx_notifications_user_id, columns: [user_id]}
    events:
      consumes: [user.created, user.deleted]
    ```
    """
    loaded = ctx.registry.services
    for use in links(ctx):
        owner = use.target[0] if use.target else None
        if owner not in loaded:
            continue  # malformed, unknown (R402) or unloaded: nothing to check against
        for i, event in enumerate(use.events):
            problem = _event_owner_problem(event, owner, ctx)
            if problem is not None:
                yield Violation(use.ref, problem, use.key("events", i))
    for service in ctx.services:
        for i, event in enumerate(service.service.events.consumes):
            owner = _consumed_owner(event, ctx)
            if owner in ctx.unloaded_services or (owner is None and ctx.unloaded_services):
                continue
            if owner is None and event in ctx.publishers:
                continue
            problem = (
                _event_owner_problem(event, owner, ctx)
                if owner is not None
                else f"event '{event}' is published by no service"
            )
            if problem is not None:
                yield Violation(service, f"consumed {problem}", ("events", "consumes", i))


def is_update_event(event: str) -> bool:
    return bool(_UPDATE_EVENT.search(event))


def freshness_problem(use: LinkUse, ctx: Context) -> tuple[Key, str] | None:
    """Why a copy is not refreshed; None when it is (or when R403 already reports it)."""
    link = use.link
    if link is None or link.sync is None or (link.sync == "event" and not link.events):
        return None  # no usable sync at all: R403's finding
    if link.sync == "cache":
        return None  # a TTL bounds staleness; a cache without one is R403's finding
    if link.sync == "api":
        return use.key("sync"), (
            "is a copy fetched once through the API and never refreshed; use sync: event "
            "with an update event of its owner, or sync: cache with ttl_seconds"
        )
    owner = use.target[0] if use.target else None
    if owner is None or owner not in ctx.registry.services:
        return None  # target unknown or unloaded: R402 decides
    if any(is_update_event(e) and owner in ctx.publishers.get(e, ()) for e in link.events):
        return None
    published = ctx.registry.services[owner].model.events.publishes
    updates = [e.name for e in published if is_update_event(e.name)] or [f"{owner}.updated"]
    return use.key("events"), (
        f"is refreshed by no update event of '{owner}' (e.g. {', '.join(updates)}); "
        f"listed: {', '.join(link.events)}"
    )


@rule("R405", "copy-refreshed", "error")
def copy_refreshed(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A denormalised copy is refreshed by an update event of its owner or a cache TTL.

    ## What it checks
    A `copy_of` with `sync: event` lists at least one event that its owner publishes and
    whose name says the data changed (`user.updated`, `user.email_changed`,
    `account_modified`...); `user.created` alone fills the copy once and never again.
    A `copy_of` with `sync: cache` has a `ttl_seconds`. A copy with `sync: api` only is
    reported: a value fetched once and stored is not refreshed. A copy with no usable
    sync at all is R403's finding.

    ## Why
    The guide's example is keeping the user's email in sync across services: the copy is
    updated when the owner publishes `user.updated`, or expires from a cache after a
    TTL. A copy with neither keeps the old email forever.

    ## Bad
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    events:
      publishes:
        - {name: user.created, payload: [user_id, email]}
        - {name: user.updated, payload: [user_id, changes]}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: email
            type: varchar(255)
            copy_of: {column: user.users.email, sync: event, events: [user.created]}
    ```

    ## Good
    ```yaml
    service: user
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255), unique: true}
    events:
      publishes:
        - {name: user.created, payload: [user_id, email]}
        - {name: user.updated, payload: [user_id, changes]}
    ---
    service: notifications
    tables:
      - name: notifications
        model: Notification
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - name: email
            type: varchar(255)
            copy_of: {column: user.users.email, sync: event, events: [user.created, user.updated]}
    ```
    """
    for use in links(ctx):
        if use.kind == "copy_of":
            problem = freshness_problem(use, ctx)
            if problem is not None:
                key, message = problem
                yield Violation(use.ref, f"copy '{use.ref.column.name}' {message}", key)


def _is_own_id(ref: ColumnRef) -> bool:
    """The column is its table's sole primary key and is named after the table."""
    keys = [c for c in ref.table.columns if ref.table.is_key(c)]
    if len(keys) != 1 or keys[0] is not ref.column:
        return False
    stem = name_of(ref.column).removesuffix("_id")
    table = normal_name(ref.table.name)
    *head, last = table.split("_")
    singular = "_".join([*head, singularize(last)])
    return table.endswith(stem) or singular.endswith(stem)


@rule("R406", "id-documents-target", "warning", scope="service")
def id_documents_target(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """A column named `*_id` documents what it points at.

    ## What it checks
    Every column whose name ends in `_id` has `references` (what it points at, in this
    service or another), a `copy_of` (a copied id names its source), or `external: true`
    (an id issued outside Orion, such as a payment provider's). The `id` column itself
    is not checked, nor a table's own id under another name: the sole primary key named
    after its table (`user_id` of `user`/`users`, `event_id` of `website_events`), a
    generated one (`serial_id` with `autoincrement()`) or a unique `public_id` /
    `friendly_id`. Names are read in snake_case (`userId` is `user_id`).

    ## Why
    Without foreign keys, the registry is the only place that says `user_id` holds a
    `user.users.id`. The guide's database lead maps every cross-service relationship;
    an undocumented id column is a relationship nobody can see in that map.

    ## Bad
    ```yaml
    tables:
      - name: payments
        model: Payment
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: stripe_charge_id, type: text}
        indexes:
          - {name: idx_payments_stripe_charge_id, columns: [stripe_charge_id]}
    ```

    ## Good
    ```yaml
    tables:
      - name: payments
        model: Payment
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: stripe_charge_id, type: text, external: true}
        indexes:
          - {name: idx_payments_stripe_charge_id, columns: [stripe_charge_id]}
    ```
    """
    for ref in ctx.columns:
        col = ref.column
        documented = col.references is not None or col.copy_of is not None or col.external
        if not name_of(col).endswith("_id") or documented or is_own_identifier(col):
            continue
        if not _is_own_id(ref):
            yield Violation(
                ref,
                f"'{col.name}' does not say what it points at: add references "
                "(table.column or {column: service.table.column, sync: ...}) or external: true",
                ("name",),
            )


def payload_names(table: str, column: str) -> list[str]:
    """The payload field names (normalised) that name a column: its snake_case name, and
    `<table in the singular>_id` for a table's `id` (`user_id` names `users.id`)."""
    name = normal_name(column)
    if name != "id":
        return [name]
    head, _, last = normal_name(table).rpartition("_")
    return [name, "_".join(filter(None, [head, singularize(last)])) + "_id"]


def payload_columns(service: Service) -> dict[str, str]:
    """Normalised payload field name -> the `table.column` of `service` it names (the first
    table wins when several have the name)."""
    found: dict[str, str] = {}
    for table in service.tables:
        for column in table.columns:
            for name in payload_names(table.name, column.name):
                found.setdefault(name, f"{table.name}.{column.name}")
    return found


def stale_payload_fields(base: Service, now: Service) -> Iterator[tuple[int, int, str]]:
    """(event index, field index, the base's `table.column`) of each payload field of `now`
    that named a column of the publisher at `base` and names none now."""
    before, after = payload_columns(base), payload_columns(now)
    for i, event in enumerate(now.events.publishes):
        for j, field_name in enumerate(event.payload):
            key = normal_name(field_name)
            if key in before and key not in after:
                yield i, j, before[key]


@rule("R407", "payload-columns-exist", "error", needs=("base",))
def payload_columns_exist(ctx: Context, options: Mapping[str, Any]) -> Iterator[Violation]:
    """An event's payload field that named a column still names one.

    ## What it checks
    Evaluated by `orion-registry diff --base BASE`, not by `check`: a field of a published
    event's `payload` that named a column of the publisher's tables at the base revision
    (by its snake_case name, or `user_id` for `users.id`) still names one now. Fields that
    never were columns (`changes`, a computed total) are not judged: only the base can tell
    a removed column from a field that never was one. `diff` also lists the consumers of
    such an event as impacted by the column's removal.

    ## Why
    Consumers build their copies from an event's payload ("Synchronize via Events"):
    `notifications` keeps `email` fresh from `user.updated`. Dropping or renaming
    `users.email` while the payload still promises `email` breaks every consumer at run
    time, with no foreign key or compiler to notice.

    ## Bad
    ```yaml
    # base
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    events:
      publishes:
        - name: user.created
          payload: [user_id, email]
    ---
    # Since the base revision, users.email was dropped, yet the event still says:
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - name: user.created
          payload: [user_id, email]
    ```

    ## Good
    ```yaml
    # base
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
          - {name: email, type: varchar(255)}
    events:
      publishes:
        - name: user.created
          payload: [user_id, email]
    ---
    # Since the base revision, users.email was dropped, and the payload with it:
    tables:
      - name: users
        model: User
        columns:
          - {name: id, type: uuid, primary_key: true, default: uuid()}
    events:
      publishes:
        - name: user.created
          payload: [user_id]
    ```
    """
    base = ctx.inputs.base or {}
    for name in sorted(base.keys() & ctx.registry.services.keys()):
        doc = ctx.registry.services[name]
        for i, j, column in stale_payload_fields(base[name].model, doc.model):
            event = doc.model.events.publishes[i]
            yield Violation(
                Ref(doc, ("events", "publishes", i), f"{name}.{event.name}"),
                f"payload field '{event.payload[j]}' of event '{event.name}' named column "
                f"{column}, which this change removes: drop the field (consumers must stop "
                "reading it first) or keep the column",
                ("payload", j),
            )
