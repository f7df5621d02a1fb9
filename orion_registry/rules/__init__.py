"""The convention catalogue: one small function per rule, registered by code.

Importing this package registers every rule in `RULES` (code -> Rule).
"""

from . import (  # noqa: F401
    drift,
    indexes,
    migration_sql,
    migrations,
    naming,
    relationships,
    services,
    types,
)
from .base import RULES, Rule, Violation, rule

__all__ = ["RULES", "Rule", "Violation", "rule"]
