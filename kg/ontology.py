"""Where the ontology and the curated vocabularies live, and their quads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError

__all__ = ["ONTOLOGY_DIR", "ontology_files", "ontology_quads", "vocabulary_files"]

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


def vocabulary_files(extra: Sequence[Path] = ()) -> list[Path]:
    """The curated vocabularies (topics, models, benchmarks, organisations) and a user's own."""
    files = [ONTOLOGY_DIR / "topics.ttl", *sorted((ONTOLOGY_DIR / "vocab").glob("*.ttl"))]
    return [f for f in files if f.exists()] + list(extra)


def ontology_files(extra: Sequence[Path] = ()) -> list[Path]:
    """The ontology itself followed by every vocabulary."""
    return [ONTOLOGY_DIR / "mlkg.ttl", *vocabulary_files(extra)]


def ontology_quads(extra: Sequence[Path] = ()) -> Iterator[ox.Quad]:
    """Quads of the ontology and vocabularies, in the default graph."""
    for path in ontology_files(extra):
        try:
            yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        except (OSError, SyntaxError, ValueError) as exc:
            raise KgError(f"{path}: not a readable Turtle vocabulary ({exc})") from None
