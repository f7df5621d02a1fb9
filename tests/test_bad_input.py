"""Hostile or broken input: a clear message naming file and line, exit 1 or 2, no traceback,
nothing written, nothing executed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from orion_registry import source

from .helpers import ROOT, run_cli, run_module

# The registry sits two levels down, so a service named `../../x` would land inside tmp_path.
REGISTRY = Path("a", "b", "reg")
VALID = "service: {name}\ndatabase: orion_{name}\nowner: team\ndescription: A service.\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each level an anchor holding `width` aliases of the one before."""
    lines = [f"  l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "service: bomb\ndatabase: orion_bomb\nx:\n" + "\n".join(lines) + "\n"


# id -> (file name, content, exit code, line of the problem, message fragments)
CASES: dict[str, tuple[str, str | bytes, int, int, tuple[str, ...]]] = {
    "malformed": (
        "a.yaml",
        "service: a\ndatabase: orion_a\n  owner: [x\n",
        2,
        3,
        ("invalid YAML",),
    ),
    "unclosed-flow": ("a.yaml", "service: a\ntables: [\n", 2, 3, ("invalid YAML",)),
    "duplicate-key": (
        "a.yaml",
        "service: a\ndatabase: orion_a\nowner: x\nservice: a\n",
        2,
        4,
        ("duplicate key 'service'", "first defined on line 1"),
    ),
    "alias-bomb": ("bomb.yaml", alias_bomb(), 2, 0, ("alias bomb",)),
    "merge-key": (
        "a.yaml",
        "service: a\ndatabase: orion_a\nx: &x {k: 1}\ny:\n  <<: *x\n",
        2,
        5,
        ("merge keys",),
    ),
    "python-apply-tag": (
        "a.yaml",
        "service: a\ndatabase: !!python/object/apply:os.system ['touch PWNED']\n",
        2,
        2,
        ("python/object/apply:os.system", "not allowed"),
    ),
    "python-name-tag": (
        "a.yaml",
        "service: a\ndatabase: !!python/name:os.system\n",
        2,
        2,
        ("python/name:os.system", "not allowed"),
    ),
    "unknown-key": (
        "a.yaml",
        VALID.format(name="a") + "tabels: []\n",
        1,
        5,
        ("unknown key 'tabels'", "did you mean 'tables'?"),
    ),
    "unknown-nested-key": (
        "a.yaml",
        VALID.format(name="a")
        + "tables:\n  - name: users\n    columns:\n      - {name: id, type: uuid, nulable: true}\n",
        1,
        8,
        ("unknown key 'nulable'", "did you mean 'nullable'?"),
    ),
    "wrong-type": ("a.yaml", VALID.format(name="a") + "tables: 5\n", 1, 5, ("tables", "list")),
    "wrong-nested-type": (
        "a.yaml",
        VALID.format(name="a")
        + "tables:\n  - name: users\n    columns:\n      - {name: id, type: uuid, unique: maybe}\n",
        1,
        8,
        ("tables[0].columns[0].unique", "boolean", "'maybe'"),
    ),
    "path-traversal-name": (
        "a.yaml",
        "service: ../../x\ndatabase: orion_x\n",
        1,
        1,
        ("service", "must match"),
    ),
    "not-utf8": (
        "a.yaml",
        b"service: a\ndatabase: orion_a\ndescription: caf\xe9 au lait\n",
        2,
        3,
        ("not UTF-8", "0xe9"),
    ),
    "empty": ("a.yaml", "", 2, 1, ("file is empty",)),
    "only-comments": ("a.yaml", "# nothing here yet\n", 2, 1, ("file is empty",)),
    "empty-document": ("a.yaml", "---\n...\n", 2, 1, ("file is empty",)),
    "null-document": ("a.yaml", "null\n", 2, 1, ("must be a mapping", "null")),
    "top-level-list": ("a.yaml", "- service: a\n- database: orion_a\n", 2, 1, ("not a list",)),
    "top-level-scalar": ("a.yaml", "just some words\n", 2, 1, ("not a string",)),
    "two-documents": (
        "a.yaml",
        "service: a\ndatabase: orion_a\n---\nservice: b\n",
        2,
        3,
        ("another document", "expected a single document"),
    ),
    "stem-differs": (
        "a.yaml",
        VALID.format(name="other"),
        1,
        1,
        ("service 'other'", "'a.yaml'", "file stem must equal"),
    ),
    "deep-flow-nesting": (
        "a.yaml",
        "service: a\ndatabase: orion_a\nx: " + "[" * 20_000 + "]" * 20_000 + "\n",
        2,
        3,
        ("nesting",),
    ),
    "deep-block-nesting": (
        "a.yaml",
        "service: a\ndatabase: orion_a\nx:\n  " + "- " * 20_000 + "deep\n",
        2,
        4,
        ("nesting",),
    ),
    "too-large": (
        "a.yaml",
        "service: a\ndatabase: orion_a\n" + "#" * source.MAX_BYTES + "\n",
        2,
        1,
        ("bytes", "limit"),
    ),
}
SETTINGS_CASES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "unknown-rule-code": ("rules:\n  N1O1: warning\n", 2, ("unknown rule 'N1O1'", "'N101'")),
    "bad-option-type": (
        "rules:\n  I304: {severity: warning, max_indexes: many}\n",
        2,
        ("max_indexes", "must be int", "'many'"),
    ),
    "unknown-option": (
        "rules:\n  I304: {max_indexs: 3}\n",
        2,
        ("unknown option 'max_indexs'", "max_indexes"),
    ),
    "bad-severity": ("rules:\n  T203: loud\n", 2, ("rules.T203", "'error', 'warning' or 'off'")),
    "unknown-key": ("organisation: Orion\n", 1, ("unknown key 'organisation'", "'organization'")),
    "bad-waiver-date": (
        "waivers:\n  - rule: N101\n    target: a\n    reason: legacy\n    expires: someday\n",
        5,
        ("waivers[0].expires", "date"),
    ),
}


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
    }


def write_registry(base: Path, files: dict[str, str | bytes]) -> Path:
    root = base / REGISTRY
    (root / "services").mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def check_untouched(tmp_path: Path, *argv: str) -> tuple[int, str]:
    """Run `check`; assert nothing under tmp_path changed and no traceback; (exit, output)."""
    before = snapshot(tmp_path)
    code, out, err = run_cli("check", *argv)
    assert snapshot(tmp_path) == before
    assert "Traceback" not in out + err
    return code, out + err


def located(output: str, file: Path) -> list[tuple[int, str]]:
    """(line, message) of each finding reported in `file`."""
    pattern = re.compile(rf"^{re.escape(file.as_posix())}:(\d+):\d+: (L00\d .*)$", re.MULTILINE)
    return [(int(line), message) for line, message in pattern.findall(output)]


@pytest.mark.parametrize("case", list(CASES))
def test_bad_service_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str):
    name, content, exit_code, line, fragments = CASES[case]
    monkeypatch.chdir(tmp_path)
    root = write_registry(tmp_path, {f"services/{name}": content}).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root))
    assert code == exit_code, output
    (found,) = located(output, root / "services" / name)
    if line:
        assert found[0] == line, output
    for fragment in fragments:
        assert fragment in found[1], output
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "a" / "x").exists() and not (tmp_path / "x").exists()


def test_alias_bomb_is_reported_at_an_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    root = write_registry(tmp_path, {"services/bomb.yaml": alias_bomb()}).relative_to(tmp_path)
    _, output = check_untouched(tmp_path, "--registry", str(root))
    ((line, _),) = located(output, root / "services" / "bomb.yaml")
    bomb_line = alias_bomb().splitlines()[line - 1]
    assert "*l" in bomb_line


@pytest.mark.parametrize("case", list(SETTINGS_CASES))
def test_bad_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str):
    content, line, fragments = SETTINGS_CASES[case]
    monkeypatch.chdir(tmp_path)
    files = {"orion.yaml": content, "services/a.yaml": VALID.format(name="a")}
    root = write_registry(tmp_path, files).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root), "--select", "L")
    assert code == 1, output
    (found,) = located(output, root / "orion.yaml")
    assert found[0] == line, output
    for fragment in fragments:
        assert fragment in found[1], output


def test_good_files_still_load_next_to_a_bad_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """One broken file does not hide the findings of the others."""
    monkeypatch.chdir(tmp_path)
    files = {"services/a.yaml": "service: a\n  bad: [\n", "services/b.yaml": "service: b\n"}
    root = write_registry(tmp_path, files).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root))
    assert code == 2
    assert located(output, root / "services" / "a.yaml")
    ((line, message),) = located(output, root / "services" / "b.yaml")
    assert (line, "missing required key 'database'" in message) == (1, True)


def test_same_service_in_two_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`a.yaml` and `a.yml` both declare service a: the second is refused, not merged."""
    monkeypatch.chdir(tmp_path)
    files = {"services/a.yaml": VALID.format(name="a"), "services/a.yml": VALID.format(name="a")}
    root = write_registry(tmp_path, files).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root), "--select", "L")
    assert code == 1, output
    ((line, message),) = located(output, root / "services" / "a.yml")
    assert line == 1 and "L003" in message and "a.yaml" in message, output


def test_service_file_in_a_subfolder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`services/team/b.yaml` is never read: an L003 says so instead of ignoring it silently."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / REGISTRY / "services" / "team").mkdir(parents=True)
    files = {
        "services/a.yaml": VALID.format(name="a"),
        "services/team/b.yaml": VALID.format(name="b"),
    }
    root = write_registry(tmp_path, files).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root), "--select", "L")
    assert code == 1, output
    ((line, message),) = located(output, root / "services" / "team" / "b.yaml")
    assert line == 1 and "L003" in message and "subfolder" in message, output


def test_missing_registry_directory(tmp_path: Path):
    code, output = check_untouched(tmp_path, "--registry", str(tmp_path / "nope"))
    assert code == 2
    assert "nope" in output and "does not exist" in output


def test_registry_without_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    root = write_registry(tmp_path, {}).relative_to(tmp_path)
    code, output = check_untouched(tmp_path, "--registry", str(root))
    assert code == 1
    assert "L003 no service files" in output


def test_pure_python_parser_fallback_survives_deep_nesting(monkeypatch: pytest.MonkeyPatch):
    """Without libyaml the composer recurses in Python: still a SourceError, not a crash."""
    monkeypatch.setattr(source, "_Loader", yaml.SafeLoader)
    for text in ("x: " + "[" * 20_000 + "]" * 20_000, "x:\n  " + "- " * 20_000 + "deep\n"):
        with pytest.raises(source.SourceError, match="nesting"):
            source.parse(text)


def test_bad_input_in_a_real_process(tmp_path: Path):
    """The installed module in its own process: exit 2, located messages, no traceback."""
    files = {
        "services/bomb.yaml": alias_bomb(),
        "services/tag.yaml": "service: tag\ndatabase: !!python/object/apply:os.system [touch X]\n",
    }
    root = write_registry(tmp_path, files)
    before = snapshot(tmp_path)
    done = run_module("check", "--registry", str(root), cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    for name, fragment in (("bomb.yaml", "alias bomb"), ("tag.yaml", "not allowed")):
        ((_, message),) = located(done.stdout, root / "services" / name)
        assert fragment in message
    assert snapshot(tmp_path) == before
    assert not (tmp_path / "X").exists() and not (ROOT / "X").exists()
