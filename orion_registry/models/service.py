"""A service file, `registry/services/<service>.yaml` (see the format contract).

Adding a key? `places.py` lists every module a key must reach, and a test holds it to that.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, field_validator
from pydantic_core import PydanticCustomError

from .base import Text, items, model

SERVICE_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
SNAKE_CASE_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
Sync = Literal["event", "api", "cache"]
MigrationType = Literal["non-breaking", "breaking", "data"]
SortOrder = Literal["asc", "desc"]
Scalar = str | bool | int | float


@model
class Link:
    """An application-level link to another column: a cross-service reference or a copy."""

    column: Text = Field(description="service.table.column (another database) or table.column")
    sync: Sync | None = Field(None, description="how the data stays consistent")
    events: list[Text] = items(description="events that keep it in sync (sync: event or cache)")
    endpoint: str | None = Field(None, description="the request-time call (sync: api)")
    ttl_seconds: int | None = Field(None, ge=0, description="cache lifetime (sync: cache)")
    foreign_key: bool = Field(False, description="a real FK; forbidden across databases")
    description: str | None = None


def _link_kind(value: object) -> str:
    return "column" if isinstance(value, str) else "link"


Reference = Annotated[
    Annotated[str, Tag("column")] | Annotated[Link, Tag("link")],
    Discriminator(_link_kind),
]


@model
class Column:
    name: Text
    type: Text = Field(description="a Postgres type, or the name of an enum of this service")
    primary_key: bool = False
    nullable: bool = False
    unique: bool = False
    default: Scalar | None = Field(None, description="uuid() | now() | autoincrement() | literal")
    updated_at: bool = Field(False, description="Prisma @updatedAt")
    references: Reference | None = Field(
        None, description="table.column (same database) or a cross-service link"
    )
    copy_of: Link | None = Field(None, description="a denormalised copy of another column")
    external: bool = Field(False, description="an id issued outside Orion")
    description: str | None = None


@model
class Index:
    name: Text
    columns: list[Text] = Field(min_length=1)
    unique: bool = False
    type: str | None = Field(None, description="btree (default), hash, gin, gist, brin")
    where: str | None = Field(None, description="a partial index predicate")
    ops: dict[Text, Text] = Field(
        default_factory=dict, description="column -> its operator class (gin_trgm_ops)"
    )
    order: dict[Text, SortOrder] = Field(
        default_factory=dict, description="column -> its sort order (desc; asc is the default)"
    )
    description: str | None = None


@model
class Query:
    """How the service reads a table: the columns it filters, ranges over and sorts by."""

    name: Annotated[str, Field(pattern=SNAKE_CASE_PATTERN)] = Field(
        description="snake_case, unique within the table"
    )
    description: str | None = None
    where: list[Text] = items(description="columns compared with = or IN (order does not matter)")
    order_by: list[Text] = items(description="the ORDER BY columns, in order")
    range: str | None = Field(
        None, min_length=1, description="one column compared with <, >, BETWEEN"
    )


@model
class Table:
    name: Text
    model: str | None = Field(None, description="the Prisma model name")
    description: str | None = None
    primary_key: list[Text] | None = Field(
        None, description="a composite primary key's columns, in key order"
    )
    estimated_rows: int | None = Field(
        None, ge=0, strict=True, description="expected rows after a year (an integer)"
    )
    columns: list[Column] = items()
    indexes: list[Index] = items()
    queries: list[Query] = items(description="how the service reads this table")

    @field_validator("queries")
    @classmethod
    def _query_names_unique(cls, queries: list[Query]) -> list[Query]:
        first: dict[str, int] = {}
        for i, query in enumerate(queries):
            if first.setdefault(query.name, i) != i:
                raise PydanticCustomError(
                    "duplicate_query",
                    "query name '{name}' is declared twice (entries {a} and {b}); "
                    "names are unique within a table",
                    {"name": query.name, "a": first[query.name], "b": i},
                )
        return queries

    def key_columns(self) -> list[str]:
        """The primary key's columns in key order: the table's `primary_key` list, else the
        columns marked `primary_key: true` in file order."""
        if self.primary_key:
            return list(self.primary_key)
        return [c.name for c in self.columns if c.primary_key]

    def is_key(self, column: Column) -> bool:
        return column.primary_key or column.name in (self.primary_key or ())


@model
class Enum:
    name: Text = Field(description="the Prisma enum name")
    db_name: str | None = Field(None, description="the Postgres type name (@@map)")
    values: list[Text] = Field(min_length=1)
    description: str | None = None


@model
class PublishedEvent:
    name: Text
    payload: list[Text] = items()
    description: str | None = None


@model
class Events:
    publishes: list[PublishedEvent] = items()
    consumes: list[Text] = items()


@model
class Migration:
    id: Text
    date: dt.date | None = None
    type: MigrationType | None = None
    purpose: str | None = None
    changes: list[Text] = items()
    steps: list[Text] = items()
    rollback: str | None = None


@model
class Service:
    service: Annotated[str, Field(pattern=SERVICE_NAME_PATTERN)]
    database: Text
    title: str | None = None
    owner: str | None = None
    description: str | None = None
    migrations_dir: str | None = Field(
        None, description="where the service's Prisma migrations live, relative to this file"
    )
    enums: list[Enum] = items()
    tables: list[Table] = items()
    events: Events = Field(default_factory=Events)
    migrations: list[Migration] = items()
