"""Exploration of the built graph: networkx projections and neighbourhoods read from the store.

Everything here reads a (read-only) pyoxigraph Store and returns plain dataclass records or
networkx graphs. Queries run over the union of all graphs, with parameters bound as RDF terms.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import networkx as nx
import pyoxigraph as ox

from kg.errors import KgError
from kg.graph.prefixes import ID, PREFIXES, compact
from kg.query import load_query, named_queries, run_query

__all__ = [
    "LINK_KINDS",
    "AmbiguousPaperError",
    "BenchmarkGroup",
    "Count",
    "Link",
    "Named",
    "Neighbour",
    "PaperNotFoundError",
    "SharedBenchmarks",
    "TopicNeighbourhood",
    "TopicNotFoundError",
    "TopicPaper",
    "WeekCount",
    "as_rows",
    "benchmark_groups",
    "find_paper",
    "find_topic",
    "open_or_build",
    "paper_benchmark_graph",
    "query_rows",
    "shared_benchmarks",
    "topic_neighbourhood",
]

_MLKG = PREFIXES["mlkg"]
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_PAPER_CLASSES = frozenset({_MLKG + "Paper", _MLKG + "Article"})
_TOPIC_CLASS = _MLKG + "Topic"
_WEEK = ox.NamedNode(_MLKG + "week")
_ARXIV = ox.NamedNode(_MLKG + "arxivId")
_TITLE = PREFIXES["dcterms"] + "title"
_SUBJECT = PREFIXES["dcterms"] + "subject"
_DEVELOPED_BY = ox.NamedNode(_MLKG + "developedBy")
_LABEL_PREDICATES = (
    _TITLE,
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["rdfs"] + "label",
    PREFIXES["schema"] + "name",
)
# Paper -> entity predicates and the kind of entity each one reaches.
LINK_KINDS: dict[str, str] = {
    _MLKG + "proposes": "model",
    _MLKG + "compares": "model",
    _MLKG + "uses": "model",
    _MLKG + "introduces": "benchmark",
    _MLKG + "evaluatesOn": "benchmark",
    PREFIXES["schema"] + "sourceOrganization": "organisation",
    _SUBJECT: "topic",
}
_BRIDGE_PREDICATES = tuple(p for p, k in LINK_KINDS.items() if k in ("model", "benchmark"))
_KIND_ORDER = {"topic": 0, "model": 1, "benchmark": 2, "organisation": 3}
_ARXIV_ID = re.compile(r"(?:arxiv:)?(\d{4}\.\d{4,5})(?:v\d+)?", re.I)
_ARXIV_URL = re.compile(r"https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.I)
_MAX_CANDIDATES = 10

Term = ox.NamedNode | ox.BlankNode | ox.Literal


# ---------------------------------------------------------------------------------- errors


class PaperNotFoundError(KgError):
    """No paper matches what was asked for; the message suggests close titles."""

    def __init__(self, text: str, suggestions: Iterable[str] = ()) -> None:
        self.text = text
        self.suggestions = list(suggestions)
        hint = f"; did you mean: {'; '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(
            f"no paper matches {text!r}{hint} (give an arXiv id, paper:<id>, an IRI or title "
            "words; 'kg query papers' lists them)"
        )


class AmbiguousPaperError(KgError):
    """Several papers match; the message lists them so that one can be picked."""

    def __init__(self, text: str, candidates: Iterable[tuple[str, str]]) -> None:
        self.text = text
        self.candidates = list(candidates)
        shown = [f"{compact(iri)} ({title})" for iri, title in self.candidates[:_MAX_CANDIDATES]]
        more = len(self.candidates) - len(shown)
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(self.candidates)} papers match {text!r}: {'; '.join(shown)}{tail}; "
            "give more words or the paper's id"
        )


class TopicNotFoundError(KgError):
    """No topic of the graph matches; the message lists the known topic ids."""

    def __init__(self, text: str, known: Iterable[str]) -> None:
        self.text = text
        self.known = sorted(known)
        close = difflib.get_close_matches(text.lower(), self.known, n=5, cutoff=0.5)
        listed = close or self.known[:30]
        label = "did you mean" if close else "known topics"
        super().__init__(
            f"no topic {text!r} in the graph; {label}: {', '.join(listed) or '(none)'}"
        )


# ---------------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Named:
    """A node of the graph with a readable label."""

    iri: str
    label: str

    @property
    def short(self) -> str:
        """The compact form of the IRI, such as ``benchmark:mmlu``."""
        return compact(self.iri)

    @property
    def local(self) -> str:
        """The last segment of the IRI, such as ``mmlu``."""
        return _local(self.iri)


@dataclass(frozen=True, slots=True)
class SharedBenchmarks:
    """Another paper evaluated on (or introducing) some of the same benchmarks."""

    paper: Named
    week: date | None
    shared: int
    jaccard: float
    benchmarks: tuple[Named, ...]

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "paper": self.paper.short,
            "title": self.paper.label,
            "week": self.week.isoformat() if self.week else None,
            "shared": self.shared,
            "jaccard": round(self.jaccard, 4),
            "benchmarks": ", ".join(b.label for b in self.benchmarks),
        }


@dataclass(frozen=True, slots=True)
class BenchmarkGroup:
    """The papers around one benchmark."""

    benchmark: Named
    papers: tuple[Named, ...]

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "benchmark": self.benchmark.short,
            "label": self.benchmark.label,
            "papers": len(self.papers),
            "titles": "; ".join(p.label for p in self.papers),
        }


@dataclass(frozen=True, slots=True)
class Link:
    """One link from a paper: its predicate (compact), the kind of entity and the entity."""

    predicate: str
    kind: str
    entity: Named


@dataclass(frozen=True, slots=True)
class TopicPaper:
    """A paper on the topic, the topic ids it matched through and its links."""

    paper: Named
    week: date | None
    arxiv_id: str | None
    via: tuple[str, ...]
    links: tuple[Link, ...]

    def of_kind(self, kind: str) -> tuple[Link, ...]:
        """The links to entities of one kind (model, benchmark, organisation, topic)."""
        return tuple(link for link in self.links if link.kind == kind)

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "paper": self.paper.short,
            "title": self.paper.label,
            "week": self.week.isoformat() if self.week else None,
            "arxiv": self.arxiv_id,
            "links": ", ".join(link.entity.label for link in self.links if link.kind != "topic"),
        }


@dataclass(frozen=True, slots=True)
class WeekCount:
    """How many of the topic's papers a week brought."""

    week: date
    papers: int


@dataclass(frozen=True, slots=True)
class Count:
    """An entity and the number of the topic's papers linked to it."""

    item: Named
    papers: int

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {"iri": self.item.short, "label": self.item.label, "papers": self.papers}


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A topic reached from the topic's papers through shared models or benchmarks."""

    topic: Named
    via: tuple[Named, ...]
    papers: tuple[Named, ...]

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {
            "topic": self.topic.short,
            "label": self.topic.label,
            "shared": len(self.via),
            "via": ", ".join(v.label for v in self.via),
            "papers": len(self.papers),
        }


@dataclass
class TopicNeighbourhood:
    """A topic with its papers, their activity per week, what they link to, and nearby topics."""

    topic: Named
    narrower: tuple[Named, ...]
    papers: tuple[TopicPaper, ...]
    activity: tuple[WeekCount, ...]
    cooccurring: tuple[Count, ...]
    models: tuple[Count, ...]
    benchmarks: tuple[Count, ...]
    organisations: tuple[Count, ...]
    neighbours: tuple[Neighbour, ...]
    graph: nx.Graph = field(repr=False)


class _HasRow(Protocol):
    def row(self) -> dict[str, object]: ...


# ---------------------------------------------------------------------------------- helpers


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


def _node(iri: str) -> ox.NamedNode | None:
    try:
        return ox.NamedNode(iri)
    except ValueError:
        return None


def _fold(text: str) -> str:
    """Case-, width- and accent-folded text: 'Tülu' ~ 'tulu'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def _python_value(term: Term | None) -> object:
    """A Python value for a term: numbers and dates as such, IRIs compact, other text as is."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.removeprefix(PREFIXES["xsd"])
        try:
            if datatype in ("integer", "int", "long", "short", "nonNegativeInteger"):
                return int(term.value)
            if datatype in ("decimal", "double", "float"):
                return float(term.value)
            if datatype == "date":
                return date.fromisoformat(term.value)
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def _date(term: Term | None) -> date | None:
    if isinstance(term, ox.Literal):
        try:
            return date.fromisoformat(term.value)
        except ValueError:
            return None
    return None


def _select(
    store: ox.Store, text: str, bindings: Mapping[str, str] | None = None
) -> list[dict[str, Term]]:
    """Rows of a SELECT over the union of all graphs, with IRIs bound as terms."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
    for name, iri in (bindings or {}).items():
        node = _node(iri)
        if node is None:
            return []
        substitutions[ox.Variable(name)] = node
    result = store.query(
        text, prefixes=PREFIXES, use_default_graph_as_union=True, substitutions=substitutions
    )
    if not isinstance(result, ox.QuerySolutions):
        raise KgError("expected a SELECT query")
    names = [v.value for v in result.variables]
    rows: list[dict[str, Term]] = []
    for solution in result:
        row = {}
        for name in names:
            value = solution[name]
            if value is not None and not isinstance(value, ox.Triple):
                row[name] = value
        rows.append(row)
    return rows


def _named(store: ox.Store, name: str, **params: str) -> list[dict[str, Term]]:
    """Rows of one of the shipped named queries."""
    query = named_queries()[name]
    answer = run_query(store, query.text, params, query.params)
    return [
        {v: t for v, t in zip(answer.variables, row, strict=True) if t is not None}
        for row in answer.rows
    ]


class _Nodes:
    """Labels, weeks and types of nodes, looked up once each."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._labels: dict[str, str] = {}

    def objects(self, iri: str, predicate: str | ox.NamedNode) -> Iterator[Term]:
        """The objects of `iri` through `predicate`, in any graph."""
        node = _node(iri)
        if node is None:
            return
        pred = predicate if isinstance(predicate, ox.NamedNode) else ox.NamedNode(predicate)
        for quad in self.store.quads_for_pattern(node, pred, None, None):
            if not isinstance(quad.object, ox.Triple):
                yield quad.object

    def label(self, iri: str) -> str:
        """The English (else untagged) title or label: dcterms:title, skos:prefLabel, rdfs:label."""
        if iri not in self._labels:
            found = ""
            rank = {"en": 0, "": 1}
            for predicate in _LABEL_PREDICATES:
                literals = [o for o in self.objects(iri, predicate) if isinstance(o, ox.Literal)]
                if literals:
                    best = min(literals, key=lambda t: (rank.get(t.language or "", 2), t.value))
                    found = best.value
                    break
            self._labels[iri] = found or _local(iri)
        return self._labels[iri]

    def named(self, iri: str) -> Named:
        """The node with its label."""
        return Named(iri, self.label(iri))

    def week(self, iri: str) -> date | None:
        """The earliest mlkg:week of a paper."""
        weeks = [d for d in map(_date, self.objects(iri, _WEEK)) if d]
        return min(weeks) if weeks else None

    def types(self, iri: str) -> set[str]:
        """The rdf:type IRIs of a node."""
        return {o.value for o in self.objects(iri, _RDF_TYPE) if isinstance(o, ox.NamedNode)}


def _sort_key(named: Named) -> tuple[str, str]:
    return (_fold(named.label), named.iri)


def _counts(counter: Mapping[str, set[str]], nodes: _Nodes) -> tuple[Count, ...]:
    items = [Count(nodes.named(iri), len(papers)) for iri, papers in counter.items()]
    return tuple(sorted(items, key=lambda c: (-c.papers, *_sort_key(c.item))))


# ---------------------------------------------------------------------------------- lookup


def find_paper(store: ox.Store, text: str) -> str:
    """The IRI of the paper `text` names: an arXiv id or URL, an IRI, paper:<id> or title words.

    Raises PaperNotFoundError when nothing matches and AmbiguousPaperError (listing the
    candidates) when several papers do.
    """
    query = text.strip()
    if query.startswith("<") and query.endswith(">"):
        query = query[1:-1].strip()
    if not query:
        raise PaperNotFoundError(text)
    nodes = _Nodes(store)
    arxiv = _ARXIV_URL.match(query) or _ARXIV_ID.fullmatch(query)
    if arxiv:
        literal = ox.Literal(arxiv[1])
        found = sorted(
            {
                q.subject.value
                for q in store.quads_for_pattern(None, _ARXIV, literal, None)
                if isinstance(q.subject, ox.NamedNode)
            }
        )
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise AmbiguousPaperError(text, [(iri, nodes.label(iri)) for iri in found])
        raise PaperNotFoundError(text)
    prefix, _, rest = query.partition(":")
    if prefix in ("paper", "article") and rest and not rest.startswith("//"):
        query = PREFIXES[prefix] + rest
    if re.match(r"https?://", query):
        if nodes.types(query) & _PAPER_CLASSES:
            return query
        raise PaperNotFoundError(text)
    return _paper_by_title(store, nodes, text, query)


def _paper_by_title(store: ox.Store, nodes: _Nodes, text: str, query: str) -> str:
    papers = {
        row["paper"].value: row["title"].value
        for row in _select(
            store,
            "SELECT DISTINCT ?paper ?title WHERE { VALUES ?class { mlkg:Paper mlkg:Article } "
            "?paper a ?class ; dcterms:title ?title }",
        )
    }
    folded = _fold(query)
    exact = sorted(iri for iri, title in papers.items() if _fold(title) == folded)
    exact += sorted(iri for iri in papers if _local(iri).casefold() == folded and iri not in exact)
    if len(exact) == 1:
        return exact[0]
    wanted = _words(query)
    matches = sorted(
        (
            iri
            for iri, title in papers.items()
            if wanted and all(any(t.startswith(w) for t in _words(title)) for w in wanted)
        ),
        key=lambda iri: (_fold(papers[iri]), iri),
    )
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousPaperError(text, [(iri, papers[iri]) for iri in matches])
    titles = {title: iri for iri, title in papers.items()}
    close = difflib.get_close_matches(query, list(titles), n=3, cutoff=0.4)
    raise PaperNotFoundError(text, [f"{compact(titles[t])} ({t})" for t in close])


def _known_topics(store: ox.Store) -> dict[str, str]:
    """Topic IRI -> label, for every node typed mlkg:Topic."""
    nodes = _Nodes(store)
    topic_class = ox.NamedNode(_TOPIC_CLASS)
    iris = {
        q.subject.value
        for q in store.quads_for_pattern(None, _RDF_TYPE, topic_class, None)
        if isinstance(q.subject, ox.NamedNode)
    }
    return {iri: nodes.label(iri) for iri in sorted(iris)}


def find_topic(store: ox.Store, text: str) -> str:
    """The IRI of a topic given as an id (``rag``), ``topic:rag``, an IRI or its label."""
    query = text.strip()
    if query.startswith("<") and query.endswith(">"):
        query = query[1:-1].strip()
    known = _known_topics(store)
    candidates = []
    if re.match(r"https?://", query):
        candidates.append(query)
    else:
        prefix, _, rest = query.partition(":")
        if prefix == "topic" and rest:
            candidates.append(PREFIXES["topic"] + rest)
        slug = re.sub(r"[\s_]+", "-", query.strip().lower())
        candidates.append(f"{ID}topic/{slug}")
    for candidate in candidates:
        if candidate in known:
            return candidate
    by_label = [iri for iri, label in known.items() if _fold(label) == _fold(query)]
    if len(by_label) == 1:
        return by_label[0]
    raise TopicNotFoundError(text, [_local(iri) for iri in known])


# ---------------------------------------------------------------------------------- benchmarks


def paper_benchmark_graph(store: ox.Store) -> nx.Graph:
    """The bipartite graph of papers (bipartite=0) and the benchmarks (1) they use or introduce.

    Nodes are IRIs with ``kind`` and ``label`` (papers also ``week``); edges carry the compact
    ``predicates`` that link them.
    """
    rows = _select(
        store,
        "SELECT DISTINCT ?paper ?predicate ?benchmark WHERE { "
        "VALUES ?predicate { mlkg:evaluatesOn mlkg:introduces } "
        "?paper ?predicate ?benchmark . FILTER (isIRI(?paper) && isIRI(?benchmark)) }",
    )
    nodes = _Nodes(store)
    graph = nx.Graph()
    for row in rows:
        paper, benchmark = row["paper"].value, row["benchmark"].value
        if paper not in graph:
            graph.add_node(
                paper, kind="paper", bipartite=0, label=nodes.label(paper), week=nodes.week(paper)
            )
        if benchmark not in graph:
            graph.add_node(benchmark, kind="benchmark", bipartite=1, label=nodes.label(benchmark))
        predicate = compact(row["predicate"].value)
        if graph.has_edge(paper, benchmark):
            known = graph.edges[paper, benchmark]["predicates"]
            graph.edges[paper, benchmark]["predicates"] = tuple(sorted({*known, predicate}))
        else:
            graph.add_edge(paper, benchmark, predicates=(predicate,))
    return graph


def _named_node(graph: nx.Graph, iri: str) -> Named:
    return Named(iri, str(graph.nodes[iri].get("label") or _local(iri)))


def shared_benchmarks(store: ox.Store, paper: str) -> list[SharedBenchmarks]:
    """Other papers sharing benchmarks with `paper`, by shared count, then Jaccard, then title.

    `paper` is anything find_paper accepts. The Jaccard similarity is that of the two papers'
    benchmark sets in the paper-benchmark graph.
    """
    iri = find_paper(store, paper)
    graph = paper_benchmark_graph(store)
    if iri not in graph:
        return []
    mine = set(graph[iri])
    others = {other for benchmark in mine for other in graph[benchmark] if other != iri}
    found = []
    for other in others:
        theirs = set(graph[other])
        shared = mine & theirs
        found.append(
            SharedBenchmarks(
                paper=_named_node(graph, other),
                week=graph.nodes[other].get("week"),
                shared=len(shared),
                jaccard=len(shared) / len(mine | theirs),
                benchmarks=tuple(sorted((_named_node(graph, b) for b in shared), key=_sort_key)),
            )
        )
    return sorted(found, key=lambda s: (-s.shared, -s.jaccard, *_sort_key(s.paper)))


def benchmark_groups(store: ox.Store) -> list[BenchmarkGroup]:
    """Every benchmark with the papers around it, the most used benchmarks first."""
    graph = paper_benchmark_graph(store)
    groups = [
        BenchmarkGroup(
            benchmark=_named_node(graph, node),
            papers=tuple(sorted((_named_node(graph, p) for p in graph[node]), key=_sort_key)),
        )
        for node, kind in graph.nodes(data="kind")
        if kind == "benchmark"
    ]
    return sorted(groups, key=lambda g: (-len(g.papers), *_sort_key(g.benchmark)))


# ---------------------------------------------------------------------------------- topics


def _paper_links(nodes: _Nodes, paper: str) -> tuple[Link, ...]:
    links = []
    for predicate, kind in LINK_KINDS.items():
        for entity in nodes.objects(paper, predicate):
            if isinstance(entity, ox.NamedNode):
                links.append(Link(compact(predicate), kind, nodes.named(entity.value)))
    unique = dict.fromkeys(links)
    return tuple(
        sorted(unique, key=lambda k: (_KIND_ORDER[k.kind], k.predicate, *_sort_key(k.entity)))
    )


def _all_weeks(store: ox.Store) -> set[date]:
    rows = _select(
        store,
        "SELECT DISTINCT ?week WHERE { "
        "{ ?digest a mlkg:Digest ; mlkg:weekStart ?week } UNION { ?paper mlkg:week ?week } }",
    )
    return {d for d in (_date(r.get("week")) for r in rows) if d}


def topic_neighbourhood(store: ox.Store, topic: str) -> TopicNeighbourhood:
    """The neighbourhood of a topic (id, topic:id, IRI or label) and its narrower topics.

    Papers with their week and links; papers per week over every week of the graph; topics
    given to the same papers; the models, benchmarks and organisations of the papers (counted
    in papers); topics of other papers that share a model or benchmark with them; and a small
    networkx graph of all of it.
    """
    iri = find_topic(store, topic)
    nodes = _Nodes(store)
    focus = nodes.named(iri)
    narrower_rows = _select(
        store,
        "SELECT DISTINCT ?topic ?narrower WHERE { ?topic a mlkg:Topic . "
        "?narrower skos:broader+ ?topic }",
        {"topic": iri},
    )
    narrower = tuple(
        sorted((nodes.named(r["narrower"].value) for r in narrower_rows), key=_sort_key)
    )
    inside = {iri, *(n.iri for n in narrower)}

    papers: list[TopicPaper] = []
    for row in _named(store, "papers-by-topic", topic=iri):
        paper_iri = row["paper"].value
        via = row.get("via")
        papers.append(
            TopicPaper(
                paper=nodes.named(paper_iri),
                week=_date(row.get("week")),
                arxiv_id=row["arxivId"].value if "arxivId" in row else None,
                via=tuple(sorted(via.value.split(", "))) if via and via.value else (),
                links=_paper_links(nodes, paper_iri),
            )
        )
    papers.sort(key=lambda p: (p.week or date.max, *_sort_key(p.paper)))
    paper_iris = {p.paper.iri for p in papers}

    per_week = {
        d: int(row["papers"].value)
        for row in _named(store, "topic-timeline", topic=iri)
        if (d := _date(row.get("week")))
    }
    activity = tuple(WeekCount(w, per_week.get(w, 0)) for w in sorted(_all_weeks(store)))

    linked: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for paper in papers:
        for link in paper.links:
            if link.kind == "topic" and link.entity.iri in inside:
                continue
            linked[link.kind][link.entity.iri].add(paper.paper.iri)
    organisations = tuple(
        Count(nodes.named(row["organisation"].value), int(row["papers"].value))
        for row in _named(store, "orgs-by-topic", topic=iri)
    )
    organisations = tuple(sorted(organisations, key=lambda c: (-c.papers, *_sort_key(c.item))))

    neighbours = _neighbours(nodes, linked, paper_iris, inside)
    result = TopicNeighbourhood(
        topic=focus,
        narrower=narrower,
        papers=tuple(papers),
        activity=activity,
        cooccurring=_counts(linked["topic"], nodes),
        models=_counts(linked["model"], nodes),
        benchmarks=_counts(linked["benchmark"], nodes),
        organisations=organisations,
        neighbours=neighbours,
        graph=nx.Graph(),
    )
    result.graph = _neighbourhood_graph(result, nodes)
    return result


def _neighbours(
    nodes: _Nodes,
    linked: Mapping[str, Mapping[str, set[str]]],
    paper_iris: set[str],
    inside: set[str],
) -> tuple[Neighbour, ...]:
    via: dict[str, set[str]] = defaultdict(set)
    through: dict[str, set[str]] = defaultdict(set)
    for kind in ("model", "benchmark"):
        for entity in linked.get(kind, {}):
            target = _node(entity)
            if target is None:
                continue
            for predicate in _BRIDGE_PREDICATES:
                for quad in nodes.store.quads_for_pattern(
                    None, ox.NamedNode(predicate), target, None
                ):
                    other = quad.subject
                    if not isinstance(other, ox.NamedNode) or other.value in paper_iris:
                        continue
                    for subject in nodes.objects(other.value, _SUBJECT):
                        if isinstance(subject, ox.NamedNode) and subject.value not in inside:
                            via[subject.value].add(entity)
                            through[subject.value].add(other.value)
    found = [
        Neighbour(
            topic=nodes.named(topic),
            via=tuple(sorted((nodes.named(e) for e in entities), key=_sort_key)),
            papers=tuple(sorted((nodes.named(p) for p in through[topic]), key=_sort_key)),
        )
        for topic, entities in via.items()
    ]
    return tuple(sorted(found, key=lambda n: (-len(n.via), -len(n.papers), *_sort_key(n.topic))))


def _neighbourhood_graph(hood: TopicNeighbourhood, nodes: _Nodes) -> nx.Graph:
    """Topic, papers, their entities and the neighbouring topics, with kind and label on nodes."""
    graph = nx.Graph()
    graph.add_node(hood.topic.iri, kind="topic", label=hood.topic.label, focus=True)
    for sub in hood.narrower:
        graph.add_node(sub.iri, kind="topic", label=sub.label, focus=False)
        graph.add_edge(sub.iri, hood.topic.iri, predicate="skos:broader")
    inside = {hood.topic.iri, *(n.iri for n in hood.narrower)}
    for paper in hood.papers:
        graph.add_node(paper.paper.iri, kind="paper", label=paper.paper.label, week=paper.week)
        for topic_id in paper.via or (hood.topic.local,):
            target = next((t for t in inside if _local(t) == topic_id), hood.topic.iri)
            graph.add_edge(paper.paper.iri, target, predicate="dcterms:subject")
        for link in paper.links:
            if link.entity.iri in inside:
                continue
            if link.entity.iri not in graph:
                graph.add_node(link.entity.iri, kind=link.kind, label=link.entity.label)
            graph.add_edge(paper.paper.iri, link.entity.iri, predicate=link.predicate)
    for neighbour in hood.neighbours:
        if neighbour.topic.iri not in graph:
            graph.add_node(neighbour.topic.iri, kind="topic", label=neighbour.topic.label)
        graph.nodes[neighbour.topic.iri]["neighbour"] = True
        for entity in neighbour.via:
            graph.add_edge(entity.iri, neighbour.topic.iri, predicate="shared")
    for count in hood.organisations:
        if count.item.iri not in graph:
            graph.add_node(count.item.iri, kind="organisation", label=count.item.label)
    for node, kind in list(graph.nodes(data="kind")):
        if kind in ("model", "benchmark"):
            for org in nodes.objects(node, _DEVELOPED_BY):
                if isinstance(org, ox.NamedNode) and org.value in graph:
                    graph.add_edge(node, org.value, predicate="mlkg:developedBy")
    return graph


# ---------------------------------------------------------------------------------- notebooks


def query_rows(store: ox.Store, query: str, **params: str) -> list[dict[str, object]]:
    """Rows of a named query, a .rq file or inline SPARQL, as dicts of Python values.

    Numbers and dates become int, float and date; IRIs are shown compact (``paper:2404.14219``).
    """
    text, kinds = load_query(query)
    answer = run_query(store, text, params, kinds)
    return [
        {v: _python_value(t) for v, t in zip(answer.variables, row, strict=True)}
        for row in answer.rows
    ]


def as_rows(records: Iterable[_HasRow]) -> list[dict[str, object]]:
    """The flat rows of records (SharedBenchmarks, BenchmarkGroup, Count, ...)."""
    return [record.row() for record in records]


def open_or_build(directory: str | Path | None = None) -> ox.Store:
    """Open the built graph read-only, building it from the bundled digests if it is missing.

    The directory is `directory`, else the KG_STORE environment variable, else ``../kg-out``
    (relative to the working directory, which is the notebook's own in Jupyter).
    """
    from kg.graph.store import open_store, store_path
    from kg.resources import bundled_digests

    where = Path(directory or os.environ.get("KG_STORE") or "../kg-out")
    if not (store_path(where) / "CURRENT").exists():
        from kg.build import build

        build([bundled_digests()], where)
    return open_store(where)
