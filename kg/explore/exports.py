"""The graph, or a projection of it, in formats other tools load: GraphML and GEXF (Gephi,
Cytoscape, networkx) through networkx's writers, and papers x topics / papers x entities as CSV
(pandas, spreadsheets, R)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Sequence

import networkx as nx

from kg.errors import UnknownNameError
from kg.explore.kinds import ENTITY_KINDS, LINK_BY_PREDICATE
from kg.explore.profiles import evidence_of
from kg.explore.projections import cooccurrence, paper_projection, to_networkx
from kg.explore.subgraph import Subgraph
from kg.graph.remote import Graph

__all__ = ["GRAPH_FORMATS", "PROJECTIONS", "TABLES", "graph_bytes", "projection", "table_csv"]

GRAPH_FORMATS = ("graphml", "gexf")
PROJECTIONS = ("graph", "topics", "entities", "papers")
"""``graph``: papers and entities with every link; ``topics``: topics linked by the papers they
share; ``entities``: topics, models, benchmarks and organisations likewise; ``papers``: papers
linked by the benchmarks (and models, with `via`) they share."""
TABLES = ("papers-topics", "papers-entities")
"""``papers-topics``: one row per paper, a 0/1 column per topic; ``papers-entities``: one row per
paper -> entity link, with its evidence."""


def projection(sub: Subgraph, name: str, via: Sequence[str] = ("benchmark",)) -> nx.Graph:
    """The projection `name` of `PROJECTIONS`."""
    if name == "graph":
        return to_networkx(sub)
    if name == "topics":
        return cooccurrence(sub, ["topic"])
    if name == "entities":
        return cooccurrence(sub, list(ENTITY_KINDS))
    if name == "papers":
        return paper_projection(sub, via)
    raise UnknownNameError("projection", name, list(PROJECTIONS))


def graph_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """`graph` written as GraphML or GEXF."""
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(graph, buffer, encoding="utf-8")
    else:
        raise UnknownNameError("graph format", fmt, list(GRAPH_FORMATS))
    return buffer.getvalue()


def table_csv(graph: Graph, sub: Subgraph, name: str) -> str:
    """The table `name` of `TABLES` as CSV."""
    papers = sorted(sub.papers(), key=lambda n: (n.week.isoformat() if n.week else "", n.iri))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if name == "papers-topics":
        topics = sorted(sub.of_kind("topic"), key=lambda n: n.local)
        subjects: dict[str, set[str]] = defaultdict(set)
        for source, predicate, target in sub.edges:
            if LINK_BY_PREDICATE.get(predicate) and sub.nodes[target].kind == "topic":
                subjects[source].add(target)
        writer.writerow(["paper", "title", "week", "arxiv", *(t.local for t in topics)])
        for paper in papers:
            mine = subjects.get(paper.iri, set())
            writer.writerow(
                [
                    paper.short,
                    paper.label,
                    paper.week.isoformat() if paper.week else "",
                    paper.arxiv or "",
                    *(int(t.iri in mine) for t in topics),
                ]
            )
        return buffer.getvalue()
    if name != "papers-entities":
        raise UnknownNameError("table", name, list(TABLES))
    evidence = evidence_of(graph, [p.iri for p in papers])
    writer.writerow(
        [
            "paper",
            "title",
            "week",
            "arxiv",
            "predicate",
            "kind",
            "entity",
            "label",
            "support",
            "confidence",
            "methods",
        ]
    )
    links = sorted(
        (e for e in sub.edges if e[1] in LINK_BY_PREDICATE and sub.nodes[e[0]].is_paper),
        key=lambda e: (e[0], e[1], e[2]),
    )
    for source, predicate, target in links:
        paper, entity = sub.nodes[source], sub.nodes[target]
        found = evidence.get((source, predicate, target))
        writer.writerow(
            [
                paper.short,
                paper.label,
                paper.week.isoformat() if paper.week else "",
                paper.arxiv or "",
                LINK_BY_PREDICATE[predicate].short,
                entity.kind,
                entity.short,
                entity.label,
                "" if found is None or found.support is None else found.support,
                "" if found is None or found.confidence is None else f"{found.confidence:.2f}",
                "" if found is None else " ".join(found.methods),
            ]
        )
    return buffer.getvalue()
