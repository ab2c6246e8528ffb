"""The overview a large graph opens on: topics sized by their papers and linked by the papers
they share, with the organisations, benchmarks and models that link to the most papers.

Only the strongest links are drawn (each node's few strongest), and one layout is computed
ahead of time for every combination of the optional kinds, so that hiding a kind lays the
map out again instead of leaving holes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import networkx as nx

from kg.explore.projections import cooccurrence
from kg.explore.subgraph import Subgraph
from kg.view.layout import place

__all__ = [
    "OPTIONAL_KINDS",
    "OverviewEdge",
    "OverviewLayout",
    "OverviewNode",
    "layout_key",
    "overview",
]

OPTIONAL_KINDS = ("organisation", "benchmark", "model")
"""Kinds the overview can show beside the topics, each with its top entities."""
TOP_ENTITIES = 15
STRONGEST_TOPIC_LINKS = 3
STRONGEST_ENTITY_LINKS = 2
_TOPIC_RADIUS = (10.0, 36.0)
_ENTITY_RADIUS = (7.0, 22.0)


@dataclass(frozen=True, slots=True)
class OverviewNode:
    """A node of an overview layout: where it is and how large."""

    iri: str
    x: float
    y: float
    size: float


@dataclass(frozen=True, slots=True)
class OverviewEdge:
    """Two nodes and the number of papers they share."""

    source: str
    target: str
    papers: int


@dataclass(frozen=True, slots=True)
class OverviewLayout:
    """One combination of kinds, laid out."""

    kinds: tuple[str, ...]
    nodes: tuple[OverviewNode, ...]
    edges: tuple[OverviewEdge, ...]


def layout_key(kinds: Sequence[str]) -> str:
    """The name of the layout showing `kinds`: ``topic+benchmark+organisation`` style."""
    optional = [k for k in OPTIONAL_KINDS if k in kinds]
    return "+".join(["topic", *optional])


def _chosen(sub: Subgraph) -> dict[str, list[str]]:
    """The topics with papers, and the top entities of each optional kind (two papers or more)."""
    chosen = {"topic": [n.iri for n in sub.of_kind("topic") if n.papers]}
    for kind in OPTIONAL_KINDS:
        ranked = sorted(
            (n for n in sub.of_kind(kind) if (n.papers or 0) >= 2),
            key=lambda n: (-(n.papers or 0), n.label.casefold(), n.iri),
        )
        chosen[kind] = [n.iri for n in ranked[:TOP_ENTITIES]]
    return chosen


def _backbone(full: nx.Graph, kinds: dict[str, str]) -> nx.Graph:
    """Each topic's strongest topic links and each entity's strongest topic links."""
    kept = nx.Graph()
    kept.add_nodes_from(full.nodes)
    for node in sorted(full.nodes):
        topic_side = kinds[node] == "topic"
        candidates = [
            (data["weight"], other) for other, data in full[node].items() if kinds[other] == "topic"
        ]
        limit = STRONGEST_TOPIC_LINKS if topic_side else STRONGEST_ENTITY_LINKS
        for weight, other in sorted(candidates, key=lambda c: (-c[0], c[1]))[:limit]:
            kept.add_edge(node, other, weight=weight)
    return kept


def _radius(papers: int, most: int, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return round(low + (high - low) * math.sqrt(papers / most), 1) if most else low


def overview(sub: Subgraph) -> dict[str, OverviewLayout]:
    """One layout per combination of `OPTIONAL_KINDS` shown beside the topics, by `layout_key`.

    Without topics, the entities alone make the map.
    """
    chosen = _chosen(sub)
    kinds = {iri: kind for kind, iris in chosen.items() for iri in iris}
    everything = [iri for iris in chosen.values() for iri in iris]
    full = cooccurrence(sub, ["topic", *OPTIONAL_KINDS], among=everything)
    most_topic = max((sub.nodes[i].papers or 0 for i in chosen["topic"]), default=0)
    most_entity = max(
        (sub.nodes[i].papers or 0 for k in OPTIONAL_KINDS for i in chosen[k]), default=0
    )
    radius = {
        iri: _radius(
            sub.nodes[iri].papers or 0,
            most_topic if kinds[iri] == "topic" else most_entity,
            _TOPIC_RADIUS if kinds[iri] == "topic" else _ENTITY_RADIUS,
        )
        for iri in everything
    }
    layouts = {}
    for count in range(len(OPTIONAL_KINDS) + 1):
        for optional in combinations(OPTIONAL_KINDS, count):
            shown = {"topic", *optional}
            members = [iri for iri in everything if kinds[iri] in shown]
            part = _backbone(full.subgraph(members), kinds)
            positions = place(part, radius)
            key = layout_key(list(shown))
            layouts[key] = OverviewLayout(
                kinds=tuple(k for k in ("topic", *OPTIONAL_KINDS) if k in shown),
                nodes=tuple(
                    OverviewNode(iri, *positions[iri], radius[iri]) for iri in sorted(members)
                ),
                edges=tuple(
                    OverviewEdge(a, b, int(data["weight"]))
                    for a, b, data in sorted(part.edges(data=True), key=lambda e: (e[0], e[1]))
                ),
            )
    return layouts
