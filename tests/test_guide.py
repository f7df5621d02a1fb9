"""The guide's macros: live rule boxes, registry data tables, escaping, and the pages."""

from __future__ import annotations

import json
import os
import re
import textwrap
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
import yaml

from orion_registry import macros
from orion_registry.loader import load_registry
from orion_registry.render import guide
from orion_registry.render.index import build_index
from orion_registry.render.paths import SitePaths
from orion_registry.rules import RULES
from orion_registry.rules.examples import write_example

from .helpers import BUNDLED_REGISTRY, ROOT

DOCS = ROOT / "docs"
GUIDE_PAGES = sorted((DOCS / "guide").glob("*.md"))
RULE_CALL = re.compile(r"""\{\{\s*rule\(\s*["']([A-Z][0-9]{3})["']\s*\)\s*\}\}""")
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
# Where the guide discusses each family's convention (the page must embed the rule).
FAMILY_PAGES = {
    "N": "naming.md",
    "T": "patterns.md",
    "I": "performance.md",
    "R": "relationships.md",
    "M": "migrations.md",
}
HOSTILE = "a|b <script>alert(1)</script> {{ 7*7 }} {% include 'mkdocs.yml' %} *x* _y_ `z`"


def links(registry_root: Path, page: str = "guide/naming.md"):
    return guide.links_for(build_index(load_registry(registry_root)), page)


def fake_env(page: str = "guide/naming.md", plugin_config: dict | None = None):
    """Just enough of mkdocs-macros' `env` for `define_env`: conf, page, macro()."""
    plugins = {}
    if plugin_config is not None:
        plugins[macros.PLUGIN_NAME] = SimpleNamespace(config=plugin_config)
    env = SimpleNamespace(
        conf={"plugins": plugins, "config_file_path": str(ROOT / "mkdocs.yml")},
        page=SimpleNamespace(file=SimpleNamespace(src_uri=page)),
        macros={},
    )
    env.macro = lambda fn: env.macros.setdefault(fn.__name__, fn)
    return env


def code_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def contains_run(lines: list[str], run: list[str]) -> bool:
    return any(lines[i : i + len(run)] == run for i in range(len(lines) - len(run) + 1))


# --- rule boxes ----------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_box_shows_the_rules_current_docs(code):
    rule = RULES[code]
    box = guide.rule_box(rule, links(BUNDLED_REGISTRY))
    summary = rule.summary.replace('"', "'")
    admonition = guide.SEVERITY_ADMONITION[rule.severity]
    assert box.splitlines()[0] == f'??? {admonition} "{code} · {summary}"'
    assert f"`{rule.name}`" in box
    assert f"default severity **{rule.severity}**" in box
    for section in ("Bad", "Good"):
        example = code_lines(rule.example(section))
        assert example, f"{code} has no {section} example"
        assert contains_run(code_lines(box), example), f"{section} example not shown"
    ln = links(BUNDLED_REGISTRY)
    assert f'href="{ln.href(SitePaths().rule(code))}"' in box
    for option in rule.options:
        assert f"<code>{guide.escape(option)}</code>" in box


def test_rule_box_shows_the_registrys_override():
    rule = next((r for r in RULES.values() if r.options), RULES["S601"])
    other = "warning" if rule.severity == "error" else "error"
    options = {name: f"custom-{name}" for name in rule.options}
    box = guide.rule_box(rule, links(BUNDLED_REGISTRY), guide.Effective(other, options))
    assert box.startswith(f'??? {guide.SEVERITY_ADMONITION[other]} "')
    assert f"**{other}** in this registry" in box
    for name in rule.options:
        assert guide.code(f"custom-{name}") in box


# --- registry data -------------------------------------------------------------------


def table_rows(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("|")]
    return [line.strip("|").split(" | ") for line in lines[2:]]


def test_databases_table_lists_every_bundled_service():
    registry = load_registry(BUNDLED_REGISTRY)
    assert registry.services, "the bundled registry has no services"
    ln = links(BUNDLED_REGISTRY)
    rows = table_rows(guide.databases_table(ln))
    assert len(rows) == len(registry.services)
    for row, (name, doc) in zip(rows, sorted(registry.services.items()), strict=True):
        assert f'href="{ln.href(SitePaths().service(name))}"' in row[0]
        assert guide.escape(doc.model.database) in row[1]
        assert row[2].strip() == guide.escape(doc.model.owner)


def test_sync_tables_match_the_bundled_registrys_links():
    ln = links(BUNDLED_REGISTRY, "guide/relationships.md")
    cross = guide.cross_links(ln.index)
    assert cross, "the bundled registry has no cross-service links"
    counts = {row[0].strip(): int(row[1]) for row in table_rows(guide.sync_strategies_table(ln))}
    for sync in guide.SYNC_STRATEGIES:
        expected = sum(1 for link in cross if getattr(link.link, "sync", None) == sync)
        assert counts[f"`{sync}`"] == expected
        rows = table_rows(guide.cross_links_table(ln, sync, limit=1000))
        assert len(rows) == expected or (expected == 0 and not rows)


def test_events_table_names_publishers_and_consumers():
    ln = links(BUNDLED_REGISTRY, "guide/relationships.md")
    rows = table_rows(guide.events_table(ln, limit=1000))
    published = {
        e.name for d in ln.index.registry.services.values() for e in d.model.events.publishes
    }
    assert published
    shown = {row[0].strip() for row in rows}
    assert {guide.code(name) for name in published} <= shown


def test_migration_example_is_the_newest_of_its_type():
    ln = links(BUNDLED_REGISTRY, "guide/migrations.md")
    entries = [
        (m.date, name, m)
        for name, doc in ln.index.registry.services.items()
        for m in doc.model.migrations
        if m.type == "breaking"
    ]
    assert entries, "the bundled registry has no breaking migration"
    _, name, newest = max(entries, key=lambda e: (e[0].isoformat(), e[2].id, e[1]))
    text = guide.migration_example(ln, "breaking")
    body = yaml.safe_load(text.split("```yaml\n", 1)[1].rsplit("```", 1)[0])
    assert body["migrations"][0]["id"] == newest.id
    assert body["migrations"][0]["steps"] == list(newest.steps)
    assert f'href="{ln.href(SitePaths().service(name))}">{name}</a>' in text


# --- escaping ------------------------------------------------------------------------


@pytest.fixture
def hostile_registry(tmp_path: Path) -> Path:
    example = f"""
    service: evil
    owner: {json.dumps(HOSTILE)}
    title: {json.dumps(HOSTILE)}
    events:
      publishes:
        - name: "<img src=x onerror=alert(1)>"
    ---
    service: victim
    tables:
      - name: items
        model: Item
        columns:
          - name: evil_id
            type: uuid
            references:
              column: "evil.t|x.<b>"
              sync: api
              endpoint: "{{{{ 7*7 }}}} | <script>"
    """
    return write_example(textwrap.dedent(example), tmp_path / "registry")


def assert_inert(markdown: str) -> None:
    for raw in ("<script", "<img", "<b>", "{{", "{%", "*x*", "_y_", "`z`"):
        assert raw not in markdown, f"{raw!r} reached the page unescaped"


def test_registry_text_is_escaped_in_every_table(hostile_registry):
    ln = links(hostile_registry)
    assert ln.index.registry.services["evil"].model.owner == HOSTILE
    assert guide.cross_links(ln.index), "the hostile reference was not loaded"
    databases = guide.databases_table(ln)
    events = guide.events_table(ln)
    crossing = guide.cross_links_table(ln)
    for markdown in (databases, events, crossing):
        assert_inert(markdown)
    header_cells = len(table_rows("|h|\n|-|\n" + databases.splitlines()[0])[0])
    assert all(len(row) == header_cells for row in table_rows(databases))
    assert all(len(row) == 5 for row in table_rows(crossing))
    assert "&#124;" in databases and "&#60;script&#62;" in databases


def test_option_values_read_as_yaml():
    assert guide.option_value(5) == "5"
    assert guide.option_value(["data", "metadata"]) == guide.escape("[data, metadata]")
    assert guide.option_value("a|b") == "a&#124;b"


def test_escape_and_fence_keep_text_literal():
    assert guide.escape("a|b\n<i>{{ 7*7 }}</i>") == (
        "a&#124;b &#60;i&#62;&#123;&#123; 7&#42;7 &#125;&#125;&#60;/i&#62;"
    )
    assert guide.code("x`y") == "<code>x&#96;y</code>"
    fenced = guide.fence("a\n```\nb", "yaml")
    assert fenced.startswith("````yaml\n") and fenced.endswith("\n````")


# --- macros --------------------------------------------------------------------------


def test_registry_dir_comes_from_the_plugin_config():
    assert macros.registry_dir(fake_env().conf) == ROOT / "registry"
    conf = fake_env(plugin_config={"registry": "elsewhere", "base_path": "ref"}).conf
    assert macros.registry_dir(conf) == ROOT / "elsewhere"
    assert macros.site_paths(conf).rule("N101") == "ref/rules/n101.md"


def test_registry_is_loaded_once_until_a_file_changes(tmp_path):
    root = write_example("service: one\n", tmp_path / "registry")
    first = macros.loaded(root)
    assert macros.loaded(root) is first
    service = root / "services" / "one.yaml"
    stat = service.stat()
    os.utime(service, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert macros.loaded(root) is not first


def test_rule_macro_rejects_an_unknown_code():
    env = fake_env()
    macros.define_env(env)
    with pytest.raises(KeyError, match="X999"):
        env.macros["rule"]("X999")


# --- the guide's pages ---------------------------------------------------------------


def embedded_rules() -> dict[str, set[str]]:
    pages = [DOCS / "index.md", *GUIDE_PAGES]
    return {p.name: set(RULE_CALL.findall(p.read_text(encoding="utf-8"))) for p in pages}


def test_every_rule_is_embedded_where_its_convention_is_discussed():
    embedded = embedded_rules()
    assert set(RULES) <= set().union(*embedded.values())
    for code in RULES:
        page = FAMILY_PAGES.get(code[0])
        if page:
            assert code in embedded[page], f"{code} is not embedded on guide/{page}"
    for page in ("schema-change-process.md", "checklist.md"):
        assert {"S601", "S602", "M504"} <= embedded[page]


@pytest.mark.parametrize("page", [DOCS / "index.md", *GUIDE_PAGES], ids=lambda p: p.name)
def test_page_renders_with_the_macros(page):
    """Each page through Jinja with our macros (as mkdocs-macros does), without MkDocs."""
    src_uri = page.relative_to(DOCS).as_posix()
    env = fake_env(src_uri)
    macros.define_env(env)
    text = page.read_text(encoding="utf-8")
    assert FRONT_MATTER.match(text) and "render_macros: true" in FRONT_MATTER.match(text)[0]
    jinja = jinja2.Environment(undefined=jinja2.StrictUndefined)
    rendered = jinja.from_string(FRONT_MATTER.sub("", text)).render(**env.macros)
    assert "{{" not in rendered and "{%" not in rendered
    for code in RULE_CALL.findall(text):
        assert RULES[code].summary in rendered


def mkdocs_config() -> dict:
    """mkdocs.yml as data (its `!!python/name:` tags become None)."""

    class AnyTagLoader(yaml.SafeLoader):
        pass

    AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=AnyTagLoader)


def test_every_guide_page_is_in_the_nav():
    def entries(item: object) -> list[str]:
        if isinstance(item, str):
            return [item]
        if isinstance(item, dict):
            return [e for value in item.values() for e in entries(value)]
        if isinstance(item, list):
            return [e for value in item for e in entries(value)]
        return []

    listed = entries(mkdocs_config().get("nav") or [])
    for page in [DOCS / "index.md", *GUIDE_PAGES]:
        assert page.relative_to(DOCS).as_posix() in listed


# Markdown the guide uses -> the extension mkdocs.yml must enable for it.
EXTENSIONS_BY_SYNTAX = {
    re.compile(r"^\s*!!! ", re.M): "admonition",
    re.compile(r"^\s*\?\?\?\+? ", re.M): "pymdownx.details",
    re.compile(r'^\s*=== "', re.M): "pymdownx.tabbed",
    re.compile(r"^\s*```+ ?mermaid", re.M): "pymdownx.superfences",
    re.compile(r"^\s*```+\w* title=", re.M): "pymdownx.highlight",
    re.compile(r":material-[a-z-]+:"): "pymdownx.emoji",
    re.compile(r" markdown>"): "md_in_html",
    re.compile(r'class="grid cards"'): "attr_list",
    re.compile(r"^\|.*\|$", re.M): "tables",
}


def test_mkdocs_yml_enables_the_extensions_the_guide_uses():
    configured = {
        next(iter(e)) if isinstance(e, dict) else e
        for e in mkdocs_config().get("markdown_extensions") or []
    }
    pages = [DOCS / "index.md", *GUIDE_PAGES]
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    text += guide.rule_box(RULES["N101"], links(BUNDLED_REGISTRY))  # what the macros emit
    needed = {ext for syntax, ext in EXTENSIONS_BY_SYNTAX.items() if syntax.search(text)}
    assert needed, "the guide uses no extension at all?"
    assert needed <= configured, f"mkdocs.yml lacks {sorted(needed - configured)}"
    fences = next(
        e["pymdownx.superfences"]
        for e in mkdocs_config()["markdown_extensions"]
        if isinstance(e, dict) and "pymdownx.superfences" in e
    )
    assert any(f.get("name") == "mermaid" for f in fences.get("custom_fences", []))
