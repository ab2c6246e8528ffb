"""Profiles: everything a page, a report or a side panel says about one node.

A paper's profile: its links to topics, models, benchmarks, organisations and people with their
evidence, its web pages, and its related papers with the reasons. An entity's profile (topic,
model, benchmark, organisation): its facts (developer, broader and narrower topics, family and
variants, other names), the papers linked to it with the evidence, its activity over time and
what its papers link to besides it.

Profiles are built from named queries bound to the node (`paper_profiles` and
`entity_profiles` take many nodes and ask in bulk where the query allows it), so one profile
costs what the node's neighbourhood costs, however large the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from kg.explore.activity import Activity, activity
from kg.explore.kinds import (
    BROADER,
    DEVELOPED_BY,
    ENTITY_KINDS,
    KINDS,
    LINK_BY_PREDICATE,
    LINKS,
    kind_from_iri,
)
from kg.explore.nodes import describe, paper_counts, web_links
from kg.explore.records import Evidence, Link, Node, WebLink
from kg.explore.related import RelatedPaper, related_papers
from kg.explore.sparql import Row, day, number, select, select_many
from kg.graph.prefixes import PREFIXES
from kg.graph.remote import Graph

__all__ = [
    "Count",
    "EntityFacts",
    "EntityProfile",
    "PaperProfile",
    "entity_profile",
    "entity_profiles",
    "evidence_of",
    "graph_span",
    "paper_profile",
    "paper_profiles",
]

SHOWN_PAPERS = 200
"""Papers an entity's profile lists with their evidence (the newest); all are counted."""
TOP = 12
"""Entities of each kind listed among an entity's neighbours."""

_LINK_ORDER = {link.predicate: index for index, link in enumerate(LINKS)}
_KIND_ORDER = {name: index for index, name in enumerate(KINDS)}
_VARIANT_OF = PREFIXES["mlkg"] + "variantOf"
_SAME_AS = PREFIXES["schema"] + "sameAs"
_ALT_LABEL = PREFIXES["skos"] + "altLabel"
_DISCOVERED = PREFIXES["mlkg"] + "discovered"
_NOTE = PREFIXES["skos"] + "scopeNote"
_PARENT = PREFIXES["schema"] + "parentOrganization"


@dataclass(frozen=True, slots=True)
class Count:
    """A node and a number of papers (shared with the profiled node, or linked to it)."""

    node: Node
    papers: int

    def row(self) -> dict[str, object]:
        """A flat row for tables and data frames."""
        return {"iri": self.node.short, "label": self.node.label, "papers": self.papers}


@dataclass(frozen=True, slots=True)
class PaperProfile:
    """A paper: its links with evidence, its web pages and its related papers."""

    node: Node
    links: tuple[Link, ...]
    web: tuple[WebLink, ...]
    related: tuple[RelatedPaper, ...]

    def of_kind(self, kind: str) -> tuple[Link, ...]:
        """Its links to entities of one kind."""
        return tuple(link for link in self.links if link.entity.kind == kind)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds it links to, in `KINDS` order."""
        return tuple(k for k in KINDS if any(link.entity.kind == k for link in self.links))


@dataclass(frozen=True, slots=True)
class EntityFacts:
    """What the graph says of an entity besides its papers."""

    developers: tuple[Node, ...] = ()
    developed: tuple[Node, ...] = ()
    broader: tuple[Node, ...] = ()
    narrower: tuple[Node, ...] = ()
    family: tuple[Node, ...] = ()
    variants: tuple[Node, ...] = ()
    parents: tuple[Node, ...] = ()
    parts: tuple[Node, ...] = ()
    names: tuple[str, ...] = ()
    same_as: tuple[str, ...] = ()
    note: str | None = None
    discovered: bool = False

    def related_nodes(self) -> tuple[tuple[str, tuple[Node, ...]], ...]:
        """The non-empty lists of related nodes with their headings, in reading order."""
        lists = (
            ("Developed by", self.developers),
            ("Broader topics", self.broader),
            ("Narrower topics", self.narrower),
            ("Variant of", self.family),
            ("Variants", self.variants),
            ("Part of", self.parents),
            ("Parts", self.parts),
            ("Models and benchmarks made here", self.developed),
        )
        return tuple((heading, nodes) for heading, nodes in lists if nodes)


@dataclass(frozen=True, slots=True)
class EntityProfile:
    """A topic, model, benchmark or organisation: facts, papers with evidence, activity and
    neighbours. `links` holds the newest `SHOWN_PAPERS` papers; `papers` counts them all."""

    node: Node
    facts: EntityFacts
    papers: int
    links: tuple[Link, ...]
    activity: Activity
    neighbours: tuple[tuple[str, tuple[Count, ...]], ...]
    weeks: tuple[date, ...] = field(default=(), repr=False)

    @property
    def shown(self) -> int:
        """How many of its papers `links` lists."""
        return len({link.paper.iri for link in self.links})

    def neighbours_of(self, kind: str) -> tuple[Count, ...]:
        """Its neighbours of one kind, most shared first."""
        return next((counts for k, counts in self.neighbours if k == kind), ())


def graph_span(graph: Graph) -> tuple[date, date] | None:
    """The first and last week of the graph's digests."""
    rows = select(graph, "graph-span")
    first = day(rows[0].get("first")) if rows else None
    last = day(rows[0].get("last")) if rows else None
    return (first, last) if first and last else None


def _evidence(row: Row) -> Evidence | None:
    if "support" not in row and "confidence" not in row and "snippet" not in row:
        return None
    support = number(row.get("support"))
    return Evidence(
        support=int(support) if support is not None else None,
        confidence=number(row.get("confidence")),
        methods=tuple(sorted(_ids(row.get("methods")))),
        digests=tuple(sorted(_ids(row.get("digests")))),
        snippet=" ".join(row["snippet"].value.split()) if "snippet" in row else None,
    )


def _ids(term: object) -> list[str]:
    """The last segments of space-separated IRIs (methods and digests)."""
    if not isinstance(term, ox.Literal) or not term.value:
        return []
    return [value.rsplit("/", 1)[-1] for value in term.value.split()]


def evidence_of(graph: Graph, papers: Iterable[str]) -> dict[tuple[str, str, str], Evidence]:
    """The evidence of every link of `papers`, by (paper, predicate, entity)."""
    found = {}
    for row in select_many(graph, "paper-evidence", "paper", papers):
        evidence = _evidence(row)
        if evidence is not None:
            key = (row["paper"].value, row["predicate"].value, row["entity"].value)
            found[key] = evidence
    return found


def _link_key(link: Link) -> tuple[int, int, str, str]:
    return (
        _KIND_ORDER.get(link.entity.kind, 99),
        _LINK_ORDER.get(link.predicate, 99),
        link.entity.label.casefold(),
        link.entity.iri,
    )


RelatedSource = Callable[[str], list[RelatedPaper]]


def _known(
    graph: Graph,
    iris: Iterable[str],
    reached: Mapping[str, str],
    known: Mapping[str, Node] | None,
    count: bool = True,
) -> dict[str, Node]:
    """Nodes described, those in `known` taken as they are; the others asked about (with
    their paper counts when `count`)."""
    known = known or {}
    nodes = {iri: known[iri] for iri in iris if iri in known}
    missing = [iri for iri in dict.fromkeys(iris) if iri not in nodes]
    if missing:
        entities = [i for i in missing if reached.get(i) not in (None, "person", "paper")]
        counts = paper_counts(graph, entities) if count else {}
        nodes.update(describe(graph, missing, reached_as=reached, counts=counts))
    return nodes


def paper_profiles(
    graph: Graph,
    papers: Sequence[str],
    related: RelatedSource | None = None,
    known: Mapping[str, Node] | None = None,
    web: Mapping[str, tuple[WebLink, ...]] | None = None,
) -> dict[str, PaperProfile]:
    """The profiles of `papers` (IRIs), asked in bulk.

    `related` gives a paper's related papers (by default one query bound to each paper);
    `known` nodes and `web` pages, when given, are used instead of asking again.
    """
    rows = list(select_many(graph, "paper-entities", "paper", papers))
    evidence = evidence_of(graph, papers)
    entities = sorted({row["entity"].value for row in rows})
    reached = {
        row["entity"].value: LINK_BY_PREDICATE[row["predicate"].value].kind
        for row in rows
        if row["predicate"].value in LINK_BY_PREDICATE
    }
    nodes = _known(graph, [*papers, *entities], reached, known)
    if web is None:
        web = web_links(graph, papers)
    links: dict[str, list[Link]] = defaultdict(list)
    for row in rows:
        paper, predicate, entity = row["paper"].value, row["predicate"].value, row["entity"].value
        links[paper].append(
            Link(nodes[paper], predicate, nodes[entity], evidence.get((paper, predicate, entity)))
        )
    find_related = related or (lambda iri: related_papers(graph, iri))
    return {
        paper: PaperProfile(
            node=nodes[paper],
            links=tuple(sorted(links.get(paper, ()), key=_link_key)),
            web=web.get(paper, ()),
            related=tuple(find_related(paper)),
        )
        for paper in papers
    }


def paper_profile(graph: Graph, paper: str) -> PaperProfile:
    """The profile of one paper (an IRI)."""
    return paper_profiles(graph, [paper])[paper]


def _facts(graph: Graph, entity: str) -> tuple[dict[str, list[str]], list[str], list[str]]:
    """Related IRIs by fact, names and same-as links of an entity; also note and discovered."""
    related: dict[str, list[str]] = defaultdict(list)
    names: list[str] = []
    same_as: list[str] = []
    for row in select(graph, "entity-facts", entity=entity):
        fact, value = row["fact"].value, row["value"]
        if isinstance(value, ox.NamedNode):
            if fact == _SAME_AS:
                same_as.append(value.value)
            else:
                related[fact].append(value.value)
        elif fact == _ALT_LABEL and isinstance(value, ox.Literal):
            if (value.language or "en").startswith("en"):
                names.append(" ".join(value.value.split()))
        elif (
            fact in (_NOTE, _DISCOVERED)
            and isinstance(value, ox.Literal)
            and (not value.language or value.language.startswith("en"))
        ):
            related[fact].append(value.value)
    return related, names, same_as


def _facts_record(
    related: Mapping[str, list[str]],
    names: list[str],
    same_as: list[str],
    nodes: Mapping[str, Node],
    label: str,
) -> EntityFacts:
    def listed(fact: str) -> tuple[Node, ...]:
        return tuple(sorted((nodes[i] for i in set(related.get(fact, ()))), key=Node.sort_key))

    notes = related.get(_NOTE, [])
    return EntityFacts(
        developers=listed(DEVELOPED_BY),
        developed=listed("^" + DEVELOPED_BY),
        broader=listed(BROADER),
        narrower=listed("^" + BROADER),
        family=listed(_VARIANT_OF),
        variants=listed("^" + _VARIANT_OF),
        parents=listed(_PARENT),
        parts=listed("^" + _PARENT),
        names=tuple(
            sorted({n for n in names if n.casefold() != label.casefold()}, key=str.casefold)
        ),
        same_as=tuple(sorted(u for u in set(same_as) if u.startswith(("https://", "http://")))),
        note=min(notes) if notes else None,
        discovered="true" in related.get(_DISCOVERED, ()),
    )


def entity_profiles(
    graph: Graph,
    entities: Sequence[str],
    span: tuple[date, date] | None = None,
    shown: int = SHOWN_PAPERS,
    top: int = TOP,
    known: Mapping[str, Node] | None = None,
) -> dict[str, EntityProfile]:
    """The profiles of `entities` (IRIs of topics, models, benchmarks, organisations).

    Activity is binned over `span` (default: the graph's span, asked once); `known` nodes are
    used as they are instead of asking again.
    """
    if span is None:
        span = graph_span(graph)
    profiles = {}
    for entity in entities:
        paper_rows = select(graph, "entity-papers", entity=entity)
        neighbour_rows = select(graph, "entity-neighbours", entity=entity)
        related, names, same_as = _facts(graph, entity)
        narrower = set(related.get("^" + BROADER, ()))
        weeks: dict[str, date | None] = {}
        for row in paper_rows:
            weeks.setdefault(row["paper"].value, day(row.get("week")))
        newest = sorted(weeks, key=lambda p: (-(weeks[p] or date.min).toordinal(), p))[:shown]
        chosen = set(newest)
        by_kind: dict[str, list[tuple[str, int]]] = defaultdict(list)
        reached: dict[str, str] = {}
        counted = sorted(
            ((int(row["papers"].value), row["other"].value) for row in neighbour_rows),
            key=lambda pair: (-pair[0], pair[1]),
        )
        unknown = [o for _, o in counted if not kind_from_iri(o) and o not in (known or {})]
        kinds_of = {o: n.kind for o, n in describe(graph, unknown).items()}
        for papers_shared, other in counted:
            if other == entity or other in narrower or not other.startswith(("http", "urn")):
                continue
            kind = (
                kind_from_iri(other)
                or kinds_of.get(other)
                or (known or {}).get(other, Node(other, "other", other)).kind
            )
            if kind in ENTITY_KINDS and len(by_kind[kind]) < top:
                reached[other] = kind
                by_kind[kind].append((other, papers_shared))
        listed = [other for pairs in by_kind.values() for other, _ in pairs]
        wanted = [
            entity,
            *newest,
            *{row["via"].value for row in paper_rows},
            *listed,
            *(iri for values in related.values() for iri in values if iri.startswith("http")),
        ]
        nodes = _known(graph, wanted[1:], reached, known, count=False)
        nodes.update(_known(graph, [entity], {entity: "entity"}, known))
        evidence = evidence_of(graph, newest)
        links = [
            Link(
                nodes[row["paper"].value],
                row["predicate"].value,
                nodes[row["via"].value],
                evidence.get((row["paper"].value, row["predicate"].value, row["via"].value)),
            )
            for row in paper_rows
            if row["paper"].value in chosen
        ]
        links.sort(
            key=lambda k: (
                -(k.paper.week or date.min).toordinal(),
                k.paper.iri,
                _LINK_ORDER.get(k.predicate, 99),
                k.entity.iri,
            )
        )
        node = nodes[entity]
        profiles[entity] = EntityProfile(
            node=node,
            facts=_facts_record(related, names, same_as, nodes, node.label),
            papers=len(weeks),
            links=tuple(links),
            activity=activity([w for w in weeks.values() if w], span),
            neighbours=tuple(
                (kind, tuple(Count(nodes[o], n) for o, n in by_kind[kind]))
                for kind in ENTITY_KINDS
                if by_kind.get(kind)
            ),
            weeks=tuple(sorted(w for w in weeks.values() if w)),
        )
    return profiles


def entity_profile(graph: Graph, entity: str) -> EntityProfile:
    """The profile of one topic, model, benchmark or organisation (an IRI)."""
    return entity_profiles(graph, [entity])[entity]
