"""A piece of the graph as plain records: the nodes (described by the one label rule), the
links between them and the papers' web pages.

`whole` takes the whole graph (for the overview, the site and exports); `around` takes what lies
within a few links of some nodes, asking only about those nodes and their neighbours, so it
costs what the neighbourhood costs, however large the graph. A topic's neighbours include the
papers of its narrower topics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from kg.explore.kinds import BROADER, DEVELOPED_BY, LINK_BY_PREDICATE
from kg.explore.lookup import node_kind
from kg.explore.nodes import describe, describe_all, paper_counts, web_links
from kg.explore.records import Node, WebLink
from kg.explore.sparql import day, select, select_many
from kg.graph.remote import Graph

__all__ = ["MAX_NODES", "Edge", "Subgraph", "around", "whole"]

MAX_NODES = 1500
"""The most nodes `around` gathers; past it the newest papers and first entities are kept."""

Edge = tuple[str, str, str]
"""(source IRI, predicate IRI, target IRI)."""


@dataclass
class Subgraph:
    """Nodes, links and web pages of a piece of the graph.

    `centres` are the nodes it was gathered around (none for the whole graph); `hops` how far;
    `depth` how many links each node is from the nearest centre (nodes at ``hops + 1`` are
    there so that the outermost papers' links are known); `left_out` counts the nodes dropped
    to stay under the size limit.
    """

    nodes: dict[str, Node]
    edges: list[Edge]
    web: dict[str, tuple[WebLink, ...]] = field(default_factory=dict)
    centres: tuple[str, ...] = ()
    hops: int = 0
    depth: dict[str, int] = field(default_factory=dict)
    left_out: int = 0

    @property
    def is_whole(self) -> bool:
        """Whether this is the whole graph."""
        return not self.centres

    def papers(self) -> list[Node]:
        """Its papers and articles."""
        return [node for node in self.nodes.values() if node.is_paper]

    def of_kind(self, kind: str) -> list[Node]:
        """Its nodes of one kind."""
        return [node for node in self.nodes.values() if node.kind == kind]


def _count_papers(nodes: dict[str, Node], edges: Iterable[Edge]) -> dict[str, int]:
    """Papers per entity, a topic's including those of its narrower topics (whole graph)."""
    papers: dict[str, set[str]] = defaultdict(set)
    broader: dict[str, set[str]] = defaultdict(set)
    for source, predicate, target in edges:
        if predicate in LINK_BY_PREDICATE:
            papers[target].add(source)
        elif predicate == BROADER:
            broader[source].add(target)
    counted: dict[str, set[str]] = {k: set(v) for k, v in papers.items()}
    for topic in list(broader):
        seen, stack = {topic}, [topic]
        while stack:
            for parent in broader.get(stack.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
                    counted.setdefault(parent, set()).update(papers.get(topic, ()))
    return {node: len(found) for node, found in counted.items() if node in nodes}


def whole(graph: Graph) -> Subgraph:
    """The whole graph: every paper, the entities they link to, the developers of those, the
    topics above and below them, and the families among them."""
    edges: set[Edge] = set()
    reached: dict[str, str] = {}
    papers = {row["paper"].value for row in select(graph, "graph-papers")}
    for row in select(graph, "graph-links"):
        if row["paper"].value not in papers:
            continue
        link = LINK_BY_PREDICATE[row["predicate"].value]
        edges.add((row["paper"].value, row["predicate"].value, row["entity"].value))
        reached.setdefault(row["entity"].value, link.kind)
    linked = {target for _, _, target in edges}
    for row in select(graph, "graph-entity-links"):
        source, predicate, target = row["entity"].value, row["predicate"].value, row["other"].value
        wanted = {
            DEVELOPED_BY: source in linked,
            BROADER: source in linked or target in linked,
        }.get(predicate, source in linked and target in linked)
        if wanted:
            edges.add((source, predicate, target))
    iris = sorted(papers | {s for s, _, _ in edges} | {t for _, _, t in edges})
    described = describe_all(graph, iris, reached_as=reached)
    counts = _count_papers(described, edges)
    nodes = {
        iri: node if node.is_paper else _with_papers(node, counts.get(iri, 0))
        for iri, node in described.items()
    }
    return Subgraph(nodes, sorted(edges), web_links(graph, sorted(papers), every=True))


def _with_papers(node: Node, papers: int) -> Node:
    return Node(node.iri, node.kind, node.label, node.week, node.arxiv, papers)


def _newest_first(papers: dict[str, date | None]) -> list[str]:
    return sorted(papers, key=lambda p: (-(papers[p] or date.min).toordinal(), p))


def around(graph: Graph, centres: Sequence[str], hops: int = 1, limit: int = MAX_NODES) -> Subgraph:
    """The nodes within `hops` links of `centres`, and the links of the outermost papers.

    Links are followed both ways: from a paper to its entities, from an entity to its papers
    (a topic's include its narrower topics' papers) and between entities (developers, broader
    topics, families). Past `limit` nodes the newest papers are kept.
    """
    edges: set[Edge] = set()
    reached: dict[str, str] = {}
    depth: dict[str, int] = {centre: 0 for centre in centres}
    kinds = {centre: node_kind(graph, centre) or "other" for centre in centres}
    frontier = list(centres)
    left_out = 0
    for level in range(1, hops + 2):
        outermost = level == hops + 1
        papers = [n for n in frontier if kinds.get(n) in ("paper", "article")]
        entities = [n for n in frontier if kinds.get(n) not in ("paper", "article")]
        found: dict[str, date | None] = {}
        new_entities: dict[str, str] = {}
        for row in select_many(graph, "paper-entities", "paper", papers):
            link = LINK_BY_PREDICATE[row["predicate"].value]
            entity = row["entity"].value
            edges.add((row["paper"].value, row["predicate"].value, entity))
            reached.setdefault(entity, link.kind)
            if entity not in depth:
                new_entities.setdefault(entity, link.kind)
        if not outermost:
            for entity in entities:
                for row in select(graph, "entity-papers", entity=entity):
                    paper = row["paper"].value
                    found.setdefault(paper, day(row.get("week")))
                    edges.add((paper, row["predicate"].value, row["via"].value))
                for row in select(graph, "entity-edges", node=entity):
                    source, target = row["entity"].value, row["other"].value
                    edges.add((source, row["predicate"].value, target))
                    other = target if source == entity else source
                    if other not in depth:
                        new_entities.setdefault(other, "entity")
        room = max(limit - len(depth), 0)
        new_papers = [p for p in _newest_first(found) if p not in depth]
        kept = new_papers[:room]
        room -= len(kept)
        kept_entities = sorted(new_entities)[:room] if not outermost else sorted(new_entities)
        left_out += len(new_papers) - len(kept) + len(new_entities) - len(kept_entities)
        for paper in kept:
            depth[paper] = level
            kinds[paper] = "paper"
        for entity in kept_entities:
            depth[entity] = level
            kinds[entity] = new_entities[entity]
        frontier = kept + kept_entities
        if not frontier:
            break
    edges = {(s, p, t) for s, p, t in edges if s in depth and t in depth}
    counts = paper_counts(graph, [c for c in centres if kinds[c] not in ("paper", "article")])
    nodes = describe(graph, sorted(depth), reached_as=reached, counts=counts)
    paper_iris = sorted(n for n, node in nodes.items() if node.is_paper)
    return Subgraph(
        nodes,
        sorted(edges),
        web_links(graph, paper_iris),
        centres=tuple(centres),
        hops=hops,
        depth=depth,
        left_out=left_out,
    )
