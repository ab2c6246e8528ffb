"""Quads of extracted links: each link in the named graphs of the digests that support it, and
a reified rdf:Statement with its support, sources, method, confidence and snippet.

This is where extraction's records become IRIs: a curated entity keeps its vocabulary IRI, a
discovered one gets ``id/<kind>/<slug of its name>``; relations become predicates.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Iterator, Sequence

import pyoxigraph as ox

from kg.graph.dumps import BATCH, quad_lines
from kg.graph.iris import DigestNames, entity_iri, paper_iri
from kg.graph.prefixes import ID, MLKG_NS, PREFIXES
from kg.graph.triples import DEFAULT, M, V
from kg.records import Assertion, Entity
from kg.resolve import Resolution

__all__ = ["METHOD_LABELS", "PREDICATES", "link_lines", "link_parts", "target_iri"]

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


def _statement_iri(subject: str, predicate: str, target: str) -> str:
    digest = hashlib.sha1(f"{subject} {predicate} {target}".encode()).hexdigest()[:20]
    return f"{ID}statement/{digest}"


def link_lines(
    resolution: Resolution,
    assertions: Sequence[Assertion],
    discovered: Sequence[Entity],
) -> Iterator[bytes]:
    """Every quad of the links, their provenance, the methods and the discovered entities, as
    keyed N-Quads lines (:func:`kg.graph.dumps.keyed_lines`), ready to be sorted."""
    yield from _entity_lines(discovered)
    yield from _assertion_lines(resolution, assertions)


def link_parts(
    resolution: Resolution,
    assertions: Sequence[Assertion],
    discovered: Sequence[Entity],
    parts: int,
) -> list[Callable[[], Iterator[bytes]]]:
    """The lines of :func:`link_lines` cut into `parts`, each made when called (by a process of
    its own, say): together they are the same lines."""
    size = -(-len(assertions) // parts)
    cuts = [assertions[i * size : (i + 1) * size] for i in range(parts)]
    first = functools.partial(link_lines, resolution, cuts[0], discovered)
    rest = [functools.partial(_assertion_lines, resolution, cut) for cut in cuts[1:]]
    return [first, *rest]


def _entity_lines(discovered: Sequence[Entity]) -> Iterator[bytes]:
    """The methods and the discovered entities."""
    return quad_lines(
        itertools.chain(_method_quads(), *(_discovered_quads(found) for found in discovered))
    )


def _assertion_lines(resolution: Resolution, assertions: Sequence[Assertion]) -> Iterator[bytes]:
    """The links and their provenance.

    A link has some ten quads and there are hundreds of thousands of links: their lines are
    written from the N-Triples form of their terms, each term made (and checked) by Oxigraph
    once, not through a Python quad object each. A statement's IRI is a hex digest, and its
    snippet is written by Oxigraph, which escapes it.
    """
    names = DigestNames(
        {a.digest.key: a.digest for p in resolution.papers for a in p.appearances}.values()
    )
    digests = {
        a.digest.key: str(ox.NamedNode(names.digest(a.digest)))
        for p in resolution.papers
        for a in p.appearances
    }
    methods = {name: str(_method(name)) for name in METHOD_LABELS}
    predicates = {name: f"<{iri}>" for name, iri in PREDICATES.items()}
    is_a, subject_of, predicate_of, object_of, statement_class, derived, generated = (
        str(term)
        for term in (
            V.RDF_TYPE, V.R_SUBJECT, V.R_PREDICATE, V.R_OBJECT, V.STATEMENT, V.DERIVED,
            V.GENERATED,
        )
    )  # fmt: skip
    support_of, confidence_of, snippet_of = (
        str(M[name]) for name in ("support", "confidence", "snippet")
    )
    targets: dict[str, str] = {}
    counts: dict[int, str] = {}
    confidences: dict[float, str] = {}
    papers: dict[int, tuple[str, str]] = {}
    lines: list[str] = []
    for assertion in assertions:
        if assertion.paper not in papers:
            iri = paper_iri(resolution.papers[assertion.paper])
            papers[assertion.paper] = (iri, str(ox.NamedNode(iri)))
        subject, paper = papers[assertion.paper]
        predicate = predicates[assertion.relation]
        target_id = target_iri(assertion.target)
        target = targets.get(target_id) or targets.setdefault(
            target_id, str(ox.NamedNode(target_id))
        )
        sources = sorted(digests[d] for d in assertion.digests)
        support = counts.get(len(sources)) or counts.setdefault(
            len(sources), str(ox.Literal(str(len(sources)), datatype=V.XSD_INT))
        )
        confidence = confidences.get(assertion.confidence) or confidences.setdefault(
            assertion.confidence,
            str(ox.Literal(f"{assertion.confidence:.2f}", datatype=V.XSD_DECIMAL)),
        )
        statement = f"<{_statement_iri(subject, PREDICATES[assertion.relation], target_id)}>"
        lines.extend(f"{graph} {paper} {predicate} {target} ." for graph in sources)
        lines.append(f" {statement} {is_a} {statement_class} .")
        lines.append(f" {statement} {subject_of} {paper} .")
        lines.append(f" {statement} {predicate_of} {predicate} .")
        lines.append(f" {statement} {object_of} {target} .")
        lines.append(f" {statement} {support_of} {support} .")
        lines.append(f" {statement} {confidence_of} {confidence} .")
        lines.extend(f" {statement} {derived} {graph} ." for graph in sources)
        lines.extend(f" {statement} {generated} {methods[m]} ." for m in sorted(assertion.methods))
        if assertion.snippets:
            lines.append(f" {statement} {snippet_of} {ox.Literal(assertion.snippets[0])} .")
        if len(lines) >= BATCH:
            yield from _encoded(lines)
            lines = []
    yield from _encoded(lines)


def _encoded(lines: list[str]) -> list[bytes]:
    """Lines encoded at once (no line holds a newline: N-Triples escapes it in a literal)."""
    return "\n".join(lines).encode().split(b"\n") if lines else []
