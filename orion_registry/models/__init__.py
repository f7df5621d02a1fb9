"""Pydantic models of the registry format: structure only (types, required keys, no extras)."""

from .config import Baseline, BaselineEntry, Settings, Waiver
from .service import (
    Column,
    Enum,
    Events,
    Index,
    Link,
    Migration,
    PublishedEvent,
    Query,
    Service,
    Table,
)

__all__ = [
    "Baseline",
    "BaselineEntry",
    "Column",
    "Enum",
    "Events",
    "Index",
    "Link",
    "Migration",
    "PublishedEvent",
    "Query",
    "Service",
    "Settings",
    "Table",
    "Waiver",
]
