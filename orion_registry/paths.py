"""The repository is the boundary: what the tool reads or writes stays inside it.

The repository is the git work tree holding the registry (the nearest parent with a
`.git`), or the registry's parent folder when it is not in git. A path from the registry
(`migrations_dir`, `prisma_schema`, an import or export target) is resolved, symlinks
included, and must land inside; a file to read must be a regular file (not a FIFO, a
device or a dangling link). Writes go to a temporary file in the same folder and replace
the target atomically, never through a symlink.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path


class OutsideRepository(Exception):
    """A path that leaves the repository, or a file that must not be read or written."""


def repository_root(registry: Path) -> Path:
    """The git top above `registry` (a registry directory), else its parent folder."""
    return _repository_root(registry.absolute())


@lru_cache(maxsize=256)
def _repository_root(start: Path) -> Path:
    for folder in (start, *start.parents):
        with contextlib.suppress(OSError):
            if (folder / ".git").exists():
                return folder.resolve()
    return start.parent.resolve()


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path`, every symlink followed, lands inside `root`."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def resolve_inside(base: Path, rel: str | Path, root: Path) -> Path:
    """`base / rel` resolved; OutsideRepository (saying why, without the path) when it, or
    a symbolic link on the way, leaves `root`."""
    target = base / rel
    if not Path(os.path.normpath(target.absolute())).is_relative_to(root.resolve()):
        raise OutsideRepository("leaves the repository")
    if not is_inside(target, root):
        raise OutsideRepository("is a symbolic link that leaves the repository")
    return target.resolve()


def unreadable_reason(path: Path, root: Path) -> str | None:
    """Why the file at `path` must not be read (None when it is a regular file inside
    `root`): a link leaving the repository, a dangling link, a FIFO, a device..."""
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISLNK(mode):
        if not is_inside(path, root):
            return "is a symbolic link that leads outside the repository"
        try:
            mode = path.stat().st_mode
        except OSError:
            return "is a dangling symbolic link"
    return None if stat.S_ISREG(mode) else f"is {_kind(mode)}, not a regular file"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def check_writable(path: Path, root: Path) -> None:
    """OutsideRepository unless `path` may be written: inside `root` (its folder resolved),
    and not a symlink or any other non-regular file."""
    if not is_inside(path.parent, root):
        raise OutsideRepository(f"'{path.as_posix()}' is outside the repository")
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise OutsideRepository(f"'{path.as_posix()}' is a symbolic link: not written through")
    if not stat.S_ISREG(mode):
        raise OutsideRepository(f"'{path.as_posix()}' is {_kind(mode)}: not overwritten")


def folder_stamp(folder: Path | None, suffixes: tuple[str, ...] = ()) -> tuple:
    """Every file under `folder` (with one of `suffixes`, when given) with its modification
    time and size: what makes something made from those files stale."""
    if folder is None or not folder.is_dir():
        return ()
    files = [p for p in folder.rglob("*") if p.is_file() and (not suffixes or p.suffix in suffixes)]
    return tuple(sorted((p.as_posix(), p.stat().st_mtime_ns, p.stat().st_size) for p in files))


def write_atomic(path: Path, text: str, root: Path) -> None:
    """Write `text` (UTF-8) to `path` via a temporary file in the same folder and an atomic
    rename (keeping an existing file's permissions), refusing a symlink or a path outside
    `root`."""
    check_writable(path, root)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)  # a replaced file keeps its permissions
    except FileNotFoundError:
        mode = 0o644
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        check_writable(path, root)  # still no symlink planted in the meantime
        os.replace(temp, path)  # replaces a symlink itself, never writes through it
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def resolve_existing(base: Path, rel: str | Path, root: Path) -> Path:
    """`resolve_inside`, for a path that must exist: OutsideRepository when it leaves `root`,
    is a dangling symbolic link, or names nothing."""
    target = resolve_inside(base, rel, root)
    if not target.exists():
        if (base / rel).is_symlink():
            raise OutsideRepository("is a symbolic link to nothing")
        raise OutsideRepository("no such file or folder")
    return target
