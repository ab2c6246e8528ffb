"""Extraction quality: precision, recall and F1 of the built graph against an annotation.

Gold papers are matched to graph papers by arXiv id, tweet status id, then normalised title;
gold names match a linked entity when they equal one of its labels, after normalisation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KgError
from kg.extract.vocabulary import load_vocabulary, normalise_alias
from kg.graph.prefixes import ID, PREFIXES
from kg.resolve import normalise_title
from kg.resources import ontology_path

if TYPE_CHECKING:
    from kg.graph.remote import Graph

__all__ = ["TYPES", "Score", "Scores", "evaluate", "load_gold"]

TYPES = ("topics", "models", "benchmarks", "organisations")
_CLASS = {
    "topics": "mlkg:Topic",
    "models": "mlkg:Model",
    "benchmarks": "mlkg:Benchmark",
    "organisations": "mlkg:Organisation",
}
_LINKS = """
SELECT ?paper ?entity ?name WHERE {
  ?paper a ?kind . VALUES ?kind { mlkg:Paper mlkg:Article }
  ?paper ?p ?entity . ?entity a %s .
  { ?entity rdfs:label ?name } UNION { ?entity skos:prefLabel ?name }
  UNION { ?entity skos:altLabel ?name }
}"""
_INSTITUTIONS = """
SELECT ?paper ?entity ?name WHERE {
  ?paper a ?kind . VALUES ?kind { mlkg:Paper mlkg:Article }
  ?paper schema:sourceOrganization ?org . ?org schema:parentOrganization* ?entity .
  FILTER NOT EXISTS { ?entity schema:parentOrganization ?parent }
  { ?entity rdfs:label ?name } UNION { ?entity skos:altLabel ?name }
}"""
_PAPERS = """
SELECT ?paper ?title ?arxiv ?status WHERE {
  ?paper a ?kind . VALUES ?kind { mlkg:Paper mlkg:Article }
  ?paper dcterms:title ?title .
  OPTIONAL { ?paper mlkg:arxivId ?arxiv }
  OPTIONAL { ?paper mlkg:tweet/mlkg:statusId ?status }
}"""


@dataclass
class Score:
    """Counts of one entity type; precision, recall and F1 follow from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    by_type: dict[str, Score]
    papers: int
    unmatched: list[str]

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_type.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total


def load_gold(path: Path) -> list[dict[str, object]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        papers = document["papers"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KgError(f"{path}: not an annotation file ({exc})") from None
    return list(papers)


def _rows(store: Graph, query: str) -> Iterable[list[str | None]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    for solution in result:  # type: ignore[union-attr]
        yield [solution[v].value if solution[v] is not None else None for v in variables]


def _normal(name: str) -> str:
    return normalise_alias(name).replace(" ", "")


_BROADER = "SELECT ?topic ?broader WHERE { ?topic a mlkg:Topic ; skos:broader ?broader }"


def _annotation_level(store: Graph) -> dict[str, str]:
    """Each topic IRI mapped to its nearest ancestor-or-self in the starting scheme
    (ontology/topics.tsv), the level the annotation was made at."""
    scheme = {
        f"{ID}topic/{line.split(chr(9))[0]}"
        for line in ontology_path("topics.tsv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    }
    broader: dict[str, list[str]] = defaultdict(list)
    for topic, parent in _rows(store, _BROADER):
        assert topic and parent
        broader[topic].append(parent)
    level: dict[str, str] = {}
    for topic in set(broader) | scheme:
        frontier, seen = [topic], set()
        while frontier and topic not in level:
            current = frontier.pop(0)
            if current in scheme:
                level[topic] = current
            seen.add(current)
            frontier.extend(p for p in broader.get(current, []) if p not in seen)
    return level


def _institution(name: str, kind: str) -> str:
    """Organisations are scored as institutions: "Microsoft Research" counts as Microsoft."""
    if kind != "organisations":
        return name
    vocabulary = load_vocabulary()
    term = vocabulary.lookup(name, "organisation")
    return vocabulary.institution(term).label if term else name


def evaluate(store: Graph, gold: list[dict[str, object]]) -> Scores:
    """Score the graph's links against the gold annotation, at the annotation's level:
    topics as their nearest ancestor in the starting scheme, organisations as institutions."""
    by_arxiv: dict[str, str] = {}
    by_status: dict[str, str] = {}
    by_title: dict[str, str] = {}
    for paper, title, arxiv, status in _rows(store, _PAPERS):
        assert paper is not None and title is not None
        by_title[normalise_title(title)] = paper
        if arxiv:
            by_arxiv[arxiv] = paper
        if status:
            by_status[status] = paper
    linked: dict[str, dict[str, dict[str, set[str]]]] = {}
    for kind in TYPES:
        names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        query = _INSTITUTIONS if kind == "organisations" else _LINKS % _CLASS[kind]
        level = _annotation_level(store) if kind == "topics" else {}
        for paper, entity, name in _rows(store, query):
            assert paper and entity and name
            if kind == "topics":
                entity = level.get(entity, entity)
                name = entity.removeprefix(ID + "topic/")
            names[paper][entity].add(_normal(name))
        linked[kind] = names
    scores = {kind: Score() for kind in TYPES}
    unmatched: list[str] = []
    matched = 0
    for item in gold:
        title = str(item.get("title", ""))
        paper = (
            by_arxiv.get(str(item.get("arxiv")))
            or by_status.get(str(item.get("tweet")))
            or by_title.get(normalise_title(title))
        )
        if paper is None:
            unmatched.append(title)
        else:
            matched += 1
        for kind in TYPES:
            gold_names = item.get(kind) or []
            assert isinstance(gold_names, list)
            expected = {_normal(_institution(str(n), kind)): str(n) for n in gold_names}
            entities = linked[kind].get(paper, {}) if paper else {}
            score = scores[kind]
            hit: set[str] = set()
            for entity, labels in entities.items():
                match = next((key for key in expected if key in labels and key not in hit), None)
                if match:
                    score.tp += 1
                    hit.add(match)
                else:
                    score.fp += 1
                    score.extras.append(f"{title[:40]} -> {entity.rsplit('/', 1)[-1]}")
            for key, name in expected.items():
                if key not in hit:
                    score.fn += 1
                    score.misses.append(f"{title[:40]} -> {name}")
    return Scores(scores, matched, unmatched)
