"""Paths a service file names (`prisma_schema`): resolved from the file, kept inside the
repository (the git work tree, else the registry's parent folder)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class PathRefused(ValueError):
    """A declared path that leaves the repository, is a dangling link, or does not exist."""


def repository_top(registry_root: Path) -> Path:
    """The git work tree holding the registry (nearest folder with `.git`), else its parent."""
    root = registry_root.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root.parent


def resolve_inside(base: Path, declared: str, top: Path) -> Path:
    """`declared` (relative to the folder `base`) as a real path inside `top`; PathRefused
    otherwise. Symbolic links are followed and must end inside `top` too."""
    top = top.resolve()
    lexical = Path(os.path.normpath(base.resolve() / declared))
    if not lexical.is_relative_to(top):
        raise PathRefused("leaves the repository")
    if not lexical.exists():
        if lexical.is_symlink():
            raise PathRefused("is a symbolic link to nothing")
        raise PathRefused("no such file or folder")
    real = lexical.resolve()
    if not real.is_relative_to(top):
        raise PathRefused("is a symbolic link that leaves the repository")
    return real


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a temporary file beside it, then os.replace),
    keeping its permissions; a symbolic link is refused, never written through."""
    if path.is_symlink():
        raise PathRefused("is a symbolic link: not rewritten")
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
