"""A deterministic generator of synthetic registries, for benchmarks.

`generate(out, services=500, seed=0)` writes `<out>/orion.yaml` and one file per service
under `<out>/services/`: 20 tables of 15 columns each, following the conventions (uuid ids,
timestamps, varchar lengths, `idx_` indexes on reference columns, enums, events, cross-service
references kept in sync, copies, a migration log). With `violations=True` a few percent of the
services break a convention (a camelCase table, a missing index, an unpublished sync event...)
so that `check` has findings to report. The same seed always gives the same files.

    python benchmarks/generate.py --services 500 --out /tmp/registry [--seed 0] [--clean-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

TABLES_PER_SERVICE = 20
COLUMNS_PER_TABLE = 15
PUBLISHED_TABLES = 3  # the first tables of a service publish created/updated events
VIOLATION_RATE = 0.04
PREFIX = "orion_"

DOMAINS = [
    "billing",
    "catalog",
    "inventory",
    "shipping",
    "ordering",
    "pricing",
    "search",
    "review",
    "loyalty",
    "support",
    "identity",
    "payment",
    "ledger",
    "audit",
    "report",
    "media",
    "messaging",
    "scheduling",
    "booking",
    "tenant",
    "content",
    "analytics",
    "fraud",
    "compliance",
    "warehouse",
]
# (singular snake_case entity, Prisma model)
ENTITIES = [
    (word, "".join(part.capitalize() for part in word.split("_")))
    for word in [
        "account",
        "customer",
        "order",
        "order_item",
        "invoice",
        "invoice_line",
        "payment",
        "refund",
        "product",
        "category",
        "supplier",
        "shipment",
        "parcel",
        "address",
        "coupon",
        "voucher",
        "subscription",
        "plan",
        "price",
        "review",
        "rating",
        "ticket",
        "message",
        "attachment",
        "document",
        "report",
        "schedule",
        "booking",
        "slot",
        "tenant",
        "member",
        "role",
        "permission",
        "device",
        "session",
        "token",
        "webhook",
        "notification",
        "template",
        "campaign",
        "segment",
        "asset",
        "tag",
        "comment",
    ]
]
STRING_COLUMNS = [
    ("name", "varchar(255)"),
    ("title", "varchar(200)"),
    ("email", "varchar(255)"),
    ("code", "varchar(64)"),
    ("slug", "varchar(120)"),
    ("phone", "varchar(32)"),
    ("currency", "varchar(3)"),
    ("country", "varchar(2)"),
    ("locale", "varchar(10)"),
    ("reference_number", "varchar(40)"),
]
OTHER_COLUMNS = [
    ("description", "text", {"nullable": True}),
    ("notes", "text", {"nullable": True}),
    ("amount", "numeric(12,2)", {"default": 0}),
    ("quantity", "integer", {"default": 1}),
    ("position", "integer", {"default": 0}),
    ("is_active", "boolean", {"default": True}),
    ("is_archived", "boolean", {"default": False}),
    ("starts_on", "date", {"nullable": True}),
    ("expires_at", "timestamptz", {"nullable": True}),
    ("metadata", "jsonb", {"nullable": True}),
    ("weight_grams", "bigint", {"nullable": True}),
]
ENUM_KINDS = {
    "status": ["PENDING", "ACTIVE", "SUSPENDED", "CLOSED"],
    "kind": ["STANDARD", "PREMIUM", "INTERNAL"],
    "state": ["DRAFT", "PUBLISHED", "RETIRED"],
}
VIOLATIONS = ("camel_case_table", "missing_index", "unknown_sync_event", "singular_table")


@dataclass
class _Table:
    name: str
    model: str
    entity: str
    columns: list[dict[str, Any]] = field(default_factory=list)
    indexes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Service:
    name: str
    tables: list[_Table] = field(default_factory=list)
    enums: list[dict[str, Any]] = field(default_factory=list)
    consumes: set[str] = field(default_factory=set)
    violation: str | None = None


def plural(word: str) -> str:
    """`address` -> `addresses`, `category` -> `categories`, `order_item` -> `order_items`."""
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def service_names(count: int) -> list[str]:
    """`billing`, `catalog`, ... then `billing_2`, `catalog_2`, ... (unique, sorted by creation)."""
    names = []
    for i in range(count):
        domain, round_ = DOMAINS[i % len(DOMAINS)], i // len(DOMAINS)
        names.append(domain if round_ == 0 else f"{domain}_{round_ + 1}")
    return names


def generate(
    out: Path | str, services: int = 500, seed: int = 0, violations: bool = True
) -> list[Path]:
    """Write a registry of `services` services under `out` (replacing it); return the files."""
    out = Path(out)
    if (out / "services").exists():
        shutil.rmtree(out / "services")
    (out / "services").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    built = [_build_service(name, rng) for name in service_names(services)]
    for svc in built:
        _add_cross_service_columns(svc, built, rng)
    if violations:
        for svc in built:
            if rng.random() < VIOLATION_RATE:
                svc.violation = rng.choice(VIOLATIONS)
                _break(svc)
    files = [_write(out / "orion.yaml", _settings(built))]
    for svc in built:
        files.append(_write(out / "services" / f"{svc.name}.yaml", _service_document(svc, rng)))
    return files


def _write(path: Path, data: dict[str, Any]) -> Path:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=100)
    path.write_text(text, encoding="utf-8")
    return path


def _column(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, **extra}


def _index(table: _Table, columns: list[str], unique: bool = False) -> None:
    index: dict[str, Any] = {"name": f"idx_{table.name}_{'_'.join(columns)}", "columns": columns}
    if unique:
        index["unique"] = True
    table.indexes.append(index)


def _build_service(name: str, rng: random.Random) -> _Service:
    svc = _Service(name)
    entities = rng.sample(ENTITIES, TABLES_PER_SERVICE)
    enum_kinds = rng.sample(sorted(ENUM_KINDS), 2)
    for kind in enum_kinds:
        owner = entities[0][0]
        svc.enums.append(
            {
                "name": f"{entities[0][1]}{kind.capitalize()}",
                "db_name": f"{owner}_{kind}",
                "values": ENUM_KINDS[kind],
                "description": f"The {kind} of a {owner.replace('_', ' ')}.",
            }
        )
    for position, (entity, model) in enumerate(entities):
        table = _Table(plural(entity), model, entity)
        table.columns.append(_column("id", "uuid", primary_key=True, default="uuid()"))
        # a local reference to an earlier table of the same service (a real foreign key)
        if position:
            parent = svc.tables[rng.randrange(position)]
            col = f"{parent.entity}_id"
            table.columns.append(_column(col, "uuid", references=f"{parent.name}.id"))
            _index(table, [col])
        table.columns.append(_column("name", "varchar(255)"))
        enum = svc.enums[position % len(svc.enums)]
        kind = enum["db_name"].rsplit("_", 1)[1]
        table.columns.append(_column(kind, enum["name"], default=enum["values"][0]))
        _index(table, [kind, "created_at"])
        svc.tables.append(table)
    for table in svc.tables:
        _fill_columns(table, rng)
    return svc


def _fill_columns(table: _Table, rng: random.Random) -> None:
    """Plain columns up to the table's size, keeping 2 slots for cross-service columns."""
    wanted = COLUMNS_PER_TABLE - 2 - 2 - len(table.columns)  # - timestamps - cross-service
    strings = rng.sample(STRING_COLUMNS[1:], 3)
    others = rng.sample(OTHER_COLUMNS, wanted - len(strings))
    for name, type_ in strings:
        extra = {"unique": True} if name in ("code", "slug", "email") else {}
        table.columns.append(_column(name, type_, **extra))
    for name, type_, extra in others:
        table.columns.append(_column(name, type_, **extra))
    table.columns.append(_column("created_at", "timestamptz", default="now()"))
    table.columns.append(_column("updated_at", "timestamptz", updated_at=True))


def _add_cross_service_columns(svc: _Service, everyone: list[_Service], rng: random.Random) -> None:
    """Each table references another service's row and copies one of its columns."""
    others = [s for s in everyone if s is not svc] or [svc]
    for table in svc.tables:
        owner = rng.choice(others)
        target = owner.tables[rng.randrange(PUBLISHED_TABLES)]
        col = f"{owner.name}_{target.entity}_id"
        created, updated = _events(owner, target)
        link: dict[str, Any] = {"column": f"{owner.name}.{target.name}.id"}
        sync = rng.choice(("event", "event", "api", "cache"))
        if sync == "event":
            link.update(sync="event", events=[created, updated])
            svc.consumes.update((created, updated))
        elif sync == "api":
            link.update(sync="api", endpoint=f"GET /api/v1/{target.name}/{{id}}")
        else:
            link.update(sync="cache", ttl_seconds=3600, events=[updated])
            svc.consumes.add(updated)
        insert_at = len(table.columns) - 2  # before the timestamps
        table.columns.insert(insert_at, _column(col, "uuid", references=link))
        table.columns.insert(
            insert_at + 1,
            _column(
                f"{owner.name}_{target.entity}_name",
                "varchar(255)",
                copy_of={
                    "column": f"{owner.name}.{target.name}.name",
                    "sync": "event",
                    "events": [updated],
                },
            ),
        )
        svc.consumes.add(updated)
        _index(table, [col])


def _events(svc: _Service, table: _Table) -> tuple[str, str]:
    return f"{svc.name}.{table.entity}_created", f"{svc.name}.{table.entity}_updated"


def _break(svc: _Service) -> None:
    """Introduce one convention violation in `svc`."""
    table = svc.tables[-1]  # referenced by no other service and no later table
    if svc.violation == "camel_case_table":
        # e.g. orderItemRecords: plural, but not snake_case
        table.name = f"{table.model[0].lower()}{table.model[1:]}Records"
        for index in table.indexes:
            index["name"] = f"idx_{table.name}_{'_'.join(index['columns'])}"
    elif svc.violation == "singular_table":
        table.name = table.entity
        for index in table.indexes:
            index["name"] = f"idx_{table.name}_{'_'.join(index['columns'])}"
    elif svc.violation == "missing_index":
        table.indexes = [ix for ix in table.indexes if not ix["columns"][0].endswith("_id")]
    elif svc.violation == "unknown_sync_event":
        for column in table.columns:
            link = column.get("references")
            if isinstance(link, dict):
                owner = link["column"].split(".")[0]
                link.update(sync="event", events=[f"{owner}.something_happened"])
                link.pop("endpoint", None)
                link.pop("ttl_seconds", None)
                break


def _service_document(svc: _Service, rng: random.Random) -> dict[str, Any]:
    publishes = []
    for table in svc.tables[:PUBLISHED_TABLES]:
        created, updated = _events(svc, table)
        publishes.append({"name": created, "payload": [f"{table.entity}_id", "name"]})
        publishes.append({"name": updated, "payload": [f"{table.entity}_id", "changes"]})
    return {
        "service": svc.name,
        "title": f"{svc.name.replace('_', ' ').title()} Service",
        "owner": f"{svc.name.split('_')[0]}-team",
        "description": f"Data of the {svc.name.replace('_', ' ')} service.",
        "database": f"{PREFIX}{svc.name}",
        "enums": svc.enums,
        "tables": [
            {
                "name": t.name,
                "model": t.model,
                "description": f"One row per {t.entity.replace('_', ' ')}.",
                "columns": t.columns,
                "indexes": t.indexes,
            }
            for t in svc.tables
        ],
        "events": {"publishes": publishes, "consumes": sorted(svc.consumes)},
        "migrations": _migrations(svc, rng),
    }


def _migrations(svc: _Service, rng: random.Random) -> list[dict[str, Any]]:
    day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(200))
    log = []
    for i, table in enumerate(svc.tables[:4]):
        day += dt.timedelta(days=rng.randrange(1, 40))
        entry: dict[str, Any] = {
            "id": f"{day:%Y%m%d}_add_{table.name.lower()}",
            "date": day,
            "type": "non-breaking",
            "purpose": f"Store {table.entity.replace('_', ' ')} records.",
            "changes": [f"add table {table.name}"],
            "rollback": "Drop the table; nothing reads it yet.",
        }
        if i == 3:
            entry.update(
                id=f"{day:%Y%m%d}_rename_{table.name.lower()}_label",
                type="breaking",
                purpose=f"Rename {table.name}.label to {table.name}.name.",
                changes=[f"rename column {table.name}.label to {table.name}.name"],
                steps=[
                    f"add column {table.name}.name (nullable)",
                    f"backfill {table.name}.name from {table.name}.label",
                    f"deploy code that reads {table.name}.name",
                    f"set {table.name}.name NOT NULL",
                    f"drop column {table.name}.label",
                ],
                rollback=f"Deploy the previous release; {table.name}.label is kept until step 5.",
            )
        log.append(entry)
    return log


def _settings(built: list[_Service]) -> dict[str, Any]:
    settings: dict[str, Any] = {"organization": "Orion", "database_prefix": PREFIX}
    waived = next((s for s in built if s.violation == "missing_index"), None)
    if waived is not None:
        table = waived.tables[-1]
        column = next(c["name"] for c in table.columns if isinstance(c.get("references"), dict))
        settings["waivers"] = [
            {
                "rule": "I301",
                "target": f"{waived.name}.{table.name}.{column}",
                "reason": "the column is only read in nightly batch jobs",
                "expires": dt.date(2999, 12, 31),
            }
        ]
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", type=int, default=500, help="default: %(default)s")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR")
    parser.add_argument("--seed", type=int, default=0, help="default: %(default)s")
    parser.add_argument("--clean-only", action="store_true", help="no convention violations")
    args = parser.parse_args(argv)
    if args.services < 1:
        parser.error("--services must be at least 1")
    files = generate(args.out, args.services, args.seed, violations=not args.clean_only)
    print(f"wrote {len(files)} files under {args.out.as_posix()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
