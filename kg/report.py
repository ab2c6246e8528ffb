"""A report on one topic, as Markdown or as one self-contained HTML file.

The HTML needs no network: the activity chart and the neighbourhood graph are inline SVG drawn
here (graph positions from networkx's spring layout with a fixed seed), styles are inline, and
there is no script at all. Every text from the digests goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date

import networkx as nx
import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined

from kg.analysis import Named, TopicNeighbourhood, topic_neighbourhood
from kg.errors import UnknownNameError

__all__ = [
    "FORMATS",
    "Bar",
    "Chart",
    "GraphView",
    "PlacedEdge",
    "PlacedNode",
    "Report",
    "Tick",
    "iframe",
    "render_report",
    "topic_report",
]

FORMATS = ("md", "html")
LAYOUT_SEED = 7
MAX_VIEW_NODES = 90
_KIND_PRIORITY = {"topic": 0, "paper": 1, "model": 2, "benchmark": 3, "organisation": 4}
_RADIUS = {"topic": 9.0, "paper": 7.0, "model": 6.0, "benchmark": 6.0, "organisation": 6.0}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


@dataclass(frozen=True, slots=True)
class Bar:
    """One week of the activity chart, in SVG coordinates."""

    week: date
    papers: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        """The x of the bar's middle, where its labels go."""
        return self.x + self.width / 2


@dataclass(frozen=True, slots=True)
class Tick:
    """A horizontal grid line of the chart and its value."""

    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    """The activity chart: papers per week as bars."""

    width: int
    height: int
    left: float
    baseline: float
    right: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]


@dataclass(frozen=True, slots=True)
class PlacedNode:
    """A node of the neighbourhood view with its position."""

    iri: str
    label: str
    kind: str
    x: float
    y: float
    r: float
    focus: bool = False
    labelled: bool = True

    @property
    def caption(self) -> str:
        """The label, shortened to fit next to the node."""
        return self.label if len(self.label) <= 28 else self.label[:27].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class PlacedEdge:
    """An edge of the neighbourhood view."""

    x1: float
    y1: float
    x2: float
    y2: float
    predicate: str


@dataclass(frozen=True, slots=True)
class GraphView:
    """The neighbourhood graph laid out for SVG."""

    width: int
    height: int
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    hidden: int


@dataclass
class Report:
    """Everything a topic report shows."""

    title: str
    topic: Named
    neighbourhood: TopicNeighbourhood
    chart: Chart
    view: GraphView

    @property
    def active_weeks(self) -> int:
        """Weeks with at least one paper on the topic."""
        return sum(1 for week in self.neighbourhood.activity if week.papers)


def _chart(hood: TopicNeighbourhood, width: int = 640, height: int = 220) -> Chart:
    left, right, top, bottom = 40.0, 12.0, 18.0, 46.0
    weeks = hood.activity
    peak = max((w.papers for w in weeks), default=0) or 1
    plot_w = width - left - right
    plot_h = height - top - bottom
    slot = plot_w / max(len(weeks), 1)
    bar_w = max(min(slot * 0.7, 48.0), 2.0)
    baseline = top + plot_h
    bars = tuple(
        Bar(
            week=w.week,
            papers=w.papers,
            x=round(left + i * slot + (slot - bar_w) / 2, 2),
            y=round(baseline - plot_h * w.papers / peak, 2),
            width=round(bar_w, 2),
            height=round(plot_h * w.papers / peak, 2),
        )
        for i, w in enumerate(weeks)
    )
    step = max(1, -(-peak // 4))
    ticks = tuple(
        Tick(y=round(baseline - plot_h * v / peak, 2), value=v) for v in range(0, peak + 1, step)
    )
    return Chart(width, height, left, baseline, width - right, bars, ticks)


def _view_graph(graph: nx.Graph, limit: int) -> tuple[nx.Graph, int]:
    """The graph itself, or its `limit` most central nodes (focus and topics first)."""
    if graph.number_of_nodes() <= limit:
        return graph, 0
    ranked = sorted(
        graph.nodes(data=True),
        key=lambda item: (
            not item[1].get("focus", False),
            _KIND_PRIORITY.get(str(item[1].get("kind")), 9),
            -graph.degree[item[0]],
            str(item[0]),
        ),
    )
    keep = [node for node, _ in ranked[:limit]]
    return graph.subgraph(keep).copy(), graph.number_of_nodes() - limit


def _view(hood: TopicNeighbourhood, width: int = 960, height: int = 640) -> GraphView:
    graph, hidden = _view_graph(hood.graph, MAX_VIEW_NODES)
    if graph.number_of_nodes() == 0:
        return GraphView(width, height, (), (), hidden)
    spread = 2.0 / max(graph.number_of_nodes(), 1) ** 0.5
    positions = nx.spring_layout(graph, seed=LAYOUT_SEED, k=spread, iterations=100)
    crowded = graph.number_of_nodes() > 30
    xs = [float(p[0]) for p in positions.values()]
    ys = [float(p[1]) for p in positions.values()]
    margin_x, margin_y = 110.0, 30.0

    def scale(value: float, low: float, high: float, size: float, margin: float) -> float:
        span = (high - low) or 1.0
        return round(margin + (value - low) / span * (size - 2 * margin), 2)

    placed: dict[str, PlacedNode] = {}
    for node, data in graph.nodes(data=True):
        kind = str(data.get("kind", "topic"))
        focus = bool(data.get("focus", False))
        x, y = positions[node]
        placed[node] = PlacedNode(
            iri=str(node),
            label=str(data.get("label") or node),
            kind=kind,
            x=scale(float(x), min(xs), max(xs), width, margin_x),
            y=scale(float(y), min(ys), max(ys), height, margin_y),
            r=14.0 if focus else _RADIUS.get(kind, 6.0),
            focus=focus,
            labelled=not crowded or kind in ("topic", "paper") or graph.degree[node] > 1,
        )
    edges = tuple(
        PlacedEdge(
            placed[a].x, placed[a].y, placed[b].x, placed[b].y, str(data.get("predicate", ""))
        )
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
    )
    nodes = tuple(sorted(placed.values(), key=lambda n: (n.focus, n.kind == "topic", n.iri)))
    return GraphView(width, height, nodes, edges, hidden)


def topic_report(store: ox.Store, topic: str) -> Report:
    """The report on a topic given as an id (``rag``), ``topic:rag``, an IRI or its label."""
    hood = topic_neighbourhood(store, topic)
    return Report(
        title=f"Topic report: {hood.topic.label}",
        topic=hood.topic,
        neighbourhood=hood,
        chart=_chart(hood),
        view=_view(hood),
    )


def _markdown(value: object) -> str:
    """Text safe inside Markdown (and its tables): specials and HTML brackets backslashed."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def _code(value: object) -> str:
    """Text safe inside a Markdown code span in a table."""
    return " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")


def _environment(autoescape: bool) -> Environment:
    env = Environment(
        loader=PackageLoader("kg", "templates"),
        autoescape=autoescape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = _markdown
    env.filters["code"] = _code
    return env


def render_report(report: Report, fmt: str = "md") -> str:
    """The report as Markdown (``md``) or as one self-contained HTML page (``html``)."""
    if fmt not in FORMATS:
        raise UnknownNameError("report format", fmt, list(FORMATS))
    env = _environment(autoescape=fmt == "html")
    template = env.get_template(f"report.{fmt}.j2")
    return template.render(report=report, hood=report.neighbourhood)


def iframe(document: str, height: int = 720) -> str:
    """An iframe showing a whole HTML document inline (for notebooks), its styles kept apart."""
    return (
        f'<div><iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 0"></iframe></div>'
    )
