"""English words and identifier spellings: plural / singular (via inflect), case styles.

inflect's `singular_noun` alone misreads singular words ending in `s` (`bus` -> `bu`,
`alias` -> `alia`). A word is taken as singular when inflect finds no singular for it, or
when its plural is not the naive `word + "s"` (inflect knew a rule for it: `bus` -> `buses`);
it is plural when it has a singular and only the naive plural (`users` -> `userss`).
Uncountable words (inflect's uninflected ones such as `news`, plus a caller's list such as
`data`, which inflect treats as the plural of `datum`) are both.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

# Mass nouns inflect counts as countable (or, for `data`, as a plural only).
DEFAULT_UNCOUNTABLE = (
    "data",
    "metadata",
    "meta",
    "usage",
    "media",
    "feedback",
    "analytics",
    "content",
    "info",
    "software",
    "staff",
    "personnel",
    "audio",
    "traffic",
    "evidence",
    "knowledge",
    "mail",
)

SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PASCAL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
UPPER_SNAKE_CASE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
# Words of an identifier in any style. A word runs on through digits and the lowercase
# letters after them (`model3dId` -> model3d, Id; `n8n` -> n8n; `HTTPRequest2Logs` ->
# HTTP, Request2, Logs), and through capitals right after a digit that start no word
# (`Model3D` -> Model3D, `Model3DId` -> Model3D, Id); an acronym's plural keeps its `s`
# (`staticIPs` -> static, IPs); snake_case words stay as they are (`users_v2` -> users, v2;
# `model_3d_id` -> model, 3d, id).
_WORDS = re.compile(
    r"[A-Z]{2,}s(?![a-z])"  # IPs, IDs, URLs
    r"|[A-Z]+(?=[A-Z][a-z])"  # HTTP of HTTPRequest
    r"|[A-Z]?[a-z][a-z0-9]*(?:(?<=[0-9])[A-Z]+(?![a-z]))?"  # user, Request2, n8n, Model3D
    r"|[A-Z]+(?:[0-9][a-z0-9]*)?"  # SMS, HTTP2, S3
    r"|[0-9][a-z0-9]*"  # 3d, 2024
)


def words(identifier: str) -> list[str]:
    return _WORDS.findall(identifier)


def to_snake(identifier: str) -> str:
    """`userSessions` -> `user_sessions`, `EmailAddress` -> `email_address`."""
    return "_".join(w.lower() for w in words(identifier))


@lru_cache(maxsize=1 << 16)  # rules ask for each column's many times; names repeat
def normal_name(name: str) -> str:
    """What a column (or table) name means, whatever its spelling: its snake_case.

    Rules that judge a column by its name (`*_id`, `created_at`, `status`...) read this, so
    `createdAt`, `CreatedAt` and `created_at` are judged alike (N103 reports the spelling).
    """
    return name if SNAKE_CASE.match(name) else to_snake(name)


def to_pascal(identifier: str) -> str:
    """`user_pref` -> `UserPref`, `userPreference` -> `UserPreference`, `IN_PROGRESS` ->
    `InProgress`."""
    if "_" in identifier and UPPER_SNAKE_CASE.match(identifier):
        identifier = identifier.lower()
    return "".join(w[0].upper() + w[1:] for w in words(identifier))


def to_upper_snake(identifier: str) -> str:
    """`inProgress` -> `IN_PROGRESS`."""
    return to_snake(identifier).upper()


@lru_cache(maxsize=1)
def _engine():  # -> inflect.engine
    """inflect's engine, imported on first use.

    inflect 7 decorates its functions with typeguard's `@typechecked`, which re-parses and
    recompiles the module at import: about 2 s of CPU, a third of a 500-service check.
    We call it with plain strings only, so it is imported with that decorator switched off.
    """
    import typeguard

    checked = typeguard.typechecked
    typeguard.typechecked = _no_typecheck
    try:
        import inflect
    finally:
        typeguard.typechecked = checked
    return inflect.engine()


def _no_typecheck(target=None, **_options):
    return target if target is not None else (lambda function: function)


@lru_cache(maxsize=8192)
def _forms(word: str) -> tuple[str | None, str]:
    """(singular or None, plural) of a lowercase word, as inflect spells them."""
    engine = _engine()
    singular = engine.singular_noun(word)  # type: ignore[arg-type]
    return (singular or None), engine.plural_noun(word)  # type: ignore[arg-type]


def is_uncountable(word: str, extra: Collection[str] = ()) -> bool:
    word = word.lower()
    if not word.isalpha() or word in extra:
        return True  # digits or symbols: nothing to judge
    singular, plural = _forms(word)
    return singular == word or plural == word


def is_singular(word: str, uncountable: Collection[str] = ()) -> bool:
    word = word.lower()
    if is_uncountable(word, uncountable):
        return True
    singular, plural = _forms(word)
    return singular is None or plural != word + "s"


def is_plural(word: str, uncountable: Collection[str] = ()) -> bool:
    word = word.lower()
    return is_uncountable(word, uncountable) or not is_singular(word)


def pluralize(word: str) -> str:
    """The plural of a lowercase singular word: `person` -> `people`."""
    return _forms(word)[1] if word.isalpha() else word


def singularize(word: str) -> str:
    """The singular of a lowercase plural word: `preferences` -> `preference`."""
    return (_forms(word)[0] or word) if word.isalpha() else word
