"""`check` compares every service that names its `prisma_schema` with that schema.

`prisma_inputs` reads each named schema as a `LiveSchema` (the drift rules' other side);
a schema that does not parse is a located finding in the .prisma file. A path the loader
refused (outside the repository, missing) is skipped: the loader already reported it.
`locate_in_prisma` gives each drift finding the Prisma position of its object as a related
location (SARIF `relatedLocations`), found from the finding's target.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass, field

from ..findings import LOAD_SCHEMA, Finding
from ..loader import Registry, ServiceDoc
from ..paths import PathRefused, repository_top, resolve_inside
from .live import PrismaLiveSchema, read_prisma_schema
from .parser import PrismaSyntaxError

DRIFT_PREFIX = "D7"


@dataclass(slots=True)
class PrismaInputs:
    schemas: dict[str, PrismaLiveSchema] = field(default_factory=dict)  # service -> schema
    problems: list[Finding] = field(default_factory=list)  # schemas that do not parse


def shown_path(doc: ServiceDoc) -> str:
    """The schema's path as messages show it: beside the service file's shown path."""
    declared = doc.model.prisma_schema or ""
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc.file), declared))


def prisma_inputs(registry: Registry) -> PrismaInputs:
    inputs = PrismaInputs()
    top = repository_top(registry.root)
    for name, doc in sorted(registry.services.items()):
        if doc.model.prisma_schema is None:
            continue
        try:
            path = resolve_inside(doc.path.parent, doc.model.prisma_schema, top)
            inputs.schemas[name] = read_prisma_schema(path, shown_path(doc))
        except PathRefused:
            continue  # a load finding already (loader.py)
        except PrismaSyntaxError as exc:
            message = f"the Prisma schema of service '{name}' does not parse: {exc.message}"
            inputs.problems.append(
                Finding(exc.file, exc.line, exc.column, LOAD_SCHEMA, message, name)
            )
    return inputs


def _key(finding: Finding, registry: Registry) -> str | None:
    """The schema's key for a finding's target (`svc.table[.column|.index]`, `svc.Enum`)."""
    service, _, rest = finding.target.partition(".")
    doc = registry.services.get(service)
    if doc is None or not rest:
        return None
    enum = next((e for e in doc.model.enums if e.name == rest), None)
    return (enum.db_name or enum.name) if enum is not None else rest


def locate_in_prisma(
    findings: list[Finding], schemas: dict[str, PrismaLiveSchema], registry: Registry
) -> list[Finding]:
    """Drift findings with the Prisma position of their object, when it has one."""
    located = []
    for finding in findings:
        schema = schemas.get(finding.target.partition(".")[0])
        key = _key(finding, registry) if finding.rule.startswith(DRIFT_PREFIX) else None
        place = schema.location(key) if schema is not None and key is not None else None
        if place is None and schema is not None and key is not None and "." in key:
            place = schema.location(key.rsplit(".", 1)[0])  # an index's or column's table
        located.append(dataclasses.replace(finding, related=(place,)) if place else finding)
    return located
