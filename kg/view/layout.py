"""Positions computed ahead of time with networkx: a weighted spring layout scaled to a canvas,
then nodes pushed apart until none overlaps another."""

from __future__ import annotations

import math
from collections.abc import Mapping

import networkx as nx

__all__ = ["HEIGHT", "SEED", "WIDTH", "Point", "place", "separate"]

SEED = 7
WIDTH = 1600.0
HEIGHT = 1000.0
_GAP = 6.0

Point = tuple[float, float]


def separate(
    positions: dict[str, Point], radius: Mapping[str, float], rounds: int = 200
) -> dict[str, Point]:
    """Push overlapping nodes apart (each circle keeps `_GAP` from the others)."""
    nodes = sorted(positions)
    pos = {n: [positions[n][0], positions[n][1]] for n in nodes}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                dx = pos[b][0] - pos[a][0]
                dy = pos[b][1] - pos[a][1]
                need = radius[a] + radius[b] + _GAP
                dist = math.hypot(dx, dy)
                if dist >= need:
                    continue
                if dist < 1e-6:
                    angle = (i * 2.399963) % (2 * math.pi)
                    dx, dy, dist = math.cos(angle), math.sin(angle), 1.0
                push = (need - dist) / 2
                ux, uy = dx / dist, dy / dist
                pos[a][0] -= ux * push
                pos[a][1] -= uy * push
                pos[b][0] += ux * push
                pos[b][1] += uy * push
                moved = True
        if not moved:
            break
    return {n: (round(p[0], 1), round(p[1], 1)) for n, p in pos.items()}


def _spring(graph: nx.Graph, seed: int) -> dict[str, Point]:
    """A spring layout of one connected graph in a box about 1 x 1 around the origin."""
    count = graph.number_of_nodes()
    if count == 1:
        return {next(iter(graph.nodes)): (0.0, 0.0)}
    raw = nx.spring_layout(
        graph, weight="weight", seed=seed, k=1.8 / math.sqrt(count), iterations=300
    )
    return {node: (float(p[0]), float(p[1])) for node, p in raw.items()}


def place(
    graph: nx.Graph,
    radius: Mapping[str, float],
    width: float = WIDTH,
    height: float = HEIGHT,
    seed: int = SEED,
) -> dict[str, Point]:
    """Canvas positions of `graph`'s nodes: the largest connected part as a spring layout on
    ``log(1 + weight)`` edge weights, scaled to about `width` x `height` around the origin; the
    smaller parts and lone nodes in rows beneath it; then nodes `separate`d."""
    if graph.number_of_nodes() == 0:
        return {}
    weighted = nx.Graph()
    weighted.add_nodes_from(sorted(graph.nodes))
    for a, b, data in sorted(graph.edges(data=True), key=lambda e: (e[0], e[1])):
        weighted.add_edge(a, b, weight=math.log1p(float(data.get("weight", 1))))
    parts = sorted(
        (sorted(part) for part in nx.connected_components(weighted)),
        key=lambda part: (-len(part), part[0]),
    )
    main = _spring(weighted.subgraph(parts[0]), seed)
    xs = [p[0] for p in main.values()]
    ys = [p[1] for p in main.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    main_width = width if len(parts[0]) > 1 else 0.0
    main_height = height if len(parts[0]) > 1 else 0.0
    placed = {
        node: (
            (p[0] - min(xs)) / span_x * main_width - main_width / 2,
            (p[1] - min(ys)) / span_y * main_height - main_height / 2,
        )
        for node, p in main.items()
    }
    cell = 2 * max(radius.values(), default=10.0) + 160.0
    per_row = max(int(width // cell), 1)
    top = main_height / 2 + cell
    slot = 0
    for part in parts[1:]:
        for node in part:
            row, column = divmod(slot, per_row)
            placed[node] = (-width / 2 + column * cell + cell / 2, top + row * cell * 0.5)
            slot += 1
    return separate(placed, radius)
