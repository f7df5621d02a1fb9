"""Test-suite wide settings: system parts must not be skipped in CI."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from orion_registry.cache import CACHE_DIR_ENV

pytest_plugins = ["tests.postgres"]  # the throwaway PostgreSQL server fixtures

_system_skips: list[str] = []

# The parse cache of every run in the suite (the CLI in-process, subprocesses, site builds)
# goes to a throwaway folder, not to the repository's .cache/ or the user's ~/.cache/.
os.environ.setdefault(CACHE_DIR_ENV, tempfile.mkdtemp(prefix="orion-cache-"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("system") is not None:
        _system_skips.append(item.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") == "true" and _system_skips:
        print(f"\nCI=true but {len(_system_skips)} system test(s) were skipped:")
        for nodeid in _system_skips:
            print(f"  {nodeid}")
        session.exitstatus = 1


@pytest.fixture
def output_dir(tmp_path: Path) -> Path:
    """Screenshots go to test-output/browser/ (git-ignored) when it can be written, else
    to tmp_path."""
    folder = Path(__file__).resolve().parent.parent / "test-output" / "browser"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return tmp_path
    return folder
