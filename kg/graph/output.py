"""A build's output folder: every build is complete before it is seen, and builds take turns.

    OUT/.lock           held by the one build writing into OUT (others wait for it)
    OUT/builds/<id>/    one complete output set each: store/, kg.nt, kg.ttl, kg.trig, kg.jsonld
                        (and .kg.nq, the sorted lines the next build patches the store from)
    OUT/current         a link to the published set, replaced in one rename
    OUT/store, OUT/kg.* links through ``current``, so readers keep using the familiar paths
    OUT/cache/          what each file gave (``kg.sources.cache``) and what the pipeline found in
                        each text (``kg.extract.cache``), for updates

A build writes a new set under ``builds/`` and publishes it by renaming a new ``current`` link
over the old one: a reader, a server or a crash sees the old set or the new one, never a mix.
The set published before stays one build longer (a server may still hold it open); anything
else left under ``builds/`` by a crashed build is removed by the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.errors import OutputError
from kg.terminal import inert

__all__ = ["PUBLISHED", "Output", "claim", "writable"]

PUBLISHED = ("store", "kg.ttl", "kg.nt", "kg.jsonld", "kg.trig")
"""The names a reader finds at the top of an output folder."""

_BUILDS = "builds"
_CURRENT = "current"
_LOCK = ".lock"


def _cannot(path: Path, error: OSError) -> OutputError:
    return OutputError(f"cannot write {inert(str(path))}: {error.strerror or error}")


class Output:
    """An output folder whose lock this process holds."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builds = root / _BUILDS

    def current(self) -> Path | None:
        """The published set, if any."""
        link = self.root / _CURRENT
        if not link.is_symlink():
            return None
        target = self.root / os.readlink(link)
        return target if target.is_dir() else None

    def new_set(self) -> Path:
        """A fresh folder under ``builds/`` to write one complete set into."""
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = self.builds / f".{stamp}-{secrets.token_hex(3)}.partial"
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise _cannot(path, exc) from None
        return path

    def publish(self, staged: Path) -> Path:
        """Make a complete set the published one in one rename, then tidy older sets."""
        final = staged.with_name(staged.name.removeprefix(".").removesuffix(".partial"))
        previous = self.current()
        try:
            staged.rename(final)
            link = self.root / f".{_CURRENT}.{secrets.token_hex(3)}"
            link.symlink_to(Path(_BUILDS) / final.name)
            link.replace(self.root / _CURRENT)
            self._link_names()
        except OSError as exc:
            raise _cannot(self.root, exc) from None
        self.tidy(keep={final, previous} - {None})
        return final

    def _link_names(self) -> None:
        """Point OUT/store, OUT/kg.nt ... through ``current`` (replacing older files)."""
        for name in PUBLISHED:
            place = self.root / name
            wanted = Path(_CURRENT) / name
            if place.is_symlink() and Path(os.readlink(place)) == wanted:
                continue
            link = self.root / f".{name}.{secrets.token_hex(3)}"
            link.symlink_to(wanted)
            if place.is_dir() and not place.is_symlink():
                aside = self.builds / f".{name}.{secrets.token_hex(3)}.old"
                place.rename(aside)
            link.replace(place)

    def tidy(self, keep: set[Path | None]) -> None:
        """Remove every set under ``builds/`` but the ones to keep (crashed builds included)."""
        if not self.builds.is_dir():
            return
        kept = {path.name for path in keep if path is not None}
        for path in self.builds.iterdir():
            if path.name not in kept:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        for stray in self.root.glob(".current.*"):
            stray.unlink(missing_ok=True)


def writable(root: Path) -> None:
    """Fail early, with the reason, when `root` cannot be an output folder (nothing is
    created: a build that fails before publishing leaves no trace)."""
    if root.exists() and not root.is_dir():
        raise OutputError(f"cannot write {inert(str(root))}: it is a file, not a folder")
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write {inert(str(root))}: {inert(str(existing))} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {inert(str(root))}: permission denied")


def _create(root: Path) -> None:
    writable(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot(root, exc) from None


@contextlib.contextmanager
def claim(root: Path, waiting: Callable[[], None] = lambda: None) -> Iterator[Output]:
    """Hold the output folder's lock for one build; wait (calling `waiting` once) while another
    build holds it. Leftovers of a crashed build are removed before the block runs."""
    _create(root)
    try:
        handle = os.open(root / _LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _cannot(root / _LOCK, exc) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        output = Output(root)
        output.tidy(keep={output.current()})
        yield output
    finally:
        os.close(handle)
