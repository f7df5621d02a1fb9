"""Shared test helpers: write registries to temp folders, run the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

from orion_registry.cli import main
from orion_registry.engine import check_registry
from orion_registry.findings import Finding
from orion_registry.loader import load_registry
from orion_registry.rules.examples import write_example

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_REGISTRY = ROOT / "registry"
SHARED = ROOT.parent / "shared"


def check_example(example: str, root: Path) -> list[Finding]:
    """Check a rule-example style snippet (see rules/examples.py) written under `root`."""
    return check_registry(load_registry(write_example(textwrap.dedent(example), root)))


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


def text_at(finding: Finding) -> str:
    """The source text a finding points at: from its line and column to the end of the line."""
    line = Path(finding.file).read_text(encoding="utf-8").splitlines()[finding.line - 1]
    return line[finding.column - 1 :]
