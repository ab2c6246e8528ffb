"""How the evidence of topic labels and cue phrases is weighed.

Topic labels and cue phrases (``mlkg:cue``) found in the title and the texts of a paper are
evidence, weighed by where they are (the title, then the lead sentence of a description, count
more than a highlight further down or an abstract) and by what they are (a topic's name counts more
than a cue). The weighed evidence of each topic is one of the topic model's features
(``kg.extract.features``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.extract.mentions import Mention

__all__ = ["WEIGHTS", "TopicWeights"]


@dataclass(frozen=True, slots=True)
class TopicWeights:
    """How much a topic label or cue counts, by where it is and what it is."""

    title: float = 3.0  # a topic's name in the title
    lead: float = 2.0  # ... in the first sentence of a description
    body: float = 0.75  # ... further down a description or in an abstract
    qa: float = 0.5  # ... in a question-and-answer block
    cue: float = 0.8  # a cue phrase counts this share of a name

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
