"""The on-disk Oxigraph store that ``kg build`` writes and every reading command opens."""

from __future__ import annotations

import os
import shutil
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import StoreError
from kg.terminal import inert_line

if TYPE_CHECKING:
    from kg.graph.remote import Graph

__all__ = [
    "DEFAULT_DIR",
    "STORE_NAME",
    "open_graph",
    "open_store",
    "patch_store",
    "store_path",
    "write_store",
]

DEFAULT_DIR = Path("kg-out")
STORE_NAME = "store"

# Oxigraph's bulk loader holds a whole input in memory before it writes its index files
# (about 1.1 GiB for 1.7 M quads); loading in slices of this many lines keeps the peak
# near 250 MiB whatever the size of the graph, for about a fifth more time.
LOAD_SLICE_LINES = 200_000


_BLANK = b"_:"
"""What a line holding a blank node holds (a literal holding it is taken for one: no harm)."""

_OPEN_TRIES = 3
"""Times a reader opens the store when a build publishes a new one meanwhile."""


def store_path(directory: Path) -> Path:
    """The store inside a build directory (a store directory itself is accepted too)."""
    directory = Path(directory)
    return directory if os.path.exists(directory / "CURRENT") else directory / STORE_NAME


def write_store(directory: Path, nquads: Path) -> Path:
    """Bulk-load sorted N-Quads into a new store under a new output set, one slice at a time.

    Each load names blank nodes afresh, so the lines that hold one (kg's own graph has none; a
    vocabulary given with --vocab may) are set aside and loaded together, last.
    """
    path = directory / STORE_NAME
    store = ox.Store(str(path))
    blank = directory / ".blank.nq"
    with nquads.open("rb") as lines, blank.open("wb") as aside:
        while piece := list(islice(lines, LOAD_SLICE_LINES)):
            plain = [line for line in piece if _BLANK not in line]
            if len(plain) < len(piece):
                aside.writelines(line for line in piece if _BLANK in line)
            store.bulk_load(input=b"".join(plain), format=ox.RdfFormat.N_QUADS)
    if blank.stat().st_size:
        store.bulk_load(path=str(blank), format=ox.RdfFormat.N_QUADS)
    blank.unlink()
    store.flush()
    del store
    return path


def patch_store(previous: Path, directory: Path, gone: list[bytes], came: list[bytes]) -> bool:
    """A new store under a new output set: a copy of the `previous` store (hard links to its
    immutable files) with the N-Quads lines `gone` taken out and `came` put in.

    False, with nothing left behind, when it cannot be done: a line holds a blank node (a load
    names those afresh, so the store's own cannot be matched) or the previous store cannot be
    copied. The whole graph is then loaded instead (:func:`write_store`)."""
    if any(_BLANK in line for lines in (gone, came) for line in lines):
        return False
    path = directory / STORE_NAME
    try:
        ox.Store.read_only(str(previous)).backup(str(path))
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return False
    store = ox.Store(str(path))
    for quad in ox.parse(b"".join(gone), format=ox.RdfFormat.N_QUADS):
        store.remove(quad)
    store.extend(ox.parse(b"".join(came), format=ox.RdfFormat.N_QUADS))
    store.flush()
    del store
    return True


def open_store(directory: Path) -> ox.Store:
    """Open a built store read-only, or say how to build one.

    The store is opened at its real folder, the one published set the links lead to when it is
    opened: opened through ``OUT/store``, it could take files from two sets when a build
    publishes meanwhile. When the set goes away while it is opened (builds keep the one before
    the newest, no older), the newly published one is opened instead.
    """
    path = store_path(directory)
    try:
        (path / "CURRENT").stat()
        real = path.resolve()
    except (FileNotFoundError, NotADirectoryError):
        raise StoreError(f"no kg store at {path}; run 'kg build --out {directory}' first") from None
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc.strerror or exc}") from None
    for _ in range(_OPEN_TRIES):
        try:
            return ox.Store.read_only(str(real))
        except (OSError, RuntimeError) as exc:
            error = exc
        if path.resolve() == real:
            break
        real = path.resolve()  # a build published a new set meanwhile
    raise StoreError(f"cannot open the store at {path}: {inert_line(str(error))}")


def open_graph(directory: Path, endpoint: str | None = None) -> Graph:
    """The graph every reading command asks its SPARQL of: the built store under `directory`,
    or the SPARQL 1.1 server at `endpoint` (its query URL) when one is given.

    Reading code uses only the ``query`` method of what this returns.
    """
    if endpoint:
        from kg.graph.remote import RemoteGraph

        return RemoteGraph.connect(endpoint)
    return open_store(directory)
