"""The shipped CI integration: the workflow and the pre-commit hook are valid and do what
the README says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.helpers import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "registry.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def check_jsonschema(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.fail("check-jsonschema is missing: install the test extras (pip install -e .[test])")
    return subprocess.run([exe, *args], capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"]
)
def test_workflow_matches_the_schema(schema: str) -> None:
    done = check_jsonschema("--builtin-schema", schema, str(WORKFLOW))
    assert done.returncode == 0, done.stdout + done.stderr


def test_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = yaml.safe_load(WORKFLOW.read_text())
    broken["jobs"]["review"]["runs-on"] = None
    broken["jobs"]["review"]["stepz"] = broken["jobs"]["review"].pop("steps")
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    assert (
        check_jsonschema("--builtin-schema", "vendor.github-workflows", str(path)).returncode == 1
    )


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def _runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uses(job: dict) -> list[str]:
    return [step["uses"].split("@")[0] for step in job["steps"] if "uses" in step]


def test_pull_requests_get_check_diff_sarif_and_a_strict_site_build() -> None:
    data = _workflow()
    assert "pull_request" in data["on"]
    review = data["jobs"]["review"]
    runs = _runs(review)
    assert "orion-registry check --format github" in runs
    assert re.search(r'orion-registry diff --base "origin/\$BASE_REF" --format markdown', runs)
    assert '>> "$GITHUB_STEP_SUMMARY"' in runs
    assert "--format sarif" in runs
    assert "github/codeql-action/upload-sarif" in _uses(review)
    assert review["permissions"]["security-events"] == "write"
    assert review["steps"][0]["with"]["fetch-depth"] == 0  # the base branch is read from git
    assert "python3 dev.py site" in runs  # venv + docs extras + `mkdocs build --strict`
    assert 'mkdocs("build", "--strict")' in (ROOT / "dev.py").read_text()


def test_main_publishes_the_site_with_pages_actions() -> None:
    data = _workflow()
    assert data["on"]["push"]["branches"] == ["main"]
    build, publish = data["jobs"]["build-site"], data["jobs"]["publish-site"]
    assert {"actions/configure-pages", "actions/upload-pages-artifact"} <= set(_uses(build))
    assert _uses(publish) == ["actions/deploy-pages"]
    assert publish["needs"] == "build-site"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert "refs/heads/main" in publish["if"]


def test_pre_commit_hook_manifest() -> None:
    hooks = yaml.safe_load(HOOKS.read_text())
    [hook] = [h for h in hooks if h["id"] == "orion-registry-check"]
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert hook["language"] == "python"  # pre-commit installs this repository as a package
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert hook["entry"].split()[0] in scripts
    assert hook["entry"].split()[1] == "check"
    files = re.compile(hook["files"])
    assert files.search("registry/services/user.yaml")
    assert files.search("registry/orion.yaml")
    assert not files.search("registry/services/nested/x.yaml")
    assert not files.search("docs/index.md")
    assert hook["pass_filenames"] is False  # check reads the whole registry directory


def test_pre_commit_accepts_the_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib", reason="pre-commit is not installed")
    [hook] = clientlib.load_manifest(str(HOOKS))
    assert hook["id"] == "orion-registry-check"


def _dev_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_site_accepts_the_test_install_and_test_does_not_accept_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Switching between `dev.py site` and `dev.py test` installs nothing again."""
    dev = _dev_module()
    installs: list[tuple] = []
    monkeypatch.setattr(dev, "PYTHON", Path(sys.executable))
    monkeypatch.setattr(dev, "STAMP", tmp_path / "stamp")
    monkeypatch.setattr(dev, "run", lambda *argv, **kw: installs.append(argv) or 0)
    dev.STAMP.write_text(dev._digest("test"))
    dev.python_packages("docs", "test")  # what `site` asks for after `test` installed
    assert installs == []
    dev.STAMP.write_text(dev._digest("docs"))
    dev.python_packages("test")  # the tests need more than the site's extras
    assert len(installs) == 1 and installs[0][-1] == ".[test]"
    assert dev.STAMP.read_text() == dev._digest("test")


def test_dev_has_a_serve_command() -> None:
    source = (ROOT / "dev.py").read_text()
    assert 'command == "serve"' in source and 'mkdocs("serve", *args)' in source
    assert 'setdefault("NO_MKDOCS_2_WARNING", "1")' in source.split("def mkdocs(", 1)[1]
