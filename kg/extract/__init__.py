"""Extraction of paper -> topic / model / benchmark / organisation links.

vocabulary -> spaCy pipeline -> mentions -> assertions (plain records naming curated terms or
discovered names). The graph layer (``kg.graph.links``) turns them into quads.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from pathlib import Path
from typing import NamedTuple

from kg.extract.cache import Found, MentionCache
from kg.records import Assertion, Entity, PaperLinks
from kg.resolve import Resolution

__all__ = ["Extraction", "extract"]


class Extraction(NamedTuple):
    """What extraction found: assertions (paper -> entity links) and discovered entities, what
    the pipeline found in each text (the ``new`` ones read this time, the others taken from the
    mention cache), and each paper's links (for the cache, by ``paper_key``)."""

    assertions: list[Assertion]
    discovered: list[Entity]
    found: dict[str, list[Found]]
    new: list[str]
    related: dict[bytes, PaperLinks]
    fresh: int  # papers related afresh, not replayed from the cache

    @property
    def links(self) -> int:
        return len(self.assertions)

    @property
    def extracted(self) -> int:
        return len(self.new)


def extract(
    resolution: Resolution,
    vocab: Sequence[Path] = (),
    jobs: int = 1,
    cache: MentionCache | None = None,
) -> Extraction:
    """Assertions and discovered entities for every paper of a resolution; the pipeline runs
    only on texts the cache does not know."""
    from kg.extract.mentions import Arriving, distinct_texts, paper_mentions, stream_pipeline
    from kg.extract.pipeline import build_pipeline
    from kg.extract.relations import relate_papers
    from kg.extract.vocabulary import load_vocabulary

    vocabulary = load_vocabulary(vocab)
    texts = distinct_texts(resolution)
    known_texts = cache.found(texts) if cache is not None else {}
    new = [text for text in texts if text not in known_texts]
    # The pipeline is built only when there is something to read (an update may have nothing).
    stream = stream_pipeline(build_pipeline(vocabulary), new, jobs) if new else _nothing()
    # Papers are related as the pipeline's processes hand back what they found, text by text.
    arriving = Arriving(known_texts, zip(new, stream, strict=True))
    known = cache.related() if cache is not None else {}
    try:
        each = paper_mentions(resolution, arriving)
        related = relate_papers(resolution, each, vocabulary, known)
        found = {text: arriving[text] for text in texts}
    finally:
        stream.close()  # the processes stop if relating failed
    return Extraction(
        related.assertions, related.discovered, found, new, related.papers, related.fresh
    )


def _nothing() -> Generator[list[Found], None, None]:
    yield from ()
