"""The published site: real `mkdocs build` runs on temporary copies of the repository's
`mkdocs.yml`, `docs/` and `registry/`, plus unit tests of the pure `render` functions.

Builds are few and shared (module-scoped fixtures); each assertion reads their output.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from orion_registry.commands.common import rule_docs
from orion_registry.loader import load_registry
from orion_registry.render import escape_markdown, make_env, mermaid_label, render_site
from orion_registry.render.blocks import MARKER, assemble
from orion_registry.render.index import build_index
from orion_registry.render.mermaid import (
    MAX_EDGES,
    MAX_TEXT,
    _bounded,
    er_diagram,
    flowchart,
    service_edges,
)
from orion_registry.render.paths import SitePaths, relative_url
from orion_registry.reporters import sarif
from orion_registry.rules import RULES

from .helpers import BUNDLED_REGISTRY, ROOT

INJECTIONS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% include 'mkdocs.yml' %}",
    "a | b *em* _u_ `tick` [x](http://e.test) # h",
)
INJECTED = "INJ-START " + " ".join(INJECTIONS) + " INJ-END"


# --- building -----------------------------------------------------------------------------
def make_project(dest: Path) -> Path:
    """A copy of the repository's site sources (mkdocs.yml, docs/, registry/) in `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", dest / "docs")
    shutil.copytree(BUNDLED_REGISTRY, dest / "registry")
    return dest


def mkdocs_build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "NO_COLOR": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)  # the plugin must make builds reproducible by itself
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "site", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def set_plugin_option(project: Path, **options: object) -> None:
    """Add options to the `orion-registry` plugin entry of the project's mkdocs.yml."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    lines = "".join(f"      {key}: {value}\n" for key, value in options.items())
    marker = "  - orion-registry:\n"
    assert marker in text
    config.write_text(text.replace(marker, marker + lines, 1), encoding="utf-8")


def edit_service(project: Path, name: str, edit) -> Path:
    path = project / "registry" / "services" / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@cache
def built_bundled(root: str) -> Path:
    """The bundled registry's site, built with --strict (once per test process)."""
    project = make_project(Path(root) / "bundled")
    result = mkdocs_build(project, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_bundled(str(tmp_path_factory.mktemp("site")))


def first_service() -> str:
    return sorted(p.stem for p in (BUNDLED_REGISTRY / "services").glob("*.yaml"))[0]


def page_text(path: Path) -> str:
    """The visible text of an HTML page (what a reader sees)."""

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", "".join(parser.parts))


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- the bundled registry -----------------------------------------------------------------
def test_bundled_registry_builds_strict_with_every_generated_page(site: Path) -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    expected = ["services/index.html", "map/index.html", "migrations/index.html"]
    expected += [f"services/{name}/index.html" for name in registry.services]
    expected += [f"rules/{code.lower()}/index.html" for code in RULES] + ["rules/index.html"]
    missing = [page for page in expected if not (site / page).is_file()]
    assert not missing
    assert (site / "assets" / "orion-registry.css").is_file()


def test_service_page_shows_tables_diagrams_references_and_migrations(site: Path) -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    for name, doc in registry.services.items():
        page = site / "services" / name / "index.html"
        raw = page.read_text(encoding="utf-8")
        text = page_text(page)
        assert "orion-block" not in raw  # every block marker was replaced
        assert '<pre class="mermaid"><code>erDiagram' in raw
        for table in doc.model.tables:
            assert f'id="table-{table.name.replace("_", "-")}"' in raw
            assert all(column.name in text for column in table.columns)
        dates = [m.date.isoformat() for m in doc.model.migrations if m.date]
        positions = [text.index(d) for d in sorted(set(dates), reverse=True)]
        assert positions == sorted(positions)  # newest first


def test_tables_show_estimates_and_queries_linked_to_their_index(site: Path) -> None:
    """Each table's estimated rows, the service's total, and a Queries table whose
    served-by links land on an index row of the same page."""
    registry = load_registry(BUNDLED_REGISTRY)
    for name, doc in registry.services.items():
        raw = (site / "services" / name / "index.html").read_text(encoding="utf-8")
        text = page_text(site / "services" / name / "index.html")
        total = sum(t.estimated_rows or 0 for t in doc.model.tables)
        assert f"Estimated rows{total:,} (all tables)" in text
        for table in doc.model.tables:
            assert f"Estimated rows: {table.estimated_rows:,}." in text
            for query in table.queries:
                row = re.search(rf"<td><code>{query.name}</code>.*?</tr>", raw)
                assert row, (name, table.name, query.name)
                anchors = re.findall(r'href="#((?:index|table)-[^"]+)"', row.group(0))
                assert anchors and all(f'id="{a}"' in raw for a in anchors), row.group(0)
    assert "idx_notifications_user_id_status_created_at" in page_text(
        site / "services" / "notifications" / "index.html"
    )


def test_references_in_and_consumers_come_from_other_services(site: Path) -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    index = build_index(registry)
    held = [link for links in index.refs_in.values() for link in links]
    assert held, "the bundled registry has cross-service references"
    for link in held:
        text = page_text(site / "services" / link.owner / "index.html")
        assert f"{link.table}.{link.column}" in text
        assert link.holder in text


def test_sarif_help_links_point_at_published_rule_pages(site: Path) -> None:
    """Every helpUri of `check --format sarif` names a page the build wrote."""
    docs_url = "https://docs.example/orion/"
    log = json.loads(sarif.render([], rules=rule_docs(docs_url)))
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        page = rule["helpUri"].removeprefix(docs_url)
        assert (site / page / "index.html").is_file(), rule["helpUri"]


def test_mermaid_is_loaded_from_the_vendored_copy_when_present(site: Path) -> None:
    raw = (site / "services" / first_service() / "index.html").read_text(encoding="utf-8")
    vendored = (ROOT / "docs" / "assets" / "vendor" / "mermaid.min.js").is_file()
    assert ("assets/vendor/mermaid.min.js" in raw) == vendored
    assert "unpkg.com" not in raw and "fonts.googleapis" not in raw


def test_service_pages_do_not_embed_the_whole_navigation(site: Path) -> None:
    """Pruned navigation: a service page links its own owner's services and at most one
    entry per other owner (the collapsed section), and not the guide's pages."""
    registry = load_registry(BUNDLED_REGISTRY)
    owner = {name: doc.model.owner for name, doc in registry.services.items()}
    guide = [p.stem for p in (ROOT / "docs" / "guide").glob("*.md")]
    for name in registry.services:
        raw = (site / "services" / name / "index.html").read_text(encoding="utf-8")
        nav = raw.split("md-sidebar--primary", 1)[1].split("md-sidebar--secondary", 1)[0]
        linked = set(re.findall(r'href="\.\./([a-z0-9_]+)/"', nav)) & set(owner)
        outside = [other for other in linked if owner[other] != owner[name]]
        assert len(outside) <= len(set(owner.values())) - 1
        assert {o for o in owner if owner[o] == owner[name]} <= linked | {name}
        assert sum(f"guide/{page}/" in nav for page in guide) <= 1


def test_two_builds_are_byte_identical(site: Path, tmp_path: Path) -> None:
    other = make_project(tmp_path / "elsewhere")
    result = mkdocs_build(other, "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = tree_hashes(site), tree_hashes(other / "site")
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []


# --- failing and warning registries --------------------------------------------------------
def test_an_error_level_violation_fails_the_build_naming_file_line_and_code(tmp_path: Path) -> None:
    project = make_project(tmp_path / "broken")
    name = first_service()
    path = edit_service(project, name, lambda data: data.update(owner=""))
    line = next(
        i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("owner:")
    )
    result = mkdocs_build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"registry/services/{name}\.yaml:{line}:\d+ S601 ", output), output
    assert "breaks its conventions: 1 error(s)" in output
    assert "Traceback" not in output


def test_serving_a_broken_registry_shows_its_findings_instead_of_failing(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path / "serve")
    name = first_service()
    edit_service(project, name, lambda data: data.update(owner=""))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = ""
        for _ in range(600):
            with contextlib.suppress(OSError):
                # the root redirects to site_url's path (e.g. /en/latest/)
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as home:
                    base = home.geturl()
                with urllib.request.urlopen(f"{base}registry-findings/", timeout=2) as response:
                    page = response.read().decode()
                break
            assert server.poll() is None, "mkdocs serve exited on a broken registry"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert f"registry/services/{name}.yaml:" in page
    assert "S601" in page


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    """Injection strings in registry text, a warning-level finding, an override template."""
    project = make_project(tmp_path_factory.mktemp("variant") / "project")
    name = first_service()

    def inject(data: dict) -> None:
        data["description"] = INJECTED
        data["owner"] = f"team {INJECTED}"  # owners title nav sections and map pages
        data["tables"][0]["description"] = INJECTED
        data["tables"][0]["columns"][0]["description"] = INJECTED
        if data.get("migrations"):
            data["migrations"][0]["purpose"] = INJECTED
        other = sorted(p.stem for p in (BUNDLED_REGISTRY / "services").glob("*.yaml"))[1]
        data["tables"][0]["columns"].append(  # a missing target table, waived below
            {
                "name": "ghost_id",
                "type": "uuid",
                "unique": True,
                "nullable": True,
                "references": {"column": f"{other}.no_such_table.id", "sync": "api"}
                | {"endpoint": "GET /ghosts/{id}"},
            }
        )

    edit_service(project, name, inject)
    settings = project / "registry" / "orion.yaml"
    config = yaml.safe_load(settings.read_text()) if settings.is_file() else {}
    table = yaml.safe_load((project / "registry/services" / f"{name}.yaml").read_text())["tables"][
        0
    ]
    config["waivers"] = [
        *config.get("waivers", []),
        {
            "rule": "R402",
            "target": f"{name}.{table['name']}.ghost_id",
            "reason": "the table moves in the next release",
            "expires": "2999-01-01",
        },
    ]
    config.setdefault("waivers", []).append(  # valid, but suppresses nothing: S603, a warning
        {
            "rule": "N101",
            "target": f"{name}.{table['name']}",
            "reason": "test",
            "expires": "2999-01-01",
        }
    )
    settings.write_text(yaml.safe_dump(config, sort_keys=False))
    overrides = project / "overrides"
    overrides.mkdir()
    shipped = make_env().loader.get_source(make_env(), "services_index.md.j2")[0]
    (overrides / "services_index.md.j2").write_text(
        shipped.replace(
            "# Services\n", "# Services\n\nOVERRIDDEN-TEMPLATE {{ rows[0].description }}\n"
        )
    )
    set_plugin_option(project, templates_dir="overrides")
    return project, mkdocs_build(project, "--strict")


def test_warnings_are_shown_and_do_not_fail_the_build(variant) -> None:
    _, result = variant
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"registry/orion\.yaml:\d+:\d+ S603 .*\(warning\)", output), output


def test_registry_text_is_escaped_and_never_evaluated(variant) -> None:
    project, _ = variant
    site = project / "site"
    for page in site.rglob("*.html"):
        raw = page.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in raw and "<img src=x" not in raw, page
        assert "INJ-START 49" not in page_text(page)
    text = page_text(site / "services" / first_service() / "index.html")
    assert text.count(INJECTED) >= 3  # service, table and column descriptions, literally
    assert "site_name" not in text  # `{% include 'mkdocs.yml' %}` was not executed


def test_every_relative_link_and_anchor_of_the_site_resolves(variant) -> None:
    """MkDocs validates Markdown links only; generated pages are mostly HTML blocks."""

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.ids: set[str] = set()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag, attrs):
            values = dict(attrs)
            if values.get("id"):
                self.ids.add(values["id"])
            if tag == "a" and values.get("href"):
                self.hrefs.append(values["href"])

    site = (variant[0] / "site").resolve()
    pages: dict[Path, Links] = {}
    for page in site.rglob("*.html"):
        pages[page] = Links()
        pages[page].feed(page.read_text(encoding="utf-8"))
    broken = []
    for page, parsed in pages.items():
        if page.name == "404.html":  # links from the site root (site_url), by design
            continue
        for href in parsed.hrefs:
            if re.match(r"[a-z]+:|/", href):
                continue
            path, _, anchor = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            target = target / "index.html" if target.is_dir() else target
            found = target in pages or target.is_file()
            if not found or (anchor and target in pages and anchor not in pages[target].ids):
                broken.append((page.relative_to(site), href))
    assert len(pages) > 20 and broken == []


def test_templates_dir_overrides_a_shipped_template(variant) -> None:
    project, _ = variant
    text = page_text(project / "site" / "services" / "index.html")
    assert "OVERRIDDEN-TEMPLATE" in text
    assert f"OVERRIDDEN-TEMPLATE {INJECTED}" in text  # escaped in overrides too


def test_strict_warnings_makes_warnings_fail(variant, tmp_path: Path) -> None:
    project = tmp_path / "strict"
    shutil.copytree(variant[0], project, ignore=shutil.ignore_patterns("site"))
    set_plugin_option(project, strict_warnings="true")
    result = mkdocs_build(project)
    assert result.returncode != 0
    assert "S603" in result.stdout + result.stderr


# --- render: pure functions, no MkDocs ----------------------------------------------------
def test_render_never_imports_mkdocs() -> None:
    for path in (ROOT / "orion_registry" / "render").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [m for m in imported if m.split(".")[0] == "mkdocs"], path


@pytest.mark.parametrize("text", INJECTIONS)
def test_escape_markdown_leaves_no_markup_characters(text: str) -> None:
    escaped = str(escape_markdown(text))
    assert not set("<>{}|*_`[]#&") & set(re.sub(r"&#\d+;", "", escaped))
    assert html.unescape(escaped) == text


def test_escape_markdown_keeps_lists_and_newlines_out() -> None:
    assert html.unescape(str(escape_markdown("- a\n\n1. b"))) == "- a 1. b"
    assert not str(escape_markdown("- a")).startswith("-")
    assert not re.match(r"\d+\.", str(escape_markdown("1. b")))


def test_mermaid_labels_hold_only_safe_characters() -> None:
    label = mermaid_label('a"]; click x call alert(1) %% <b>')
    assert re.fullmatch(r"[A-Za-z0-9 _.,/()#;-]*", label)
    assert '"' not in label and "<" not in label and "]" not in label


def test_templates_escape_every_value_by_default(tmp_path: Path) -> None:
    (tmp_path / "t.md.j2").write_text("{{ value }}|{{ value ~ '' }}")
    out = make_env(tmp_path).get_template("t.md.j2").render(value="<b>{{x}}</b>")
    assert "<" not in out and "{{" not in out


def test_relative_urls_follow_mkdocs_directory_urls() -> None:
    assert relative_url("services/user.md", "services/auth.md") == "../auth/"
    assert relative_url("services/index.md", "services/auth.md") == "auth/"
    assert relative_url("services/user.md", "rules/n101.md") == "../../rules/n101/"
    assert relative_url("index.md", "services/index.md") == "services/"
    assert relative_url("services/user.md", "services/auth.md", False) == "auth.html"
    assert SitePaths().service("index") != SitePaths().services


def test_render_site_builds_the_index_once_and_every_page() -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    site = render_site(registry)
    paths = SitePaths()
    assert {paths.service(n) for n in registry.services} <= set(site.pages)
    assert {paths.rule(c) for c in RULES} <= set(site.pages)
    for page in site.pages.values():
        assert page.markdown.startswith("---\nrender_macros: false\n")
        assert MARKER.format(0) not in page.inline()
    assert list(site.pages) == sorted(site.pages)


def test_index_and_diagrams_of_a_small_registry(tmp_path: Path) -> None:
    services = tmp_path / "services"
    services.mkdir()
    (services / "a.yaml").write_text(
        "service: a\ndatabase: orion_a\nowner: t1\n"
        "tables:\n  - name: things\n    columns:\n"
        "      - {name: id, type: uuid, primary_key: true}\n"
        "  - name: parts\n    columns:\n      - {name: id, type: uuid, primary_key: true}\n"
        "      - {name: thing_id, type: uuid, references: things.id}\n"
        "events:\n  publishes: [{name: a.changed}]\n"
    )
    (services / "b.yaml").write_text(
        "service: b\ndatabase: orion_b\nowner: t2\n"
        "tables:\n  - name: copies\n    columns:\n"
        "      - {name: id, type: uuid, primary_key: true}\n"
        "      - name: thing_id\n        type: uuid\n"
        "        references: {column: a.things.id, sync: event, events: [a.changed]}\n"
    )
    registry = load_registry(tmp_path)
    index = build_index(registry)
    assert index.consumers["a.changed"] == ["b"]
    assert index.dependents["a"] == {"b"}
    assert [link.holder for link in index.refs_in["a"]] == ["b"]
    er = er_diagram(registry.services["a"].model, index)
    assert "t0 ||--o{ t1" in er and "uuid thing_id FK" in er
    chart = flowchart(index, ["a", "b"], service_edges(index, ["b"])).source
    assert 's_b -->|"event"| s_a' in chart and 's_a -.->|"a.changed"| s_b' in chart
    assert chart.count("subgraph") == 2


def test_diagrams_stay_within_mermaid_limits() -> None:
    lines = ["flowchart LR"]
    edges = [f'  s_a -->|"{i}"| s_b' for i in range(MAX_EDGES + 10)]
    chart = _bounded(lines, edges)
    assert chart.source.count("-->") == MAX_EDGES and chart.omitted == 10
    long = _bounded(["flowchart LR"], ["  " + "x" * 1000] * 100)
    assert len(long.source) <= MAX_TEXT and long.omitted > 0


def test_assemble_replaces_markers_only() -> None:
    text = f"<p>x</p>\n{MARKER.format(1)}\n{MARKER.format(0)}"
    assert assemble(text, ["A", "B"]) == "<p>x</p>\nB\nA"


def test_nav_groups_services_by_owner_only_while_groups_are_small() -> None:
    from orion_registry.mkdocs_plugin import NAV_GROUP_LIMIT, expand_nav, nav_mode
    from orion_registry.render import Site

    paths = SitePaths()
    small = Site(services_by_owner={"<b>team</b>": [("a", paths.service("a"))]})
    small.rules = {"Naming": [("N101 x", paths.rule("N101"))]}
    nav = expand_nav(
        [{"Services": paths.services}, {"Rules": paths.rules}], small, paths, "by_owner"
    )
    services, rules = nav[0]["Services"], nav[1]["Rules"]
    assert services[0] == paths.services and "<b>" not in str(services[1])
    assert next(iter(services[1].values())) == [{"a": paths.service("a")}]
    assert rules[1] == {"Naming": [{"N101 x": paths.rule("N101")}]}
    assert nav_mode("auto", small) == "by_owner"
    big = Site(services_by_owner={"t": [(str(i), f"{i}.md") for i in range(NAV_GROUP_LIMIT + 1)]})
    assert nav_mode("auto", big) == "index_only"
    index_only = expand_nav([{"Services": paths.services}], big, paths, "index_only")
    assert index_only == [{"Services": paths.services}]


def test_a_service_consuming_its_own_event_draws_no_self_loop(tmp_path: Path) -> None:
    from orion_registry.render.mermaid import owner_ids, team_map

    services = tmp_path / "services"
    services.mkdir()
    (services / "a.yaml").write_text(
        "service: a\ndatabase: orion_a\nowner: t1\n"
        "events:\n  publishes: [{name: a.changed}]\n  consumes: [a.changed]\n"
    )
    index = build_index(load_registry(tmp_path))
    assert service_edges(index, ["a"]).pairs() == set()
    assert "-->" not in team_map(index, "t1", owner_ids(index.owners)).source


def test_team_overview_map_describes_what_it_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the full-map limit the map draws teams joined by counted lines (no arrows),
    and leaves weaker links out for readability, not only for Mermaid's limits."""
    from orion_registry.render import mermaid, pages

    monkeypatch.setattr(pages, "FULL_MAP_LIMIT", 1)
    monkeypatch.setattr(mermaid, "TEAM_LINKS", 0)
    page = render_site(load_registry(BUNDLED_REGISTRY)).pages[SitePaths().map].inline()
    assert "flowchart LR" in page and "-->" not in page and "---|" not in page
    assert "arrows" not in page.lower()
    assert "more links are not drawn" in page and "Mermaid cannot draw this many" not in page


def test_owner_page_paths_keep_accented_letters_readable() -> None:
    from orion_registry.render.mermaid import owner_ids

    ids = owner_ids(["Équipe données", "Platform / Data Ünit", "équipe-données", "チーム"])
    assert ids["Équipe données"] == "equipe_donnees"
    assert ids["Platform / Data Ünit"] == "platform_data_unit"
    assert ids["équipe-données"] == "equipe_donnees_2" and ids["チーム"] == "x"


def test_findings_page_names_files_relative_to_the_registry_folder(tmp_path: Path) -> None:
    registry_dir = tmp_path / "registry"
    (registry_dir / "services").mkdir(parents=True)
    (registry_dir / "services" / "broken.yaml").write_text("service: broken\nowner: [oops\n")
    registry = load_registry(registry_dir)
    findings = list(registry.findings)
    assert findings and str(tmp_path) in findings[0].file
    site = render_site(registry, findings, show_findings=True)
    page = site.pages[SitePaths().findings].inline()
    assert "registry/services/broken.yaml:" in page and str(tmp_path) not in page


@pytest.mark.parametrize("word", ["pk", "FK", "Uk"])
def test_er_attribute_words_are_never_mermaid_key_markers(word: str) -> None:
    from orion_registry.render.escape import mermaid_word

    assert mermaid_word(word).lower() not in {"pk", "fk", "uk"}
    assert mermaid_word(word).lower().startswith(word.lower())


def test_column_links_point_at_table_anchors_that_exist(tmp_path: Path) -> None:
    """Generated blocks are HTML, which MkDocs does not validate: a reference to a missing
    table (its rule waived or off) must not link to an anchor that is not there."""
    from orion_registry.render.links import Links

    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "a.yaml").write_text(
        "service: a\ndatabase: orion_a\nowner: t\n"
        "tables:\n  - name: things\n    columns: [{name: id, type: uuid, primary_key: true}]\n"
    )
    index = build_index(load_registry(tmp_path))
    ln = Links(SitePaths(), index, SitePaths().service("b"), {"t": "t"})
    assert 'href="../a/#table-things"' in ln.column("a.things.id")
    missing = ln.column("a.nosuch.id")
    assert 'href="../a/"' in missing and "#" not in missing
