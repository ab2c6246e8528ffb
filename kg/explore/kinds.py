"""The one table of what the explorer shows: kinds of node and the links between them.

Every command (report, viz, related, shared-benchmarks, site, export) and the notebook read
kinds, colours and link predicates from here; the SPARQL files that list link predicates are
checked against `LINKS` by the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph.prefixes import ID, PREFIXES, compact

__all__ = [
    "BROADER",
    "DEVELOPED_BY",
    "ENTITY_KINDS",
    "KINDS",
    "LINKS",
    "LINK_BY_PREDICATE",
    "OWN_WORK",
    "PAPER_KINDS",
    "Kind",
    "LinkType",
    "kind_from_classes",
    "kind_from_iri",
]

_MLKG = PREFIXES["mlkg"]
_SCHEMA = PREFIXES["schema"]
_DCTERMS = PREFIXES["dcterms"]
_SKOS = PREFIXES["skos"]


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of node: its names, the classes that give it, its IRI segment and its look."""

    name: str
    plural: str
    title: str
    classes: tuple[str, ...]
    segment: str
    colour: str
    shape: str

    @property
    def is_paper(self) -> bool:
        """Papers and articles (the things digests feature) rather than what they link to."""
        return self.name in PAPER_KINDS


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("paper", "papers", "Paper", (_MLKG + "Paper",), "paper", "#4e79a7", "dot"),
        Kind("article", "articles", "Article", (_MLKG + "Article",), "article", "#76b7b2", "dot"),
        Kind(
            "topic",
            "topics",
            "Topic",
            (_MLKG + "Topic", _SKOS + "Concept"),
            "topic",
            "#f28e2b",
            "diamond",
        ),
        Kind("model", "models", "Model", (_MLKG + "Model",), "model", "#e15759", "triangle"),
        Kind(
            "benchmark",
            "benchmarks",
            "Benchmark",
            (_MLKG + "Benchmark",),
            "benchmark",
            "#59a14f",
            "square",
        ),
        Kind(
            "organisation",
            "organisations",
            "Organisation",
            (_MLKG + "Organisation", _SCHEMA + "Organization"),
            "organisation",
            "#b07aa1",
            "star",
        ),
        Kind(
            "person", "people", "Person", (_SCHEMA + "Person",), "person", "#9c755f", "triangleDown"
        ),
    )
}
"""Every kind, in the order legends and side panels list them."""

PAPER_KINDS = ("paper", "article")
ENTITY_KINDS = ("topic", "model", "benchmark", "organisation")


@dataclass(frozen=True, slots=True)
class LinkType:
    """A predicate from a paper to an entity: the kind it reaches, its wording and its weight.

    `weight` is what sharing one such entity is worth when ranking related papers (before it is
    divided by the logarithm of the number of papers linked to the entity, see
    ``kg.explore.related``): comparing with a model is weak evidence of a shared subject, since
    most papers compare with the same few frontier models.
    """

    predicate: str
    kind: str
    label: str
    weight: float

    @property
    def short(self) -> str:
        """The compact predicate, such as ``mlkg:evaluatesOn``."""
        return compact(self.predicate)


LINKS: tuple[LinkType, ...] = (
    LinkType(_DCTERMS + "subject", "topic", "is about", 1.0),
    LinkType(_MLKG + "proposes", "model", "proposes", 2.0),
    LinkType(_MLKG + "compares", "model", "compares with", 0.5),
    LinkType(_MLKG + "uses", "model", "uses", 2.0),
    LinkType(_MLKG + "introduces", "benchmark", "introduces", 3.0),
    LinkType(_MLKG + "evaluatesOn", "benchmark", "evaluates on", 3.0),
    LinkType(_SCHEMA + "sourceOrganization", "organisation", "is by", 1.0),
    LinkType(_SCHEMA + "author", "person", "is written by", 2.0),
)
"""Paper -> entity predicates, in the order a paper's links are listed."""

LINK_BY_PREDICATE: dict[str, LinkType] = {link.predicate: link for link in LINKS}

OWN_WORK = frozenset({_MLKG + "proposes", _MLKG + "introduces"})
"""The links from a paper to its own artefacts: the model it proposes, the benchmark it
introduces (their developers are the paper's organisations too)."""

DEVELOPED_BY = _MLKG + "developedBy"
"""From a model or benchmark to the organisation that made it."""
BROADER = _SKOS + "broader"
"""From a topic to its broader topic; a topic's papers include those of its narrower topics."""

_CLASS_KIND = {cls: kind.name for kind in KINDS.values() for cls in kind.classes}
_SEGMENT_KIND = {f"{ID}{kind.segment}/": kind.name for kind in KINDS.values()}


def kind_from_classes(classes: Iterable[str]) -> str | None:
    """The kind given by a node's classes, the first in `KINDS` order when there are several."""
    found = {_CLASS_KIND[c] for c in classes if c in _CLASS_KIND}
    return next((name for name in KINDS if name in found), None)


def kind_from_iri(iri: str) -> str | None:
    """The kind a kg IRI names by its path (``…/id/benchmark/mmlu`` is a benchmark)."""
    if not iri.startswith(ID):
        return None
    segment = iri[len(ID) :].split("/", 1)[0]
    return _SEGMENT_KIND.get(f"{ID}{segment}/")
