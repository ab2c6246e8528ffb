"""Related papers, with the reason: papers ranked by what they share with a paper.

Every topic, model, benchmark, organisation or author two papers share adds its *share*: the
weight of the paper's link to it (`kg.explore.kinds.LINKS`: a benchmark 3, an author 2, a model
the paper proposes or uses 2, a topic or an organisation 1, a model it only compares with 0.5)
divided by the logarithm of the number of papers linked to it (plus one): a benchmark three papers
use says more than a topic three hundred have, but a broad shared subject still says more than a
frontier model that many papers compare with. This is the Adamic-Adar index of link prediction,
weighted by link. A paper with no benchmark still has neighbours through its topics, models and
organisations. Ties go to the paper sharing more, then to the smaller IRI.

`rank` is the one ranking. `related_papers` feeds it from the graph: one aggregate query for the
shares, one that pre-selects the best papers in the store (fetching more until the cut is
provably past the last one kept), so a paper linked to entities of 20,000 papers each costs two
aggregations, not 100,000 rows; the site feeds it from the whole graph's links.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import pyoxigraph as ox

from kg.explore.kinds import LINK_BY_PREDICATE
from kg.explore.nodes import describe
from kg.explore.records import Node
from kg.explore.sparql import select, select_filled, select_many
from kg.graph.remote import Graph

__all__ = [
    "LIMIT",
    "Reason",
    "RelatedPaper",
    "Share",
    "SharedBenchmarks",
    "rank",
    "related_papers",
    "resolve",
    "share_of",
    "shared_benchmarks",
]

LIMIT = 20
_PLACES = Decimal("1e-12")
_MARGIN = 30


def share_of(weight: float, papers: int) -> Decimal:
    """What sharing an entity is worth: its link's weight over the logarithm of its papers
    (plus one), to 12 places."""
    return (Decimal(str(weight)) / Decimal(papers + 1).ln()).quantize(_PLACES, ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Share:
    """One entity a paper links to, as seen when ranking: the weight of the paper's own link
    to it (so a ranking is the paper's view: B, which uses a model A only compares with, counts
    it 0.5 in A's list and A counts it 2 in B's) and its papers."""

    entity: str
    weight: float
    papers: int

    @property
    def value(self) -> Decimal:
        """What sharing it is worth."""
        return share_of(self.weight, self.papers)


@dataclass(frozen=True, slots=True)
class Reason:
    """One thing two papers share, and what it adds to their score."""

    entity: Node
    papers: int
    score: float


@dataclass(frozen=True, slots=True)
class RelatedPaper:
    """A related paper, its score and the reasons, the strongest first."""

    paper: Node
    score: float
    reasons: tuple[Reason, ...]

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "paper": self.paper.short,
            "title": self.paper.label,
            "week": self.paper.week.isoformat() if self.paper.week else None,
            "score": round(self.score, 4),
            "shared": ", ".join(f"{r.entity.kind} {r.entity.label}" for r in self.reasons),
        }


Ranked = list[tuple[str, Decimal, tuple[Share, ...]]]


def rank(
    paper: str,
    shares: Mapping[str, Share],
    papers_of: Mapping[str, Collection[str]],
    limit: int = LIMIT,
) -> Ranked:
    """The `limit` papers sharing most with `paper`, whose entities are `shares`; `papers_of`
    gives the papers linked to each of them. Returns (iri, score, shared), best first.

    Entities are taken rarest (largest share) first; once `limit` papers are sure to score
    more than any paper not met yet could, the papers of the remaining (common) entities are
    not listed, only checked for the papers already met. The result is the same as scoring
    every paper.
    """
    values = {s.entity: s.value for s in shares.values()}
    order = sorted(shares.values(), key=lambda s: (-values[s.entity], s.entity))
    remaining = sum(values.values(), Decimal(0))
    met: dict[str, Decimal] = {}
    shared: dict[str, list[Share]] = {}
    for index, share in enumerate(order):
        value = values[share.entity]
        remaining -= value
        for other in papers_of.get(share.entity, ()):
            if other != paper:
                met[other] = met.get(other, Decimal(0)) + value
                shared.setdefault(other, []).append(share)
        if len(met) >= limit and remaining < heapq.nlargest(limit, met.values())[-1]:
            for rest in order[index + 1 :]:
                members = papers_of.get(rest.entity, ())
                for other in met:
                    if other in members:
                        met[other] += values[rest.entity]
                        shared[other].append(rest)
            break
    scored = heapq.nsmallest(
        limit, ((-score, -len(shared[other]), other) for other, score in met.items())
    )
    return [
        (other, -score, tuple(sorted(shared[other], key=lambda s: s.entity)))
        for score, _, other in scored
    ]


def _shares(graph: Graph, paper: str) -> tuple[dict[str, Share], dict[str, str]]:
    weights: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for row in select(graph, "paper-entities", paper=paper):
        link = LINK_BY_PREDICATE[row["predicate"].value]
        entity = row["entity"].value
        weights[entity] = max(weights.get(entity, 0.0), link.weight)
        kinds.setdefault(entity, link.kind)
    shares = {
        row["entity"].value: Share(
            row["entity"].value, weights[row["entity"].value], int(row["papers"].value)
        )
        for row in select(graph, "related-shares", paper=paper)
        if row["entity"].value in weights
    }
    return shares, kinds


def related_papers(graph: Graph, paper: str, limit: int = LIMIT) -> list[RelatedPaper]:
    """The papers most related to `paper` (an IRI; see `kg.explore.lookup.find_paper`)."""
    shares, kinds = _shares(graph, paper)
    if not shares:
        return []
    values = [
        (ox.NamedNode(s.entity), ox.Literal(str(s.value), datatype=_DECIMAL))
        for s in shares.values()
    ]
    fetch = limit + _MARGIN
    while True:
        rows = select_filled(graph, "related-ranking", values, limit=fetch, paper=paper)
        papers_of: dict[str, set[str]] = {entity: set() for entity in shares}
        candidates = [row["other"].value for row in rows]
        for link in select_many(graph, "paper-entities", "paper", candidates):
            if link["entity"].value in papers_of:
                papers_of[link["entity"].value].add(link["paper"].value)
        ranked = rank(paper, shares, papers_of, limit)
        complete = len(rows) < fetch
        if complete or (len(ranked) == limit and Decimal(rows[-1]["score"].value) < ranked[-1][1]):
            return resolve(graph, ranked, kinds)
        fetch *= 4


_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")


def resolve(
    graph: Graph,
    ranked: Ranked,
    kinds: Mapping[str, str],
    nodes: Mapping[str, Node] | None = None,
) -> list[RelatedPaper]:
    """Ranked IRIs as records: nodes described (unless given in `nodes`), reasons ordered."""
    wanted = {iri for iri, _, _ in ranked} | {s.entity for _, _, found in ranked for s in found}
    known = dict(nodes or {})
    missing = [iri for iri in wanted if iri not in known]
    known.update(describe(graph, missing, reached_as=kinds))
    related = []
    for iri, score, found in ranked:
        reasons = tuple(
            sorted(
                (Reason(known[s.entity], s.papers, float(s.value)) for s in found),
                key=lambda r: (-r.score, r.entity.label.casefold(), r.entity.iri),
            )
        )
        related.append(RelatedPaper(known[iri], float(score), reasons))
    return related


@dataclass(frozen=True, slots=True)
class SharedBenchmarks:
    """Another paper evaluated on (or introducing) some of the same benchmarks."""

    paper: Node
    shared: int
    jaccard: float
    benchmarks: tuple[str, ...]

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "paper": self.paper.short,
            "title": self.paper.label,
            "week": self.paper.week.isoformat() if self.paper.week else None,
            "shared": self.shared,
            "jaccard": round(self.jaccard, 4),
            "benchmarks": ", ".join(self.benchmarks),
        }


def shared_benchmarks(graph: Graph, paper: str) -> list[SharedBenchmarks]:
    """Papers sharing benchmarks with `paper` (an IRI): most shared, then Jaccard, then title."""
    rows = select(graph, "shared-benchmarks", paper=paper)
    nodes = describe(graph, [row["other"].value for row in rows])
    found = [
        SharedBenchmarks(
            paper=nodes[row["other"].value],
            shared=int(row["shared"].value),
            jaccard=float(row["jaccard"].value),
            benchmarks=tuple(sorted(row["benchmarks"].value.split(", "), key=str.casefold)),
        )
        for row in rows
    ]
    return sorted(found, key=lambda s: (-s.shared, -s.jaccard, *s.paper.sort_key()))
