"""Mutated copies of the bundled registry: every value swapped for something odd must give
findings, pages and a diff, never an exception (a small, seeded fuzz)."""

from __future__ import annotations

import copy
import datetime as dt
import random
import shutil
from pathlib import Path

import pytest
import yaml

from orion_registry.commands.diff import review
from orion_registry.diff import report
from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.render import SitePaths, make_env, render_site
from orion_registry.reporters import REPORTERS, markdown

from .helpers import BUNDLED_REGISTRY

ODD_VALUES = [
    None, 0, -1, 3.5, True, "", " ", "x.y", "a.b.c", "a.b.c.d", "..", "ÜNICODE <b>|*_`{{ 1 }}",
    [], {}, [1, 2], {"a": 1}, dt.date(2020, 1, 1), "2024-02-30", "idx_", "*", "user.users.id",
    "users.id", "event", "cache", "api", 10**30,
]  # fmt: skip


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        items = list(node.items())
    else:
        items = list(enumerate(node)) if isinstance(node, list) else []
    for key, value in items:
        found += _paths(value, (*prefix, key))
    return found


def _mutate(data: dict, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(data))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))


@pytest.mark.parametrize("seed", range(30))
def test_odd_values_never_raise(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    root = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, root)
    target = rng.choice([*sorted((root / "services").glob("*.yaml")), root / "orion.yaml"])
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    _mutate(data, rng)
    target.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    findings = check_registry(load_registry(root))
    assert all(f.line >= 1 and f.column >= 1 for f in findings)
    for render in REPORTERS.values():
        assert isinstance(render(findings), str)
    render_site(load_registry(root), findings, make_env(), SitePaths(), show_findings=True)
    result = review(root, str(BUNDLED_REGISTRY))
    diff_reporters = (report.render_text, report.render_json, report.render_sarif, markdown.render)
    for render_diff in diff_reporters:
        assert render_diff(result)
