"""mkdocs-macros module: the guide's pages embed live rules and registry data.

Load it with `plugins: - macros: {modules: [orion_registry.macros]}`. Each macro is a thin
call into `orion_registry.render.guide`. The registry is loaded once per build (and again
only when a file under it changes), from the orion-registry plugin's `registry` option,
else `registry/` next to `mkdocs.yml`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .loader import DEFAULT_REGISTRY, Registry
from .render import guide
from .render.index import SiteIndex
from .render.links import Links
from .render.loaded import loaded
from .render.paths import SitePaths
from .rules import RULES, Rule
from .waivers import RuleConfig

PLUGIN_NAME = "orion-registry"


def _plugin_options(conf: Any) -> Any:
    plugin = (conf.get("plugins") or {}).get(PLUGIN_NAME)
    return getattr(plugin, "config", None) or {}


def registry_dir(conf: Any) -> Path:
    """The registry the site is built from, resolved against mkdocs.yml's folder."""
    base = Path(conf.get("config_file_path") or "mkdocs.yml").resolve().parent
    return base / (_plugin_options(conf).get("registry") or DEFAULT_REGISTRY)


def site_paths(conf: Any) -> SitePaths:
    """Where the plugin puts its generated pages (its `base_path` option, if any)."""
    base = _plugin_options(conf).get("base_path") or ""
    return SitePaths(base=base, directory_urls=conf.get("use_directory_urls", True))


def define_env(env: Any) -> None:
    root, paths = registry_dir(env.conf), site_paths(env.conf)
    state: dict[str, Any] = {}

    def data() -> tuple[Registry, RuleConfig, SiteIndex]:
        if "data" not in state:  # once per build, on first use
            state["data"] = loaded(root)
        return state["data"]

    def ln() -> Links:
        page = getattr(env, "page", None)
        return guide.links_for(data()[2], page.file.src_uri if page else "index.md", paths)

    def known_rule(code: str) -> Rule:
        if code not in RULES:
            raise KeyError(f"unknown rule code {code!r}; known: {', '.join(RULES)}")
        return RULES[code]

    def effective(code: str) -> guide.Effective:
        found, config = known_rule(code), data()[1]
        return guide.Effective(
            config.severity.get(code, found.severity), config.options.get(code, found.options)
        )

    @env.macro
    def rule(code: str) -> str:
        """The live rule box: summary, severity, Bad/Good examples, options, link."""
        return guide.rule_box(known_rule(code), ln(), effective(code))

    @env.macro
    def rule_link(code: str) -> str:
        known_rule(code)
        return ln().rule(code)

    @env.macro
    def rule_option(code: str, option: str) -> str:
        """An option's value in this registry (its default unless orion.yaml overrides it)."""
        return guide.option_value(effective(code).options[option])

    @env.macro
    def rules_table(prefix: str = "") -> str:
        return guide.rules_table([r for c, r in RULES.items() if c.startswith(prefix)], ln())

    @env.macro
    def rules_count() -> int:
        return len(RULES)

    @env.macro
    def url(section: str) -> str:
        """The link to a generated page: services, map, migrations or rules."""
        return guide.page_url(ln(), section)

    @env.macro
    def services_count() -> int:
        return len(data()[0].services)

    @env.macro
    def database_prefix() -> str:
        return guide.code(data()[0].settings.model.database_prefix)

    @env.macro
    def databases() -> str:
        return guide.databases_table(ln())

    @env.macro
    def sync_strategies() -> str:
        return guide.sync_strategies_table(ln())

    @env.macro
    def cross_links(sync: str | None = None, limit: int = 20) -> str:
        return guide.cross_links_table(ln(), sync, limit)

    @env.macro
    def events(limit: int = 30) -> str:
        return guide.events_table(ln(), limit)

    @env.macro
    def migration_example(kind: str = "breaking") -> str:
        return guide.migration_example(ln(), kind)

    @env.macro
    def migrations_count(kind: str | None = None) -> int:
        counts = guide.migration_counts(data()[0])
        return counts[kind] if kind else sum(counts.values())
