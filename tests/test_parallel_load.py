"""Cold loads on several cores give exactly what a serial load gives."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from benchmarks.generate import generate
from orion_registry import workers
from orion_registry.cache import ParseCache
from orion_registry.engine import check_registry
from orion_registry.loader import load_registry

BROKEN = "service: broken\ndatabase: [unclosed\n"


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "registry"
    generate(root, 60, 5, violations=True)
    (root / "services" / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    return root


def snapshot(root: Path, cache: ParseCache | None = None) -> tuple[object, ...]:
    registry = load_registry(root, cache)
    models = {name: doc.model for name, doc in registry.services.items()}
    return models, check_registry(registry), sorted(registry.unloaded)


@pytest.mark.parametrize("persistent", [False, True])
def test_workers_parse_the_same_registry(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persistent: bool
) -> None:
    monkeypatch.setattr(workers, "MIN_FILES", 10**9)
    serial = snapshot(registry)
    monkeypatch.setattr(workers, "MIN_FILES", 8)
    monkeypatch.setattr(workers, "cores", lambda: 3)
    started: list[int] = []
    parse_ahead = workers.parse_ahead

    def counting(paths: list[Path], cache: ParseCache) -> int:
        started.append(parse_ahead(paths, cache))
        return started[-1]

    monkeypatch.setattr("orion_registry.loader.parse_ahead", counting)
    cache = ParseCache(tmp_path / "cache") if persistent else None
    assert snapshot(registry, cache) == serial
    assert started == [2]
    if persistent:  # the workers stored what they parsed: the next load parses nothing
        parsed = [p for p in (tmp_path / "cache").iterdir() if p.is_file()]
        assert len(parsed) == 1 + 60 + 1  # .gitignore, orion.yaml
        again = ParseCache(tmp_path / "cache")
        assert snapshot(registry, again) == serial
        assert started[-1] == 0 and again.misses == 1  # broken.yaml: errors are not stored


def test_small_loads_stay_serial(registry: Path) -> None:
    files = sorted((registry / "services").glob("*.yaml"))[:10]
    assert workers.parse_ahead(files, ParseCache(None)) == 0


def test_a_threaded_process_stays_serial(registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Forking a process with other threads running (`mkdocs serve`) is unsafe."""
    monkeypatch.setattr(workers, "MIN_FILES", 8)
    monkeypatch.setattr(workers, "cores", lambda: 3)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        files = sorted((registry / "services").glob("*.yaml"))
        assert workers.parse_ahead(files, ParseCache(None)) == 0
    finally:
        release.set()
        other.join()
