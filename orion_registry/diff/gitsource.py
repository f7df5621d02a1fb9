"""The registry as it was: its files read at a git revision, or from another directory.

A revision is read straight from the object store (`git ls-tree`, then every blob through
one `git cat-file --batch` process): the working tree and the index are never touched.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..loader import SERVICE_SUFFIXES, SERVICES_DIR, SETTINGS_FILE, display_path, service_files


class BaseError(Exception):
    """The base cannot be read (unknown revision, not a repository): exit code 2."""


@dataclass(frozen=True, slots=True)
class BaseFiles:
    """The base registry's files: `services/<name>` -> content, shown under `label`."""

    label: str  # e.g. "origin/main:registry" or "../old/registry"
    services: dict[str, bytes] = field(default_factory=dict)
    settings: bytes | None = None

    def shown(self, name: str) -> str:
        sep = "" if self.label.endswith(":") else "/"
        return f"{self.label}{sep}{SERVICES_DIR}/{name}"


def git(args: list[str], cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError:
        raise BaseError("git is not installed (needed to read a base revision)") from None


def repo_top(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None outside a repository."""
    done = git(["rev-parse", "--show-toplevel"], cwd=path)
    return Path(done.stdout.decode().strip()) if done.returncode == 0 else None


def read_directory(root: Path) -> BaseFiles:
    if not (root / SERVICES_DIR).is_dir():
        raise BaseError(f"base directory '{root.as_posix()}' holds no {SERVICES_DIR}/ folder")
    settings = root / SETTINGS_FILE
    return BaseFiles(
        display_path(root),
        {path.name: path.read_bytes() for path in service_files(root)},
        settings.read_bytes() if settings.is_file() else None,
    )


def read_revision(registry: Path, revision: str) -> BaseFiles:
    """The files of `registry` (a directory in a work tree) as they were at `revision`."""
    top = repo_top(registry)
    if top is None:
        raise BaseError(
            f"'{registry.as_posix()}' is not inside a git repository, so --base "
            f"'{revision}' cannot be read (give a directory holding the base registry instead)"
        )
    prefix = registry.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix
    commit = git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top
    )
    if commit.returncode != 0:
        raise BaseError(
            f"base revision '{revision}' does not exist in {top.name} "
            f"(fetch it first, e.g. `git fetch origin main`; in CI check out with fetch-depth: 0)"
        )
    sha = commit.stdout.decode().strip()
    folder = f"{prefix}/{SERVICES_DIR}/" if prefix else f"{SERVICES_DIR}/"
    settings_path = f"{prefix}/{SETTINGS_FILE}" if prefix else SETTINGS_FILE
    listing = git(["ls-tree", "-z", sha, "--", folder, settings_path], top)
    if listing.returncode != 0:
        raise BaseError(f"cannot list {folder} at '{revision}': {listing.stderr.decode().strip()}")
    blobs: dict[str, str] = {}  # path -> blob id
    for entry in listing.stdout.decode().split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and parts[0] != "120000":
            blobs[path] = parts[2]
    contents = _cat_blobs(sorted(set(blobs.values())), top)
    label = f"{revision}:{prefix}"
    services = {
        PurePosixPath(path).name: contents[blob]
        for path, blob in blobs.items()
        if path.startswith(folder) and path.endswith(SERVICE_SUFFIXES)
    }
    settings = _get(blobs, settings_path, contents)
    return BaseFiles(label, dict(sorted(services.items())), settings)


def _get(blobs: dict[str, str], path: str, contents: dict[str, bytes]) -> bytes | None:
    blob = blobs.get(path)
    return contents[blob] if blob else None


def _cat_blobs(blob_ids: list[str], top: Path) -> dict[str, bytes]:
    """Every blob's content through one `git cat-file --batch` process."""
    if not blob_ids:
        return {}
    done = git(["cat-file", "--batch"], top, stdin="".join(f"{b}\n" for b in blob_ids).encode())
    if done.returncode != 0:
        raise BaseError(f"git cat-file failed: {done.stderr.decode().strip()}")
    out, pos, contents = done.stdout, 0, {}
    for blob in blob_ids:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3:
            raise BaseError(f"git cat-file: unexpected answer {out[pos:end]!r}")
        size = int(header[2])
        contents[blob] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1  # the content is followed by a newline
    return contents
