"""The names the guide wants, derived from any name: what the naming rules suggest.

Each function returns a name that every naming rule accepts as it stands (a suggestion
obeys every other rule), or None when no confident suggestion exists: `report_automated`
ends in a participle, not a noun, so no plural is invented for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence

from .words import (
    DEFAULT_UNCOUNTABLE,
    is_plural,
    is_singular,
    normal_name,
    pluralize,
    singularize,
    to_pascal,
    words,
)

POSTGRES_MAX_NAME = 63  # bytes: NAMEDATALEN - 1; longer identifiers are silently truncated
# A model name's head noun is the word before one of these (`TagsOnPosts` -> Tags).
PREPOSITIONS = frozenset({"On", "In", "Of", "For", "To", "By", "With", "At", "From", "Per"})
# Endings of words that are not countable nouns: participles and adjectives
# (`automated`, `tracking`, `anonymous`, `editable`). Their plural would be invented.
_NOT_NOUN_ENDINGS = ("ed", "ing", "ous", "able", "ible", "ful", "less")
# Nouns that end like that all the same (`settings`, `bookings`, `seeds`).
_COUNTABLE_EXCEPTIONS = frozenset(
    {
        "bed", "seed", "feed", "need", "shed", "speed", "breed", "deed", "weed", "reed",
        "creed", "embed", "thing", "string", "ring", "king", "wing", "ping", "sibling",
        "setting", "booking", "meeting", "listing", "mapping", "building", "recording",
        "rating", "posting", "finding", "warning", "heading", "reading", "drawing",
        "painting", "holding", "binding", "embedding", "pairing", "greeting", "opening",
        "ending", "landing", "offering", "saving", "earning", "filing", "crossing",
        "gathering", "wedding", "routing", "tiding", "ceiling",
        "duckling", "fitting", "hearing", "screening", "sighting", "surrounding",
        "table", "cable", "variable", "fable", "bible", "vegetable", "receivable",
        "payable", "deliverable", "consumable", "collectible",
    }
)  # fmt: skip


def is_countable_noun(word: str) -> bool:
    """A word we can pluralise with confidence: not a participle or an adjective."""
    word = word.lower()
    if len(word) < 3:
        return False  # `s`, `v`, `ok`: a letter or an abbreviation, not a noun
    return word in _COUNTABLE_EXCEPTIONS or not word.endswith(_NOT_NOUN_ENDINGS)


def table_name(name: str, uncountable: Collection[str] = DEFAULT_UNCOUNTABLE) -> str | None:
    """The snake_case plural table name for `name` (`ApiKey` -> `api_keys`); the name as
    is when it already is one; None when its last word cannot be pluralised with
    confidence (`report_automated`, `shipment_tracking`)."""
    snake = normal_name(name)
    parts = snake.split("_")
    for i in range(len(parts) - 1, -1, -1):
        word = parts[i]
        if not word.isalpha():
            continue
        if is_plural(word, uncountable):
            return snake
        plural = pluralize(word)
        if not is_countable_noun(word) or not is_plural(plural, uncountable):
            return None  # no plural we can trust (`is_plural` must agree with it)
        return "_".join([*parts[:i], plural, *parts[i + 1 :]])
    return snake


def _singular_word(word: str, uncountable: Collection[str]) -> str:
    """`Preferences` -> `Preference`; acronyms and singular words stay as they are.

    An acronym is all capitals (`SMS`) or has no vowel (`Sms`, `Gps`): no English noun.
    """
    if not word.isalpha():
        return word
    if len(word) > 1 and (word.isupper() or set(word.lower()).isdisjoint("aeiouy")):
        return word
    if is_singular(word, uncountable):
        return word
    singular = singularize(word.lower())
    return singular[0].upper() + singular[1:] if word[0].isupper() else singular


def pascal_name(model: str) -> str:
    """`model` in PascalCase, its words as they are: `user_prefs` -> `UserPrefs`."""
    return "".join(w[0].upper() + w[1:] for w in words(to_pascal(model))) or model


def model_name(model: str, uncountable: Collection[str] = DEFAULT_UNCOUNTABLE) -> str:
    """The PascalCase singular model name for `model`: its head noun (the word before a
    preposition: `TagsOnPosts` -> Tags) and its last word singular (`TagOnPost`)."""
    parts = words(pascal_name(model))
    if not parts:
        return model
    heads = {len(parts) - 1}
    heads |= {i - 1 for i, word in enumerate(parts) if i > 0 and word in PREPOSITIONS}
    heads = {i for i in heads if parts[i] not in PREPOSITIONS}
    singular = [_singular_word(w, uncountable) if i in heads else w for i, w in enumerate(parts)]
    return "".join(w[0].upper() + w[1:] for w in singular)


def fit_identifier(name: str) -> str:
    """`name`, or, over PostgreSQL's 63 bytes, cut and given a short hash of the full name
    (deterministic: the same long name always gives the same short one)."""
    data = name.encode()
    if len(data) <= POSTGRES_MAX_NAME:
        return name
    digest = hashlib.sha1(data).hexdigest()[:8]
    head = data[: POSTGRES_MAX_NAME - len(digest) - 1].decode(errors="ignore").rstrip("_")
    return f"{head}_{digest}"


def index_stem(table: str, columns: Sequence[str]) -> str:
    """`<table>_<columns>` with the table's guide name and snake_case columns."""
    proper = table_name(table) or normal_name(table)
    return "_".join([proper, *(normal_name(c) for c in columns)])


def index_name(table: str, columns: Sequence[str], prefix: str = "idx_") -> str:
    """`idx_<table>_<columns>`, fit into 63 bytes: the name N106 asks for."""
    return fit_identifier(prefix + index_stem(table, columns))
