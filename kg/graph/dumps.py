"""Dumps of the graph in the standard RDF formats, looked up by name, written atomically.

Quads are sorted before writing, so the same graph always gives the same bytes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import UnknownNameError
from kg.graph.prefixes import PREFIXES, compact

__all__ = ["DUMPS", "write_dump", "write_dumps"]


class Sorted:
    """The graph in a canonical order, computed once for all dumps.

    Ordering works on Oxigraph's own N-Triples / N-Quads lines (byte order), which is both
    canonical and much faster than ordering Python term objects.
    """

    def __init__(self, quads: Sequence[ox.Quad]) -> None:
        triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
        self.ntriples = _sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        by_graph: dict[str, list[ox.Quad]] = {}
        for quad in quads:
            by_graph.setdefault(str(quad.graph_name), []).append(quad)
        self.nquads = b"".join(
            _sorted_lines(ox.serialize(by_graph[name], format=ox.RdfFormat.N_QUADS))
            for name in sorted(by_graph)
        )

    @property
    def triples(self) -> list[ox.Triple]:
        parsed = ox.parse(self.ntriples, format=ox.RdfFormat.N_TRIPLES)
        return [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]

    @property
    def quads(self) -> list[ox.Quad]:
        return list(ox.parse(self.nquads, format=ox.RdfFormat.N_QUADS))


def _sorted_lines(data: bytes | None) -> bytes:
    lines = sorted(set((data or b"").splitlines()))
    return b"".join(line + b"\n" for line in lines if line)


Writer = Callable[[Sorted, Path], None]


def _turtle(graph: Sorted, path: Path) -> None:
    ox.serialize(graph.triples, str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _ntriples(graph: Sorted, path: Path) -> None:
    path.write_bytes(graph.ntriples)


def _trig(graph: Sorted, path: Path) -> None:
    ox.serialize(graph.quads, str(path), ox.RdfFormat.TRIG, prefixes=PREFIXES)


def _compact_value(value: dict[str, Any]) -> Any:
    if "@id" in value:
        return {"@id": compact(value["@id"])}
    if "@language" in value:
        return value
    datatype = value.get("@type")
    if datatype is None or datatype == PREFIXES["xsd"] + "string":
        return value["@value"]
    return {"@value": value["@value"], "@type": compact(datatype)}


def _jsonld(graph: Sorted, path: Path) -> None:
    """JSON-LD compacted with kg's prefixes as the context: the same RDF, readable keys."""
    expanded = json.loads(ox.serialize(graph.triples, format=ox.RdfFormat.JSON_LD) or b"[]")
    nodes = []
    for node in expanded:
        compact_node: dict[str, Any] = {"@id": compact(node["@id"])}
        if "@type" in node:
            compact_node["@type"] = [compact(t) for t in node["@type"]]
        for key in sorted(k for k in node if not k.startswith("@")):
            compact_node[compact(key)] = [_compact_value(v) for v in node[key]]
        nodes.append(compact_node)
    document = {"@context": dict(sorted(PREFIXES.items())), "@graph": nodes}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text.replace(',{"@id"', ',\n{"@id"') + "\n", encoding="utf-8")


DUMPS: dict[str, tuple[str, Writer]] = {
    "ttl": ("kg.ttl", _turtle),
    "nt": ("kg.nt", _ntriples),
    "jsonld": ("kg.jsonld", _jsonld),
    "trig": ("kg.trig", _trig),
}


def write_dump(name: str, graph: Sorted, directory: Path) -> Path:
    """Write one dump to a temporary file and rename it into place."""
    try:
        filename, writer = DUMPS[name]
    except KeyError:
        raise UnknownNameError("dump format", name, list(DUMPS)) from None
    final = directory / filename
    tmp = directory / f".{filename}.tmp"
    writer(graph, tmp)
    os.replace(tmp, final)
    return final


def write_dumps(
    quads: Sequence[ox.Quad], directory: Path, names: Sequence[str] = tuple(DUMPS)
) -> list[Path]:
    """Write the named dumps (all by default) into a directory, from one canonical order."""
    graph = Sorted(quads)
    return [write_dump(name, graph, directory) for name in names]
