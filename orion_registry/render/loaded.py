"""The registry as a site build needs it (models, rule configuration, cross-service index),
loaded once and cached until a file under the registry changes: the plugin and the guide's
macros share one load per build, and `mkdocs serve` reloads only after an edit."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..cache import ParseCache, registry_cache
from ..loader import Registry, load_registry
from ..paths import folder_stamp
from ..waivers import RuleConfig, rule_config
from .index import SiteIndex, build_index

_CACHES: dict[tuple[Path, Path | None], ParseCache] = {}


def _cache(root: Path) -> ParseCache | None:
    """One parse cache per registry and cache folder for the process, keeping validated
    models: `mkdocs serve` revalidates only what changed. None with ORION_REGISTRY_NO_CACHE=1."""
    cache = registry_cache(root, keep_models=True)
    if cache is None:
        return None
    return _CACHES.setdefault((root, cache.folder), cache)


@lru_cache(maxsize=4)
def _load(root: Path, stamp: tuple) -> tuple[Registry, RuleConfig, SiteIndex]:
    registry = load_registry(root, _cache(root))
    return registry, rule_config(registry), build_index(registry)


def loaded(root: Path) -> tuple[Registry, RuleConfig, SiteIndex]:
    """The registry at `root`, its rule configuration and site index (cached until edited)."""
    return _load(root, folder_stamp(root, (".yaml", ".yml")))
