"""Overview layouts as pyvis networks: nodes at their precomputed positions with the colour and
shape of their kind and a plain-text tooltip, edges as wide as the papers they stand for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyvis.network import Network

from kg.explore.kinds import KINDS
from kg.explore.records import Node
from kg.view.overview import OverviewLayout

__all__ = ["OPTIONS", "to_pyvis", "tooltip"]

OPTIONS: dict[str, Any] = {
    "autoResize": True,
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 150,
        "hideEdgesOnDrag": True,
        "multiselect": False,
        "zoomSpeed": 0.6,
    },
    "nodes": {"font": {"size": 0}, "borderWidth": 1},
    "edges": {
        "smooth": False,
        "color": {"color": "#c3c9d2", "highlight": "#4a5568", "hover": "#8a94a3"},
        "width": 1,
        "selectionWidth": 1.5,
    },
}
"""vis-network options of every view: no physics (positions are computed ahead of time), no
vis-drawn labels (the page draws labels that never overlap)."""


def tooltip(node: Node) -> str:
    """A node's plain-text tooltip: its label, then kind, week, arXiv id and paper count."""
    facts = [KINDS[node.kind].title if node.kind in KINDS else node.kind]
    if node.week:
        facts.append(f"week {node.week.isoformat()}")
    if node.arxiv:
        facts.append(f"arXiv {node.arxiv}")
    if node.papers is not None and not node.is_paper:
        facts.append(f"{node.papers} paper{'' if node.papers == 1 else 's'}")
    return f"{node.label}\n{' · '.join(facts)}"


def to_pyvis(
    layout: OverviewLayout, nodes: Mapping[str, Node], index: Mapping[str, int]
) -> Network:
    """The pyvis network of an overview layout; node ids are positions in the page's node list."""
    network = Network(height="100%", width="100%", directed=False, cdn_resources="in_line")
    for placed in layout.nodes:
        node = nodes[placed.iri]
        kind = KINDS[node.kind]
        network.add_node(
            index[placed.iri],
            label=" ",
            shape=kind.shape,
            color={"background": kind.colour, "border": "#ffffff"},
            size=placed.size,
            x=placed.x,
            y=placed.y,
            title=tooltip(node),
        )
    heaviest = max((edge.papers for edge in layout.edges), default=1)
    for edge in layout.edges:
        network.add_edge(
            index[edge.source],
            index[edge.target],
            width=round(1 + 5 * edge.papers / heaviest, 2),
            title=f"{edge.papers} paper{'' if edge.papers == 1 else 's'} in common",
        )
    return network
