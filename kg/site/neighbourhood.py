"""A node's neighbourhood as SVG geometry: the node in the middle, what it links to on a ring
around it, and (for a paper) its related papers on an outer ring joined to what they share.

Positions come from networkx's shell layout; labels sit outside the rings, and a label that
would overlap one already placed is left out (the node keeps its tooltip), so none overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from kg.explore.records import Node

__all__ = ["Neighbourhood", "PlacedEdge", "PlacedNode", "neighbourhood"]

WIDTH = 760
HEIGHT = 520
_CHAR = 6.4
_LINE = 14.0
_LABEL_CHARS = 34


@dataclass(frozen=True, slots=True)
class PlacedNode:
    """A node of the drawing: its place, size, and its label's place (None: not drawn)."""

    node: Node
    x: float
    y: float
    r: float
    centre: bool
    label_x: float | None = None
    label_y: float | None = None
    anchor: str = "start"

    caption: str = ""


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    """A line between two placed nodes, as wide as it weighs."""

    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The drawing."""

    width: int
    height: int
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]


def _box(x: float, y: float, text: str, anchor: str) -> tuple[float, float, float, float]:
    width = len(text) * _CHAR
    left = {"start": x, "end": x - width, "middle": x - width / 2}[anchor]
    return (left, y - _LINE / 2, left + width, y + _LINE / 2)


def _fit(text: str, chars: int) -> str:
    """`text` shortened to `chars` characters (an ellipsis marks the cut)."""
    text = " ".join(text.split())
    if len(text) <= chars:
        return text
    return text[: max(chars - 1, 1)].rstrip() + "…"


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def neighbourhood(
    centre: Node,
    inner: Sequence[tuple[Node, float, str]],
    outer: Sequence[tuple[Node, Sequence[str], str]] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Neighbourhood:
    """The drawing of `centre` with `inner` (node, weight, edge title) around it and `outer`
    nodes (node, IRIs of the inner nodes it joins, edge title) beyond."""
    graph = nx.Graph()
    graph.add_node(centre.iri)
    shells = [[centre.iri], [n.iri for n, _, _ in inner]]
    if outer:
        shells.append([n.iri for n, _, _ in outer])
    for shell in shells[1:]:
        graph.add_nodes_from(shell)
    positions = nx.shell_layout(graph, nlist=[s for s in shells if s], rotate=-math.pi / 2)
    nodes = {
        centre.iri: centre,
        **{n.iri: n for n, _, _ in inner},
        **{n.iri: n for n, _, _ in outer},
    }
    ring_x = width / 2 - 170.0
    ring_y = height / 2 - 36.0
    furthest = max((math.hypot(float(p[0]), float(p[1])) for p in positions.values()), default=0)
    furthest = furthest or 1.0

    def at(iri: str) -> tuple[float, float]:
        x, y = positions[iri]
        return (
            round(width / 2 + float(x) / furthest * ring_x, 1),
            round(height / 2 + float(y) / furthest * ring_y, 1),
        )

    heaviest = max((w for _, w, _ in inner), default=1.0) or 1.0
    edges = [
        PlacedEdge(*at(centre.iri), *at(n.iri), round(1 + 3 * w / heaviest, 2), title)
        for n, w, title in inner
    ]
    for node, joined, title in outer:
        for other in joined:
            if other in nodes:
                edges.append(PlacedEdge(*at(other), *at(node.iri), 1.0, title))
    order = [centre.iri, *(n.iri for n, _, _ in inner), *(n.iri for n, _, _ in outer)]
    placed_boxes: list[tuple[float, float, float, float]] = []
    placed: list[PlacedNode] = []
    for iri in order:
        x, y = at(iri)
        is_centre = iri == centre.iri
        r = 12.0 if is_centre else (7.0 if not nodes[iri].is_paper else 5.5)
        draft = PlacedNode(nodes[iri], x, y, r, is_centre)
        anchor = "start" if x >= width / 2 - 1 or is_centre else "end"
        label_x = x + r + 4 if anchor == "start" else x - r - 4
        label_y = y + (r + 10 if is_centre else 0)
        if is_centre:
            anchor, label_x = "middle", x
        room = {"start": width - label_x, "end": label_x, "middle": width}[anchor]
        text = _fit(nodes[iri].label, min(_LABEL_CHARS, int(room / _CHAR) - 1))
        box = _box(label_x, label_y, text, anchor)
        inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
        if inside and not any(_overlap(box, other) for other in placed_boxes):
            placed_boxes.append(box)
            placed.append(
                PlacedNode(nodes[iri], x, y, r, is_centre, label_x, label_y, anchor, text)
            )
        else:
            placed.append(draft)
    return Neighbourhood(width, height, tuple(placed), tuple(edges))
