"""Nodes described in bulk: kind, label (by the one label rule), week, arXiv id, web links and
paper counts, for exactly the nodes asked about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

import pyoxigraph as ox

from kg.explore.kinds import kind_from_classes, kind_from_iri
from kg.explore.labels import best_label, local_name
from kg.explore.records import Node, WebLink
from kg.explore.sparql import Row, day, select, select_many
from kg.graph.prefixes import PREFIXES
from kg.graph.remote import Graph

__all__ = ["describe", "describe_all", "paper_counts", "web_links"]

_TYPE = PREFIXES["rdf"] + "type"
_WEEKS = (PREFIXES["mlkg"] + "week", PREFIXES["mlkg"] + "weekStart")
_ARXIV = PREFIXES["mlkg"] + "arxivId"
_ROLES = {
    PREFIXES["schema"] + "url": "paper",
    PREFIXES["schema"] + "codeRepository": "code",
    PREFIXES["mlkg"] + "tweet": "tweet",
}
_ROLE_ORDER = {"paper": 0, "code": 1, "tweet": 2}


def _assemble(
    rows: Iterable[Row],
    wanted: list[str],
    reached_as: Mapping[str, str],
    counts: Mapping[str, int],
) -> dict[str, Node]:
    """Nodes made from (node, property, value) rows by the one label rule."""
    chosen = set(wanted)
    classes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, list[tuple[str, ox.Literal]]] = defaultdict(list)
    weeks: dict[str, list[date]] = defaultdict(list)
    arxiv: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        node = row["node"].value
        if node not in chosen:
            continue
        prop, value = row["property"].value, row["value"]
        if prop == _TYPE:
            classes[node].add(value.value)
        elif prop in _WEEKS:
            if found := day(value):
                weeks[node].append(found)
        elif prop == _ARXIV:
            arxiv[node].append(value.value)
        elif isinstance(value, ox.Literal):
            names[node].append((prop, value))
    described = {}
    for node in wanted:
        kind = (
            kind_from_classes(classes.get(node, ()))
            or kind_from_iri(node)
            or reached_as.get(node)
            or "other"
        )
        described[node] = Node(
            iri=node,
            kind=kind,
            label=best_label(names.get(node, ())) or local_name(node),
            week=min(weeks[node]) if weeks.get(node) else None,
            arxiv=min(arxiv[node]) if arxiv.get(node) else None,
            papers=counts.get(node),
        )
    return described


def describe(
    graph: Graph,
    iris: Iterable[str],
    reached_as: Mapping[str, str] | None = None,
    counts: Mapping[str, int] | None = None,
) -> dict[str, Node]:
    """Each node of `iris` with its kind, label, earliest week and arXiv id.

    The kind comes from the node's classes, else from its IRI, else from `reached_as` (the kind
    of entity the link that reached it points to), else it is ``other``. `counts` fills
    `Node.papers`.
    """
    wanted = list(dict.fromkeys(iris))
    rows = select_many(graph, "describe", "node", wanted)
    return _assemble(rows, wanted, reached_as or {}, counts or {})


def describe_all(
    graph: Graph, iris: Iterable[str], reached_as: Mapping[str, str] | None = None
) -> dict[str, Node]:
    """Like `describe` for a large share of the graph, from one pass over every name; nodes
    whose kind their IRI does not tell, or that have no name, are described one by one."""
    wanted = list(dict.fromkeys(iris))
    reached_as = reached_as or {}
    nodes = _assemble(select(graph, "graph-names"), wanted, {}, {})
    again = [
        iri
        for iri, node in nodes.items()
        if kind_from_iri(iri) is None or node.label == local_name(iri)
    ]
    nodes.update(describe(graph, again, reached_as))
    return nodes


def web_links(
    graph: Graph, iris: Iterable[str], every: bool = False
) -> dict[str, tuple[WebLink, ...]]:
    """The web pages of papers (paper URL, code, tweets), http(s) only, in a stable order;
    `every` asks once for every node's and keeps those of `iris`."""
    wanted = list(dict.fromkeys(iris))
    chosen = set(wanted)
    rows = (
        select(graph, "graph-web-links")
        if every
        else select_many(graph, "web-links", "node", wanted)
    )
    found: dict[str, set[WebLink]] = defaultdict(set)
    for row in rows:
        if row["node"].value not in chosen:
            continue
        url = row["value"].value
        if url.startswith(("https://", "http://")):
            found[row["node"].value].add(WebLink(_ROLES[row["property"].value], url))
    return {
        node: tuple(sorted(links, key=lambda w: (_ROLE_ORDER[w.role], w.url)))
        for node, links in found.items()
    }


def paper_counts(graph: Graph, iris: Iterable[str]) -> dict[str, int]:
    """How many papers link to each entity (a topic's count includes its narrower topics)."""
    return {
        row["entity"].value: int(row["papers"].value)
        for row in select_many(graph, "paper-counts", "entity", iris)
    }
