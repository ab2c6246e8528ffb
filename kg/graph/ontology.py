"""Quads of the ontology and the curated vocabularies, for the default graph of a build."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.resources import ontology_files

__all__ = ["ontology_quads"]


def ontology_quads(extra: Sequence[Path] = ()) -> Iterator[ox.Quad]:
    """Quads of the ontology and vocabularies, in the default graph."""
    for path in ontology_files(extra):
        try:
            yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as exc:
            raise KgError(f"{path}: not a readable Turtle vocabulary ({exc})") from None
