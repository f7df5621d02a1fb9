"""Paths a service file names (`prisma_schema`): resolved from the file, kept inside the
repository (the git work tree, else the registry's parent folder)."""

from __future__ import annotations

import os
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
