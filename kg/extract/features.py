"""What the topic model sees of a paper: plain, named features.

- ``t:``/``t2:`` the stems (and stem pairs) of its English titles, ``l:``/``l2:`` of the lead
  sentence of its descriptions, ``b:`` of the rest;
- ``r:<topic>`` the weighed evidence of the topic's labels and cue phrases (any language);
- ``o:<kind>`` and ``s:<signal>`` what the paper itself puts forward (a model, a benchmark, a
  release);
- ``e:<slug>`` the curated models and benchmarks it names, and their families.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from kg.extract.mentions import Mention
from kg.extract.pipeline import stem, words_of
from kg.extract.topics import WEIGHTS, TopicWeights
from kg.extract.vocabulary import Vocabulary
from kg.records import Entity
from kg.resolve import Paper

__all__ = ["topic_features"]

_STOP = frozenset(
    {
        "a", "an", "the", "of", "for", "and", "to", "in", "on", "with", "by", "from", "via",
        "is", "are", "be", "as", "at", "this", "that", "these", "we", "our", "its", "their",
        "it",
    }
)  # fmt: skip
_SENTENCE = re.compile(r"(?<=[.;!?●])\s+")
_EVIDENCE_CAP = 6.0


@lru_cache(maxsize=1 << 16)
def _feature_stem(word: str) -> str | None:
    """The stem a word counts as, None for a stop word, a number or a word in another script
    (words repeat from paper to paper: each is looked at once)."""
    if word[0].isalpha() and word.isascii() and word.lower() not in _STOP:
        return stem(word)
    return None


def _stems(text: str) -> list[str]:
    return [s for w in words_of(text) if (s := _feature_stem(w)) is not None]


def _bag(prefix: str, stems: list[str], features: dict[str, float], pairs: bool) -> None:
    for word in stems:
        features[f"{prefix}:{word}"] = 1.0
    if pairs:
        for first, second in itertools.pairwise(stems):
            features[f"{prefix}2:{first}_{second}"] = 1.0


def topic_features(
    paper: Paper,
    mentions: Sequence[Mention],
    own: Iterable[Entity],
    signals: Iterable[str],
    vocabulary: Vocabulary,
    weights: TopicWeights = WEIGHTS,
) -> dict[str, float]:
    """The features of one paper."""
    features: dict[str, float] = {}
    for title in dict.fromkeys(a.entry.title_en for a in paper.appearances):
        _bag("t", _stems(title), features, pairs=True)
    for intro in dict.fromkeys(a.entry.intro_en for a in paper.appearances if a.entry.intro_en):
        sentences = _SENTENCE.split(intro)
        _bag("l", _stems(sentences[0]), features, pairs=True)
        _bag("b", _stems(" ".join(sentences[1:])), features, pairs=False)
    evidence: dict[str, float] = defaultdict(float)
    for mention in mentions:
        if mention.kind.startswith("topic") and mention.iri:
            evidence[mention.iri.rsplit("/", 1)[-1]] += weights.weight(mention)
        elif mention.kind in ("model", "benchmark") and mention.iri:
            term = vocabulary.terms[mention.iri]
            for iri in (term.iri, *term.families):
                features[f"e:{iri.rsplit('/', 1)[-1]}"] = 1.0
    for topic, score in evidence.items():
        features[f"r:{topic}"] = min(score, _EVIDENCE_CAP) / 3.0
    for entity in own:
        features[f"o:{entity.kind}"] = 1.0
    for signal in signals:
        features[f"s:{signal}"] = 1.0
    return features
