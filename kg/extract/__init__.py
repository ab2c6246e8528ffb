"""Extraction of paper -> topic / model / benchmark / organisation links.

vocabulary -> spaCy pipeline -> mentions -> assertions (plain records naming curated terms or
discovered names). The graph layer (``kg.graph.links``) turns them into quads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from kg.records import Assertion, Entity
from kg.resolve import Resolution

__all__ = ["Extraction", "extract", "extraction_quads"]


class Extraction(NamedTuple):
    """What extraction found: assertions (paper -> entity links) and discovered entities."""

    assertions: list[Assertion]
    discovered: list[Entity]

    @property
    def links(self) -> int:
        return len(self.assertions)


def extract(resolution: Resolution, vocab: Sequence[Path] = (), jobs: int = 1) -> Extraction:
    """Assertions and discovered entities for every paper of a resolution."""
    from kg.extract.mentions import find_mentions
    from kg.extract.pipeline import build_pipeline
    from kg.extract.relations import relate
    from kg.extract.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(vocab)
    nlp = build_pipeline(vocabulary)
    mentions = find_mentions(nlp, resolution, jobs=jobs)
    assertions, discovered = relate(resolution, mentions, vocabulary)
    return Extraction(assertions, discovered)


def extraction_quads(resolution: Resolution, extraction: Extraction) -> Iterator[ox.Quad]:
    """The quads of an extraction's links, their provenance and the discovered entities."""
    from kg.graph.links import link_quads

    return link_quads(resolution, extraction.assertions, extraction.discovered)
