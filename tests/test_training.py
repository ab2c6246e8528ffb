"""The shipped topic model is what the training code makes of the shipped annotation."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import DEV_README

from kg.extract.topic_model import load_topic_model
from kg.extract.training import annotated_features, fit
from kg.extract.vocabulary import load_vocabulary

TRAIN = Path(__file__).parent.parent / "data" / "train" / "upstream-topics.json"
RETRAIN = (
    "python -m kg.extract.training tests/fixtures/upstream/dair-readme-dev.md "
    "data/train/upstream-topics.json"
)


def test_the_shipped_topic_model_is_what_training_makes_of_its_annotation() -> None:
    """Refitted with the regularisation it records, on the features the extractor computes
    today, the shipped model comes back to its rounding: features, vocabulary and model agree."""
    shipped = load_topic_model()
    trained_on = shipped.trained_on
    assert trained_on["sha256"] == hashlib.sha256(TRAIN.read_bytes()).hexdigest(), RETRAIN
    rows, gold = annotated_features(DEV_README, TRAIN)
    assert len(rows) == int(trained_on["rows"])
    topics = sorted(load_vocabulary().broader_topics())
    assert list(shipped.topics) == topics, RETRAIN
    refitted = fit(rows, gold, topics, float(trained_on["C"])).to_json()
    again = refitted["weights"]
    assert isinstance(again, dict)
    assert set(again) == set(shipped.weights), RETRAIN
    worst = max(
        abs(weight - again[name].get(str(topic), 0.0))
        for name, by_topic in shipped.weights.items()
        for topic, weight in by_topic.items()
    )
    assert worst <= 0.002, f"weights moved by up to {worst:.3f}: {RETRAIN}"
    bias = refitted["bias"]
    assert isinstance(bias, list)
    assert max(abs(a - b) for a, b in zip(shipped.bias, bias, strict=True)) <= 0.001, RETRAIN
