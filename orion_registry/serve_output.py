"""Writing the site of a `mkdocs serve` rebuild: only the files that changed (part of the plugin).

MkDocs empties `site_dir` before every build and writes every file again: at 500 services
that is over a thousand folders removed, made and written for one edited page. While
serving, the plugin keeps `site_dir` instead (MkDocs cleans an empty folder in its place)
and, for each output file, what it last wrote there:

* a page whose finished HTML equals the last written is sent to the null device;
* a static file (theme asset, generated script or data) copied from the same source file
  (path, size, modification time) or with the same content is not copied again;
* a file the previous build wrote and this one does not (a deleted service's page) is
  removed, with the folders it leaves empty.

Files that other plugins write themselves (search index, sitemap) are written as usual.
A failed build forgets what was written, so the next one writes everything again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

# Where an unchanged page goes instead of `site_dir` (where the null device has a folder:
# MkDocs makes the folder of each page it writes).
DISCARD = os.devnull if os.path.dirname(os.devnull) else None


def _not_copied(dirty: bool = False) -> None:
    """`File.copy_file` of a static file already in place."""


class ServeOutput:
    """The files of the served site and what was written to each (one per plugin instance)."""

    def __init__(self) -> None:
        self.site_dir = ""  # the folder MkDocs serves
        self.empty = ""  # what MkDocs cleans instead of `site_dir`
        self.written: dict[str, object] = {}  # output path -> page HTML, content or source stat
        self.outputs: set[str] = set()  # the output paths of the last build
        self.skipped = 0  # files not written again in this build

    def before_clean(self, site_dir: str) -> str:
        """`on_pre_build`: keep `site_dir`; the folder for MkDocs to clean (always empty)."""
        if os.path.abspath(site_dir) != self.site_dir:  # another folder: nothing is in place
            self.site_dir, self.written, self.outputs = os.path.abspath(site_dir), {}, set()
        if not self.empty or not os.path.isdir(self.empty) or os.listdir(self.empty):
            self.empty = tempfile.mkdtemp(prefix="orion-registry-empty-")
        self.skipped = 0
        return self.empty

    def files(self, files: Files) -> str:
        """`on_files`, first: the files MkDocs listed go to `site_dir` after all."""
        for file in files:
            if file.dest_dir == self.empty:
                file.dest_dir = self.site_dir
                file.__dict__.pop("abs_dest_path", None)  # a cached property
        return self.site_dir

    def static_files(self, files: Files) -> None:
        """`on_env`, just before MkDocs copies the static files: skip those in place."""
        for file in files:
            if file.is_documentation_page() or not file.inclusion.is_in_serve():
                continue
            source = _source(file)
            path = file.abs_dest_path
            if source is not None and self.written.get(path) == source:
                file.copy_file = _not_copied  # type: ignore[method-assign]
                self.skipped += 1
            else:
                self.written[path] = source

    def page(self, page: Page, output: str) -> None:
        """`on_post_page`, last: a page equal to the one in place is not written again."""
        path = page.file.abs_dest_path
        last = self.written.get(path)
        self.written[path] = output
        if DISCARD is not None and (last is output or last == output):
            page.file.abs_dest_path = DISCARD  # MkDocs writes it there instead
            self.skipped += 1

    def finish(self, files: Files) -> None:
        """`on_post_build`: remove what the previous build wrote and this one did not."""
        current = {
            os.path.normpath(os.path.join(self.site_dir, file.dest_uri))
            for file in files
            if file.inclusion.is_in_serve()
        }
        for path in sorted(self.outputs - current):
            self.written.pop(path, None)
            _remove(Path(path), Path(self.site_dir))
        self.outputs = current

    def failed(self) -> None:
        """`on_build_error`: the site may be half written; the next build writes it all."""
        self.written = {}

    def close(self) -> None:
        """`on_shutdown`: drop the empty folder."""
        if self.empty and os.path.isdir(self.empty):
            shutil.rmtree(self.empty, ignore_errors=True)


def _source(file: File) -> object:
    """What a static file is made of: its content, or its source file's path, size and
    modification time (None when unreadable: copied, MkDocs reports the error)."""
    content = file._content
    if content is not None:
        return content
    try:
        stat = os.stat(file.abs_src_path or "")
    except OSError:
        return None
    return (file.abs_src_path, stat.st_size, stat.st_mtime_ns)


def _remove(path: Path, top: Path) -> None:
    """Remove a file and the folders it leaves empty, up to `top`."""
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != top and top in folder.parents:
        try:
            folder.rmdir()  # only when empty
        except OSError:
            return
        folder = folder.parent
