"""A cache of parsed registry files: file content -> the plain data `source.parse` builds.

Parsing YAML is most of a cold load; a pull request touches one or two files of hundreds.
An entry is keyed by a hash of the file's bytes and of everything that shapes the parse
result (this package's version, the parser's own code, Python, PyYAML and libyaml), so an
edit or an upgrade simply misses. The models are still validated from the data on every
load, so a hit gives exactly what a parse would.

Entries are never trusted: each holds a checksum of its payload and the key it was
written for, and unpickles with only plain types (and dates) allowed; anything else is a
miss, and the entry is rewritten. Writes go to a temporary file and `os.replace`, so
concurrent runs see an old entry, a new one, or none, never half of one.

Where: `$ORION_REGISTRY_CACHE_DIR`; else `.cache/orion-registry/` at the top of the git
repository holding the registry; else `$XDG_CACHE_HOME/orion-registry` (`~/.cache/...`).
`ORION_REGISTRY_NO_CACHE=1` (or `check --no-cache`) turns it off.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import platform
import sys
import tempfile
from functools import cache
from pathlib import Path

import yaml

from . import __version__

CACHE_DIR_ENV = "ORION_REGISTRY_CACHE_DIR"
NO_CACHE_ENV = "ORION_REGISTRY_NO_CACHE"
FOLDER = "orion-registry"
_MAGIC = b"ORC1"
_DIGEST = 16
_NONE = object()
_ALLOWED_GLOBALS = {  # what parsed YAML may hold beyond plain types (timestamps)
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
}


class _PlainUnpickler(pickle.Unpickler):
    """Unpickles plain data only: no class but the datetime ones can be named."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in _ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return super().find_class(module, name)


@cache
def _salt() -> bytes:
    """Everything besides a file's bytes that changes what parsing it gives."""
    parser_code = (Path(__file__).parent / "source.py").read_bytes()
    parts = [
        __version__,
        sys.version,
        platform.python_implementation(),
        yaml.__version__,
        str(getattr(yaml, "__with_libyaml__", False)),
        hashlib.blake2b(parser_code, digest_size=_DIGEST).hexdigest(),
        str(pickle.HIGHEST_PROTOCOL),
    ]
    return "\0".join(parts).encode()


def digest(*parts: object) -> str:
    """A short hash of `parts` (by their repr): keys of kept pages and findings."""
    hashed = hashlib.blake2b(digest_size=_DIGEST)
    for part in parts:
        hashed.update(repr(part).encode("utf-8", "surrogatepass"))
        hashed.update(b"\0")
    return hashed.hexdigest()


def _checksum(*parts: bytes) -> bytes:
    digest = hashlib.blake2b(digest_size=_DIGEST)
    for part in parts:
        digest.update(part)
    return digest.digest()


class ParseCache:
    """Parsed data of file contents, one entry file per content under `folder` (none: kept
    in memory only, e.g. for what worker processes parsed during one `--no-cache` load)."""

    def __init__(self, folder: Path | None, keep_models: bool = False) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.memory: dict[str, object] = {}  # parsed ahead in this run; taken once
        # A long-lived cache (`mkdocs serve`) also keeps the validated models of the last
        # two loads in memory: a rebuild after one edit validates one file.
        self.keep_models = keep_models
        self._models: dict[tuple[str, str], object] = {}
        self._older: dict[tuple[str, str], object] = {}

    def new_load(self) -> None:
        """A registry load starts: models the previous one did not use can go."""
        self._older, self._models = self._models, {}

    def model(self, key: str, kind: str) -> object | None:
        """The kept (model, source map) of content `key` validated as `kind`, if any."""
        found = self._models.get((key, kind)) or self._older.pop((key, kind), None)
        if found is not None:
            self._models[key, kind] = found
        return found

    def keep_model(self, key: str, kind: str, loaded: object) -> None:
        if self.keep_models:
            self._models[key, kind] = loaded

    def has(self, key: str) -> bool:
        """Whether `key` has an entry (sound or not: `get` tells)."""
        return key in self.memory or (self.folder is not None and (self.folder / key).exists())

    def remember(self, key: str, data: object) -> None:
        self.memory[key] = data

    def _prepare(self) -> None:
        """Create the folder, which ignores itself in git (`.cache/` may not be ignored)."""
        if self.folder is not None and not self.folder.is_dir():
            self.folder.mkdir(parents=True, exist_ok=True)
            (self.folder / ".gitignore").write_text("*\n", encoding="utf-8")

    def key(self, raw: bytes) -> str:
        return _checksum(_salt(), raw).hex()

    def get(self, key: str) -> tuple[bool, object]:
        """(True, data) for a sound entry of `key`; (False, None) for none or a bad one."""
        data = self.memory.pop(key, _NONE)
        if data is not _NONE:
            self.hits += 1
            return True, data
        if self.folder is None:
            self.misses += 1
            return False, None
        try:
            blob = (self.folder / key).read_bytes()
        except OSError:
            self.misses += 1
            return False, None
        head = len(_MAGIC) + _DIGEST
        payload = blob[head:]
        if blob[: len(_MAGIC)] != _MAGIC or blob[len(_MAGIC) : head] != _checksum(
            key.encode(), payload
        ):
            self.misses += 1
            return False, None
        try:
            data = _PlainUnpickler(io.BytesIO(payload)).load()
        except Exception:  # a sound checksum over unusable bytes: still only a miss
            self.misses += 1
            return False, None
        self.hits += 1
        return True, data

    def put(self, key: str, data: object) -> None:
        """Store `data` under `key`; a cache that cannot be written is only slower."""
        if self.folder is None:
            return
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + _checksum(key.encode(), payload) + payload
        try:
            self._prepare()
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(blob)
                os.replace(tmp, self.folder / key)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            pass


def cache_folder(registry_root: Path) -> Path:
    """Where the cache of the registry at `registry_root` lives (see the module docs)."""
    explicit = os.environ.get(CACHE_DIR_ENV)
    if explicit:
        return Path(explicit)
    start = registry_root.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder / ".cache" / FOLDER
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / FOLDER


def registry_cache(
    registry_root: Path | str, enabled: bool = True, keep_models: bool = False
) -> ParseCache | None:
    """The parse cache for a registry, or None when turned off (argument or environment)."""
    if not enabled or os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    return ParseCache(cache_folder(Path(registry_root)), keep_models)
