"""A failed `mkdocs build` keeps the last good site: build into a staging folder beside
`site_dir`, and swap it in only once the build has succeeded.

MkDocs empties `site_dir` before it reads a page, so a registry error (or a template
error, or a warning under `--strict`) would otherwise leave no site at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class StagedSiteDir:
    """Where this build writes, and the `site_dir` it replaces on success."""

    def __init__(self) -> None:
        self.target: Path | None = None
        self.staging: Path | None = None

    def start(self, site_dir: str) -> str:
        """A fresh staging folder beside `site_dir`, for MkDocs to build into."""
        self.target = Path(site_dir).absolute()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{self.target.name}-building-"
        self.staging = Path(tempfile.mkdtemp(prefix=prefix, dir=self.target.parent))
        return str(self.staging)

    def commit(self) -> bool:
        """Swap the finished build in; True when done."""
        if self.staging is None or self.target is None:
            return False
        old = None
        if self.target.is_dir() and not self.target.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-old-", dir=self.target.parent))
            os.replace(self.target, old / "site")
        os.replace(self.staging, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self.staging = None
        return True

    def abort(self) -> None:
        """Drop the unfinished build; `site_dir` is left as it was."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
