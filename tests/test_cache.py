"""The parse cache: same findings with and without it, bad entries ignored and rewritten,
safe for concurrent runs, where it lives and how it is turned off."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate import generate
from orion_registry.cache import (
    CACHE_DIR_ENV,
    NO_CACHE_ENV,
    ParseCache,
    cache_folder,
    registry_cache,
)
from orion_registry.engine import check_registry
from orion_registry.loader import load_registry
from orion_registry.source import parse_bytes

from .helpers import ROOT, run_cli

FORMATS = ("text", "json", "sarif")
# Load problems too: a file that is not YAML, one that fails the schema, timestamps.
BROKEN = "service: broken\ndatabase: [unclosed\n"
INVALID = "service: invalid\ndatabase: orion_invalid\ntables: {nulable: 1}\n"
STAMPED = (
    "service: stamped\ndatabase: orion_stamped\ndescription: 2024-05-01T10:30:00+02:00\n"
    "migrations:\n  - {id: 20240501_init, date: 2024-05-01, purpose: 2024-05-01 10:00:00}\n"
)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cached") / "registry"
    generate(root, 12, 3, violations=True)
    for name, text in (("broken", BROKEN), ("invalid", INVALID), ("stamped", STAMPED)):
        (root / "services" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def outputs(registry: Path, *extra: str) -> dict[str, tuple[int, str, str]]:
    return {
        fmt: run_cli("check", "--registry", str(registry), "--format", fmt, *extra)
        for fmt in FORMATS
    }


def entries(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def test_check_output_is_identical_without_cold_warm_and_corrupted_cache(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    plain = outputs(registry, "--no-cache")
    assert not folder.exists()
    assert plain["text"][0] == 2 and "L00" in plain["text"][1]  # load problems are in it
    assert outputs(registry) == plain  # cold: fills the cache
    stored = entries(folder)
    assert len(stored) == 15  # orion.yaml and the 14 service files that parse
    assert outputs(registry) == plain  # warm
    good = {p.name: p.read_bytes() for p in stored}
    damaged = {
        stored[0]: b"",  # empty
        stored[1]: good[stored[1].name][:40],  # truncated
        stored[2]: good[stored[2].name][:-1] + bytes([good[stored[2].name][-1] ^ 1]),  # a bit
        stored[3]: b"not a cache entry at all",
        stored[4]: good[stored[5].name],  # another file's entry under this key
    }
    for path, blob in damaged.items():
        path.write_bytes(blob)
    assert outputs(registry) == plain
    assert {p.name: p.read_bytes() for p in entries(folder)} == good  # rewritten, sound again


def test_a_sound_checksum_does_not_make_an_entry_trusted(tmp_path: Path) -> None:
    """An entry that names a class (not plain data) is refused even with a right checksum."""
    cache = ParseCache(tmp_path)
    raw = b"service: a\ndatabase: orion_a\n"
    key = cache.key(raw)
    cache.put(key, {"service": "a", "database": "orion_a"})
    assert cache.get(key) == (True, {"service": "a", "database": "orion_a"})
    cache.put(key, {"evil": Path("/")})  # a pickle naming pathlib.PosixPath
    assert cache.get(key) == (False, None)
    document = parse_bytes(raw, cache)  # a miss: parsed again, and the entry rewritten
    assert document.data == {"service": "a", "database": "orion_a"}
    assert cache.get(key) == (True, document.data)


def test_the_key_follows_the_content(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    assert cache.key(b"a: 1\n") == cache.key(b"a: 1\n") != cache.key(b"a: 2\n")
    first = parse_bytes(b"a: 1\n", cache)
    second = parse_bytes(b"a: 2\n", cache)
    assert (first.data, second.data) == ({"a": 1}, {"a": 2})
    assert (cache.hits, cache.misses) == (0, 2)
    assert parse_bytes(b"a: 2\n", cache).data == {"a": 2}
    assert cache.hits == 1


def test_a_hit_keeps_positions_for_findings(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path)
    raw = b"service: a\ntables:\n  - name: t\n"
    parse_bytes(raw, cache)
    hit = parse_bytes(raw, cache)
    assert cache.hits == 1
    assert hit.source_map.locate(("tables", 0, "name")) == (3, 11)


CONCURRENT = """
import sys
from orion_registry.cli import main
sys.exit(main(["check", "--registry", sys.argv[1], "--format", "json"]))
"""


def test_concurrent_runs_share_one_cache(registry: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    env = {"PATH": "/usr/bin:/bin", CACHE_DIR_ENV: str(folder)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(registry)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    expected = run_cli("check", "--registry", str(registry), "--format", "json", "--no-cache")
    assert {out for out, _ in results} == {expected[1]}
    assert {err for _, err in results} == {""}
    assert len(entries(folder)) == 15
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]
    for path in entries(folder):  # every entry is whole: it loads
        assert ParseCache(folder).get(path.name)[0], path


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CACHE_DIR_ENV, raising=False)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "registry").mkdir()
    assert cache_folder(repo / "registry") == repo / ".cache" / "orion-registry"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    outside = tmp_path / "elsewhere" / "registry"
    outside.mkdir(parents=True)
    assert cache_folder(outside) == tmp_path / "xdg" / "orion-registry"
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "mine"))
    assert cache_folder(repo / "registry") == tmp_path / "mine"


def test_the_cache_folder_ignores_itself_in_git(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path / ".cache" / "orion-registry")
    cache.put(cache.key(b"a: 1\n"), {"a": 1})
    assert (cache.folder / ".gitignore").read_text() == "*\n"


@pytest.mark.parametrize(
    ("value", "enabled"), [("1", False), ("true", False), ("0", True), ("", True)]
)
def test_the_environment_turns_the_cache_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, enabled: bool
) -> None:
    monkeypatch.setenv(NO_CACHE_ENV, value)
    assert (registry_cache(tmp_path) is not None) is enabled
    assert registry_cache(tmp_path, enabled=False) is None


def test_an_unwritable_cache_is_only_slower(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ParseCache(blocker / "cache")
    assert parse_bytes(b"a: 1\n", cache).data == {"a": 1}
    assert parse_bytes(b"a: 1\n", cache).data == {"a": 1}
    assert cache.hits == 0


def test_a_long_lived_cache_revalidates_only_edited_files(registry: Path, tmp_path: Path) -> None:
    """`mkdocs serve` keeps validated models between loads; results stay those of a fresh load."""
    work = tmp_path / "registry"
    shutil.copytree(registry, work)
    cache = ParseCache(tmp_path / "cache", keep_models=True)
    first = load_registry(work, cache)
    again = load_registry(work, cache)
    assert all(again.services[n].model is first.services[n].model for n in first.services)
    edited = next(
        p for p in sorted((work / "services").glob("*.yaml")) if "title:" in p.read_text()
    )
    edited.write_text(re.sub(r"(?m)^title: .*$", "title: Edited", edited.read_text(), count=1))
    after = load_registry(work, cache)
    fresh = load_registry(work)
    same = [n for n in after.services if after.services[n].model is again.services[n].model]
    assert len(same) == len(after.services) - 1 and edited.stem not in same
    assert after.services[edited.stem].model.title == "Edited"
    assert check_registry(after) == check_registry(fresh)
    assert after.findings == fresh.findings
