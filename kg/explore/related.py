"""Related papers, with the reason: papers ranked by what they share with a paper.

Every topic, model, benchmark, organisation or author two papers share adds the weight of its
kind (`kg.explore.kinds.LINKS`: a benchmark 3, a model or an author 2, a topic or an
organisation 1) divided by the number of papers linked to it, so a benchmark three papers use
says more than a topic three hundred have. This is the resource-allocation index of link
prediction, weighted by kind. A paper with no benchmark still has neighbours through its topics,
models and organisations.

`rank` is the one ranking; `related_papers` feeds it from the graph (one query bound to the
paper), the site feeds it from the whole graph's links.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.explore.kinds import LINK_BY_PREDICATE
from kg.explore.nodes import describe
from kg.explore.records import Node
from kg.explore.sparql import select

__all__ = [
    "Reason",
    "RelatedPaper",
    "Share",
    "SharedBenchmarks",
    "rank",
    "related_papers",
    "shared_benchmarks",
]

LIMIT = 20


@dataclass(frozen=True, slots=True)
class Share:
    """One entity a paper links to, as seen when ranking: how it is linked and by how many."""

    entity: str
    weight: float
    papers: int


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


def rank(
    paper: str,
    shares: Iterable[Share],
    papers_of: Mapping[str, Iterable[str]],
    limit: int = LIMIT,
) -> list[tuple[str, float, tuple[Share, ...]]]:
    """The `limit` papers sharing most with `paper`: (iri, score, shares), best first.

    `shares` are the paper's own entities; `papers_of` gives the papers linked to each of them.
    Ties go to the paper sharing more entities, then to the IRI, so the ranking is stable.
    """
    shared: dict[str, list[Share]] = defaultdict(list)
    for share in sorted(shares, key=lambda s: s.entity):
        for other in papers_of.get(share.entity, ()):
            if other != paper:
                shared[other].append(share)
    scored = []
    for other, found in shared.items():
        score = sum(s.weight / s.papers for s in found if s.papers)
        scored.append((-score, -len(found), other, tuple(found)))
    scored.sort()
    return [(other, -score, found) for score, _, other, found in scored[:limit]]


def related_papers(graph: ox.Store, paper: str, limit: int = LIMIT) -> list[RelatedPaper]:
    """The papers most related to `paper` (an IRI; see `kg.explore.lookup.find_paper`)."""
    weights: dict[str, float] = {}
    papers_of: dict[str, set[str]] = defaultdict(set)
    kinds: dict[str, str] = {}
    for row in select(graph, "related-candidates", paper=paper):
        link = LINK_BY_PREDICATE.get(row["link"].value)
        if link is None:
            continue
        entity = row["entity"].value
        weights[entity] = max(weights.get(entity, 0.0), link.weight)
        kinds.setdefault(entity, link.kind)
        papers_of[entity].add(row["other"].value)
    shares = [Share(e, w, len(papers_of[e])) for e, w in weights.items()]
    return resolve(graph, rank(paper, shares, papers_of, limit), kinds)


def resolve(
    graph: ox.Store,
    ranked: list[tuple[str, float, tuple[Share, ...]]],
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
                (Reason(known[s.entity], s.papers, s.weight / s.papers) for s in found),
                key=lambda r: (-r.score, r.entity.label.casefold(), r.entity.iri),
            )
        )
        related.append(RelatedPaper(known[iri], score, reasons))
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


def shared_benchmarks(graph: ox.Store, paper: str) -> list[SharedBenchmarks]:
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
