"""Cold loads on several cores: worker processes parse files ahead of the loader.

Parsing is most of a cold load and each file parses on its own, so forked workers parse a
share of the files the cache does not hold (and store them in it) while this process
parses its own share. What they parsed is handed to the cache's memory, so the loader's
usual, sequential pass (validation, findings, order) finds every file parsed and gives
exactly what a serial load gives. A file that fails to parse is left to that pass, which
reports it. Small loads, single-core machines and threaded processes (`mkdocs serve`:
forking a threaded process is unsafe) stay serial.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path

from .cache import ParseCache
from .source import SourceError, decode, parse, read_bytes

MIN_FILES = 48  # fewer uncached files than this: starting workers costs more than it saves
MIN_FILES_PER_WORKER = 24
PARENT_SHARE = 0.45  # this process also takes the workers' results back: give it less


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def parse_ahead(paths: list[Path], cache: ParseCache) -> int:
    """Parse the `paths` that `cache` lacks on all cores; returns how many workers ran."""
    todo = [(path, raw) for path, raw in _contents(paths) if not cache.has(cache.key(raw))]
    workers = min(cores() - 1, len(todo) // MIN_FILES_PER_WORKER)
    if len(todo) < MIN_FILES or workers < 1 or not _can_fork():
        return 0
    mine = todo[: int(len(todo) * PARENT_SHARE)]
    rest = [path for path, _ in todo[len(mine) :]]
    chunks = [rest[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending = [pool.apply_async(_parse_files, (chunk, cache.folder)) for chunk in chunks]
        for _, raw in mine:
            _parse_into(cache, raw)
        for result in pending:
            for key, data in result.get():
                cache.remember(key, data)
    return workers


def _contents(paths: list[Path]) -> list[tuple[Path, bytes]]:
    contents = []
    for path in paths:
        try:
            contents.append((path, read_bytes(path)))
        except (OSError, SourceError):
            continue  # the loader reports it
    return contents


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _parse_into(cache: ParseCache, raw: bytes) -> None:
    try:
        data = parse(decode(raw)).data
    except SourceError:
        return
    key = cache.key(raw)
    cache.put(key, data)
    cache.remember(key, data)


def _parse_files(paths: list[Path], folder: Path | None) -> list[tuple[str, object]]:
    """In a worker: parse `paths`, store them in the cache at `folder`, send them back."""
    cache = ParseCache(folder)
    for _, raw in _contents(paths):
        _parse_into(cache, raw)
    return list(cache.memory.items())
