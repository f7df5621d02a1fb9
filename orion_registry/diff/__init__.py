"""`diff`: the registry at a base (git revision or directory) against the registry now.

Data flows one way: base files + new registry -> changes (classified, renames paired) ->
impact (who depends on each breaking change) -> coverage by the migration log. The
command then runs the engine with these as inputs (M504 reports what the log misses).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import ParseCache
from ..changes import Change, Impact, Place
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
from .comparison import compare
from .coverage import cover
from .gitsource import BaseError, BaseFiles, read_directory, read_revision
from .impact import Dependents, attach
from .queries import attach_lost_queries, query_changes

__all__ = ["BaseError", "Change", "DiffResult", "Impact", "compare_with_base"]


@dataclass(slots=True)
class DiffResult:
    base_label: str
    registry: Registry  # the new registry
    base: dict[str, ServiceDoc]  # the base versions of the changed services
    changes: list[Change] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # the engine's, set by the command
    base_findings: list[Finding] = field(default_factory=list)  # base files that do not load
    base_sources: dict[str, bytes] = field(default_factory=dict)  # base service files by name

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


def compare_with_base(
    registry_dir: Path | str, base: str, cache: ParseCache | None = None
) -> DiffResult:
    """The changes since `base`, with their impact and coverage (no findings yet)."""
    registry_dir = Path(registry_dir)
    head = load_registry(registry_dir, cache)
    files = read_base(base, registry_dir)
    result = DiffResult(files.label, head, {}, base_sources=files.services)
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
    changes = compare(result.base, head.services, names, dependents)
    changes += query_changes(result.base, head.services, names)
    result.changes = changes = sorted(changes, key=lambda c: c.service)  # stable
    _point_at_work_tree(changes, head, files)
    attach(changes, dependents)
    attach_lost_queries(changes, result.base, head.services)
    cover(changes, result.base, head.services)
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
