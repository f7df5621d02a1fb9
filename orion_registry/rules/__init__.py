"""The convention catalogue: one small function per rule, registered by code.

Importing this package registers every rule in `RULES` (code -> Rule).
"""

from . import indexes, migrations, naming, relationships, services, types  # noqa: F401
from .base import RULES, Rule, Violation, rule

__all__ = ["RULES", "Rule", "Violation", "rule"]
