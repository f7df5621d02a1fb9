"""Test-suite wide settings: system parts must not be skipped in CI."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.postgres"]  # the throwaway PostgreSQL server fixtures

_system_skips: list[str] = []


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
