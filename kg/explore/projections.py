"""networkx projections of a subgraph: the typed graph itself, the paper-entity bipartite graph,
entities linked by the papers they share (topic co-occurrence and the like), and papers linked
by the entities they share."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

import networkx as nx

from kg.explore.kinds import LINK_BY_PREDICATE
from kg.explore.subgraph import Subgraph
from kg.graph.prefixes import compact

__all__ = ["cooccurrence", "paper_entity_graph", "paper_projection", "to_networkx"]


def _attributes(sub: Subgraph, iri: str) -> dict[str, object]:
    node = sub.nodes[iri]
    attributes: dict[str, object] = {"kind": node.kind, "label": node.label, "short": node.short}
    if node.week:
        attributes["week"] = node.week.isoformat()
    if node.arxiv:
        attributes["arxiv"] = node.arxiv
    if node.papers is not None:
        attributes["papers"] = node.papers
    return attributes


def to_networkx(sub: Subgraph) -> nx.MultiDiGraph:
    """Every node (``kind``, ``label``, ``short``, ``week``, ``arxiv``, ``papers``) and every
    link, keyed by its compact predicate, with ``predicate`` (the IRI) and ``label``."""
    graph = nx.MultiDiGraph()
    for iri in sorted(sub.nodes):
        graph.add_node(iri, **_attributes(sub, iri))
    for source, predicate, target in sub.edges:
        link = LINK_BY_PREDICATE.get(predicate)
        graph.add_edge(
            source,
            target,
            key=compact(predicate),
            predicate=predicate,
            label=link.label if link else compact(predicate).split(":", 1)[-1],
        )
    return graph


def paper_entity_graph(sub: Subgraph, kinds: Iterable[str]) -> nx.Graph:
    """Papers (``bipartite=0``) and their entities of `kinds` (``bipartite=1``); an edge per
    linked pair, with the compact ``predicates`` that link them."""
    wanted = set(kinds)
    graph = nx.Graph()
    for source, predicate, target in sub.edges:
        link = LINK_BY_PREDICATE.get(predicate)
        if link is None or sub.nodes[target].kind not in wanted:
            continue
        for iri, side in ((source, 0), (target, 1)):
            if iri not in graph:
                graph.add_node(iri, bipartite=side, **_attributes(sub, iri))
        known = graph.edges[source, target]["predicates"] if graph.has_edge(source, target) else ()
        graph.add_edge(source, target, predicates=tuple(sorted({*known, compact(predicate)})))
    return graph


def _entities_of(sub: Subgraph, kinds: set[str]) -> dict[str, set[str]]:
    entities: dict[str, set[str]] = defaultdict(set)
    for source, predicate, target in sub.edges:
        if predicate in LINK_BY_PREDICATE and sub.nodes[target].kind in kinds:
            entities[source].add(target)
    return entities


def cooccurrence(
    sub: Subgraph, kinds: Sequence[str], among: Iterable[str] | None = None
) -> nx.Graph:
    """Entities of `kinds` (or only those in `among`) linked by the number of papers linking
    both (edge ``weight``); nodes carry their attributes."""
    entities = _entities_of(sub, set(kinds))
    allowed = set(among) if among is not None else None
    weights: Counter[tuple[str, str]] = Counter()
    for linked in entities.values():
        chosen = sorted(e for e in linked if allowed is None or e in allowed)
        for pair in combinations(chosen, 2):
            weights[pair] += 1
    graph = nx.Graph()
    nodes = allowed if allowed is not None else {e for v in entities.values() for e in v}
    for iri in sorted(nodes):
        graph.add_node(iri, **_attributes(sub, iri))
    for (a, b), weight in sorted(weights.items()):
        graph.add_edge(a, b, weight=weight)
    return graph


def paper_projection(sub: Subgraph, kinds: Sequence[str] = ("benchmark",)) -> nx.Graph:
    """Papers linked by the entities of `kinds` they share: ``weight`` is how many, ``shared``
    lists them (compact IRIs)."""
    shared: dict[tuple[str, str], list[str]] = defaultdict(list)
    papers_of: dict[str, set[str]] = defaultdict(set)
    for paper, linked in _entities_of(sub, set(kinds)).items():
        for entity in linked:
            papers_of[entity].add(paper)
    graph = nx.Graph()
    for entity in sorted(papers_of):
        for a, b in combinations(sorted(papers_of[entity]), 2):
            shared[a, b].append(compact(entity))
    for iri in sorted({p for ps in papers_of.values() for p in ps}):
        graph.add_node(iri, **_attributes(sub, iri))
    for (a, b), entities in sorted(shared.items()):
        graph.add_edge(a, b, weight=len(entities), shared=" ".join(entities))
    return graph
