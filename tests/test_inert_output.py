"""Text output is inert: control characters (C0 with ESC, CR, LF; DEL; C1) and bidi
overrides from any value are shown escaped in the text, github and markdown outputs, so
a registry or database value cannot drive the terminal or forge a workflow command."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from orion_registry.findings import Finding
from orion_registry.reporters import github, text

from .fuzzing import fuzz_settings
from .helpers import BUNDLED_REGISTRY, run_cli
from .test_diff import Repo

UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
DANGER = "\x1b\r\n\x07\x00\x7f\x85\x9b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
values = st.text(
    alphabet=st.one_of(st.sampled_from(DANGER + "%:,[]"), st.characters(codec="utf-8")),
    max_size=40,
)


@fuzz_settings(200)
@given(value=values)
def test_inert_leaves_no_control_or_bidi_character(value: str) -> None:
    from orion_registry.reporters.escape import inert

    shown = inert(value)
    assert UNSAFE.search(shown) is None
    assert inert(value, keep="\n").count("\n") == value.count("\n")


@fuzz_settings(200)
@given(message=values, target=values, file=values)
def test_text_and_github_give_one_inert_line_per_finding(
    message: str, target: str, file: str
) -> None:
    findings = [Finding(file or "f", 3, 4, "N101", message, target)] * 2
    for rendered, lines in ((text.render(findings), 3), (github.render(findings), 2)):
        assert UNSAFE.search(rendered.replace("\n", "")) is None
        assert rendered.count("\n") == lines
    for line in github.render(findings).splitlines():
        assert line.startswith("::error file=") and line.count("::") >= 2


def forged_registry(tmp_path: Path, name: str) -> Path:
    registry = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, registry)
    path = registry / "services" / "user.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["tables"][0]["name"] = name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return registry


FORGED = "Bad\x1b]0;owned\x07\r\n::error file=x.yaml,line=1::forged\u202egnp.exe\x9b2J\x7f"


def test_a_forged_table_name_stays_on_its_line(tmp_path: Path) -> None:
    registry = forged_registry(tmp_path, FORGED)
    for fmt in ("text", "github"):
        code, out, _ = run_cli("check", "--registry", str(registry), "--format", fmt)
        assert code == 1 and UNSAFE.search(out.replace("\n", "")) is None
        assert not [line for line in out.splitlines() if line.startswith("::error file=x.yaml")]
        assert "\\x1b]0;owned\\x07" in out and "\\u202e" in out


def test_the_markdown_comment_is_inert(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = Repo(tmp_path)
    repo.edit("user", lambda data: data["tables"][0].update(description=FORGED, name=FORGED))
    for fmt in ("markdown", "text", "github"):
        _, out, _ = run_cli("diff", "--base", "main", "--format", fmt)
        assert "forged" in out and UNSAFE.search(out.replace("\n", "")) is None
        assert not [line for line in out.splitlines() if line.startswith("::error file=x.yaml")]
