"""The interactive graph view: store -> networkx graph -> pyvis network -> one offline HTML page.

The page carries everything it needs: vis-network's script and stylesheet are inlined from the
copy shipped inside the pyvis package, and the graph data travels as JSON in a non-executed
``<script type="application/json">`` block with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so
titles taken from digests render as text whatever they contain. Tooltips are plain text (vis-network
shows a string title with ``innerText``), and the page forbids every remote load in its
Content-Security-Policy.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import networkx as nx
import pyoxigraph as ox
from pyvis.network import Network

from kg.errors import KgError
from kg.graph.prefixes import PREFIXES, compact
from kg.query import run_query

__all__ = [
    "EDGE_LABELS",
    "LINK_PREDICATES",
    "NODE_STYLES",
    "NODE_TYPES",
    "AmbiguousPaperError",
    "NodeStyle",
    "UnknownPaperError",
    "UnknownTopicError",
    "ViewError",
    "graph_from_store",
    "node_size",
    "remote_references",
    "render_html",
    "script_json",
    "to_pyvis",
    "tooltip_text",
]

_MLKG = PREFIXES["mlkg"]
_SCHEMA = PREFIXES["schema"]
_DCTERMS = PREFIXES["dcterms"]
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_RDF_TYPE = PREFIXES["rdf"] + "type"

NODE_TYPES: tuple[str, ...] = (
    "paper",
    "article",
    "topic",
    "model",
    "benchmark",
    "organisation",
    "person",
    "digest",
)
"""Every node type of the view, in legend order."""


@dataclass(frozen=True, slots=True)
class NodeStyle:
    """How one node type is drawn: a vis-network shape and a fill colour."""

    shape: str
    color: str


NODE_STYLES: dict[str, NodeStyle] = {
    "paper": NodeStyle("dot", "#4e79a7"),
    "article": NodeStyle("dot", "#76b7b2"),
    "topic": NodeStyle("diamond", "#f28e2b"),
    "model": NodeStyle("triangle", "#e15759"),
    "benchmark": NodeStyle("square", "#59a14f"),
    "organisation": NodeStyle("star", "#b07aa1"),
    "person": NodeStyle("triangleDown", "#9c755f"),
    "digest": NodeStyle("hexagon", "#bab0ac"),
}
"""Shape and colour per node type; a type not listed here is drawn as ``_OTHER``."""

_OTHER = NodeStyle("dot", "#999999")

LINK_PREDICATES: dict[str, str] = {
    _SCHEMA + "author": "person",
    _MLKG + "featuredIn": "digest",
    _DCTERMS + "subject": "topic",
    _MLKG + "proposes": "model",
    _MLKG + "compares": "model",
    _MLKG + "uses": "model",
    _MLKG + "introduces": "benchmark",
    _MLKG + "evaluatesOn": "benchmark",
    _SCHEMA + "sourceOrganization": "organisation",
}
"""Predicates from a paper to another node, with the type their object has when it has no class."""

_ENTITY_PREDICATES = ("proposes", "compares", "uses", "introduces", "evaluatesOn")
_DEVELOPED_BY = _MLKG + "developedBy"
_RANGES = {**LINK_PREDICATES, _DEVELOPED_BY: "organisation"}

EDGE_LABELS: dict[str, str] = {
    _SCHEMA + "author": "author",
    _MLKG + "featuredIn": "featured in",
    _DCTERMS + "subject": "subject",
    _MLKG + "proposes": "proposes",
    _MLKG + "compares": "compares",
    _MLKG + "uses": "uses",
    _MLKG + "introduces": "introduces",
    _MLKG + "evaluatesOn": "evaluates on",
    _SCHEMA + "sourceOrganization": "source organisation",
    _DEVELOPED_BY: "developed by",
}
"""A short human label for each predicate the view draws."""

# Classes that decide a node's type, strongest first (a node with several takes the first).
_CLASS_TYPES: tuple[tuple[str, str], ...] = (
    (_MLKG + "Paper", "paper"),
    (_MLKG + "Article", "article"),
    (_MLKG + "Digest", "digest"),
    (_MLKG + "Topic", "topic"),
    (_MLKG + "Model", "model"),
    (_MLKG + "Benchmark", "benchmark"),
    (_MLKG + "Organisation", "organisation"),
    (_SCHEMA + "Person", "person"),
    (_SKOS + "Concept", "topic"),
    (_SCHEMA + "Organization", "organisation"),
)

# Label sources, best first: (predicate, language tag), "" for no tag and None for any tag.
_LABEL_ORDER: tuple[tuple[str, str | None], ...] = (
    (_RDFS + "label", "en"),
    (_SKOS + "prefLabel", "en"),
    (_RDFS + "label", ""),
    (_SKOS + "prefLabel", ""),
    (_RDFS + "label", None),
    (_SKOS + "prefLabel", None),
    (_SCHEMA + "name", None),
    (_DCTERMS + "title", "en"),
    (_DCTERMS + "title", None),
)
_TITLE_ORDER: tuple[tuple[str, str | None], ...] = (
    (_DCTERMS + "title", "en"),
    (_DCTERMS + "title", ""),
    *_LABEL_ORDER,
)
_LINK_ORDER = (_SCHEMA + "url", _MLKG + "tweet", _SCHEMA + "codeRepository")
_ATTRIBUTES = (
    _RDF_TYPE,
    _RDFS + "label",
    _SKOS + "prefLabel",
    _SCHEMA + "name",
    _DCTERMS + "title",
    _MLKG + "week",
    _MLKG + "weekStart",
    _MLKG + "arxivId",
    *_LINK_ORDER,
)
_CHUNK = 400
_LABEL_LIMIT = 40
_ARXIV = re.compile(r"^(?:arxiv:\s*)?(\d{4}\.\d{4,5})(?:v\d+)?$", re.I)
_WEB = re.compile(r"^https?://", re.I)


class ViewError(KgError):
    """A view that cannot be drawn: a bad --topic, --paper or --hops, or an unwritable file."""


class UnknownTopicError(ViewError):
    """A --topic that names no topic linked from a paper."""


class UnknownPaperError(ViewError):
    """A --paper that matches no paper."""


class AmbiguousPaperError(ViewError):
    """A --paper whose title words match more than one paper."""


# ---------------------------------------------------------------------------------- the graph


def _papers_clause() -> str:
    return "VALUES ?class { mlkg:Paper mlkg:Article } ?paper a ?class ."


def _iri_values(iris: Iterable[str]) -> str:
    return " ".join(str(ox.NamedNode(iri)) for iri in iris)


def _rows(store: ox.Store, sparql: str) -> Iterator[list[Any]]:
    yield from run_query(store, sparql).rows


def _edges(store: ox.Store) -> list[tuple[str, str, str]]:
    """Distinct (subject, predicate, object) IRIs of every edge the view draws."""
    links = _iri_values(LINK_PREDICATES)
    entity_links = " ".join(f"mlkg:{name}" for name in _ENTITY_PREDICATES)
    from_papers = f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
            {_papers_clause()}
            VALUES ?p {{ {links} }}
            ?paper ?p ?o .
            BIND(?paper AS ?s)
            FILTER(isIRI(?paper) && isIRI(?o))
        }}"""
    developers = f"""
        SELECT DISTINCT ?s ?p ?o WHERE {{
            {_papers_clause()}
            VALUES ?link {{ {entity_links} }}
            ?paper ?link ?s .
            BIND(mlkg:developedBy AS ?p)
            ?s mlkg:developedBy ?o .
            FILTER(isIRI(?s) && isIRI(?o))
        }}"""
    found: set[tuple[str, str, str]] = set()
    for query in (from_papers, developers):
        for s, p, o in _rows(store, query):
            found.add((s.value, p.value, o.value))
    return sorted(found)


def _paper_iris(store: ox.Store) -> list[str]:
    query = f"SELECT DISTINCT ?paper WHERE {{ {_papers_clause()} FILTER(isIRI(?paper)) }}"
    return sorted(row[0].value for row in _rows(store, query))


def _attributes(store: ox.Store, iris: list[str]) -> dict[str, dict[str, list[Any]]]:
    """The literal and IRI values of the view's attribute predicates, per node."""
    found: dict[str, dict[str, list[Any]]] = {iri: {} for iri in iris}
    predicates = _iri_values(_ATTRIBUTES)
    for start in range(0, len(iris), _CHUNK):
        query = f"""
            SELECT DISTINCT ?n ?p ?o WHERE {{
                VALUES ?n {{ {_iri_values(iris[start : start + _CHUNK])} }}
                VALUES ?p {{ {predicates} }}
                ?n ?p ?o .
            }}"""
        for n, p, o in _rows(store, query):
            found[n.value].setdefault(p.value, []).append(o)
    return found


def _pick(values: Mapping[str, list[Any]], order: Iterable[tuple[str, str | None]]) -> str | None:
    for predicate, language in order:
        texts = sorted(
            term.value
            for term in values.get(predicate, [])
            if isinstance(term, ox.Literal)
            and (language is None or (term.language or "") == language)
            and term.value.strip()
        )
        if texts:
            return texts[0].strip()
    return None


def _node_type(values: Mapping[str, list[Any]], reached_as: str | None) -> str:
    classes = {term.value for term in values.get(_RDF_TYPE, []) if isinstance(term, ox.NamedNode)}
    for cls, kind in _CLASS_TYPES:
        if cls in classes:
            return kind
    return reached_as or "other"


def _links(values: Mapping[str, list[Any]]) -> list[str]:
    links: list[str] = []
    for predicate in _LINK_ORDER:
        for term in sorted(values.get(predicate, []), key=lambda t: t.value):
            if _WEB.match(term.value) and term.value not in links:
                links.append(term.value)
    return links


def _node_attributes(
    iri: str, values: Mapping[str, list[Any]], reached_as: str | None
) -> dict[str, Any]:
    kind = _node_type(values, reached_as)
    label = _pick(values, _LABEL_ORDER) or compact(iri)
    weeks = sorted(
        term.value
        for key in (_MLKG + "week", _MLKG + "weekStart")
        for term in values.get(key, [])
        if isinstance(term, ox.Literal)
    )
    arxiv = sorted(t.value for t in values.get(_MLKG + "arxivId", []) if isinstance(t, ox.Literal))
    links = _links(values)
    urls = [t.value for t in values.get(_SCHEMA + "url", []) if _WEB.match(t.value)]
    return {
        "type": kind,
        "label": label,
        "title": _pick(values, _TITLE_ORDER) or label,
        "week": weeks[0] if weeks else None,
        "arxiv": arxiv[0] if arxiv else None,
        "url": sorted(urls)[0] if urls else None,
        "links": links,
    }


def _full_graph(store: ox.Store) -> nx.MultiDiGraph:
    edges = _edges(store)
    reached_as: dict[str, str] = {}
    for _, predicate, obj in edges:
        reached_as.setdefault(obj, _RANGES[predicate])
    iris = sorted(set(_paper_iris(store)) | {s for s, _, _ in edges} | set(reached_as))
    values = _attributes(store, iris)
    graph = nx.MultiDiGraph()
    for iri in iris:
        graph.add_node(iri, **_node_attributes(iri, values[iri], reached_as.get(iri)))
    for subject, predicate, obj in edges:
        graph.add_edge(
            subject,
            obj,
            key=compact(predicate),
            predicate=predicate,
            label=EDGE_LABELS.get(predicate, compact(predicate)),
        )
    return graph


def _known(names: Iterable[str], limit: int = 8) -> str:
    names = sorted(names)
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _resolve_topic(graph: nx.MultiDiGraph, topic: str) -> str:
    wanted = topic.strip()
    folded = wanted.casefold()
    topics = [n for n, data in graph.nodes(data=True) if data["type"] == "topic"]
    for node in topics:
        if wanted in (node, compact(node), node.rsplit("/", 1)[-1]):
            return node
    by_label = [n for n in topics if graph.nodes[n]["label"].casefold() == folded]
    if len(by_label) == 1:
        return by_label[0]
    raise UnknownTopicError(
        f"unknown topic {topic!r}: no paper in the store has it; known: "
        + _known(compact(n) for n in topics)
    )


def _resolve_paper(graph: nx.MultiDiGraph, paper: str) -> str:
    wanted = paper.strip()
    papers = {n: d for n, d in graph.nodes(data=True) if d["type"] in ("paper", "article")}
    for node in papers:
        if wanted in (node, compact(node)):
            return node
    arxiv = _ARXIV.match(wanted)
    if arxiv:
        for node, data in papers.items():
            if arxiv[1] in (data["arxiv"], node.rsplit("/", 1)[-1]):
                return node
    folded = wanted.casefold()
    exact = [
        n for n, d in papers.items() if folded in {d["title"].casefold(), d["label"].casefold()}
    ]
    if len(exact) == 1:
        return exact[0]
    words = re.findall(r"\w+", folded)
    matches = sorted(
        n
        for n, d in papers.items()
        if words and all(w in f"{d['title']} {d['label']}".casefold() for w in words)
    )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise UnknownPaperError(
            f"no paper matches {paper!r}; give an arXiv id, an IRI such as "
            f"paper:2404.14219, or words of its title"
        )
    listed = "; ".join(f"{compact(n)} ({papers[n]['title']})" for n in matches[:5])
    more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
    raise AmbiguousPaperError(f"{paper!r} matches {len(matches)} papers: {listed}{more}")


def graph_from_store(
    store: ox.Store,
    *,
    topic: str | None = None,
    paper: str | None = None,
    hops: int = 1,
) -> nx.MultiDiGraph:
    """The view's graph: papers and the nodes they link to, keyed by IRI.

    Nodes carry ``type`` (one of NODE_TYPES), ``label``, ``title``, ``week``, ``arxiv``, ``url``,
    ``links`` (web links: url, tweets, code) and ``degree``. Edges are keyed by the compact
    predicate and carry ``predicate`` (the IRI) and ``label``. With ``topic`` (an IRI, a compact
    or bare id, or a label) or ``paper`` (an arXiv id, an IRI, or title words) the graph is cut to
    the nodes within ``hops`` links of that node, edges followed in either direction; with both,
    to the union of the two neighbourhoods.
    """
    if hops < 0:
        raise ViewError(f"--hops must be 0 or more, not {hops}")
    graph = _full_graph(store)
    centres: list[str] = []
    if topic is not None:
        centres.append(_resolve_topic(graph, topic))
    if paper is not None:
        centres.append(_resolve_paper(graph, paper))
    if centres:
        undirected = graph.to_undirected(as_view=True)
        keep: set[str] = set()
        for centre in centres:
            keep.update(nx.single_source_shortest_path_length(undirected, centre, cutoff=hops))
        graph = graph.subgraph(keep).copy()
    for node in graph.nodes:
        graph.nodes[node]["degree"] = graph.degree(node)
        graph.nodes[node]["centre"] = node in centres
    graph.graph.update(topic=topic, paper=paper, hops=hops, centres=centres)
    return graph


# ---------------------------------------------------------------------------------- pyvis


def node_size(degree: int) -> float:
    """A node's drawn size: grows with the square root of its degree, from 10 up to 50."""
    return round(min(50.0, 10.0 + 4.0 * math.sqrt(max(degree, 0))), 2)


def _short(text: str, limit: int = _LABEL_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def tooltip_text(data: Mapping[str, Any]) -> str:
    """The plain-text tooltip of a node: its title, type, week, arXiv id and links, one a line."""
    facts = [str(data.get("type", "node"))]
    if data.get("week"):
        facts.append(f"week {data['week']}")
    if data.get("arxiv"):
        facts.append(f"arXiv {data['arxiv']}")
    facts.append(f"{data.get('degree', 0)} links")
    lines = [str(data.get("title") or data.get("label") or ""), " · ".join(facts)]
    lines.extend(str(link) for link in data.get("links", [])[:6])
    return "\n".join(lines)


def _options(nodes: int, edges: int) -> dict[str, Any]:
    # Larger graphs get fewer iterations and a coarser Barnes-Hut approximation (theta), so
    # about 2,000 nodes still settle within a few seconds.
    iterations, theta = (400, 0.5) if nodes <= 300 else (250, 0.8) if nodes <= 1000 else (150, 1.0)
    return {
        "autoResize": True,
        "nodes": {"borderWidth": 1, "font": {"size": 12, "face": "sans-serif"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "color": {"color": "#b8b8b8", "highlight": "#555555", "hover": "#777777"},
            "smooth": {"enabled": edges <= 2000, "type": "continuous"},
            "width": 0.8,
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": nodes > 500},
        "layout": {"improvedLayout": nodes <= 150, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -45,
                "centralGravity": 0.01,
                "springLength": 90,
                "springConstant": 0.08,
                "damping": 0.5,
                "avoidOverlap": 0,
                "theta": theta,
            },
            "maxVelocity": 60,
            "minVelocity": 1,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": iterations,
                "updateInterval": 25,
                "fit": True,
            },
        },
    }


def to_pyvis(graph: nx.MultiDiGraph) -> Network:
    """A pyvis network of the view's graph: colour and shape per type, size by degree.

    Node ``title`` is plain text (vis-network shows it with ``innerText``); the full label, type,
    week and links travel as ``kgLabel``, ``kgType``, ``kgWeek`` and ``kgLinks`` for the page's
    filter and details panel. Physics runs a bounded stabilisation; the page turns it off once
    ``stabilizationIterationsDone`` fires.
    """
    network = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node, data in sorted(graph.nodes(data=True), key=lambda item: item[0]):
        style = NODE_STYLES.get(data.get("type", ""), _OTHER)
        degree = int(data.get("degree", graph.degree(node)))
        label = str(data.get("label") or node)
        network.add_node(
            node,
            label=_short(label),
            shape=style.shape,
            color=style.color,
            size=node_size(degree),
            title=tooltip_text({**data, "degree": degree}),
            borderWidth=3 if data.get("centre") else 1,
            kgType=str(data.get("type", "other")),
            kgLabel=label,
            kgWeek=data.get("week"),
            kgLinks=[link for link in data.get("links", []) if _WEB.match(link)],
        )
    ordered = sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
    for index, (source, target, key, data) in enumerate(ordered):
        network.add_edge(
            source,
            target,
            id=f"e{index}",
            title=str(data.get("label", key)),
            kgPredicate=str(key),
        )
    network.set_options(json.dumps(_options(len(network.nodes), len(network.edges))))
    return network


# ---------------------------------------------------------------------------------- the page

_SCRIPT_JSON = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)
_REMOTE = re.compile(r"^\s*(?:https?:)?//", re.I)
_CSS_REMOTE = re.compile(
    r"(?:url\(\s*['\"]?|@import\s+(?:url\(\s*)?['\"]?)\s*(?:https?:)?//[^\s'\")]*", re.I
)
_URL_ATTRIBUTES = frozenset(
    {"src", "href", "srcset", "action", "formaction", "poster", "data", "background", "xlink:href"}
)


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or raw U+2028."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(_SCRIPT_JSON)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        for name, value in attrs:
            if name in _URL_ATTRIBUTES and value and _REMOTE.match(value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "style" and value and _CSS_REMOTE.search(value):
                self.found.append(f"<{tag} style={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found.extend(m.group(0) for m in _CSS_REMOTE.finditer(data))


def remote_references(page: str) -> list[str]:
    """Every remote resource an HTML page would load: http(s) or protocol-relative
    src/href-like attributes, and remote ``url()`` or ``@import`` in its styles."""
    parser = _References()
    parser.feed(page)
    parser.close()
    return parser.found


def _vis_asset(name: str) -> str:
    root = resources.files("pyvis")
    for folder in (("templates", "lib", "vis-9.1.2"), ("lib", "vis-9.1.2")):
        asset = root.joinpath(*folder, name)
        if asset.is_file():
            return asset.read_text(encoding="utf-8")
    raise ViewError(f"vis-network's {name} is missing from the installed pyvis package")


def _inline(text: str, element: str) -> str:
    """Text safe to place inside a raw-text element (it cannot close the element early)."""
    return re.sub(rf"</(?={element}\b)", r"<\\/", text, flags=re.I)


_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)

_PAGE_CSS = """
html, body { margin: 0; height: 100%; font-family: sans-serif; font-size: 14px; }
body { display: flex; flex-direction: column; }
#kg-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px;
  padding: 6px 10px; border-bottom: 1px solid #ddd; background: #fafafa; }
#kg-bar h1 { font-size: 16px; margin: 0; }
#kg-types { display: flex; flex-wrap: wrap; gap: 2px 10px; border: 0; margin: 0; padding: 0; }
#kg-types label { white-space: nowrap; cursor: pointer; }
.kg-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
  margin: 0 3px 0 1px; vertical-align: middle; }
#kg-topic { max-width: 22em; }
#kg-status { color: #555; }
#kg-main { flex: 1; display: flex; min-height: 0; }
#kg-network { flex: 1; min-width: 0; }
#kg-details { width: 300px; overflow: auto; padding: 8px 12px; border-left: 1px solid #ddd; }
#kg-details h2 { font-size: 15px; overflow-wrap: anywhere; }
#kg-details a { overflow-wrap: anywhere; }
div.vis-tooltip { white-space: pre-line; max-width: 32em; overflow-wrap: anywhere; }
"""

_PAGE_JS = r"""
(function () {
  "use strict";
  var payload = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new vis.DataSet(payload.nodes);
  var edges = new vis.DataSet(payload.edges);
  var status = document.getElementById("kg-status");
  var details = document.getElementById("kg-details");
  var view = {
    nodes: nodes.length,
    edges: edges.length,
    shown: { nodes: nodes.length, edges: edges.length },
    stabilized: false,
    stabilizationMs: null,
    physics: true
  };
  window.kgView = view;
  document.getElementById("kg-heading").textContent = payload.heading;

  var started = performance.now();
  var network = new vis.Network(
    document.getElementById("kg-network"), { nodes: nodes, edges: edges }, payload.options
  );
  window.network = network;

  function showCounts() {
    status.textContent = view.shown.nodes + " of " + view.nodes + " nodes, " +
      view.shown.edges + " of " + view.edges + " edges" + (view.physics ? " (laying out)" : "");
  }
  function stopPhysics() {
    if (view.stabilized) { return; }
    network.setOptions({ physics: { enabled: false } });
    view.physics = false;
    view.stabilized = true;
    view.stabilizationMs = Math.round(performance.now() - started);
    showCounts();
  }
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", stopPhysics);
  var physics = payload.options.physics;
  if (nodes.length === 0 || physics === false || (physics && physics.enabled === false)) {
    stopPhysics();
  }

  var neighbours = {};
  edges.forEach(function (e) {
    (neighbours[e.from] = neighbours[e.from] || []).push(e.to);
    (neighbours[e.to] = neighbours[e.to] || []).push(e.from);
  });
  function around(id, hops) {
    var keep = new Set([id]);
    var frontier = [id];
    for (var hop = 0; hop < hops; hop++) {
      var next = [];
      frontier.forEach(function (n) {
        (neighbours[n] || []).forEach(function (m) {
          if (!keep.has(m)) { keep.add(m); next.push(m); }
        });
      });
      frontier = next;
    }
    return keep;
  }

  var typeBoxes = [];
  var topicSelect = document.getElementById("kg-topic");
  function applyFilter() {
    var types = new Set();
    typeBoxes.forEach(function (box) { if (box.checked) { types.add(box.value); } });
    var keep = topicSelect.value ? around(topicSelect.value, 2) : null;
    var visible = new Set();
    var nodeChanges = [];
    nodes.forEach(function (n) {
      var show = types.has(n.kgType || "other") && (keep === null || keep.has(n.id));
      if (show) { visible.add(n.id); }
      if (Boolean(n.hidden) === show) { nodeChanges.push({ id: n.id, hidden: !show }); }
    });
    var shownEdges = 0;
    var edgeChanges = [];
    edges.forEach(function (e) {
      var show = visible.has(e.from) && visible.has(e.to);
      if (show) { shownEdges += 1; }
      if (Boolean(e.hidden) === show) { edgeChanges.push({ id: e.id, hidden: !show }); }
    });
    nodes.update(nodeChanges);
    edges.update(edgeChanges);
    view.shown = { nodes: visible.size, edges: shownEdges };
    showCounts();
  }
  view.applyFilter = applyFilter;

  var counts = {};
  nodes.forEach(function (n) {
    var type = n.kgType || "other";
    counts[type] = (counts[type] || 0) + 1;
  });
  var legend = document.getElementById("kg-types");
  payload.types.concat(Object.keys(counts).filter(function (t) {
    return payload.types.indexOf(t) < 0;
  })).forEach(function (type) {
    if (!counts[type]) { return; }
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = type;
    box.dataset.type = type;
    box.addEventListener("change", applyFilter);
    var swatch = document.createElement("span");
    swatch.className = "kg-swatch";
    swatch.style.background = (payload.styles[type] || payload.styles.other).color;
    label.appendChild(box);
    label.appendChild(swatch);
    label.appendChild(document.createTextNode(type + " (" + counts[type] + ")"));
    legend.appendChild(label);
    typeBoxes.push(box);
  });
  nodes.get({ filter: function (n) { return n.kgType === "topic"; } })
    .sort(function (a, b) { return String(a.kgLabel).localeCompare(String(b.kgLabel)); })
    .forEach(function (n) {
      var option = document.createElement("option");
      option.value = n.id;
      option.textContent = n.kgLabel || n.label;
      topicSelect.appendChild(option);
    });
  topicSelect.addEventListener("change", applyFilter);

  function showDetails(id) {
    var n = nodes.get(id);
    details.replaceChildren();
    if (!n) { details.hidden = true; return; }
    var heading = document.createElement("h2");
    heading.textContent = n.kgLabel || n.label;
    var facts = document.createElement("p");
    facts.textContent = (n.kgType || "node") + (n.kgWeek ? ", week " + n.kgWeek : "");
    var list = document.createElement("ul");
    (n.kgLinks || []).forEach(function (url) {
      if (!/^https?:\/\//i.test(url)) { return; }
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      item.appendChild(link);
      list.appendChild(item);
    });
    var id_line = document.createElement("p");
    id_line.textContent = n.id;
    details.append(heading, facts, list, id_line);
    details.hidden = false;
  }
  network.on("click", function (params) {
    if (params.nodes.length) { showDetails(params.nodes[0]); } else { details.hidden = true; }
  });
  view.showDetails = showDetails;
  showCounts();
})();
"""


def render_html(network: Network) -> str:
    """One self-contained HTML page drawing `network`, loading nothing from anywhere.

    vis-network's script and stylesheet are inlined from the pyvis package; the nodes, edges and
    options go in as escaped JSON. The page exposes ``window.network`` (the vis Network) and
    ``window.kgView`` (node and edge counts, what the filter shows, and whether the layout has
    stabilised), and offers a checkbox per node type and a topic select that hide nodes and edges
    through the vis DataSets.
    """
    nodes, edges, heading, _, _, options = network.get_network_data()
    payload = {
        "heading": str(heading or "kg graph view"),
        "nodes": list(nodes),
        "edges": list(edges),
        "options": json.loads(options) if isinstance(options, str) else options,
        "types": list(NODE_TYPES),
        "styles": {
            **{kind: {"color": s.color, "shape": s.shape} for kind, s in NODE_STYLES.items()},
            "other": {"color": _OTHER.color, "shape": _OTHER.shape},
        },
    }
    title = html.escape(str(heading or "kg graph view"))
    page = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{title}</title>",
            f"<style>{_inline(_vis_asset('vis-network.css'), 'style')}</style>",
            f"<style>{_PAGE_CSS}</style>",
            "</head>",
            "<body>",
            '<header id="kg-bar">',
            '<h1 id="kg-heading"></h1>',
            '<fieldset id="kg-types"><legend hidden>Node types</legend></fieldset>',
            '<label>Topic <select id="kg-topic"><option value="">all topics</option></select>'
            "</label>",
            '<span id="kg-status" role="status"></span>',
            "</header>",
            '<div id="kg-main"><div id="kg-network"></div>'
            '<aside id="kg-details" hidden></aside></div>',
            f'<script type="application/json" id="kg-data">{script_json(payload)}</script>',
            f"<script>{_inline(_vis_asset('vis-network.min.js'), 'script')}</script>",
            f"<script>{_PAGE_JS}</script>",
            "</body>",
            "</html>",
            "",
        ]
    )
    remote = remote_references(page)
    if remote:
        raise RuntimeError(f"the page would load remote resources: {', '.join(remote[:3])}")
    return page
