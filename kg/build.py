"""The build: digest files in, an Oxigraph store and dumps out.

read -> resolve -> extract -> quads -> sorted lines -> store + dumps (side by side) -> publish.
Quads stream into one sorted byte stream on disk (never a list of Python terms); the store and
every dump are written from it into a new output set, which is published in one step under the
output folder's lock (``kg.graph.output``, held from extraction on): a failed or killed build
leaves the published graph as it was. A set keeps its sorted lines, so the next build into the
same folder (a weekly update) patches a copy of the published store with the lines that changed
instead of loading the whole graph again. With extraction, more than one job and a large input
(``FORKED_SORT_FROM`` entries), a forked process makes and sorts the papers' quads while this
one extracts the links, and another makes and sorts half of the links' quads while this one
makes the other half. Digests are taken in the order of their content, so the order of the
paths given does not change a byte of the output.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.children import die_with_parent
from kg.errors import DigestError, KgError, OutputError
from kg.graph.dumps import (
    DUMPS,
    NQUADS,
    Canonical,
    ForkedSort,
    canonical,
    quad_lines,
    write_dumps,
)
from kg.graph.lines import changed_lines
from kg.graph.links import link_parts
from kg.graph.ontology import ontology_quads
from kg.graph.output import PUBLISHED, claim, writable
from kg.graph.store import STORE_NAME, LoadBeside, patch_store, write_store
from kg.graph.triples import resolution_quads
from kg.resolve import Resolution, resolve
from kg.sources import read_files

if TYPE_CHECKING:
    from kg.extract import Extraction
    from kg.extract.cache import MentionCache
    from kg.sources.cache import DigestCache

__all__ = [
    "BuildSummary",
    "NothingReadError",
    "Stage",
    "StrictBuildError",
    "build",
    "default_jobs",
]

Stage = Callable[[str], None]


@dataclass
class BuildSummary:
    """What a build read and wrote."""

    files: int
    digests: int
    entries: int
    papers: int
    merges: int
    links: int
    triples: int
    written: list[Path]
    errors: list[DigestError] = field(default_factory=list)
    skipped: list[DigestError] = field(default_factory=list)
    seconds: float = 0.0
    resolution: Resolution | None = None
    texts: int = 0  # distinct texts the extraction read
    extracted: int = 0  # of them, the ones the mention cache did not know
    related: int = 0  # papers related afresh
    replayed: int = 0  # papers whose links were taken from the cache
    quads: int = 0
    patched: int | None = None  # quads changed in a patched store (None: loaded whole)
    unchanged: int = 0  # files the digest cache knew: not read again


class StrictBuildError(KgError):
    """With --strict, any unreadable digest stops the build before anything is written."""

    def __init__(self, errors: list[DigestError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} digest file(s) could not be read; nothing was written")


class NothingReadError(KgError):
    """No input could be read: every file's reason (and every file passed over) is kept for
    the message."""

    def __init__(self, errors: list[DigestError], skipped: list[DigestError]) -> None:
        self.errors = errors
        self.skipped = skipped
        what = "no digest could be read" if errors or skipped else "no digest file was found"
        super().__init__(f"{what}; nothing was written")


def default_jobs() -> int:
    """Extraction processes when none are asked for: one per core, at most four."""
    return min(4, os.cpu_count() or 1)


def _no_stage(_: str) -> None:
    return None


FORKED_SORT_FROM = 5_000
"""Entries from which, with more than one job, the quads of the papers are made and sorted by a
process of their own while this one extracts the links, and half of the links' lines by another
while this one makes the other half (below, forking costs more than it saves)."""

FORKED_JSONLD_FROM = 50_000
"""Triples from which JSON-LD is written by a process of its own (below, forking costs more
than it saves)."""


PATCH_SHARE = 20
"""The published store is patched, not loaded anew, when at most one quad in this many has
changed (a weekly update); more changes load faster in bulk."""


def _store(
    staged: Path, graph: Canonical, previous: Path | None, loading: LoadBeside | None
) -> int | None:
    """The store of a new set: loaded `loading` while the lines were sorted, or the `previous`
    set's store patched with the lines that changed when they are few (their number), else the
    whole graph loaded in bulk (None)."""
    if loading is not None:
        loading.finish()
        return None
    if previous is not None and (previous / NQUADS).is_file():
        change = changed_lines(previous / NQUADS, graph.nquads, limit=graph.quads // PATCH_SHARE)
        if change is not None and patch_store(previous / STORE_NAME, staged, *change):
            return sum(len(lines) for lines in change)
    write_store(staged, graph.nquads)
    return None


def _write_set(
    graph: Canonical,
    staged: Path,
    stage: Stage,
    previous: Path | None,
    loading: LoadBeside | None = None,
) -> int | None:
    """The store and every dump of one output set, side by side from the same sorted lines.

    Oxigraph's bulk load runs outside the interpreter lock, on a second thread; JSON-LD, the
    one dump written in Python, is written by a forked process of its own when the graph is
    large, while this one writes the others. Returns the quads patched into a copy of the
    `previous` set's store, or None if the store was loaded whole.
    """
    here = tuple(DUMPS)
    with contextlib.ExitStack() as stack:
        jsonld: Future[list[Path]] | None = None
        if graph.triples >= FORKED_JSONLD_FROM:
            writer = stack.enter_context(
                ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("fork"),
                    initializer=die_with_parent(),
                )
            )
            jsonld = writer.submit(write_dumps, graph, staged, ("jsonld",))
            here = tuple(name for name in DUMPS if name != "jsonld")
        loader = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        stored = loader.submit(_store, staged, graph, previous, loading)
        stage("dumps")
        write_dumps(graph, staged, here)
        patched = stored.result()
        if jsonld is not None:
            try:
                jsonld.result()
            except BrokenProcessPool:
                raise OutputError(f"the process writing {staged.name}/kg.jsonld stopped") from None
    return patched


@contextlib.contextmanager
def _uncollected() -> Iterator[None]:
    """The cyclic garbage collector paused, and what was made meanwhile frozen before it goes
    on. Extraction makes no cycles and keeps nearly all it makes (the pipeline's documents go
    when their last reference does, in this process or in the forked ones, which inherit the
    pause), so each collection would only walk the links found so far."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _extraction(
    resolution: Resolution, out: Path, vocab: Sequence[Path], jobs: int, cache: bool
) -> tuple[Extraction, MentionCache | None]:
    """The links of every paper, the pipeline run only on texts the mention cache of `out`
    does not know (with `cache`)."""
    from kg.extract import extract as run_extraction
    from kg.extract.cache import MentionCache, fingerprint

    stamp = fingerprint(vocab) if cache else None
    mention_cache = MentionCache(out, stamp) if stamp else None
    return run_extraction(resolution, vocab=vocab, jobs=jobs, cache=mention_cache), mention_cache


def _paper_lines(resolution: Resolution) -> Iterator[bytes]:
    """The keyed lines of the papers' quads (``kg.graph.triples``)."""
    return quad_lines(resolution_quads(resolution))


def _digest_cache(out: Path) -> DigestCache | None:
    from kg.sources.cache import DigestCache, fingerprint

    stamp = fingerprint()
    return DigestCache(out, stamp) if stamp else None


def build(
    paths: Sequence[Path],
    out: Path,
    *,
    layout: str | None = None,
    vocab: Sequence[Path] = (),
    jobs: int = 1,
    extract: bool = True,
    cache: bool = True,
    strict: bool = False,
    stage: Stage = _no_stage,
    waiting: Callable[[], None] = lambda: None,
) -> BuildSummary:
    """Read the digests at `paths` and publish the store and dumps under `out`.

    With `cache`, only files that the previous build into `out` did not read are read
    (``kg.sources.cache``) and the pipeline runs only on texts it did not read
    (``kg.extract.cache``): a weekly update reads and extracts the new week, with the same result.
    """
    started = time.perf_counter()
    writable(out)
    stage("read")
    digest_cache = _digest_cache(out) if cache else None
    result = read_files(paths, layout, digest_cache)
    if strict and result.errors:
        raise StrictBuildError(result.errors)
    if not result.digests:
        raise NothingReadError(result.errors, result.skipped)
    stage("resolve")
    digests = sorted(result.digests, key=lambda d: (d.checksum, d.section, d.source))
    resolution = resolve(digests)
    gc.freeze()

    papers = functools.partial(_paper_lines, resolution)
    extraction = mention_cache = None
    with claim(out, waiting) as output:
        staged = output.new_set()
        beside: list[ForkedSort] = []
        loading: LoadBeside | None = None
        try:
            forking = extract and jobs > 1 and resolution.entries >= FORKED_SORT_FROM
            if forking:
                beside.append(ForkedSort(papers, staged))
            if extract:
                stage("extract")
                with _uncollected():
                    extraction, mention_cache = _extraction(resolution, out, vocab, jobs, cache)
            stage("store")
            lines: Iterable[bytes] = () if forking else papers()
            if extraction is not None:
                parts = link_parts(
                    resolution, extraction.assertions, extraction.discovered, 2 if forking else 1
                )
                beside.extend(ForkedSort(part, staged) for part in parts[1:])
                lines = itertools.chain(lines, parts[0]())
            previous = output.current()
            # A first build loads its store while the lines are sorted; an update waits for
            # them, to patch the store it had when few lines changed.
            if forking and (previous is None or not (previous / NQUADS).is_file()):
                loading = LoadBeside(staged, staged / NQUADS)
            written = loading.add if loading is not None else None
            graph = canonical(ontology_quads(vocab), staged, beside, lines, written)
            patched = _write_set(graph, staged, stage, previous, loading)
            output.publish(staged)
        except BaseException:
            for sort in beside:
                sort.stop()
            if loading is not None:
                loading.stop()
            shutil.rmtree(staged, ignore_errors=True)
            raise
        if digest_cache is not None:
            digest_cache.keep()
        if extraction is not None and mention_cache is not None:
            mention_cache.keep(extraction.found, extraction.new, extraction.related)
    gc.unfreeze()
    return BuildSummary(
        files=result.files,
        unchanged=result.unchanged,
        digests=len(result.digests),
        entries=resolution.entries,
        papers=len(resolution.papers),
        merges=resolution.merges,
        links=extraction.links if extraction else 0,
        triples=graph.triples,
        written=[out / name for name in PUBLISHED],
        errors=result.errors,
        skipped=result.skipped,
        seconds=time.perf_counter() - started,
        resolution=resolution,
        texts=len(extraction.found) if extraction else 0,
        extracted=extraction.extracted if extraction else 0,
        related=extraction.fresh if extraction else 0,
        replayed=len(resolution.papers) - extraction.fresh if extraction else 0,
        quads=graph.quads,
        patched=patched,
    )
