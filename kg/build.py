"""The build: digest files in, an Oxigraph store and dumps out.

read -> resolve -> extract -> quads -> store + dumps. Outputs go to temporary paths first and are
renamed into place, so a failed build never leaves a half-written file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import DigestError, KgError
from kg.graph.dumps import DUMPS, write_dumps
from kg.graph.ontology import ontology_quads
from kg.graph.store import write_store
from kg.graph.triples import resolution_quads
from kg.resolve import Resolution, resolve
from kg.sources import read_files

__all__ = ["BuildSummary", "Stage", "StrictBuildError", "build"]

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
    seconds: float = 0.0
    resolution: Resolution | None = None


class StrictBuildError(KgError):
    """With --strict, any unreadable digest stops the build before anything is written."""

    def __init__(self, errors: list[DigestError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} digest file(s) could not be read; nothing was written")


def _no_stage(_: str) -> None:
    return None


def build(
    paths: Sequence[Path],
    out: Path,
    *,
    layout: str | None = None,
    vocab: Sequence[Path] = (),
    jobs: int = 1,
    extract: bool = True,
    strict: bool = False,
    stage: Stage = _no_stage,
) -> BuildSummary:
    """Read the digests at `paths` and write the store and dumps under `out`."""
    started = time.perf_counter()
    stage("read")
    result = read_files(paths, layout)
    if strict and result.errors:
        raise StrictBuildError(result.errors)
    if not result.digests:
        raise KgError("no digest could be read; nothing was written")
    stage("resolve")
    resolution = resolve(result.digests)
    quads: list[ox.Quad] = list(ontology_quads(vocab))
    quads.extend(resolution_quads(resolution))
    links = 0
    if extract:
        stage("extract")
        from kg.extract import extraction_quads

        extracted = extraction_quads(resolution, vocab=vocab, jobs=jobs)
        links = extracted.links
        quads.extend(extracted.quads)
    quads = list(dict.fromkeys(quads))
    stage("store")
    out.mkdir(parents=True, exist_ok=True)
    written = [write_store(out, quads)]
    stage("dumps")
    written.extend(write_dumps(quads, out, tuple(DUMPS)))
    triples = len({(q.subject, q.predicate, q.object) for q in quads})
    return BuildSummary(
        files=result.files,
        digests=len(result.digests),
        entries=resolution.entries,
        papers=len(resolution.papers),
        merges=resolution.merges,
        links=links,
        triples=triples,
        written=written,
        errors=result.errors,
        seconds=time.perf_counter() - started,
        resolution=resolution,
    )
