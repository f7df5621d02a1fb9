"""Registry directory -> validated models, with every load problem as a located finding."""

from __future__ import annotations

import dataclasses
import difflib
import gc
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .cache import ParseCache
from .findings import LOAD_LAYOUT, LOAD_SCHEMA, LOAD_YAML, Finding
from .models import Baseline, Service, Settings
from .models.base import ENTRY_ERROR, WEB_URL_PATTERN
from .paths import (
    OutsideRepository,
    is_inside,
    repository_root,
    resolve_existing,
    unreadable_reason,
)
from .source import SourceError, SourceMap, parse_bytes, read_bytes
from .workers import parse_ahead

DEFAULT_REGISTRY = "registry"  # the registry directory when none is named
SETTINGS_FILE = "orion.yaml"
BASELINE_FILE = "baseline.yaml"
SERVICES_DIR = "services"
SERVICE_SUFFIXES = (".yaml", ".yml")
PATH_KEYS = ("migrations_dir",)  # keys of a service naming a path relative to its file
_ADAPTERS: dict[type, TypeAdapter] = {
    Service: TypeAdapter(Service),
    Settings: TypeAdapter(Settings),
    Baseline: TypeAdapter(Baseline),
}


class RegistryNotFound(Exception):
    """The registry directory does not exist (a usage error, exit code 2)."""


@dataclass(frozen=True, slots=True)
class ServiceDoc:
    """One loaded service file: the model, the file it came from, and its source map."""

    name: str
    file: str
    path: Path
    model: Service
    source: SourceMap
    digest: str = ""  # a hash of the file's bytes (what a cached result of it is keyed by)


@dataclass(frozen=True, slots=True)
class SettingsDoc:
    file: str
    model: Settings
    source: SourceMap = field(default_factory=SourceMap.empty)
    digest: str = ""  # a hash of the file's bytes; "" when there is no file


@dataclass(frozen=True, slots=True)
class BaselineDoc:
    file: str
    model: Baseline
    source: SourceMap


@dataclass(slots=True)
class Registry:
    root: Path
    settings: SettingsDoc
    services: dict[str, ServiceDoc] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    unloaded: set[str] = field(default_factory=set)  # stems of service files that failed
    baseline: BaselineDoc | None = None  # `baseline.yaml`, when the registry has one
    cache: ParseCache | None = None  # the cache it was loaded through (rules keep results)

    def service(self, name: str) -> ServiceDoc | None:
        return self.services.get(name)


def display_path(root: Path, *parts: str) -> str:
    return root.joinpath(*parts).as_posix()


def service_files(root: Path) -> list[Path]:
    """Every entry of services/ named like a service file except folders: links, FIFOs and
    devices too, so that loading reports them instead of skipping them silently."""
    folder = root / SERVICES_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in SERVICE_SUFFIXES and (p.is_symlink() or not p.is_dir())
    )


def _nested_service_files(root: Path) -> Iterator[Finding]:
    """A YAML file in a subfolder of services/ is never read: say so instead of ignoring it."""
    folder = root / SERVICES_DIR
    if not folder.is_dir():
        return
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        nested = sorted(p for p in sub.rglob("*") if p.suffix in SERVICE_SUFFIXES and p.is_file())
        if nested:
            shown = display_path(root, SERVICES_DIR, *nested[0].relative_to(folder).parts)
            message = (
                f"not read: service files live directly in {SERVICES_DIR}/, not in a "
                f"subfolder ({len(nested)} YAML file(s) under '{sub.name}/')"
            )
            yield Finding(shown, 1, 1, LOAD_LAYOUT, message, "registry")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: loading and checking build many objects and no
    cycles, so the collector would only re-scan the growing registry (~15% of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@paused_gc()
def load_registry(root: Path | str, cache: ParseCache | None = None) -> Registry:
    """Load `root` (a registry directory); problems become findings, never exceptions.

    `cache` (see `cache.registry_cache`) skips parsing the files it has seen before."""
    root = Path(root)
    try:
        if not root.is_dir():
            raise RegistryNotFound(f"registry directory '{root.as_posix()}' does not exist")
        files = service_files(root)
    except OSError as exc:
        raise RegistryNotFound(
            f"cannot read the registry directory '{root.as_posix()}': {exc.strerror}"
        ) from None
    findings: list[Finding] = []
    kept = cache
    cache = cache or ParseCache(None)  # in memory: what workers parse for this load
    cache.new_load()
    settings = load_settings(root, findings, cache)
    registry = Registry(root=root, settings=settings, findings=findings, cache=kept)
    registry.baseline = load_baseline(root, findings)
    if not files:
        findings.append(
            Finding(
                display_path(root, SERVICES_DIR),
                1,
                1,
                LOAD_LAYOUT,
                f"no service files: expected {SERVICES_DIR}/<service>.yaml",
                "registry",
            )
        )
    findings.extend(_nested_service_files(root))
    repository = repository_root(root)  # workers read only regular files inside it
    parse_ahead([f for f in files if unreadable_reason(f, repository) is None], cache)
    for path in files:
        shown = display_path(root, SERVICES_DIR, path.name)
        doc = load_service_file(path, shown, findings, cache=cache)
        if doc is None:
            continue
        first = registry.services.get(doc.name)
        if first is not None:
            findings.append(
                Finding(
                    shown,
                    *doc.source.locate(("service",)),
                    LOAD_LAYOUT,
                    f"service '{doc.name}' is also defined in '{first.file}'; keep one file",
                    doc.name,
                )
            )
            continue
        registry.services[doc.name] = doc
        findings.extend(_declared_path_problems(doc, root))
    registry.unloaded = {path.stem for path in files} - set(registry.services)
    return registry


def _declared_path_problems(doc: ServiceDoc, root: Path) -> Iterator[Finding]:
    """`prisma_schema` must name a file or folder inside the repository."""
    declared = doc.model.prisma_schema
    if declared is None:
        return
    try:
        resolve_existing(doc.path.parent, declared, repository_root(root))
    except OutsideRepository as exc:
        line, column = doc.source.locate(("prisma_schema",))
        message = f"prisma_schema '{declared}' {exc}"
        yield Finding(doc.file, line, column, LOAD_SCHEMA, message, doc.name)


def load_service_file(
    path: Path,
    shown: str,
    findings: list[Finding],
    raw: bytes | None = None,
    cache: ParseCache | None = None,
) -> ServiceDoc | None:
    """Load one service file; `raw` gives its content (e.g. from git) instead of reading `path`."""
    stem = path.stem
    loaded = _load_document(path, shown, stem, Service, findings, raw, cache)
    if loaded is None:
        return None
    service, source, digest = loaded
    if service.service != stem:
        line, column = source.locate(("service",))
        findings.append(
            Finding(
                shown,
                line,
                column,
                LOAD_LAYOUT,
                f"service '{service.service}' is declared in '{path.name}': "
                f"the file stem must equal the service name (rename the file to "
                f"'{service.service}{path.suffix}' or fix `service:`)",
                stem,
            )
        )
        return None
    if raw is None:
        findings.extend(_paths_outside(path, service, source, shown))
    return ServiceDoc(stem, shown, path, service, source, digest)


def _paths_outside(path: Path, service: Service, source: SourceMap, shown: str) -> list[Finding]:
    """A folder or file the service names (`PATH_KEYS`) must stay inside the repository."""
    repository = repository_root(path.parent.parent)
    found = []
    for key in PATH_KEYS:
        value = getattr(service, key, None)
        if value and not is_inside(path.parent / value, repository):
            message = f"{key} '{value}' leads outside the repository: not read"
            found.append(
                Finding(shown, *source.locate((key,)), LOAD_LAYOUT, message, service.service)
            )
    return found


def load_settings(
    root: Path, findings: list[Finding] | None = None, cache: ParseCache | None = None
) -> SettingsDoc:
    """`root/orion.yaml`, or the defaults when it is absent or does not load (its problems
    are added to `findings` when given)."""
    findings = [] if findings is None else findings
    path = root / SETTINGS_FILE
    shown = display_path(root, SETTINGS_FILE)
    if path.is_symlink() or path.exists():
        loaded = _load_document(path, shown, "orion", Settings, findings, cache=cache)
        if loaded is not None:
            return SettingsDoc(shown, *loaded)
    return SettingsDoc(shown, Settings())


def load_baseline(root: Path, findings: list[Finding]) -> BaselineDoc | None:
    """`root/baseline.yaml` when present and valid (its problems are added to `findings`)."""
    path = root / BASELINE_FILE
    if not (path.is_symlink() or path.exists()):
        return None  # a link or a FIFO is reported by `_load_document`, never read
    shown = display_path(root, BASELINE_FILE)
    loaded = _load_document(path, shown, "baseline", Baseline, findings)
    return BaselineDoc(shown, *loaded[:2]) if loaded is not None else None


def _load_document(
    path: Path,
    shown: str,
    target: str,
    model: type,
    findings: list[Finding],
    raw: bytes | None = None,
    cache: ParseCache | None = None,
) -> tuple[Any, SourceMap, str] | None:
    refused = None if raw is not None else _refusal(path, model)
    if refused:
        findings.append(Finding(shown, 1, 1, LOAD_YAML, f"not read: the file {refused}", target))
        return None
    try:
        raw = read_bytes(path) if raw is None else raw
        key = cache.key(raw) if cache is not None else ""
        kept = cache.model(key, model.__name__) if cache is not None else None
        if kept is not None:  # this very content was validated by an earlier load
            return (*kept, key)  # type: ignore[return-value]
        document = parse_bytes(raw, cache, key)
    except SourceError as exc:
        findings.append(Finding(shown, exc.line, exc.column, LOAD_YAML, exc.message, target))
        return None
    except OSError as exc:
        findings.append(Finding(shown, 1, 1, LOAD_YAML, f"cannot read file: {exc}", target))
        return None
    if not isinstance(document.data, dict):
        line, column = document.source_map.locate(())
        kind = _KINDS.get(type(document.data), type(document.data).__name__)
        findings.append(
            Finding(
                shown,
                line,
                column,
                LOAD_YAML,
                f"the top level must be a mapping of keys, not {kind}",
                target,
            )
        )
        return None
    try:
        loaded = _ADAPTERS[model].validate_python(document.data), document.source_map
    except ValidationError as exc:
        findings.extend(
            validation_findings(exc, document.data, document.source_map, shown, target, model)
        )
        return None
    if cache is not None:
        cache.keep_model(key, model.__name__, loaded)
    return (*loaded, key)


def _refusal(path: Path, model: type) -> str | None:
    """Why a registry file must not be read (outside the repository, not a regular file)."""
    registry = path.parent if model is Settings else path.parent.parent
    return unreadable_reason(path, repository_root(registry))


def validation_findings(
    exc: ValidationError, data: object, source: SourceMap, shown: str, target: str, model: type
) -> list[Finding]:
    """Each Pydantic error as a finding at the offending key or value."""
    findings = []
    by_value: dict[tuple[str | int, ...], list[dict]] = {}  # a union's errors share a value
    for error in exc.errors(include_url=False):
        kind = error["type"]
        path = _data_path(error["loc"], data, missing=kind == "missing")
        name = path[-1] if path else ""
        if kind in ("unexpected_keyword_argument", "extra_forbidden"):
            message = f"unknown key '{name}'" + _suggestion(str(name), _keys_at(model, path[:-1]))
            line, column = source.locate(path, key=True)
        elif kind == "missing":
            parent = breadcrumb(path[:-1]) or "the file"
            message = f"missing required key '{name}' in {parent}"
            line, column = source.locate(path[:-1])
        elif kind == ENTRY_ERROR:  # a validator blames one entry of the value
            path = (*path, *error["ctx"]["at"])
            message = f"{breadcrumb(path)}: {error['msg']}"
            line, column = source.locate(path)
        else:
            by_value.setdefault(path, []).append(error)
            continue
        findings.append(Finding(shown, line, column, LOAD_SCHEMA, message, target))
    for path, errors in by_value.items():
        line, column = source.locate(path)
        message = f"{breadcrumb(path) or 'the file'}: {_describe(errors)}"
        findings.append(Finding(shown, line, column, LOAD_SCHEMA, message, target))
    return findings


def breadcrumb(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(errors: list[dict]) -> str:
    """One message for the errors of one value (several when the value is a union)."""
    messages = [
        _PATTERNS.get(e["ctx"]["pattern"], f"must match {e['ctx']['pattern']}")
        if e["type"] == "string_pattern_mismatch"
        else e["msg"]
        for e in errors
    ]
    message = "; or ".join(dict.fromkeys(messages))
    value = errors[0].get("input")
    if isinstance(value, str | int | float | bool) or value is None:
        shown = repr(value)
        return f"{message} (got {shown[:60] + '...' if len(shown) > 60 else shown})"
    return f"{message} (got a {type(value).__name__})"


_PATTERNS = {WEB_URL_PATTERN: "must be an http:// or https:// URL"}
_KINDS = {
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "an empty document (null)",
}


def _suggestion(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f"; expected one of: {', '.join(choices)}" if choices else ""


def _data_path(loc: tuple, data: object, missing: bool = False) -> tuple[str | int, ...]:
    """Pydantic's `loc` with union tags removed, so it follows the data.

    Only a `missing` error may end in a part absent from the data (the missing key)."""
    path: list[str | int] = []
    node = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        elif not (last and missing):
            continue  # a union member's tag, not a key of the data
        path.append(part)
    return tuple(path)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _keys_at(model: type, path: tuple[str | int, ...]) -> list[str]:
    """The keys allowed in the mapping at `path`, for 'did you mean'."""
    node: Any = model
    for part in path:
        node = _unwrap(node)
        if dataclasses.is_dataclass(node) and isinstance(part, str):
            node = _hints(node).get(part)
        elif typing.get_origin(node) is list:
            node = typing.get_args(node)[0]
        elif typing.get_origin(node) is dict:
            node = typing.get_args(node)[1]
        if node is None:
            return []
    node = _unwrap(node)
    return [f.name for f in dataclasses.fields(node)] if dataclasses.is_dataclass(node) else []


def _unwrap(tp: Any) -> Any:
    """Strip Annotated and Optional; of a union, prefer a model or a container."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        members = [_unwrap(arg) for arg in typing.get_args(tp)]
        for member in members:
            if dataclasses.is_dataclass(member) or typing.get_origin(member) in (list, dict):
                return member
        return members[0]
    return tp
