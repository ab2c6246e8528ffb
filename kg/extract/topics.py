"""What a paper is about: topics decided from the evidence of its whole entry.

Topic labels and cue phrases (``mlkg:cue``) found in the title and the texts of a paper are
evidence, weighed by where they are (the title, then the lead sentence of a description, count
more than a highlight further down) and by what they are (a topic's name counts more than a cue).
What it takes for a topic to be chosen grows with the length of the text: a one-sentence row of
the upstream list and a two-page translated entry are not held to the same bar. The English text is
the original where a paper has it; a translation confirms it at a discount.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.extract.mentions import Mention
from kg.extract.vocabulary import Vocabulary

__all__ = ["TopicChoice", "TopicWeights", "choose_topics"]


@dataclass(frozen=True, slots=True)
class TopicWeights:
    """How evidence is weighed and what a topic needs to be chosen."""

    title: float = 3.0  # a topic's name in the title
    lead: float = 2.0  # ... in the first sentence of a description
    body: float = 0.75  # ... further down a description or in an abstract
    qa: float = 0.5  # ... in a question-and-answer block
    cue: float = 0.8  # a cue phrase counts this share of a name
    local: float = 0.5  # a translation's evidence, where the paper has English text
    repeats: int = 3  # repetition within one field stops counting after this
    floor: float = 1.6  # the evidence a topic needs in a text of `floor_words` tokens ...
    floor_words: int = 60
    floor_growth: float = 0.0  # ... growing by this much each time the text doubles
    share: float = 0.3  # and at least this share of the paper's strongest topic
    limit: int = 2  # at most this many topics
    parent_margin: float = (
        1.5  # a broader topic stays beside a narrower one only if this much stronger
    )

    def floor_for(self, words: int) -> float:
        """The evidence a topic needs in a paper whose texts have `words` tokens."""
        return self.floor + self.floor_growth * math.log2(1 + max(words, 0) / self.floor_words)

    def weight(self, mention: Mention) -> float:
        if mention.field == "title":
            where = self.title
        elif mention.field == "qa":
            where = self.qa
        elif mention.field == "intro" and mention.sentence == 0:
            where = self.lead
        else:
            where = self.body
        return where * (self.cue if mention.kind == "topic-cue" else 1.0)


WEIGHTS = TopicWeights()


@dataclass(frozen=True, slots=True)
class TopicChoice:
    """A chosen topic, its weighed evidence and the mentions behind it."""

    topic: str
    score: float
    mentions: tuple[Mention, ...]


def _score(by_language: Mapping[str, float], english_body: bool, local_weight: float) -> float:
    local = max((v for k, v in by_language.items() if k != "en"), default=0.0)
    if not english_body:
        return max(local, by_language.get("en", 0.0))
    return max(by_language.get("en", 0.0), local_weight * local)


def choose_topics(
    mentions: Sequence[Mention],
    signals: Iterable[str],
    words: int,
    vocabulary: Vocabulary,
    artefact_topics: Mapping[str, list[str]],
    weights: TopicWeights = WEIGHTS,
) -> list[TopicChoice]:
    """The topics of one paper, strongest first; `words` is the length (in tokens) of the
    texts the evidence comes from, `signals` what the paper's own artefacts imply."""
    scores: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    evidence: dict[str, list[Mention]] = defaultdict(list)
    for mention in mentions:
        if not mention.kind.startswith("topic") or mention.iri is None:
            continue
        key = (mention.iri, mention.field, mention.language)
        counts[key] += 1
        if counts[key] > weights.repeats:
            continue
        scores[mention.iri][mention.language] += weights.weight(mention)
        evidence[mention.iri].append(mention)
    for signal in sorted(set(signals)):
        for topic in artefact_topics.get(signal, []):
            scores[topic]["en"] += weights.title
    if not scores:
        return []
    english_body = any(m.language == "en" and m.field != "title" for m in mentions)
    totals = {
        topic: _score(by_language, english_body, weights.local)
        for topic, by_language in scores.items()
    }
    best = max(totals.values())
    floor = weights.floor_for(words)
    chosen = sorted(
        (t for t, s in totals.items() if s >= max(floor, weights.share * best)),
        key=lambda t: (-totals[t], t),
    )[: weights.limit]
    for topic in list(chosen):
        term = vocabulary.terms.get(topic)
        for parent in set(term.broader if term else ()) & set(chosen):
            if totals[parent] <= totals[topic] * weights.parent_margin:
                chosen.remove(parent)
    return [TopicChoice(t, totals[t], tuple(evidence[t])) for t in chosen]
