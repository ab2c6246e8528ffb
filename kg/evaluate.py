"""Extraction quality: precision, recall and F1 of the built graph against annotated sets.

Each annotated set (``data/eval/*.json``; rules in ``data/eval/GUIDELINES.md``) is scored on its
own. Gold papers are matched to graph papers by arXiv id, tweet status id, then normalised title,
among the papers featured in the digest files the annotation read (its ``sources``);
gold names match a linked entity when they equal one of its labels after normalisation. Scoring
is at the annotation's level: topics as their nearest ancestor-or-self in the scheme the set was
annotated with (a topic with no such ancestor is outside what the annotators could choose and is
counted apart, not scored), organisations as institutions (a lab counts as its parent company).
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

__all__ = ["TYPES", "GoldSet", "Score", "Scores", "evaluate", "load_gold"]

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
SELECT ?paper ?title ?arxiv ?status ?source WHERE {
  ?paper a ?kind . VALUES ?kind { mlkg:Paper mlkg:Article }
  ?paper dcterms:title ?title ; mlkg:featuredIn/dcterms:source ?source .
  OPTIONAL { ?paper mlkg:arxivId ?arxiv }
  OPTIONAL { ?paper mlkg:tweet/mlkg:statusId ?status }
}"""
_TOPICS = """
SELECT ?topic ?broader ?name WHERE {
  ?topic a mlkg:Topic .
  OPTIONAL { ?topic skos:broader ?broader }
  OPTIONAL { { ?topic rdfs:label ?name } UNION { ?topic skos:prefLabel ?name }
             UNION { ?topic skos:altLabel ?name } }
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
    """The scores of one annotated set."""

    by_type: dict[str, Score]
    papers: int
    unmatched: list[str]
    unscored_topics: int = 0  # links to topics outside the set's annotation scheme

    @property
    def overall(self) -> Score:
        total = Score()
        for score in self.by_type.values():
            total.tp += score.tp
            total.fp += score.fp
            total.fn += score.fn
        return total


@dataclass(frozen=True)
class GoldSet:
    """An annotated set: its name, its topic scheme and its papers."""

    name: str
    path: Path
    scheme: str  # "full" or "ontology/topics.tsv" (the 26 starting ids)
    papers: list[dict[str, object]]
    purpose: str = ""


def load_gold(path: Path) -> GoldSet:
    """Read an annotated set (JSON: ``papers`` and optionally ``set``, ``topic_scheme``)."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
        papers = list(document["papers"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KgError(f"{path}: not an annotation file ({exc})") from None
    return GoldSet(
        name=str(document.get("set") or Path(path).stem),
        path=Path(path),
        scheme=str(document.get("topic_scheme") or "ontology/topics.tsv"),
        papers=papers,
        purpose=str(document.get("purpose") or ""),
    )


def _rows(store: Graph, query: str) -> Iterable[list[str | None]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]  # type: ignore[union-attr]
    for solution in result:  # type: ignore[union-attr]
        yield [solution[v].value if solution[v] is not None else None for v in variables]


def _normal(name: str) -> str:
    return normalise_alias(name).replace(" ", "")


def _starting_scheme() -> set[str]:
    lines = ontology_path("topics.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {f"{ID}topic/{line.split(chr(9))[0]}" for line in lines if line.strip()}


class _Topics:
    """The topic scheme of the graph: broader topics and every name of each topic."""

    def __init__(self, store: Graph) -> None:
        self.broader: dict[str, list[str]] = defaultdict(list)
        self.names: dict[str, set[str]] = defaultdict(set)
        for topic, broader, name in _rows(store, _TOPICS):
            assert topic
            self.names[topic].add(_normal(topic.removeprefix(ID + "topic/")))
            if broader and broader not in self.broader[topic]:
                self.broader[topic].append(broader)
            if name:
                self.names[topic].add(_normal(name))

    def level(self, scheme: set[str] | None) -> dict[str, str | None]:
        """Each topic -> its nearest ancestor-or-self in `scheme` (None: outside it)."""
        result: dict[str, str | None] = {}
        for topic in self.names:
            if scheme is None:
                result[topic] = topic
                continue
            frontier, seen, found = [topic], set(), None
            while frontier and found is None:
                current = frontier.pop(0)
                if current in scheme:
                    found = current
                seen.add(current)
                frontier.extend(p for p in self.broader.get(current, []) if p not in seen)
            result[topic] = found
        return result


def _institution(name: str) -> str:
    """Organisations are scored as institutions: "Microsoft Research" counts as Microsoft."""
    vocabulary = load_vocabulary()
    term = vocabulary.lookup(name, "organisation")
    return vocabulary.institution(term).label if term else name


def evaluate(store: Graph, gold: GoldSet) -> Scores:
    """Score the graph's links against one annotated set, at the annotation's level."""
    by_arxiv: dict[str, str] = {}
    by_status: dict[str, str] = {}
    by_title: dict[str, str] = {}
    sources: dict[str, set[str]] = defaultdict(set)
    for paper, title, arxiv, status, source in _rows(store, _PAPERS):
        assert paper is not None and title is not None and source is not None
        sources[paper].add(source)
        by_title.setdefault(normalise_title(title), paper)
        if arxiv:
            by_arxiv.setdefault(arxiv, paper)
        if status:
            by_status.setdefault(status, paper)
    topics = _Topics(store)
    level = topics.level(None if gold.scheme == "full" else _starting_scheme())
    linked: dict[str, dict[str, dict[str, set[str]]]] = {}
    for kind in TYPES:
        names: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        query = _INSTITUTIONS if kind == "organisations" else _LINKS % _CLASS[kind]
        for paper, entity, name in _rows(store, query):
            assert paper and entity and name
            if kind == "topics":
                scored = level.get(entity, entity)
                if scored is None:  # outside the annotation's scheme: counted, not scored
                    names[paper].setdefault(entity, set())
                    continue
                names[paper][scored] |= topics.names[scored]
            else:
                names[paper][entity].add(_normal(name))
        linked[kind] = names
    scores = {kind: Score() for kind in TYPES}
    unmatched: list[str] = []
    matched = 0
    outside = 0
    for item in gold.papers:
        title = str(item.get("title", ""))
        paper = (
            by_arxiv.get(str(item.get("arxiv")))
            or by_status.get(str(item.get("tweet")))
            or by_title.get(normalise_title(title))
        )
        listed = item.get("sources") or []
        wanted = {str(s) for s in listed} if isinstance(listed, list) else set()
        if paper is not None and wanted and not wanted & sources[paper]:
            paper = None  # the same paper read from other digests: not what was annotated
        if paper is None:
            unmatched.append(title)
        else:
            matched += 1
        for kind in TYPES:
            gold_names = item.get(kind) or []
            assert isinstance(gold_names, list)
            normal = _institution if kind == "organisations" else str
            expected = {_normal(normal(str(n))): str(n) for n in gold_names}
            entities = linked[kind].get(paper, {}) if paper else {}
            score = scores[kind]
            hit: set[str] = set()
            for entity, labels in entities.items():
                if kind == "topics" and not labels:
                    outside += 1
                    continue
                match = next((key for key in expected if key in labels and key not in hit), None)
                if match:
                    score.tp += 1
                    hit.add(match)
                else:
                    score.fp += 1
                    score.extras.append(f"{title[:50]} -> {entity.rsplit('/', 1)[-1]}")
            for key, name in expected.items():
                if key not in hit:
                    score.fn += 1
                    score.misses.append(f"{title[:50]} -> {name}")
    return Scores(scores, matched, unmatched, outside)
