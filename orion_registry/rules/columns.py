"""What a column is, read from its normalised name and its keys (shared by T, R and I rules).

A column is judged by what it *is*, whatever its spelling: `userId`, `UserID` and `user_id`
are all `user_id` (`normal_name`); N103 reports the spelling once.
"""

from __future__ import annotations

from ..lang.words import normal_name
from ..models import Column, Link

# A `<word>_id` column with one of these words names the row itself, not another row
# (`public_id`, `friendly_id`), when it is unique or generated.
OWN_ID_WORDS = ("public", "friendly", "short", "display", "human", "readable", "serial", "global")
_GENERATED = ("autoincrement(", "uuid(", "cuid(", "nanoid(", "ulid(", "gen_random_uuid(")


def name_of(column: Column) -> str:
    """The column's name as rules judge it: snake_case (`createdAt` -> `created_at`)."""
    return normal_name(column.name)


def is_id_name(name: str) -> bool:
    """`id` or `*_id` (of a normalised name): a name that holds an identifier."""
    return name == "id" or name.endswith("_id")


def link_column(link: str | Link | None) -> str | None:
    """The target `[service.]table.column` of a `references` / `copy_of` value."""
    if link is None:
        return None
    return link if isinstance(link, str) else link.column


def is_generated(column: Column) -> bool:
    """The database or Prisma fills the value in (`autoincrement()`, `uuid()`...)."""
    default = str(column.default or "").replace(" ", "")
    return default.startswith(_GENERATED) or default.startswith("dbgenerated(")


def is_own_identifier(column: Column, own_id_words: tuple[str, ...] = OWN_ID_WORDS) -> bool:
    """A `*_id` column that identifies its own row rather than pointing at another: one
    that is generated (`serial_id` with autoincrement()), or a unique `public_id` /
    `friendly_id` style column. A column with `references` / `copy_of` never is."""
    if column.references is not None or column.copy_of is not None:
        return False
    name = name_of(column)
    if not name.endswith("_id"):
        return False
    if is_generated(column):
        return True
    return column.unique and name.removesuffix("_id").rsplit("_", 1)[-1] in own_id_words


def is_reference_column(column: Column) -> bool:
    """A column used to look rows up by another row's id: `*_id`, `references`, copy of an id.

    A primary key column is one too: only the key's first column is led by it. A row's own
    identifier (`is_own_identifier`) is not.
    """
    if column.references is not None:
        return True
    copied = link_column(column.copy_of)
    if copied is not None and is_id_name(normal_name(copied.rsplit(".", 1)[-1])):
        return True
    return name_of(column).endswith("_id") and not is_own_identifier(column)
