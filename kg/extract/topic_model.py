"""The topic model: which topics a paper is about, learned from annotated rows.

One logistic regression per topic over the features of ``kg.extract.features``, trained by
``kg.extract.training`` on the annotated rows of ``data/train`` and shipped as
``ontology/rules/topic_model.json``. A paper gets the topics whose probability clears the
decision threshold (at most ``limit``, each at least ``relative`` times the best one), and always
its most probable topic when that has any evidence; a broader topic gives way to a narrower one
that is also chosen.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from kg.errors import KgError
from kg.resources import ontology_path

__all__ = ["MODEL_FILE", "Decision", "TopicModel", "load_topic_model"]

MODEL_FILE = ("rules", "topic_model.json")


@dataclass(frozen=True, slots=True)
class Decision:
    """How probabilities become topics."""

    threshold: float = 0.3
    limit: int = 3
    relative: float = 0.5
    floor: float = 0.1  # the most probable topic is kept when it reaches this


@dataclass(frozen=True)
class TopicModel:
    """Per-topic weights of named features, a bias per topic and the decision rule."""

    topics: tuple[str, ...]  # topic slugs
    bias: tuple[float, ...]
    weights: Mapping[str, Mapping[int, float]]  # feature -> {topic index: weight}
    decision: Decision
    trained_on: Mapping[str, str]
    _rows: dict[str, int] = field(init=False, repr=False, compare=False)
    _matrix: np.ndarray = field(init=False, repr=False, compare=False)
    _by_name: np.ndarray = field(init=False, repr=False, compare=False)  # each topic's rank

    def __post_init__(self) -> None:
        rows = {name: row for row, name in enumerate(sorted(self.weights))}
        matrix = np.zeros((len(rows) + 1, len(self.topics)), dtype=np.float64)
        for name, by_topic in self.weights.items():
            for index, weight in by_topic.items():
                matrix[rows[name], index] = weight
        matrix[len(rows)] = self.bias
        object.__setattr__(self, "_rows", rows)
        object.__setattr__(self, "_matrix", matrix)
        object.__setattr__(self, "_by_name", np.argsort(np.argsort(self.topics, kind="stable")))

    def _probabilities(self, features: Mapping[str, float]) -> np.ndarray:
        known = [(self._rows[n], v) for n, v in features.items() if n in self._rows]
        rows = [row for row, _ in known] + [len(self._rows)]
        values = np.array([v for _, v in known] + [1.0])
        scores = values @ self._matrix[rows]
        return 1.0 / (1.0 + np.exp(-scores))

    def choose(
        self, features: Mapping[str, float], broader: Mapping[str, tuple[str, ...]]
    ) -> list[tuple[str, float]]:
        """The topics (slugs) of a paper with their probabilities, most probable first (ties
        in the order of the slugs)."""
        if not features:
            return []
        probabilities = self._probabilities(features)
        rule = self.decision
        ranked = [int(i) for i in np.lexsort((self._by_name, -probabilities))[: rule.limit]]
        best = float(probabilities[ranked[0]])
        chosen = [
            i
            for i in ranked
            if probabilities[i] >= rule.threshold and probabilities[i] >= rule.relative * best
        ]
        if not chosen and best >= rule.floor:
            chosen = [ranked[0]]
        slugs = [self.topics[i] for i in chosen]
        for slug in list(slugs):
            for parent in broader.get(slug, ()):
                if parent in slugs:
                    slugs.remove(parent)
        return [(s, float(probabilities[self.topics.index(s)])) for s in slugs]

    def to_json(self) -> dict[str, object]:
        features = sorted(self.weights)
        return {
            "version": 1,
            "trained_on": dict(self.trained_on),
            "decision": {
                "threshold": self.decision.threshold,
                "limit": self.decision.limit,
                "relative": self.decision.relative,
                "floor": self.decision.floor,
            },
            "topics": list(self.topics),
            "bias": [round(b, 4) for b in self.bias],
            "weights": {
                name: {str(i): round(w, 3) for i, w in sorted(self.weights[name].items())}
                for name in features
            },
        }

    @classmethod
    def from_json(cls, document: Mapping[str, object]) -> TopicModel:
        weights = document["weights"]
        decision = document["decision"]
        assert isinstance(weights, dict) and isinstance(decision, dict)
        return cls(
            topics=tuple(document["topics"]),  # type: ignore[arg-type]
            bias=tuple(float(b) for b in document["bias"]),  # type: ignore[attr-defined]
            weights={
                name: {int(i): float(w) for i, w in by_topic.items()}
                for name, by_topic in weights.items()
            },
            decision=Decision(**decision),
            trained_on=dict(document.get("trained_on") or {}),  # type: ignore[call-overload]
        )


@lru_cache(maxsize=2)
def load_topic_model(path: Path | None = None) -> TopicModel:
    """The shipped topic model (or the one at `path`)."""
    location = path or ontology_path(*MODEL_FILE)
    try:
        return TopicModel.from_json(json.loads(location.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        raise KgError(f"{location}: not a readable topic model ({exc})") from None
