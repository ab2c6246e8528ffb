"""Training the topic model on annotated rows.

    python -m kg.extract.training CORPUS TRAIN.json [--dev DEV.json] [--out MODEL.json]

Reads the digests of CORPUS, finds the annotated rows of TRAIN.json in them (by week and row),
computes their features as the extractor does, and fits one logistic regression per topic
(scikit-learn, ``pip install kg[train]``). The regularisation and the decision rule are chosen by
five-fold cross-validation on the training rows alone; a --dev set is only reported, never used
to choose. The result is written as JSON (by default the shipped ontology/rules/topic_model.json)
with the checksum of the annotation it was trained on.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.errors import KgError
from kg.extract.topic_model import MODEL_FILE, Decision, TopicModel
from kg.resources import ontology_path

__all__ = ["annotated_features", "fit", "main", "train"]

_C_VALUES = (0.25, 0.5, 1.0, 2.0)
_DECISIONS = [
    Decision(threshold, limit, relative)
    for threshold, limit, relative in itertools.product(
        (0.3, 0.4, 0.5, 0.6, 0.7), (2, 3), (0.0, 0.3, 0.5)
    )
]
_MIN_DOCUMENTS = 2  # a feature seen in one training row only is noise
_MIN_WEIGHT = 0.02  # smaller weights change no decision; leaving them out halves the file


def annotated_features(
    corpus: Path, annotation: Path
) -> tuple[list[dict[str, float]], list[set[str]]]:
    """Features and annotated topics of every annotated row of `corpus`."""
    from kg.extract.mentions import find_mentions
    from kg.extract.pipeline import build_pipeline
    from kg.extract.relations import paper_features
    from kg.extract.vocabulary import load_vocabulary
    from kg.resolve import resolve
    from kg.sources import read_file

    resolution = resolve(read_file(corpus))
    vocabulary = load_vocabulary()
    mentions = find_mentions(build_pipeline(vocabulary), resolution)
    features = paper_features(resolution, mentions, vocabulary)
    where = {
        (str(a.digest.week_start), a.entry.position): index
        for index, paper in enumerate(resolution.papers)
        for a in paper.appearances
    }
    rows: list[dict[str, float]] = []
    topics: list[set[str]] = []
    for item in json.loads(annotation.read_text(encoding="utf-8"))["papers"]:
        index = where.get((item["week"], item["row"]))
        if index is None:
            raise KgError(f"{annotation}: no row {item['row']} in the week of {item['week']}")
        rows.append(features[index])
        topics.append(set(item["topics"]))
    return rows, topics


def _f1(chosen: Sequence[set[str]], gold: Sequence[set[str]]) -> float:
    tp = sum(len(c & g) for c, g in zip(chosen, gold, strict=True))
    fp = sum(len(c - g) for c, g in zip(chosen, gold, strict=True))
    fn = sum(len(g - c) for c, g in zip(chosen, gold, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def fit(
    rows: Sequence[dict[str, float]], gold: Sequence[set[str]], topics: Sequence[str], c: float
) -> TopicModel:
    """One logistic regression per topic over the features seen in at least two rows,
    regularised by `c`; weights too small to change a decision are left out."""
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(rows)
    seen = np.asarray((matrix > 0).sum(axis=0)).ravel()
    keep = np.where(seen >= _MIN_DOCUMENTS)[0]
    matrix = matrix[:, keep]
    names = [vectoriser.feature_names_[i] for i in keep]
    bias: list[float] = []
    weights: dict[str, dict[int, float]] = {}
    for index, topic in enumerate(topics):
        labels = np.array([topic in g for g in gold], dtype=int)
        if labels.sum() == 0:
            bias.append(-20.0)  # never annotated: never chosen
            continue
        regression = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        regression.fit(matrix, labels)
        bias.append(float(regression.intercept_[0]))
        for column, weight in enumerate(regression.coef_[0]):
            if abs(weight) >= _MIN_WEIGHT:
                weights.setdefault(names[column], {})[index] = float(weight)
    return TopicModel(tuple(topics), tuple(bias), weights, Decision(), {})


def _choose_all(
    model: TopicModel,
    rows: Sequence[dict[str, float]],
    decision: Decision,
    broader: dict[str, tuple[str, ...]],
) -> list[set[str]]:
    tuned = TopicModel(model.topics, model.bias, model.weights, decision, {})
    return [{slug for slug, _ in tuned.choose(row, broader)} for row in rows]


def train(
    rows: Sequence[dict[str, float]],
    gold: Sequence[set[str]],
    topics: Sequence[str],
    broader: dict[str, tuple[str, ...]],
    folds: int = 5,
) -> tuple[TopicModel, float]:
    """The model fitted on all rows with the regularisation (recorded as ``C`` in what it was
    trained on) and decision that cross-validate best, and its cross-validated F1."""
    best: tuple[float, float, Decision] = (-1.0, _C_VALUES[0], Decision())
    order = sorted(range(len(rows)), key=lambda i: hashlib.sha1(str(i).encode()).hexdigest())
    for c in _C_VALUES:
        predictions: list[list[set[str]]] = [[set() for _ in rows] for _ in _DECISIONS]
        for fold in range(folds):
            held = [i for n, i in enumerate(order) if n % folds == fold]
            kept = [i for n, i in enumerate(order) if n % folds != fold]
            model = fit([rows[i] for i in kept], [gold[i] for i in kept], topics, c)
            for d, decision in enumerate(_DECISIONS):
                chosen = _choose_all(model, [rows[i] for i in held], decision, broader)
                for i, topics_chosen in zip(held, chosen, strict=True):
                    predictions[d][i] = topics_chosen
        for d, decision in enumerate(_DECISIONS):
            score = _f1(predictions[d], gold)
            if score > best[0]:
                best = (score, c, decision)
    score, c, decision = best
    model = fit(rows, gold, topics, c)
    return TopicModel(model.topics, model.bias, model.weights, decision, {"C": str(c)}), score


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m kg.extract.training", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("corpus", type=Path)
    parser.add_argument("train", type=Path)
    parser.add_argument("--dev", type=Path, help="an annotated set to report on (not to tune)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    from kg.extract.vocabulary import load_vocabulary

    vocabulary = load_vocabulary()
    broader = vocabulary.broader_topics()
    topics = sorted(broader)
    rows, gold = annotated_features(args.corpus, args.train)
    model, cv_f1 = train(rows, gold, topics, broader)
    checksum = hashlib.sha256(args.train.read_bytes()).hexdigest()
    model = TopicModel(
        model.topics,
        model.bias,
        model.weights,
        model.decision,
        {
            **model.trained_on,
            "annotation": args.train.name,
            "sha256": checksum,
            "rows": str(len(rows)),
        },
    )
    report: dict[str, Any] = {
        "rows": len(rows),
        "cross-validated F1": round(cv_f1, 3),
        "decision": model.decision,
    }
    if args.dev:
        dev_rows, dev_gold = annotated_features(args.corpus, args.dev)
        chosen = [{s for s, _ in model.choose(r, broader)} for r in dev_rows]
        report[f"{args.dev.name} F1"] = round(_f1(chosen, dev_gold), 3)
    out = args.out or ontology_path(*MODEL_FILE[:-1]) / MODEL_FILE[-1]
    out.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    for key, value in report.items():
        print(f"{key}: {value}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
