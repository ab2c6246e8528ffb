"""The on-disk Oxigraph store that ``kg build`` writes and every reading command opens."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.children import die_with_parent
from kg.errors import OutputError, StoreError
from kg.terminal import inert_line

if TYPE_CHECKING:
    from kg.graph.remote import Graph

__all__ = [
    "DEFAULT_DIR",
    "STORE_NAME",
    "LoadBeside",
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
    """Bulk-load sorted N-Quads into a new store under a new output set, one slice at a time
    (:class:`_Slices`)."""
    slices = _Slices(directory)
    with nquads.open("rb") as lines:
        while piece := list(islice(lines, LOAD_SLICE_LINES)):
            slices.add(b"".join(piece), len(piece))
    return slices.close()


class _Slices:
    """A store loaded in bulk, a slice of lines at a time.

    Each load names blank nodes afresh, so the lines that hold one (kg's own graph has none; a
    vocabulary given with --vocab may) are set aside and loaded together, last.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / STORE_NAME
        self._store = ox.Store(str(self.path))
        self._aside_path = directory / ".blank.nq"
        self._aside = self._aside_path.open("wb")
        self._piece: list[bytes] = []
        self._lines = 0

    def add(self, data: bytes, lines: int) -> None:
        """N-Quads lines, each with its newline (`lines` of them)."""
        self._piece.append(data)
        self._lines += lines
        if self._lines >= LOAD_SLICE_LINES:
            self._load()

    def _load(self) -> None:
        data = b"".join(self._piece)
        self._piece, self._lines = [], 0
        if _BLANK in data:
            lines = data.splitlines(keepends=True)
            self._aside.writelines(line for line in lines if _BLANK in line)
            data = b"".join(line for line in lines if _BLANK not in line)
        if data:
            self._store.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)

    def close(self) -> Path:
        self._load()
        self._aside.close()
        if self._aside_path.stat().st_size:
            self._store.bulk_load(path=str(self._aside_path), format=ox.RdfFormat.N_QUADS)
        self._aside_path.unlink()
        self._store.flush()
        del self._store
        return self.path


class LoadBeside:
    """A new store loaded in bulk by a process of its own from an N-Quads file while this one
    writes it: told how far the file is written (:meth:`add`), the process loads up to there.
    The load and the sort share the cores, and neither waits for the other's interpreter lock
    nor for the other's pace (the file is the buffer between them).

    The process is a new interpreter started for this alone, not a fork (a store opened in a
    fork of a process that had opened one before can wait forever for the storage engine's
    threads, which a fork does not copy) and not multiprocessing's "spawn" (which runs the
    caller's main script again)."""

    def __init__(self, directory: Path, nquads: Path) -> None:
        import kg

        home = str(Path(kg.__file__).resolve().parent.parent)
        paths = [home, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LOAD_AS_WRITTEN, str(directory), str(nquads)],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
            preexec_fn=die_with_parent(),
        )

    def add(self, written: int) -> None:
        """The file is written (and flushed) up to byte `written`, at the end of a line."""
        assert self._process.stdin is not None
        with contextlib.suppress(OSError):  # the process stopped: finish() says why
            self._process.stdin.write(b"%d\n" % written)
            self._process.stdin.flush()

    def finish(self) -> None:
        """Wait for the store to be loaded; a failure is raised here."""
        assert self._process.stdin is not None and self._process.stderr is not None
        # The end is said, not left to the pipe's closing: a process forked from this one
        # meanwhile holds the pipe open too.
        with contextlib.suppress(OSError):
            self._process.stdin.write(b"-1\n")
            self._process.stdin.close()
        said = self._process.stderr.read().decode("utf-8", "replace").strip()
        code = self._process.wait()
        self._process.stderr.close()
        if code:
            reason = inert_line(said.splitlines()[-1]) if said else ""
            raise OutputError(
                f"the process loading the store failed: {reason or f'it stopped ({code})'}"
            )

    def stop(self) -> None:
        """Stop the process (the build failed); its files go with the folder."""
        self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


_LOAD_AS_WRITTEN = "import sys; from kg.graph.store import load_as_written; load_as_written()"


def load_as_written() -> None:
    """The loading process (:class:`LoadBeside`): load the N-Quads file (argv[2]) into a new
    store under the folder argv[1] as far as each line of stdin says it is written, until a
    line says -1; a failure is one line on stderr and exit status 1."""
    directory, nquads = Path(sys.argv[1]), Path(sys.argv[2])
    try:
        slices = _Slices(directory)
        with contextlib.ExitStack() as stack:
            source = None  # opened when first said to be written
            for line in iter(sys.stdin.buffer.readline, b"-1\n"):
                if not line:
                    raise EOFError("the build stopped before the end of its lines")
                source = source or stack.enter_context(nquads.open("rb"))
                data = source.read(int(line) - source.tell())
                slices.add(data, data.count(b"\n"))
        slices.close()
    except BaseException as error:  # the parent reports it; no traceback
        sys.stderr.write((inert_line(str(error)) or type(error).__name__) + "\n")
        sys.exit(1)


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
