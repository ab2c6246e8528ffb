"""Quads of extracted links: each link in the named graphs of the digests that support it, and
a reified rdf:Statement with its support, sources, method, confidence and snippet.

This is where extraction's records become IRIs: a curated entity keeps its vocabulary IRI, a
discovered one gets ``id/<kind>/<slug of its name>``; relations become predicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

import pyoxigraph as ox

from kg.graph.iris import DigestNames, entity_iri, paper_iri
from kg.graph.prefixes import ID, MLKG_NS, PREFIXES
from kg.graph.triples import DEFAULT, M, V
from kg.records import Assertion, Entity
from kg.resolve import Resolution

__all__ = ["METHOD_LABELS", "PREDICATES", "link_quads", "target_iri"]

PREDICATES = {
    "proposes": MLKG_NS + "proposes",
    "compares": MLKG_NS + "compares",
    "uses": MLKG_NS + "uses",
    "introduces": MLKG_NS + "introduces",
    "evaluatesOn": MLKG_NS + "evaluatesOn",
    "subject": PREFIXES["dcterms"] + "subject",
    "organisation": PREFIXES["schema"] + "sourceOrganization",
}
METHOD_LABELS = {
    "curated-label": "a curated vocabulary label found in the text",
    "title-rule": "the paper's own artefact, named by its title",
    "description-rule": "the paper's own artefact, named where the text introduces it",
    "shape-rule": "a model or benchmark name recognised by its shape",
    "topic-model": "a topic model over the entry's words and its topic labels and cue phrases",
    "link": "an organisation's account or web domain in a link of the entry",
    "developer": "the developer of the paper's own model or benchmark",
}
_KIND_CLASS = {"model": "Model", "benchmark": "Benchmark"}


def target_iri(entity: Entity) -> str:
    """The IRI of what a link points at: the curated term's, else one minted from the name."""
    return entity.term or entity_iri(entity.kind, entity.name)


def _method(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}method/{name}")


def _method_quads() -> Iterator[ox.Quad]:
    for name, comment in METHOD_LABELS.items():
        node = _method(name)
        yield ox.Quad(node, V.RDF_TYPE, M["ExtractionMethod"], DEFAULT)
        yield ox.Quad(node, V.LABEL, ox.Literal(name, language="en"), DEFAULT)
        yield ox.Quad(node, V.COMMENT, ox.Literal(comment, language="en"), DEFAULT)


def _discovered_quads(found: Entity) -> Iterator[ox.Quad]:
    node = ox.NamedNode(target_iri(found))
    yield ox.Quad(node, V.RDF_TYPE, M[_KIND_CLASS[found.kind]], DEFAULT)
    yield ox.Quad(node, V.LABEL, ox.Literal(found.name, language="en"), DEFAULT)
    yield ox.Quad(node, M["discovered"], ox.Literal("true", datatype=V.XSD_BOOL), DEFAULT)
    if found.family is not None:
        yield ox.Quad(node, M["variantOf"], ox.NamedNode(target_iri(found.family)), DEFAULT)


def _statement_iri(subject: str, predicate: str, target: str) -> ox.NamedNode:
    digest = hashlib.sha1(f"{subject} {predicate} {target}".encode()).hexdigest()[:20]
    return ox.NamedNode(f"{ID}statement/{digest}")


def link_quads(
    resolution: Resolution,
    assertions: Sequence[Assertion],
    discovered: Sequence[Entity],
) -> Iterator[ox.Quad]:
    """Every quad of the links, their provenance, the methods and the discovered entities.

    Terms that recur (a paper's node across its links, targets, methods, small counts and
    confidences) are made once, not once per quad.
    """
    names = DigestNames(
        {a.digest.key: a.digest for p in resolution.papers for a in p.appearances}.values()
    )
    digest_iris = {
        a.digest.key: ox.NamedNode(names.digest(a.digest))
        for p in resolution.papers
        for a in p.appearances
    }
    methods = {name: _method(name) for name in METHOD_LABELS}
    predicates = {name: ox.NamedNode(iri) for name, iri in PREDICATES.items()}
    targets: dict[str, ox.NamedNode] = {}
    counts: dict[int, ox.Literal] = {}
    confidences: dict[float, ox.Literal] = {}
    yield from _method_quads()
    for found in discovered:
        yield from _discovered_quads(found)
    papers: dict[int, tuple[str, ox.NamedNode]] = {}
    for assertion in assertions:
        if assertion.paper not in papers:
            iri = paper_iri(resolution.papers[assertion.paper])
            papers[assertion.paper] = (iri, ox.NamedNode(iri))
        subject, paper = papers[assertion.paper]
        predicate_iri = PREDICATES[assertion.relation]
        predicate = predicates[assertion.relation]
        target_id = target_iri(assertion.target)
        target = targets.get(target_id) or targets.setdefault(target_id, ox.NamedNode(target_id))
        sources = sorted(digest_iris[d] for d in assertion.digests)
        for graph in sources:
            yield ox.Quad(paper, predicate, target, graph)
        statement = _statement_iri(subject, predicate_iri, target_id)
        support = counts.get(len(sources)) or counts.setdefault(
            len(sources), ox.Literal(str(len(sources)), datatype=V.XSD_INT)
        )
        confidence = confidences.get(assertion.confidence) or confidences.setdefault(
            assertion.confidence,
            ox.Literal(f"{assertion.confidence:.2f}", datatype=V.XSD_DECIMAL),
        )
        yield ox.Quad(statement, V.RDF_TYPE, V.STATEMENT, DEFAULT)
        yield ox.Quad(statement, V.R_SUBJECT, paper, DEFAULT)
        yield ox.Quad(statement, V.R_PREDICATE, predicate, DEFAULT)
        yield ox.Quad(statement, V.R_OBJECT, target, DEFAULT)
        yield ox.Quad(statement, M["support"], support, DEFAULT)
        yield ox.Quad(statement, M["confidence"], confidence, DEFAULT)
        for graph in sources:
            yield ox.Quad(statement, V.DERIVED, graph, DEFAULT)
        for method in sorted(assertion.methods):
            yield ox.Quad(statement, V.GENERATED, methods[method], DEFAULT)
        if assertion.snippets:
            yield ox.Quad(statement, M["snippet"], ox.Literal(assertion.snippets[0]), DEFAULT)
