"""Shared test helpers: write registries to temp folders, run the CLI in-process."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

from orion_registry.cli import main
from orion_registry.commands.diff import review
from orion_registry.engine import TODAY_ENV, check_registry
from orion_registry.findings import Finding
from orion_registry.loader import load_registry
from orion_registry.rules.examples import BASE_DIR, EXAMPLE_DAY, write_example

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_REGISTRY = ROOT / "registry"
SHARED = ROOT.parent / "shared"
ID_COLUMN = "{name: id, type: uuid, primary_key: true, default: uuid()}"


def copy_registry(dest: Path) -> Path:
    """A copy of the bundled registry at `dest`, with the Prisma schemas its services name
    (`packages/`) beside it, as in this repository."""
    shutil.copytree(BUNDLED_REGISTRY, dest)
    shutil.copytree(ROOT / "packages", dest.parent / "packages", dirs_exist_ok=True)
    return dest


def check_example(example: str, root: Path) -> list[Finding]:
    """Check a rule-example style snippet (see rules/examples.py) written under `root`;
    with `# base` documents, as `diff --base` does (so M504 runs too)."""
    write_example(textwrap.dedent(example), root)
    day = None if os.environ.get(TODAY_ENV) else EXAMPLE_DAY  # a test may pin its own day
    return example_findings(root, day)


def example_findings(root: Path, day: dt.date | None) -> list[Finding]:
    """`check` of a written example, or `diff --base` when it has a base revision."""
    if (root / BASE_DIR).is_dir():
        return review(root, str(root / BASE_DIR), on_date=day).findings
    return check_registry(load_registry(root), on_date=day)


def rule_findings(code: str, example: str, root: Path, clean_load: bool = True) -> list[Finding]:
    """The `code` findings of a snippet; with `clean_load`, first assert that it loads."""
    findings = check_example(example, root)
    if clean_load:
        assert not [f for f in findings if f.rule.startswith("L")], findings
    return [f for f in findings if f.rule == code]


def one_table(
    name: str = "users",
    model: str = "User",
    columns: Iterable[str] = (),
    indexes: Iterable[str] = (),
    id_column: str | None = ID_COLUMN,
) -> str:
    """A one-table service snippet; `columns` / `indexes` are YAML flow mappings, after the
    `id_column` (none when None)."""
    lines = ["tables:", f"  - name: {name}", f"    model: {model}", "    columns:"]
    lines += [f"      - {c}" for c in (id_column, *columns) if c]
    index_lines = [f"      - {i}" for i in indexes]
    if index_lines:
        lines += ["    indexes:", *index_lines]
    return "\n".join(lines) + "\n"


def codes(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def run_module(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m orion_registry ARGV` in its own process (the installed package)."""
    return subprocess.run(
        [sys.executable, "-m", "orion_registry", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


def text_at(finding: Finding) -> str:
    """The source text a finding points at: from its line and column to the end of the line."""
    line = Path(finding.file).read_text(encoding="utf-8").splitlines()[finding.line - 1]
    return line[finding.column - 1 :]
