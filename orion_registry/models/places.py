"""Where each registry key must reach: the one list to read before adding a key.

A key of a table, column, index or enum is read by the model (`models/service.py`, whose
JSON Schema `orion-registry schema` writes to `schemas/`) and then, as listed below, by:

- `diff`: `diff/comparison.py` reports a change of it between the base and now;
- `ddl`: `sql/ddl.py` writes it into `export sql`;
- `drift`: `rules/drift.py` compares it with a live database (`sql/introspect.py`) or a
  Prisma schema (`prisma/live.py`);
- `prisma`: `prisma/exporter.py` writes it into `export prisma` (`prisma/importer.py`
  reads it back);
- `site`: `render/cells.py` and `templates/service.md.j2` show it.

A key no place but the site reads documents only. `tests/test_key_places.py` fails when a
model field is missing here, and changes each key in a sample registry to prove that every
place listed for it reacts (drift is proved by its own tests in `tests/test_drift.py`).
"""

from __future__ import annotations

PLACES = ("diff", "ddl", "drift", "prisma", "site")
ALL = frozenset(PLACES)
DOCUMENTATION = frozenset({"site"})

KEY_PLACES: dict[str, dict[str, frozenset[str]]] = {
    "Table": {
        "name": ALL,
        "model": frozenset({"diff", "prisma", "site"}),  # the Prisma model name
        "description": frozenset({"ddl", "prisma", "site"}),  # COMMENT ON, `///`
        "columns": ALL,
        "indexes": ALL,
        "primary_key": ALL,  # a composite key's columns, in key order
        "estimated_rows": DOCUMENTATION,  # the size estimate: read by I308 and the site
        "queries": frozenset({"diff", "site"}),  # the query patterns indexes must serve
    },
    "Column": {
        "name": ALL,
        "type": ALL,
        "primary_key": ALL,
        "nullable": ALL,
        "unique": ALL,
        "default": ALL,
        "updated_at": frozenset({"diff", "prisma", "site"}),  # @updatedAt: set by the client
        "references": frozenset({"diff", "ddl", "drift", "site"}),  # a foreign key in-database
        "copy_of": frozenset({"diff", "prisma", "site"}),  # a comment in the Prisma schema
        "external": frozenset({"diff", "site"}),  # what the id is, for the rules
        "description": frozenset({"ddl", "prisma", "site"}),
    },
    "Index": {
        "name": ALL,
        "columns": ALL,
        "unique": ALL,
        "type": ALL,
        "where": frozenset({"diff", "ddl", "drift", "site"}),  # Prisma has no partial index
        "ops": ALL,  # each key's operator class
        "order": ALL,  # each key's sort order
        "description": DOCUMENTATION,
    },
    "Enum": {
        "name": ALL,
        "db_name": ALL,
        "values": ALL,
        "description": frozenset({"prisma", "site"}),
    },
}
