"""Kept findings of service-scope rules (rule_cache.py): a rule that says its findings on a
service depend on that file alone really finds the same on the service alone; a check
through kept findings prints what a check without them prints, after any edit."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from benchmarks.generate import generate
from orion_registry.cache import CACHE_DIR_ENV, ParseCache
from orion_registry.engine import TODAY_ENV, to_finding
from orion_registry.findings import Finding
from orion_registry.loader import Registry, load_registry
from orion_registry.prisma.importer import import_schema
from orion_registry.prisma.parser import parse_files
from orion_registry.prisma.writer import service_yaml
from orion_registry.rule_cache import FOLDER, kept_findings
from orion_registry.rules import RULES
from orion_registry.rules.base import Violation
from orion_registry.rules.context import Context
from orion_registry.rules.examples import EXAMPLE_DAY, write_example
from orion_registry.waivers import rule_config

from .helpers import BUNDLED_REGISTRY, SHARED, copy_registry, run_cli
from .prisma_oracle import corpus_units

SERVICE_SCOPE = sorted(code for code, rule in RULES.items() if rule.scope == "service")
CORPUS_UNITS = 8  # real schemas imported side by side (every rule fires on some of them)


def findings_of(registry: Registry, code: str) -> list[tuple]:
    rule, config = RULES[code], rule_config(registry)
    ctx = Context(registry)
    ctx.today = EXAMPLE_DAY
    found = rule.check(ctx, config.options_of(code))
    return sorted(dataclasses.astuple(to_finding(rule, v, "error")) for v in found)


def each_service_alone(registry: Registry, code: str) -> list[tuple]:
    return sorted(
        finding
        for name, doc in registry.services.items()
        for finding in findings_of(dataclasses.replace(registry, services={name: doc}), code)
    )


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> list[Registry]:
    """Registries with many services and findings: the bundled one, a generated one with
    violations and cross-service links, real schemas, and every rule's Bad example."""
    root = tmp_path_factory.mktemp("scope")
    generate(root / "generated", 16, 4, violations=True)
    corpus = root / "corpus" / "services"
    corpus.mkdir(parents=True)
    for i, unit in enumerate(corpus_units(SHARED / "corpus")[:CORPUS_UNITS]):
        data, _ = import_schema(parse_files(unit), f"s{i:02d}", f"orion_s{i:02d}")
        (corpus / f"s{i:02d}.yaml").write_text(service_yaml(data, []), encoding="utf-8")
    found = [load_registry(BUNDLED_REGISTRY), load_registry(root / "generated")]
    found.append(load_registry(root / "corpus"))
    for code, rule in RULES.items():
        example = write_example(rule.example("Bad"), root / "examples" / code)
        found.append(load_registry(example))
    return found


@pytest.mark.parametrize("code", SERVICE_SCOPE)
def test_a_service_scope_rule_finds_the_same_on_each_service_alone(
    code: str, registries: list[Registry]
) -> None:
    fired = 0
    for registry in registries:
        whole = findings_of(registry, code)
        assert each_service_alone(registry, code) == whole, registry.root
        fired += len(whole)
    assert fired, f"{code} found nothing on any registry: the comparison proves nothing"


def test_a_rule_that_looks_across_services_is_not_service_scope(
    registries: list[Registry],
) -> None:
    """The oracle above can tell: R402 and R404 need the other services."""
    for code in ("R402", "R404"):
        assert RULES[code].scope == "registry"
        assert any(findings_of(r, code) != each_service_alone(r, code) for r in registries)


FORMATS = ("text", "json", "sarif")


def outputs(registry: Path, *extra: str) -> dict[str, tuple[int, str, str]]:
    return {
        fmt: run_cli("check", "--registry", str(registry), "--format", fmt, *extra)
        for fmt in FORMATS
    }


def kept(folder: Path) -> set[str]:
    return {p.name for p in (folder / FOLDER).iterdir() if not p.name.startswith(".")}


def edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(pattern, replacement, text, count=1, flags=re.MULTILINE)
    assert edited != text, pattern
    path.write_text(edited, encoding="utf-8")


def test_check_through_kept_findings_prints_what_a_full_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "registry"
    generate(registry, 10, 3, violations=True)
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    monkeypatch.setenv(TODAY_ENV, "2026-12-01")
    services = sorted((registry / "services").glob("*.yaml"))

    def same_as_full_check() -> None:
        assert outputs(registry) == outputs(registry, "--no-cache")

    same_as_full_check()  # cold: every service checked and kept
    assert len(kept(folder)) == len(services)
    same_as_full_check()  # warm: all kept
    assert len(kept(folder)) == len(services)

    before = kept(folder)
    edit(services[3], r"^(\s+- name: )(\w+)$", r"\1BadName")  # a new N103 finding there
    same_as_full_check()
    assert len(kept(folder) - before) == 1  # only the edited service was checked again
    assert "BadName" in outputs(registry)["text"][1]

    edit(services[5], r"^description: .*$", "description: |\n  Two\n  lines.")  # lines move
    same_as_full_check()

    settings = registry / "orion.yaml"
    original = yaml.safe_load(settings.read_text(encoding="utf-8"))
    for rules in ({"N103": "warning"}, {"N103": "warning", "T203": "off"}):
        settings.write_text(yaml.safe_dump({**original, "rules": rules}), encoding="utf-8")
        assert "L00" not in outputs(registry, "--no-cache")["text"][1]  # the settings load
        same_as_full_check()  # a severity alone (the same rules run), then `off`
    monkeypatch.setenv(TODAY_ENV, "2027-06-01")
    same_as_full_check()  # another day (no service-scope rule reads it yet; it is in the key)

    services[3].rename(registry / "services" / "renamed_copy.yaml.bak")
    same_as_full_check()  # a service gone


def test_bad_kept_entries_are_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = copy_registry(tmp_path / "registry")
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    expected = outputs(registry, "--no-cache")
    assert outputs(registry) == expected
    store = ParseCache(folder / FOLDER)
    names = sorted(kept(folder))
    good = {name: (folder / FOLDER / name).read_bytes() for name in names}
    store.put(names[0], [("not", "a", "finding")])  # sound entry, wrong rows
    store.put(names[1], {"findings": []})  # sound entry, wrong shape
    (folder / FOLDER / names[2]).write_bytes(b"garbage")
    assert outputs(registry) == expected
    assert {name: (folder / FOLDER / name).read_bytes() for name in names} == good


def test_findings_of_a_rule_that_looks_beyond_its_service_are_not_kept(tmp_path: Path) -> None:
    """A rule declared service-scope by mistake still gives its findings, but keeps none."""
    registry = load_registry(BUNDLED_REGISTRY)
    elsewhere = Finding("services/other.yaml", 1, 1, "N101", "seen from elsewhere", "other")
    store = ParseCache(tmp_path / "store")

    def run(ctx: Context) -> list[Finding]:
        return [to_finding(RULES["N101"], Violation(ctx.services[0], "here"), "error"), elsewhere]

    found = kept_findings(Context(registry), [RULES["N101"]], store, run)
    assert elsewhere in found and len(found) == 2
    assert store.folder is not None and not store.folder.exists()  # nothing was kept
