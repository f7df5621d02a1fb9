#!/usr/bin/env python3
"""Set everything up, then build the site or run the tests. Needs only Python 3.11+ and git.

    python3 dev.py site    # venv + packages + offline JS libraries, then `mkdocs build --strict`
    python3 dev.py serve   # the same set-up, then `mkdocs serve` (reloads on every edit)
    python3 dev.py test    # the same plus PostgreSQL, Chromium, Node packages, then pytest
    python3 dev.py setup   # only the set-up

System parts (Debian's `postgresql` and `chromium`, npm packages) are installed when missing
and this machine can (root with apt-get, npm on PATH); otherwise the tests that need them
skip with a reason (and fail the run when CI=true).
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".orion-installed"
VENDOR = ROOT / "docs" / "assets" / "vendor"
# npm files served with the site (offline): Mermaid for diagrams, Cytoscape.js and the fCoSE
# layout (with the two libraries it is built on) for the relationship map.
VENDORED_FILES = [
    "mermaid/dist/mermaid.min.js",
    "cytoscape/dist/cytoscape.min.js",
    "layout-base/layout-base.js",
    "cose-base/cose-base.js",
    "cytoscape-fcose/cytoscape-fcose.js",
]
# Debian package -> a file it installs (the client alone also fills /usr/lib/postgresql).
DEBIAN_PACKAGES = {
    "postgresql": "/usr/lib/postgresql/*/bin/initdb",
    "chromium": "/usr/bin/chromium",
}


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(*argv: str | Path, check: bool = True, **kwargs) -> int:
    return subprocess.run([str(a) for a in argv], check=check, cwd=ROOT, **kwargs).returncode


def _digest(extra: str) -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extra.encode()).hexdigest()


def python_packages(extra: str, *enough: str) -> None:
    """A venv with the project installed editable; skipped when pyproject is unchanged and
    the installed extra is `extra` or one of `enough` (e.g. `test` includes `docs`)."""
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    installed = STAMP.read_text() if STAMP.exists() else ""
    if installed in {_digest(e) for e in (extra, *enough)}:
        return
    say(f"installing orion-registry[{extra}] into .venv")
    run(
        PYTHON,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-e",
        f".[{extra}]",
    )
    STAMP.write_text(_digest(extra))


def node_packages() -> bool:
    """npm packages from package-lock.json; the browser libraries vendored for offline use."""
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: diagrams load Mermaid from the network; Node-based tests skip")
        return False
    lock_stamp = ROOT / "node_modules" / ".orion-lock"
    lock = (ROOT / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()
    if not (lock_stamp.exists() and lock_stamp.read_text() == digest):
        say("installing npm packages (package-lock.json)")
        if run(npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", check=False) != 0:
            say("npm ci failed: Node-based tests skip, diagrams load Mermaid from the network")
            return False
        lock_stamp.write_text(digest)
    for name in VENDORED_FILES:
        source, vendored = ROOT / "node_modules" / name, VENDOR / Path(name).name
        if source.exists() and (
            not vendored.exists() or vendored.read_bytes() != source.read_bytes()
        ):
            VENDOR.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, vendored)
    return True


def system_packages() -> None:
    """Debian's postgresql and chromium (and Node/npm), when missing and installable."""
    missing = [name for name, marker in DEBIAN_PACKAGES.items() if not glob.glob(marker)]
    if shutil.which("npm") is None:
        missing += ["nodejs", "npm"]
    if not missing:
        return
    can_install = shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0
    if not can_install:
        say(
            f"cannot install {', '.join(missing)} here (needs root and apt-get): "
            "the tests that need them will skip"
        )
        return
    say(f"installing Debian packages: {', '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", check=False, env=env)
    if (
        run(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            *missing,
            check=False,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        != 0
    ):
        say("apt-get install failed: the tests that need these packages will skip")


def setup(extra: str) -> None:
    # The test extras include the docs extras: a site build after the tests reinstalls nothing.
    python_packages(extra, *(["test"] if extra == "docs" else []))
    if extra == "test":
        system_packages()
    node_packages()


def mkdocs(*args: str) -> int:
    setup("docs")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")  # Material's banner about MkDocs 2
    return run(BIN / "mkdocs", *args, check=False)


def build_site() -> int:
    say("building the site into site/")
    code = mkdocs("build", "--strict")
    if code == 0:
        say("the registry passed its checks; the site is in site/ (python3 dev.py serve to browse)")
    else:
        say("the site was not built: the registry's findings or the errors are listed above")
    return code


def serve_site(args: list[str]) -> int:
    say("serving the site; it reloads on every edit of docs/ or the registry (Ctrl-C stops)")
    try:
        return mkdocs("serve", *args)
    except KeyboardInterrupt:
        return 0


def run_tests(pytest_args: list[str]) -> int:
    setup("test")
    workers = ["-n", os.environ.get("ORION_TEST_WORKERS", "auto")]
    say("running the test suite")
    return run(PYTHON, "-m", "pytest", *workers, *pytest_args, check=False)


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "site":
        return build_site()
    if command == "serve":
        return serve_site(rest)
    if command == "test":
        return run_tests(rest)
    if command == "setup":
        setup("test")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
