"""The vocabularies kg writes: its own closed namespace and the standard ones it reuses."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from kg.graph.prefixes import ID, PREFIXES

__all__ = ["ID", "MLKG", "PREFIXES"]


class MLKG(DefinedNamespace):
    """kg's ontology terms (ontology/mlkg.ttl); a typo raises instead of minting a new IRI."""

    _NS = Namespace("https://w3id.org/mlkg/ontology#")
    _fail = True

    Paper: URIRef
    Article: URIRef
    Digest: URIRef
    Entry: URIRef
    Topic: URIRef
    Model: URIRef
    Benchmark: URIRef
    Organisation: URIRef
    DigestPublisher: URIRef
    ExtractionMethod: URIRef
    featuredIn: URIRef
    entry: URIRef
    weekStart: URIRef
    weekEnd: URIRef
    weekSource: URIRef
    week: URIRef
    layout: URIRef
    sha256: URIRef
    section: URIRef
    position: URIRef
    kind: URIRef
    introduction: URIRef
    category: URIRef
    arxivId: URIRef
    tweet: URIRef
    statusId: URIRef
    account: URIRef
    proposes: URIRef
    compares: URIRef
    uses: URIRef
    introduces: URIRef
    evaluatesOn: URIRef
    developedBy: URIRef
    variantOf: URIRef
    discovered: URIRef
    cue: URIRef
    support: URIRef
    confidence: URIRef
    snippet: URIRef
