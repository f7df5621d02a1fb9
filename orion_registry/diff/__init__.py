"""`diff`: the registry at a base (git revision or directory) against the registry now.

Data flows one way: base files + new registry -> changes (classified, renames paired) ->
impact (who depends on each breaking change) -> M504 coverage -> findings, together with
the full `check` of the new registry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import ParseCache
from ..engine import apply_waivers, check_registry, rule_config
from ..findings import Finding, exit_code, sort_findings
from ..loader import (
    SERVICES_DIR,
    Registry,
    ServiceDoc,
    display_path,
    load_registry,
    load_service_file,
    service_files,
)
from ..rules import RULES
from ..rules.context import Context
from .changes import Change, Impact, Place
from .comparison import compare
from .coverage import CODE, cover
from .gitsource import BaseError, BaseFiles, read_directory, read_revision
from .impact import Dependents, attach

__all__ = ["BaseError", "Change", "DiffResult", "Impact", "review"]


@dataclass(slots=True)
class DiffResult:
    base_label: str
    registry: Registry  # the new registry
    base: dict[str, ServiceDoc]  # the base versions of the changed services
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # check + M504, sorted
    base_findings: list[Finding] = field(default_factory=list)  # base files that do not load

    @property
    def all_findings(self) -> list[Finding]:
        return sort_findings([*self.findings, *self.base_findings])

    @property
    def exit_code(self) -> int:
        """0 clean, 1 an uncovered/mislabelled change or an error, 2 unusable new registry."""
        return exit_code(self.findings)


def read_base(base: str, registry: Path) -> BaseFiles:
    """`base` is a directory holding a registry, or else a git revision."""
    path = Path(base)
    if path.is_file():
        raise BaseError(
            f"base '{base}' is a file: give a directory holding the base registry or a git revision"
        )
    return read_directory(path) if path.is_dir() else read_revision(registry, base)


def review(registry_dir: Path | str, base: str, cache: ParseCache | None = None) -> DiffResult:
    registry_dir = Path(registry_dir)
    head = load_registry(registry_dir, cache)
    files = read_base(base, registry_dir)
    findings = check_registry(head)
    result = DiffResult(files.label, head, {})
    names = _changed(head, files)
    for name in sorted(names & {Path(f).stem for f in files.services}):
        file = next(f for f in files.services if Path(f).stem == name)
        problems: list[Finding] = []
        raw = files.services[file]
        doc = load_service_file(Path(file), files.shown(file), problems, raw, cache)
        if doc is None:
            names.discard(name)
            result.base_findings += [
                dataclasses.replace(p, severity="warning", message=f"base: {p.message}")
                for p in problems
            ]
        else:
            result.base[name] = doc
    dependents = Dependents(head.services)
    result.changes = changes = compare(result.base, head.services, names, dependents)
    _point_at_work_tree(changes, head, files)
    attach(changes, dependents)
    result.findings = sort_findings(findings + _m504(changes, result.base, head, findings))
    return result


def _point_at_work_tree(changes: list[Change], head: Registry, files: BaseFiles) -> None:
    """A removed service is reported at its file's path in the work tree (a deleted file),
    not at `REV:path` or another directory: SARIF and annotations need a repository path."""
    gone = {Path(f).stem: f for f in files.services}
    for change in changes:
        if change.kind == "service.removed":
            was = change.place
            file = display_path(head.root, SERVICES_DIR, gone[change.service])
            change.place = Place(file, was.line, was.column)
            change.detail += f" (was at {was})"


def _changed(head: Registry, files: BaseFiles) -> set[str]:
    """Services whose file differs from the base; files that fail to load now are skipped."""
    now = {path.stem: path for path in service_files(head.root)}
    before = {Path(name).stem: raw for name, raw in files.services.items()}
    changed = {
        name
        for name in now.keys() | before.keys()
        if name not in before or name not in now or now[name].read_bytes() != before[name]
    }
    return {name for name in changed if name in head.services or name not in now}


def _m504(
    changes: list[Change], base: dict[str, ServiceDoc], head: Registry, findings: list[Finding]
) -> list[Finding]:
    """M504 findings with `orion.yaml`'s severity and waivers applied."""
    severity = rule_config(head).severity.get(CODE, RULES[CODE].severity)
    found = cover(changes, base, head.services, "error" if severity == "off" else severity)
    if severity == "off":
        return []
    if not head.settings.model.waivers:
        return found
    ctx = Context(head)
    kept = apply_waivers(found, ctx)
    used = {head.settings.model.waivers[i].target for i in ctx.used_waivers}
    # check reports M504 waivers as unused (S603): M504 only runs here.
    findings[:] = [f for f in findings if not (f.rule == "S603" and f.target in used)]
    return kept
