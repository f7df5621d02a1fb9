"""No traceback on any input: deep Prisma nesting is a located error, an unreadable registry
is a clear exit 2, and commands that need no registry never look for one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orion_registry.commands import common

from .fuzzing import fuzz_settings
from .helpers import BUNDLED_REGISTRY, run_cli

HEADER = 'datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\n'


def nested(depth: int, kind: str) -> str:
    opening, closing = {"call": ("fn(", ")"), "list": ("[", "]"), "mixed": ("g([", "])")}[kind]
    return opening * depth + closing * depth


@fuzz_settings(20)
@given(
    depth=st.integers(min_value=70, max_value=4000),
    kind=st.sampled_from(["call", "list", "mixed"]),
    where=st.sampled_from(["default", "block", "map"]),
)
def test_deep_nesting_is_a_located_error(tmp_path_factory, depth: int, kind: str, where: str):
    value = nested(depth, kind)
    body = {
        "default": f"  id Int @id @default({value})\n",
        "block": f"  id Int @id\n  @@index({value})\n",
        "map": f'  id Int @id @map("x", extra: {value})\n',
    }[where]
    folder = tmp_path_factory.mktemp("deep")
    schema = folder / "schema.prisma"
    schema.write_text(HEADER + f"model Deep {{\n{body}}}\n", encoding="utf-8")
    code, out, err = run_cli(
        "import", "prisma", str(schema), "--service", "deep", "--registry", str(folder / "reg")
    )
    assert code == 2 and out == ""
    line = 7 if where == "block" else 6
    assert err.startswith(f"{schema.as_posix()}:{line}:") and "nested deeper than" in err


def test_brackets_in_strings_and_comments_do_not_count(tmp_path: Path) -> None:
    deep = "(" * 200
    schema = tmp_path / "schema.prisma"
    schema.write_text(
        HEADER + f'// {deep}\nmodel Fine {{\n  id Int @id @default(dbgenerated("{deep}"))\n}}\n',
        encoding="utf-8",
    )
    code, _, err = run_cli(
        "import", "prisma", str(schema), "--service", "fine", "--registry", str(tmp_path / "r")
    )
    assert code == 0, err


def test_an_unreadable_services_folder_is_exit_2(tmp_path: Path, monkeypatch) -> None:
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self.name == "services":
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    for argv in (["check"], ["codeowners"], ["export", "sql", "--service", "user"]):
        code, out, err = run_cli(*argv, "--registry", str(registry))
        assert code == 2 and out == ""
        assert err == (
            f"orion-registry: error: cannot read the registry directory "
            f"'{registry.as_posix()}': Permission denied\n"
        )


def test_commands_without_a_registry_never_look_for_one(monkeypatch) -> None:
    def probe(*args: object) -> str:
        raise AssertionError("the default registry was looked for")

    monkeypatch.setattr(common, "default_registry", probe)
    for argv in (["rules"], ["rule", "N101"], ["schema"], ["schema", "settings"]):
        code, out, _ = run_cli(*argv)
        assert code == 0 and out
    code, out, _ = run_cli("--version")
    assert code == 0


@pytest.fixture
def unreadable_cwd() -> Iterator[Path]:
    """A folder (readable by `nobody`) holding registry/ that `nobody` cannot read."""
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs root and runuser to run the CLI as another user")
    folder = Path(tempfile.mkdtemp(prefix="orion-unreadable-"))
    try:
        folder.chmod(0o755)
        shutil.copytree(BUNDLED_REGISTRY, folder / "registry")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_nobody(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "nobody", "--", sys.executable, "-m", "orion_registry", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=60,
    )


@pytest.mark.system
@pytest.mark.parametrize("locked", ["registry", "registry/services"])
def test_unreadable_registry_as_another_user(unreadable_cwd: Path, locked: str) -> None:
    (unreadable_cwd / locked).chmod(0)
    for argv in (["--version"], ["rule", "S601"]):
        result = as_nobody(unreadable_cwd, *argv)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    for argv in (["check"], ["codeowners"]):
        result = as_nobody(unreadable_cwd, *argv)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "Permission denied" in result.stderr
