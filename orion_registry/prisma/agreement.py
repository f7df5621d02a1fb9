"""`check` compares every service that names its `prisma_schema` with that schema.

`prisma_inputs` reads each named schema as a `LiveSchema` (the drift rules' other side);
a schema that does not parse is a located finding in the .prisma file. A path the loader
refused (outside the repository, missing) is skipped: the loader already reported it.
The drift rules give each finding the Prisma position of its object as a related location
(SARIF `relatedLocations`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from ..findings import LOAD_SCHEMA, Finding
from ..loader import Registry, ServiceDoc
from ..paths import OutsideRepository, repository_root, resolve_existing
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
    top = repository_root(registry.root)
    for name, doc in sorted(registry.services.items()):
        if doc.model.prisma_schema is None:
            continue
        try:
            path = resolve_existing(doc.path.parent, doc.model.prisma_schema, top)
            inputs.schemas[name] = read_prisma_schema(path, shown_path(doc))
        except OutsideRepository:
            continue  # a load finding already (loader.py)
        except PrismaSyntaxError as exc:
            message = f"the Prisma schema of service '{name}' does not parse: {exc.message}"
            inputs.problems.append(
                Finding(exc.file, exc.line, exc.column, LOAD_SCHEMA, message, name)
            )
    return inputs
