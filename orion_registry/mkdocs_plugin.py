"""The `orion-registry` MkDocs plugin: thin glue between MkDocs, the core and `render`.

Once per build it loads and checks the registry, logs every finding as
`file:line:col CODE message`, aborts on error-level findings (or, while serving, shows
them on a page instead), and adds the generated pages as virtual files.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from .engine import check_registry
from .findings import Finding, summarize
from .loader import DEFAULT_REGISTRY, Registry, RegistryNotFound
from .page_cache import PageCache
from .render import Site, SitePaths, make_env, render_site
from .render.blocks import assemble
from .render.escape import escape_markdown
from .render.index import SiteIndex
from .render.loaded import loaded
from .render.pages import STYLESHEET
from .rerender import Rendered, merged, services_to_render, shared_inputs

log = get_plugin_logger(__name__)
MERMAID_VENDOR = "assets/vendor/mermaid.min.js"  # copied by setup from node_modules/mermaid


class OrionRegistryConfig(base.Config):
    registry = c.Type(str, default=DEFAULT_REGISTRY)
    templates_dir = c.Optional(c.Type(str))
    strict_warnings = c.Type(bool, default=False)
    base_path = c.Type(str, default="")
    # Service pages in the nav, grouped by owner ("by_owner"), or only the services index
    # ("index_only"); "auto" groups while every owner's group stays small enough that each
    # page's (pruned) navigation stays small too.
    nav_services = c.Choice(("auto", "by_owner", "index_only"), default="auto")


class OrionRegistryPlugin(BasePlugin[OrionRegistryConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.serving = False
        self.root = Path(DEFAULT_REGISTRY)
        self.pinned_date = False  # whether SOURCE_DATE_EPOCH is ours (then update it)
        self.nav_mode = "by_owner"
        self.page_cache: PageCache | None = None  # while serving: pages kept between rebuilds
        self.nav: Navigation | None = None
        self.env: Environment | None = None
        self.env_stamp: object = None
        self.rendered: Rendered | None = None  # while serving: the last build's pages

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.page_cache = PageCache() if self.serving else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        here = Path(config.config_file_path or ".").resolve().parent
        self.root = here / self.config.registry  # as orion_registry.macros resolves it
        self.templates = here / self.config.templates_dir if self.config.templates_dir else None
        self.paths = SitePaths(self.config.base_path, config.use_directory_urls)
        self.blocks: dict[str, list[str]] = {}
        if (Path(config.docs_dir) / MERMAID_VENDOR).is_file():
            # Material draws diagrams with a global `mermaid` when one exists, instead of
            # fetching it from unpkg: load the vendored copy so diagrams render offline.
            config.extra_javascript.append(c.ExtraScriptValue(MERMAID_VENDOR))
        config.extra_css.append(self.paths.stylesheet)
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        registry, index, findings = self.check()
        self.pinned_date = _pin_build_date(registry, self.pinned_date)
        errors = [f for f in findings if f.severity == "error" or self.config.strict_warnings]
        if errors and not self.serving:
            counts = summarize(findings)
            raise PluginError(
                f"the registry '{_shown_path(self.root).as_posix()}' breaks its conventions: "
                f"{counts['errors']} error(s), {counts['warnings']} warning(s) (listed above); "
                "fix them or waive them with a reason in orion.yaml"
            )
        env = self.template_env()
        try:
            shared = shared_inputs(registry, index, self.paths, bool(errors), self.env_stamp)
            only = services_to_render(self.rendered, registry, index, shared)
            site = render_site(
                registry,
                findings,
                env,
                self.paths,
                show_findings=bool(errors),
                index=index,
                services=only,
            )
            uris = {name: self.paths.service(name) for name in index.names}
            site = merged(self.rendered, site, only, uris)
            css = env.loader.get_source(env, STYLESHEET)[0]  # type: ignore[union-attr]
        except TemplateError as exc:  # e.g. a broken override: name it, no traceback
            where = (
                f" ({exc.filename}:{exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
            )
            raise PluginError(f"orion-registry: template error{where}: {exc}") from exc
        if self.page_cache is not None:  # serving: the next rebuild renders only what changes
            self.rendered = Rendered(registry, index, site, shared)
        self.nav_mode = nav_mode(self.config.nav_services, site)
        self.add_pages(site, files, config)
        files.append(File.generated(config, self.paths.stylesheet, content=css))
        config.nav = expand_nav(config.nav, site, self.paths, self.nav_mode)
        if self.page_cache is not None:  # after the build date is pinned: pages show it
            self.page_cache.start(config)
        return files

    def template_env(self) -> Environment:
        """The generated pages' templates, kept between `serve` rebuilds (Jinja reloads an
        edited template by itself; a template added to `templates_dir` makes a new one)."""
        stamp = (self.templates, _stamp(self.templates))
        if self.env is None or self.env_stamp != stamp:
            self.env, self.env_stamp = make_env(self.templates), stamp
        return self.env

    def check(self) -> tuple[Registry, SiteIndex, list[Finding]]:
        try:
            # Shared with the guide's macros (render.loaded), so a build loads once.
            registry, _, index = loaded(self.root)
        except RegistryNotFound as exc:
            raise PluginError(f"orion-registry: {exc} (plugin option `registry`)") from exc
        findings = check_registry(registry)
        for f in findings:
            line = (
                f"{_shown_path(Path(f.file)).as_posix()}:{f.line}:{f.column} {f.rule} {f.message}"
            )
            if f.severity == "error":
                log.error(line)
            elif self.config.strict_warnings:
                log.warning(line)
            else:
                log.info(f"{line} (warning)")  # shown, but `mkdocs build --strict` passes
        return registry, index, findings

    def add_pages(self, site: Site, files: Files, config: MkDocsConfig) -> None:
        in_nav = {self.paths.services, self.paths.map, self.paths.migrations, self.paths.rules}
        in_nav.add(self.paths.findings)
        in_nav |= {uri for rules in site.rules.values() for _, uri in rules}
        if self.nav_mode == "by_owner":
            in_nav |= {uri for pages in site.services_by_owner.values() for _, uri in pages}
        self.blocks = {}
        for uri, page in site.pages.items():
            inclusion = InclusionLevel.UNDEFINED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content=page.markdown, inclusion=inclusion))
            self.blocks[uri] = page.blocks

    @event_priority(-100)  # last: sees the page's final Markdown
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, **_: Any) -> str:
        if self.page_cache is None:
            return markdown
        return self.page_cache.markdown(page, markdown, self.blocks.get(page.file.src_uri))

    @event_priority(100)
    def _reused_content(self, html: str, *, page: Page, **_: Any) -> str:
        return html if self.page_cache is None else self.page_cache.content(page, html)

    @event_priority(-100)
    def _keep_content(self, html: str, *, page: Page, **_: Any) -> str:
        if self.page_cache is not None:
            self.page_cache.converted_content(page, html)
        return html

    on_page_content = CombinedEvent(_reused_content, _keep_content)

    def on_env(
        self, env: Environment, *, config: MkDocsConfig, files: Files, **_: Any
    ) -> Environment:
        if self.page_cache is None or self.nav is None:
            return env
        pages = [file.page for file in files.documentation_pages() if file.page is not None]
        return self.page_cache.environment(env, self.nav, pages)

    @event_priority(100)  # before the search plugin indexes the page
    def _before_search(self, context: dict, *, page: Page, config: MkDocsConfig, **_: Any) -> dict:
        index = search_index(config)
        if self.page_cache is not None and index is not None:
            self.page_cache.before_search(page, index)
        return context

    @event_priority(-100)
    def _after_search(self, context: dict, *, page: Page, config: MkDocsConfig, **_: Any) -> dict:
        index = search_index(config)
        if self.page_cache is not None and index is not None:
            self.page_cache.after_search(page, index)
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    @event_priority(-100)  # last: what it keeps is the finished page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Put the pre-rendered HTML blocks of a generated page in place of their markers.

        Done on the finished page, after the search plugin indexed the page's Markdown
        part (titles, headings, descriptions): parsing the large tables for the search
        index would cost more than the rest of the build.
        """
        blocks = self.blocks.get(page.file.src_uri)
        output = assemble(output, blocks) if blocks else output
        return output if self.page_cache is None else self.page_cache.finished(page, output)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        cache = self.page_cache
        if cache is not None:
            cache.finish()
            log.debug(
                f"pages converted: {cache.converted}, templated: {cache.templated}, "
                f"indexed: {cache.indexed}"
            )

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.root))
        if self.templates is not None:
            server.watch(str(self.templates))
        return server


def search_index(config: MkDocsConfig) -> Any:
    """The search plugin's index (Material's or MkDocs' own), when it keeps a list of entries."""
    for name in ("material/search", "search"):
        plugin = config.plugins.get(name)
        index = getattr(plugin, "search_index", None)
        if isinstance(getattr(index, "entries", None), list):
            return index
    return None


NAV_GROUP_LIMIT = 40  # "auto": group by owner while no owner has more services than this


def nav_mode(option: str, site: Site) -> str:
    if option != "auto":
        return option
    groups = site.services_by_owner.values()
    small = len(groups) <= NAV_GROUP_LIMIT and all(len(g) <= NAV_GROUP_LIMIT for g in groups)
    return "by_owner" if small else "index_only"


def expand_nav(nav: list | None, site: Site, paths: SitePaths, mode: str) -> list | None:
    """Put rule pages (by family) and service pages (by owner, in that mode) under their
    index pages in the nav; while serving a broken registry, put its findings page first."""
    if nav is None:
        return nav
    sections: dict[str, list] = {
        paths.rules: [paths.rules]
        + [{family: [{title: uri} for title, uri in rules]} for family, rules in site.rules.items()]
    }
    if mode == "by_owner":
        # MkDocs puts nav titles into the HTML as they are: escape the registry's owners.
        owners = site.services_by_owner.items()
        sections[paths.services] = [paths.services] + [
            {str(escape_markdown(owner)): [{name: uri} for name, uri in pages]}
            for owner, pages in owners
        ]

    def expand(item: Any) -> Any:
        if isinstance(item, dict):
            return {key: expand(value) for key, value in item.items()}
        if isinstance(item, list):
            return [expand(value) for value in item]
        return sections.get(item, item)

    expanded = expand(nav)
    if paths.findings in site.pages:
        expanded = [{"Registry findings": paths.findings}, *expanded]
    return expanded


def _stamp(folder: Path | None) -> tuple[tuple[str, int], ...]:
    """Every file of `folder` with its modification time."""
    if folder is None or not folder.is_dir():
        return ()
    return tuple(sorted((p.as_posix(), p.stat().st_mtime_ns) for p in folder.rglob("*")))


def _shown_path(path: Path) -> Path:
    """`path` relative to the working directory when inside it, so findings read `registry/...`."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _pin_build_date(registry: Registry, ours: bool) -> bool:
    """Reproducible builds: MkDocs dates the sitemap by SOURCE_DATE_EPOCH when it is set.

    Unless the caller set it, use the newest migration date of the registry (the last
    change of its data), so two builds of the same registry are byte-identical.
    """
    if "SOURCE_DATE_EPOCH" in os.environ and not ours:
        return False
    dates = [m.date for doc in registry.services.values() for m in doc.model.migrations if m.date]
    newest = max(dates, default=dt.date(1970, 1, 1))
    epoch = dt.datetime.combine(newest, dt.time(), dt.UTC).timestamp()
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    return True
