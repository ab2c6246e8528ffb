"""Extraction of paper -> topic / model / benchmark / organisation links.

vocabulary -> spaCy pipeline -> mentions -> assertions (plain records naming curated terms or
discovered names). The graph layer (``kg.graph.links``) turns them into quads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.records import Assertion, Entity
from kg.resolve import Resolution

__all__ = ["Extraction", "extract", "extraction_quads"]


@dataclass
class Extraction:
    """The quads of an extraction and how many paper -> entity links it made."""

    quads: list[ox.Quad] = field(default_factory=list)
    links: int = 0
    discovered: int = 0


def extract(
    resolution: Resolution, vocab: Sequence[Path] = (), jobs: int = 1
) -> tuple[list[Assertion], list[Entity]]:
    """Assertions and discovered entities for every paper of a resolution."""
    from kg.extract.mentions import find_mentions
    from kg.extract.pipeline import build_pipeline
    from kg.extract.relations import relate
    from kg.extract.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(vocab)
    nlp = build_pipeline(vocabulary)
    mentions = find_mentions(nlp, resolution, jobs=jobs)
    return relate(resolution, mentions, vocabulary)


def extraction_quads(
    resolution: Resolution, vocab: Sequence[Path] = (), jobs: int = 1
) -> Extraction:
    """Run the extractor and turn its assertions into quads."""
    from kg.graph.links import link_quads

    assertions, discovered = extract(resolution, vocab, jobs)
    quads = list(link_quads(resolution, assertions, discovered))
    return Extraction(quads, len(assertions), len(discovered))
