"""Quads of the ontology and the curated vocabularies, for the default graph of a build."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.resources import ontology_files, turtle_quads

__all__ = ["ontology_quads"]


def ontology_quads(extra: Sequence[Path] = ()) -> Iterator[ox.Quad]:
    """Quads of the ontology and vocabularies, in the default graph."""
    for path in ontology_files(extra):
        yield from turtle_quads(path)
