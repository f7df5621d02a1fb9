"""Prisma names from registry names: `user_preferences` -> model `UserPreference`,
column `created_at` -> field `createdAt` (the spellings come from `rules/words.py`)."""

from __future__ import annotations

from collections.abc import Collection

from ..lang.words import (
    DEFAULT_UNCOUNTABLE,
    is_uncountable,
    pluralize,
    singularize,
    to_pascal,
    words,
)


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def camel(name: str) -> str:
    """`created_at` -> `createdAt`."""
    return lower_first(to_pascal(name)) or name


def model_name(table: str) -> str:
    """`user_preferences` -> `UserPreference` (PascalCase, the last word singular)."""
    parts = words(table)
    if not parts:
        return table
    last = parts[-1]
    if (last.islower() or last.istitle()) and not is_uncountable(last, DEFAULT_UNCOUNTABLE):
        parts[-1] = singularize(last.lower())
    return to_pascal("_".join(parts))


def plural(name: str) -> str:
    """`userPreference` -> `userPreferences` (the last word made plural)."""
    parts = words(name)
    if not parts or not parts[-1].isalpha():
        return name + "s"
    last = parts[-1]
    many = pluralize(last.lower())
    return name[: len(name) - len(last)] + (many.capitalize() if last[0].isupper() else many)


def unique_name(name: str, taken: Collection[str]) -> str:
    """`name`, or `name2`, `name3`... when it is taken."""
    if name not in taken:
        return name
    n = 2
    while f"{name}{n}" in taken:
        n += 1
    return f"{name}{n}"
