"""Python's cyclic garbage collector during a site build.

A build holds the whole registry in memory (millions of objects at 2000 services), and
every full collection walks all of it: a quarter of the rendering time went there, for
almost no garbage (pages are strings; models live until the build ends). Rendering runs
with the collector paused, and the objects a build keeps (registry, index, pages) are
frozen out of later collections until it ends. Only speed changes, never output.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (whatever it leaves is collected after)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def keep_out_of_collections() -> None:
    """Every object alive now is left out of cyclic collections until `release`."""
    gc.freeze()


def release() -> None:
    """Undo `keep_out_of_collections`: the objects are collected as usual again."""
    gc.unfreeze()
