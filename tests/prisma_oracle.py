"""Prisma's own schema engine (`@prisma/prisma-schema-wasm`, npm) as a test oracle.

All schemas of a batch go to ONE node process (`get_dmmf` or `validate` on each), so the
engine is loaded once. The installed engine is Prisma 7+, which refuses the Prisma 6
datasource keys `url`, `directUrl` and `shadowDatabaseUrl` (they moved to
`prisma.config.ts`) and preview features it no longer knows: those lines are removed
before asking it (`for_engine`). Nothing else in a schema is changed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from .helpers import ROOT

PACKAGE = ROOT / "node_modules" / "@prisma" / "prisma-schema-wasm"

_SCRIPT = r"""
const engine = require('@prisma/prisma-schema-wasm');
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const { op, units } = JSON.parse(input);
  const results = units.map((files) => {
    const started = process.hrtime.bigint();
    const params = JSON.stringify({ prismaSchema: files, noColor: true });
    try {
      let out = null;
      if (op === 'dmmf') out = JSON.parse(engine.get_dmmf(params)).datamodel;
      else engine.validate(params);
      return { ok: true, datamodel: out, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    } catch (error) {
      let message = String(error && error.message ? error.message : error);
      try { message = JSON.parse(message).message; } catch (_) {}
      return { ok: false, error: message, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
"""

_DATASOURCE = re.compile(r"(datasource\s+\w+\s*\{)(.*?)(\})", re.DOTALL)
_REMOVED_KEYS = re.compile(r"^\s*(url|directUrl|shadowDatabaseUrl)\s*=.*$", re.MULTILINE)
_PREVIEW = re.compile(r"(previewFeatures\s*=\s*\[)([^\]]*)\]")
_VIEW = re.compile(r"^view\s+\w+\s*\{.*?^\}", re.DOTALL | re.MULTILINE)
_UNKNOWN_FEATURE = re.compile(r'The preview feature "(\w+)" is not known')


@dataclass(frozen=True)
class Result:
    ok: bool
    datamodel: dict | None
    error: str | None
    ms: float


def available() -> str | None:
    """Why the oracle cannot run, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.is_dir():
        return "npm package @prisma/prisma-schema-wasm is not installed (run `npm install`)"
    return None


def require() -> None:
    reason = available()
    if reason:
        pytest.skip(reason)


def for_engine(
    text: str, drop_features: frozenset[str] = frozenset(), view_ids: bool = False
) -> str:
    """Remove the datasource keys (and preview features) Prisma 7+ refuses; with `view_ids`,
    turn `@@id`/`@id` inside views (refused since Prisma 6) into `@@unique`/`@unique`."""
    if view_ids:
        text = _VIEW.sub(lambda m: re.sub(r"@(@?)id\b", r"@\1unique", m.group(0)), text)
    text = _DATASOURCE.sub(
        lambda m: m.group(1) + _REMOVED_KEYS.sub("", m.group(2)) + m.group(3), text
    )
    if drop_features:
        text = _PREVIEW.sub(lambda m: _keep_features(m, drop_features), text)
    return text


def _keep_features(match: re.Match, drop: frozenset[str]) -> str:
    kept = [f for f in re.findall(r'"(\w+)"', match.group(2)) if f not in drop]
    return match.group(1) + ", ".join(f'"{f}"' for f in kept) + "]"


def run(op: str, units: list[list[tuple[str, str]]]) -> list[Result]:
    """`op` ("dmmf" or "validate") on every unit (a list of (file name, text)), in one process.

    A unit refused for an unknown preview feature or for ids on views is asked again
    without them (views are not imported, so this does not change what is compared)."""
    prepared = [[(name, for_engine(text)) for name, text in unit] for unit in units]
    results = _node(op, prepared)
    for i, result in enumerate(results):
        unknown = frozenset(_UNKNOWN_FEATURE.findall(result.error or ""))
        view_ids = "Views cannot have primary keys" in (result.error or "")
        if unknown or view_ids:
            retry = [[(n, for_engine(t, unknown, view_ids)) for n, t in units[i]]]
            results[i] = _node(op, retry)[0]
    return results


def timed_dmmf(files: list[tuple[str, str]]) -> tuple[Result, float]:
    """`get_dmmf` on one unit; also the wall time of the whole node process, in seconds."""
    started = time.perf_counter()
    result = run("dmmf", [files])[0]
    return result, time.perf_counter() - started


def _node(op: str, units: list[list[tuple[str, str]]]) -> list[Result]:
    done = subprocess.run(
        ["node", "-e", _SCRIPT],
        input=json.dumps({"op": op, "units": units}),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"node failed ({done.returncode}): {done.stderr[-2000:]}")
    return [
        Result(r["ok"], r.get("datamodel"), r.get("error"), r["ms"])
        for r in json.loads(done.stdout)
    ]


def corpus_units(corpus: Path) -> list[list[Path]]:
    """The corpus's schemas, each a list of files read together.

    A file with no `datasource` block is part of a multi-file schema: the one rooted at
    the nearest folder above it that holds a file with a datasource. Every other file
    is a schema of its own."""
    files = sorted(corpus.rglob("*.prisma"))
    has_datasource = {
        p: bool(re.search(r"^datasource\s", p.read_text(), re.MULTILINE)) for p in files
    }
    roots: dict[Path, list[Path]] = {}
    for path in files:
        if has_datasource[path]:
            continue
        folder = path.parent
        while not any(has_datasource.get(p) for p in folder.glob("*.prisma")):
            folder = folder.parent
        roots.setdefault(folder, [])
    units = [[p] for p in files if has_datasource[p] and p.parent not in roots]
    for folder in roots:
        units.append([p for p in files if folder in p.parents and "migrations" not in p.parts])
    return sorted(units)
