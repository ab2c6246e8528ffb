"""Conformance of the built graph to ontology/shapes.ttl (SHACL, with pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import QueryError
from kg.graph.prefixes import compact
from kg.resources import ontology_path

if TYPE_CHECKING:
    from kg.graph.remote import Graph

__all__ = ["Violation", "validate_store"]

_ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_RESULTS = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
SELECT ?focus ?path ?message ?severity ?value WHERE {
  ?result a sh:ValidationResult ; sh:focusNode ?focus ; sh:resultSeverity ?severity .
  OPTIONAL { ?result sh:resultPath ?path }
  OPTIONAL { ?result sh:resultMessage ?message }
  OPTIONAL { ?result sh:value ?value }
} ORDER BY ?focus ?path"""


@dataclass(frozen=True, slots=True)
class Violation:
    """One SHACL result, readable: the node, the property and what is wrong."""

    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.focus} {self.path}: {self.message}"


def validate_store(store: Graph, shapes: Path | None = None) -> list[Violation]:
    """Every violation of the shapes by the union of all the graphs (read through one
    CONSTRUCT query, so a remote SPARQL server is validated the same way)."""
    import pyshacl
    from rdflib import Graph as RdfGraph

    triples = store.query(_ALL_TRIPLES, use_default_graph_as_union=True)
    if not isinstance(triples, ox.QueryTriples):
        raise QueryError("the graph did not answer a CONSTRUCT query with triples")
    data = RdfGraph()
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes_graph = RdfGraph().parse(shapes or ontology_path("shapes.ttl"), format="turtle")
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes_graph, inference="none")
    violations = []
    for row in results.query(_RESULTS):
        focus, path, message, severity, value = (str(x) if x is not None else "" for x in row)
        detail = message or "violates a shape"
        if value:
            detail += f" (value {value[:60]!r})"
        violations.append(
            Violation(compact(focus), compact(path), detail, severity.rsplit("#", 1)[-1])
        )
    return violations
