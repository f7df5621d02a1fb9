"""The `orion-registry` MkDocs plugin: thin glue between MkDocs, the core and `render`.

Once per build it loads and checks the registry, logs every finding as
`file:line:col CODE message`, aborts on error-level findings (or, while serving, shows
them on a page instead), and adds the generated pages as virtual files.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, TemplateError, TemplateSyntaxError
from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler
from mkdocs.utils.templates import TemplateContext

from .cache import digest
from .engine import check_registry
from .findings import Finding
from .loader import DEFAULT_REGISTRY, Registry, RegistryNotFound, service_files
from .paths import folder_stamp
from .render import Site, SitePaths, make_env, render_site
from .render.blocks import GeneratedPage, assemble
from .render.collector import keep_out_of_collections, release
from .render.escape import escape_markdown
from .render.findings import banner, counted, stale_note, tally
from .render.graph import map_json
from .render.index import SiteIndex
from .render.loaded import loaded
from .render.memo import PageMemo
from .render.pages import MAP_SCRIPT, STYLESHEET, shown_file, unloadable_page
from .render.plainmd import Converted, applies, convert
from .serve_cache import PageCache
from .serve_output import ServeOutput
from .sitedir import StagedSiteDir

log = get_plugin_logger(__name__)
MERMAID_VENDOR = "assets/vendor/mermaid.min.js"  # copied by setup from node_modules/mermaid
_MERMAID_SCRIPT = re.compile(r'\s*<script src="[^"]*assets/vendor/mermaid\.min\.js"></script>')


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
        # While serving: the last page of each service that loaded, shown (marked stale)
        # when its file stops loading, instead of a 404.
        self.last_good: dict[str, GeneratedPage] = {}
        self.staged = StagedSiteDir()
        self.dirty = False
        # While serving: service pages and MkDocs' work on every page kept between
        # rebuilds, reused where their inputs did not change (render/memo.py, serve_cache.py).
        self.memo: PageMemo | None = None
        self.page_cache: PageCache | None = None
        self.output: ServeOutput | None = None  # while serving: only changed files written
        self.files: Files | None = None
        self.nav: Navigation | None = None
        self.env: tuple[object, Environment] | None = None  # (templates stamp, environment)
        self.kept_map = ("", "")  # (key, the map's data) of the last build

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.dirty = dirty
        self.memo, self.page_cache = (PageMemo(), PageCache()) if self.serving else (None, None)
        self.output = ServeOutput() if self.serving else None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        here = Path(config.config_file_path or ".").resolve().parent
        self.root = here / self.config.registry  # as orion_registry.macros resolves it
        self.templates = here / self.config.templates_dir if self.config.templates_dir else None
        self.paths = SitePaths(self.config.base_path, config.use_directory_urls)
        self.pages: dict[str, GeneratedPage] = {}
        self.converted: dict[str, str] = {}  # src_uri -> HTML with block markers
        self.banner: list[Finding] = []  # while serving a broken registry: its findings
        self.banner_key = ""
        self.stale: dict[str, Markup] = {}  # src_uri -> the note of a stale service page
        self.plain = applies(config.markdown_extensions, config.mdx_configs)
        if (Path(config.docs_dir) / MERMAID_VENDOR).is_file():
            # Material draws diagrams with a global `mermaid` when one exists, instead of
            # fetching it from unpkg: load the vendored copy so diagrams render offline.
            config.extra_javascript.append(c.ExtraScriptValue(MERMAID_VENDOR))
        config.extra_css.append(self.paths.stylesheet)
        if not self.serving and not self.dirty:  # a failed build keeps the last good site
            config.site_dir = self.staged.start(config.site_dir)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """While serving, MkDocs does not empty `site_dir`: only changed files are written."""
        if self.output is not None:
            config.site_dir = self.output.before_clean(config.site_dir)

    @event_priority(-100)  # after every other plugin wrote its files (search index...)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        release()
        if self.page_cache is not None:
            self.page_cache.finish()
        if self.output is not None and self.files is not None:
            self.output.finish(self.files)
        if _strict_warnings():
            return  # MkDocs aborts right after this event: on_shutdown drops the staging
        if self.staged.commit() and self.staged.target is not None:
            config.site_dir = str(self.staged.target)

    def on_build_error(self, *, error: Exception) -> None:
        release()
        self.staged.abort()
        if self.output is not None:
            self.output.failed()

    def on_shutdown(self) -> None:
        release()
        self.staged.abort()  # a build stopped without an error event (e.g. --strict)
        if self.output is not None:
            self.output.close()

    @event_priority(100)  # first: the files MkDocs listed, before any plugin adds its own
    def _served_site_dir(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.output is not None:
            config.site_dir = self.output.files(files)
        return files

    def _generated_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        registry, index, findings = self.check()
        self.pinned_date = _pin_build_date(registry, self.pinned_date)
        errors = [
            f
            for f in findings
            if not f.baselined and (f.severity == "error" or self.config.strict_warnings)
        ]
        if errors and not self.serving:
            raise PluginError(
                f"the registry '{_shown_path(self.root).as_posix()}' breaks its conventions: "
                f"{tally(findings)} (listed above); "
                "fix them or waive them with a reason in orion.yaml"
            )
        if not errors:
            log.info(
                f"registry '{_shown_path(self.root).as_posix()}': {len(registry.services)} "
                f"services pass their checks ({counted(len(findings), 'warning')})"
            )
        self.banner = findings if errors else []
        self.banner_key = digest(self.banner)
        stamp, env = self.template_env()
        if self.memo is not None:
            shared = (registry.root, registry.settings.digest, self.paths, bool(errors), stamp)
            self.memo.start(index, *shared)
        try:
            site = render_site(
                registry,
                findings,
                env,
                self.paths,
                show_findings=bool(errors),
                index=index,
                memo=self.memo,
            )
            css = env.loader.get_source(env, STYLESHEET)[0]  # type: ignore[union-attr]
            script = env.loader.get_source(env, MAP_SCRIPT)[0]  # type: ignore[union-attr]
        except TemplateError as exc:  # e.g. a broken override: name it, no traceback
            where = (
                f" ({exc.filename}:{exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
            )
            raise PluginError(f"orion-registry: template error{where}: {exc}") from exc
        self.nav_mode = nav_mode(self.config.nav_services, site)
        if self.serving:
            self.keep_unloadable(site, registry, findings)
        self.add_pages(site, files, config)
        files.append(File.generated(config, self.paths.stylesheet, content=css))
        files.append(File.generated(config, self.paths.map_script, content=script))
        files.append(File.generated(config, self.paths.map_data, content=self.map_data(index)))
        config.nav = expand_nav(config.nav, site, self.paths, self.nav_mode)
        if self.memo is not None and self.page_cache is not None:
            self.memo.finish()
            self.page_cache.start(config, files)  # after the build date is pinned
        keep_out_of_collections()  # the registry and pages, until the build ends
        return files

    on_files = CombinedEvent(_served_site_dir, _generated_files)

    def map_data(self, index: SiteIndex) -> str:
        """The relationship map's data; while serving, kept as long as the map's key."""
        key = self.memo.map if self.memo is not None else ""
        if not key or self.kept_map[0] != key:
            self.kept_map = (key, map_json(index, self.paths))
        return self.kept_map[1]

    def template_env(self) -> tuple[object, Environment]:
        """The generated pages' templates; while serving, kept until a file of
        `templates_dir` changes (then every page is rendered again)."""
        stamp = folder_stamp(self.templates)
        if self.env is None or self.env[0] != stamp or not self.serving:
            self.env = (stamp, make_env(self.templates))
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
            if f.baselined:
                log.debug(f"{line} (baselined)")
            elif f.severity == "error":
                log.error(line)
            elif self.config.strict_warnings:
                log.warning(line)
            else:
                log.info(f"{line} (warning)")  # shown, but `mkdocs build --strict` passes
        return registry, index, findings

    def keep_unloadable(self, site: Site, registry: Registry, findings: list[Finding]) -> None:
        """A service whose file does not load keeps its last good page, marked stale (or a
        placeholder naming the problem, when it never loaded in this session)."""
        self.stale = {}
        current = {self.paths.service(name) for name in registry.services}
        self.last_good.update({uri: site.pages[uri] for uri in current})
        loaded_files: set[Path] | None = None
        for path in service_files(registry.root):
            uri = self.paths.service(path.stem)
            if uri in site.pages:
                continue
            if loaded_files is None:  # only once a file has no page (paths resolved: slow)
                loaded_files = {doc.path.resolve() for doc in registry.services.values()}
            if path.resolve() in loaded_files:
                continue
            problems = [
                replace(f, file=shown_file(registry, f.file))
                for f in findings
                if Path(f.file).name == path.name
            ]
            shown = shown_file(registry, path)
            href = self.paths.url(uri, self.paths.findings)
            site.pages[uri] = self.last_good.get(uri) or unloadable_page(path.stem)
            self.stale[uri] = stale_note(shown, problems, href)

    def add_pages(self, site: Site, files: Files, config: MkDocsConfig) -> None:
        in_nav = {self.paths.services, self.paths.map, self.paths.migrations, self.paths.rules}
        in_nav.add(self.paths.findings)
        in_nav |= {uri for rules in site.rules.values() for _, uri in rules}
        if self.nav_mode == "by_owner":
            in_nav |= {uri for pages in site.services_by_owner.values() for _, uri in pages}
        self.pages = site.pages
        self.converted = {}
        for uri, page in site.pages.items():
            inclusion = InclusionLevel.UNDEFINED if uri in in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content=page.markdown, inclusion=inclusion))

    @event_priority(-100)  # last: the Markdown every other plugin left
    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """While serving: a page whose inputs did not change is not converted again. A
        generated page whose Markdown is plain (headings, paragraphs, block markers: a
        service page) is converted by `render.plainmd`, as Python-Markdown would, at a
        fraction of the cost."""
        uri = page.file.src_uri
        if self.page_cache is not None:
            generated = self.pages.get(uri)
            added = (
                (generated.blocks, generated.search) if generated else None,
                self.banner_key,
                self.stale.get(uri),
            )
            markdown = self.page_cache.markdown(page, markdown, added)
            if uri in self.page_cache.reused:
                return markdown
        converted = convert(markdown) if self.plain and uri in self.pages else None
        if converted is not None:  # MkDocs' conversion, without a Markdown instance
            page.render = partial(_render_plain, page, converted)  # type: ignore[method-assign]
        return markdown

    @event_priority(100)  # first: the conversion as Python-Markdown made it
    def _kept_conversion(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if self.page_cache is None:
            return html
        if page.file.src_uri in self.page_cache.reused:
            return self.page_cache.content(page, html)
        self.page_cache.converted_content(page, html)
        return html

    def _added_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """While serving a broken registry, every page starts with a banner. A generated
        page goes to the search index with each HTML block replaced by its short search
        text (names, types, descriptions): see `on_page_context` and `on_post_page`."""
        uri = page.file.src_uri
        if self.banner:
            html = str(banner(self.banner, self.paths.url(uri, self.paths.findings))) + html
        if uri in self.stale:
            html = str(self.stale[uri]) + html
        generated = self.pages.get(uri)
        if generated is None or not generated.blocks:
            return html
        self.converted[uri] = html
        return generated.searchable(html)

    on_page_content = CombinedEvent(_kept_conversion, _added_content)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        """While serving: pages whose finished HTML is kept skip the theme's template."""
        self.files = files
        if self.output is not None:
            self.output.static_files(files)  # MkDocs copies them right after this event
        if self.page_cache is None or self.nav is None:
            return env
        pages = [file.page for file in files.documentation_pages() if file.page is not None]
        return self.page_cache.environment(env, self.nav, pages)

    @event_priority(100)  # before the search plugin indexes the page
    def _before_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        index = _search_index(config)
        if self.page_cache is not None and index is not None:
            self.page_cache.before_search(page, index)
        return context

    @event_priority(-100)  # after the search plugin (priority 0) indexed the page
    def _after_search(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """The indexed page goes back to its block markers (small: pages stay in memory
        until the build ends); while serving, its search entries are kept."""
        converted = self.converted.pop(page.file.src_uri, None)
        if converted is not None:
            page.content = converted
        index = _search_index(config)
        if self.page_cache is not None and index is not None:
            self.page_cache.after_search(page, index)
        return context

    on_page_context = CombinedEvent(_before_search, _after_search)

    @event_priority(-100)  # last: what the page cache keeps is the finished page
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """The finished page with its pre-rendered HTML blocks in place of their markers;
        Mermaid left out of pages without a diagram (the map page among them)."""
        generated = self.pages.get(page.file.src_uri)
        if generated and generated.blocks:
            output = assemble(output, generated.blocks)
        if 'class="mermaid"' not in output:  # 3.5 MB of script that has nothing to draw
            output = _MERMAID_SCRIPT.sub("", output, count=1)
        if self.page_cache is not None:
            output = self.page_cache.finished(page, output)
        if self.output is not None:
            self.output.page(page, output)
        return output

    def on_serve(self, server: Any, config: MkDocsConfig, builder: Any) -> Any:
        server.watch(str(self.root))
        if self.templates is not None:
            server.watch(str(self.templates))
        return server


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


def _search_index(config: MkDocsConfig) -> Any:
    """The search plugin's index (Material's or MkDocs' own), when it keeps a list of entries."""
    for name in ("material/search", "search"):
        index = getattr(config.plugins.get(name), "search_index", None)
        if isinstance(getattr(index, "entries", None), list):
            return index
    return None


def _render_plain(page: Page, converted: Converted, config: MkDocsConfig, files: Files) -> None:
    """`Page.render` for a page `render.plainmd` converted: what MkDocs sets from
    Python-Markdown's conversion."""
    page.content = converted.html
    page.toc = get_toc(converted.toc_tokens)
    page._title_from_render = converted.title
    page.present_anchor_ids = converted.anchor_ids
    page.links_to_anchors = {}  # a plain page has no Markdown links


def _strict_warnings() -> bool:
    """Whether MkDocs counted warnings it aborts on (`--strict`) after `on_post_build`."""
    for handler in logging.getLogger("mkdocs").handlers:
        if isinstance(handler, CountHandler) and handler.get_counts():
            return True
    return False


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
