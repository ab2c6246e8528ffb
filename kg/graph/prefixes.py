"""Namespace IRIs and prefixes, as plain strings (no rdflib import on the query path)."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["ID", "MLKG_NS", "PREFIXES", "compact"]

ID = "https://w3id.org/mlkg/id/"
MLKG_NS = "https://w3id.org/mlkg/ontology#"

PREFIXES: dict[str, str] = {
    "mlkg": MLKG_NS,
    "paper": ID + "paper/",
    "article": ID + "article/",
    "digest": ID + "digest/",
    "entry": ID + "entry/",
    "topic": ID + "topic/",
    "model": ID + "model/",
    "benchmark": ID + "benchmark/",
    "org": ID + "organisation/",
    "person": ID + "person/",
    "method": ID + "method/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}

# No namespace starts another, so an IRI is in one namespace at most: the one this matches.
_NAMESPACE = re.compile("|".join(re.escape(namespace) for namespace in PREFIXES.values()))
_PREFIX = {namespace: prefix for prefix, namespace in PREFIXES.items()}


@lru_cache(maxsize=65536)
def compact(iri: str) -> str:
    """``paper:2311.11829`` for a kg IRI; other IRIs unchanged."""
    namespace = _NAMESPACE.match(iri)
    if namespace:
        rest = iri[namespace.end() :]
        if rest and not rest.startswith("//"):
            return f"{_PREFIX[namespace.group()]}:{rest}"
    return iri
