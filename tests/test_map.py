"""The relationship map's data (`render/graph.py`), the map page and the service pages'
neighbourhoods, without a browser (tests/test_browser.py drives the page itself)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from orion_registry.loader import load_registry
from orion_registry.render import render_site
from orion_registry.render.graph import (
    links_by_service,
    map_document,
    map_json,
    map_links,
    map_links_of,
    team_boxes,
)
from orion_registry.render.index import build_index
from orion_registry.render.pages import NEIGHBOURS_DRAWN
from orion_registry.render.paths import SitePaths

from .helpers import BUNDLED_REGISTRY, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

INJECTED = '</script><script>alert(1)</script> & "q" {{ 7*7 }}'


def write_services(root: Path, services: dict[str, str]) -> Path:
    (root / "services").mkdir(parents=True)
    for name, text in services.items():
        (root / "services" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


TWO_SERVICES = {
    "a": f"""service: a
owner: '{INJECTED}'
title: '{INJECTED}'
database: orion_a
tables:
  - name: things
    columns: [{{name: id, type: uuid, primary_key: true}}, {{name: label, type: text}}]
events: {{publishes: [{{name: a.changed}}, {{name: a.gone}}]}}
""",
    "b": """service: b
owner: team-b
database: orion_b
tables:
  - name: copies
    columns:
      - {name: id, type: uuid, primary_key: true}
      - name: thing_id
        type: uuid
        references: {column: a.things.id, sync: event, events: [a.changed]}
      - name: thing_label
        type: text
        copy_of: {column: a.things.label, sync: cache, ttl_seconds: 60, events: [a.changed]}
      - {name: other_id, type: uuid, references: a.things.id}
events: {consumes: [a.gone, b.self], publishes: [{name: b.self}]}
""",
}


def decoded_links(document: dict) -> set[tuple]:
    """The document's links with names and texts instead of positions."""
    names = [s["name"] for s in document["services"]]
    strings = document["strings"]
    return {
        (
            names[source],
            names[target],
            document["kinds"][kind],
            document["syncs"][sync],
            tuple(strings[n] for n in details),
        )
        for source, target, kind, sync, details in document["links"]
    }


def test_map_document_holds_every_link_with_its_columns_and_events(tmp_path: Path) -> None:
    index = build_index(load_registry(write_services(tmp_path, TWO_SERVICES)))
    document = map_document(index, SitePaths())
    assert document["teams"] == sorted([INJECTED, "team-b"])
    assert [s["name"] for s in document["services"]] == ["a", "b"]
    assert document["services"][1]["url"] == "../services/b/"
    assert decoded_links(document) == {
        ("b", "a", "reference", "event", ("copies", "thing_id", "things", "id")),
        ("b", "a", "reference", "undeclared", ("copies", "other_id", "things", "id")),
        ("b", "a", "copy", "cache", ("copies", "thing_label", "things", "label")),
        ("a", "b", "event", "event", ("a.changed", "a.gone")),  # b.self: no self-loop
    }


def test_map_json_is_deterministic_and_inert_in_html(tmp_path: Path) -> None:
    root = write_services(tmp_path, TWO_SERVICES)
    text = map_json(build_index(load_registry(root)), SitePaths())
    again = map_json(build_index(load_registry(root)), SitePaths())
    assert text == again
    assert not {"<", ">", "&"} & set(text)  # escaped: even inlined, it cannot close a tag
    assert json.loads(text)["teams"][0] == INJECTED  # the text itself is intact


def test_map_paths_follow_use_directory_urls_and_base_path() -> None:
    index = build_index(load_registry(BUNDLED_REGISTRY))
    flat = map_document(index, SitePaths("registry/", directory_urls=False))
    assert flat["services"][0]["url"] == f"../services/{index.names[0]}.html"
    paths = SitePaths("registry/")
    assert paths.map_data == "registry/map/graph.json"
    assert paths.file_url(paths.map, paths.map_data) == "graph.json"
    assert paths.file_url(paths.map, "assets/vendor/x.js") == "../../assets/vendor/x.js"


def test_bundled_map_page_lists_every_team_service_and_link_without_mermaid() -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    index = build_index(registry)
    page = render_site(registry).pages[SitePaths().map].inline()
    assert "mermaid" not in page.lower()
    for owner in index.owners:
        assert f">{owner} (" in page
    for name in index.names:
        assert f'<a href="../services/{name}/">{name}</a>' in page
    for link in map_links(index):  # each link, from its source's line of the list
        line = next(
            x
            for x in page.splitlines()
            if x.startswith(f'<li><a href="../services/{link.source}/"')
        )
        assert f'<a href="../services/{link.target}/">' in line


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("generated") / "registry"
    generate(root, services=60, seed=3, violations=False)
    registry = load_registry(root)
    return registry, render_site(registry)


def test_no_raw_mermaid_on_the_map_pages_of_a_large_registry(generated) -> None:
    _, site = generated
    maps = [uri for uri in site.pages if uri.startswith("map/")]
    assert len(maps) > 1
    for uri in maps:
        assert "mermaid" not in site.pages[uri].inline().lower(), uri


def test_every_service_page_links_to_its_focused_map(generated) -> None:
    registry, site = generated
    for name in registry.services:
        page = site.pages[SitePaths().service(name)].inline()
        assert f'href="../../map/?focus={name}"' in page


def test_large_neighbourhoods_collapse_into_team_boxes_with_counts(generated) -> None:
    registry, site = generated
    index = build_index(registry)
    busy = max(index.names, key=lambda n: (len(index.neighbours(n)), n))
    near = index.neighbours(busy)
    assert len(near) > NEIGHBOURS_DRAWN
    boxes = team_boxes(index, busy)
    assert sorted(s for box in boxes for s in box.services) == sorted(near)
    for box in boxes:
        assert {index.doc(s).model.owner for s in box.services} == {box.team}
        assert box.outgoing or box.incoming
    page = site.pages[SitePaths().service(busy)].inline()
    section = page.split("## Neighbourhood", 1)[1].split("## Tables", 1)[0]
    assert "mermaid" not in section
    assert section.count('class="orion-team-box"') == len(boxes)
    for box in boxes:
        count = len(box.services)
        assert f"{box.team} <span>{count} service{'s' if count > 1 else ''}</span>" in section


def test_links_grouped_once_are_each_services_own_links(generated) -> None:
    """The site groups `map_links` by service once; each group is what `map_links_of`
    finds for that service alone, so team boxes come out the same either way."""
    registry, _ = generated
    index = build_index(registry)
    grouped = links_by_service(map_links(index))
    assert any(len(index.neighbours(n)) > NEIGHBOURS_DRAWN for n in index.names)
    for name in index.names:
        assert grouped.get(name, []) == map_links_of(index, name), name
        assert team_boxes(index, name, grouped.get(name, [])) == team_boxes(index, name)


def test_small_neighbourhoods_are_drawn_service_by_service() -> None:
    registry = load_registry(BUNDLED_REGISTRY)
    page = render_site(registry).pages[SitePaths().service("user")].inline()
    section = page.split("## Neighbourhood", 1)[1].split("## Tables", 1)[0]
    assert '<pre class="mermaid"><code>flowchart LR' in section
    assert "s_auth" in section and "s_notifications" in section
    assert 'href="../../map/?focus=user"' in section


def test_team_boxes_of_a_service_consuming_its_own_event_are_empty(tmp_path: Path) -> None:
    root = write_services(
        tmp_path,
        {
            "a": "service: a\nowner: t\ndatabase: orion_a\n"
            "events: {publishes: [{name: a.x}], consumes: [a.x]}\n"
        },
    )
    index = build_index(load_registry(root))
    assert map_links(index) == []
    assert team_boxes(index, "a") == []
