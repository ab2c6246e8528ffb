"""Sorted, de-duplicated lines of any size in bounded memory: an external merge sort, and the
difference of two files of such lines.

Lines are added in batches; each time the batch in memory passes a budget it is sorted and
spilled to a run file. Reading merges the runs (byte order) and drops repeated lines.
"""

from __future__ import annotations

import heapq
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["LineSorter", "changed_lines", "unique"]

_BUDGET = 64 * 1024 * 1024
"""Bytes of lines held in memory before a sorted run is spilled to disk."""


class LineSorter:
    """Collects byte lines (without their newline) and yields them sorted and unique."""

    def __init__(self, workdir: Path, budget: int = _BUDGET) -> None:
        self._workdir = workdir
        self._budget = budget
        self._lines: list[bytes] = []
        self._size = 0
        self._runs: list[Path] = []

    def extend(self, lines: Iterable[bytes]) -> None:
        """Add lines; spill a sorted run when the memory budget is passed."""
        for line in lines:
            self._lines.append(line)
            self._size += len(line) + 64
            if self._size >= self._budget:
                self._spill()

    def _spill(self) -> None:
        handle, name = tempfile.mkstemp(prefix=".run-", suffix=".txt", dir=self._workdir)
        with os.fdopen(handle, "wb") as out:
            out.writelines(line + b"\n" for line in unique(sorted(self._lines)))
        self._runs.append(Path(name))
        self._lines = []
        self._size = 0

    def handed_over(self) -> list[Path]:
        """Spill what is in memory and hand the run files over (to another sorter's
        :meth:`take`, in this process or another); this sorter is left empty."""
        if self._lines:
            self._spill()
        runs, self._runs = self._runs, []
        return runs

    def take(self, runs: Iterable[Path]) -> None:
        """Merge the sorted run files of another sorter with this one's lines."""
        self._runs.extend(runs)

    def __iter__(self) -> Iterator[bytes]:
        """Every line added, once, in byte order; run files are removed when done."""
        if not self._runs:
            lines, self._lines = sorted(self._lines), []
            yield from unique(lines)
            return
        if self._lines:
            self._spill()
        files = [run.open("rb") for run in self._runs]
        try:
            streams = [(line.rstrip(b"\n") for line in handle) for handle in files]
            yield from unique(heapq.merge(*streams))
        finally:
            for handle in files:
                handle.close()
            for run in self._runs:
                run.unlink(missing_ok=True)
            self._runs = []


def unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted lines without their repeats."""
    previous = None
    for line in lines:
        if line != previous:
            yield line
            previous = line


def changed_lines(old: Path, new: Path, limit: int) -> tuple[list[bytes], list[bytes]] | None:
    """The lines only in `old` and the lines only in `new` (with their newlines), two files of
    sorted unique lines read side by side; None once more than `limit` lines differ."""
    gone: list[bytes] = []
    came: list[bytes] = []
    with old.open("rb") as before, new.open("rb") as after:
        left = next(before, b"")
        right = next(after, b"")
        while left or right:
            if left == right:
                left = next(before, b"")
                right = next(after, b"")
                continue
            # Lines sort without their newlines (a tab sorts before a newline)
            if right == b"" or (left and left.rstrip(b"\n") < right.rstrip(b"\n")):
                gone.append(left)
                left = next(before, b"")
            else:
                came.append(right)
                right = next(after, b"")
            if len(gone) + len(came) > limit:
                return None
    return gone, came
