"""Dumps of the graph in the standard RDF formats, written from one sorted byte stream.

Quads stream in once and become canonical lines (Oxigraph's N-Triples, in byte order, each
quad once), sorted outside memory when they are many. Every dump is derived from those lines,
never from lists of Python terms: N-Quads (graph by graph: what the store loads and TriG is
written from), N-Triples (the union of the graphs), Turtle and TriG by Oxigraph's streaming
serialiser, JSON-LD node by node. The same graph always gives the same bytes.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.children import die_with_parent
from kg.errors import OutputError, UnknownNameError
from kg.graph.lines import LineSorter
from kg.graph.prefixes import PREFIXES, compact

__all__ = ["DUMPS", "NQUADS", "Canonical", "canonical", "write_dumps"]

NQUADS = ".kg.nq"
"""The graph-by-graph N-Quads a build loads its store from (not published)."""

_BATCH = 20_000
_XSD_STRING = PREFIXES["xsd"] + "string"
_RDF_TYPE = PREFIXES["rdf"] + "type"


@dataclass(frozen=True, slots=True)
class Canonical:
    """The canonical lines of one graph, on disk: N-Quads by graph, and N-Triples."""

    nquads: Path
    ntriples: Path
    quads: int
    triples: int


def _keyed_lines(quads: Iterable[ox.Quad]) -> Iterator[list[bytes]]:
    """Batches of `<graph> <s> <p> <o> .` lines (the default graph as an empty name).

    Oxigraph writes each batch as N-Quads (`<s> <p> <o> <graph> .`); the graph name is moved to
    the front, where it sorts the lines graph by graph.
    """
    iterator = iter(quads)
    while batch := list(itertools.islice(iterator, _BATCH)):
        data = ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b""
        keyed = []
        for quad, line in zip(batch, data.splitlines(), strict=True):
            graph = quad.graph_name
            if isinstance(graph, ox.DefaultGraph):
                keyed.append(b" " + line)
            else:
                name = str(graph).encode()
                keyed.append(name + b" " + line[: -len(name) - 3] + b" .")
        yield keyed


_FORKED: Callable[[], Iterable[ox.Quad]] | None = None
"""The quads a forked process sorts (set by :func:`canonical` before it forks)."""


def canonical(
    quads: Iterable[ox.Quad],
    directory: Path,
    forked: Callable[[], Iterable[ox.Quad]] | None = None,
) -> Canonical:
    """Sort the quads once into `directory`: `.kg.nq` (by graph) and `kg.nt` (the union).

    The quads `forked` yields, if given, are made and sorted by a forked process while this
    one makes and sorts `quads`; the sorted halves are merged, so the lines are the same.
    """
    by_graph = LineSorter(directory)
    if forked is None:
        _sort(quads, by_graph)
    else:
        _sort_beside(quads, forked, by_graph, directory)
    union = LineSorter(directory)
    nquads = directory / NQUADS
    count = 0
    with nquads.open("wb") as out:
        for batch in _batched(by_graph):
            rows = []
            triples = []
            for key in batch:
                graph, _, triple = key.partition(b" ")
                rows.append(triple[:-2] + b" " + graph + b" .\n" if graph else triple + b"\n")
                triples.append(triple)
            out.writelines(rows)
            union.extend(triples)
            count += len(batch)
    ntriples = directory / "kg.nt"
    triples_count = 0
    with ntriples.open("wb") as out:
        for batch in _batched(union):
            out.writelines(line + b"\n" for line in batch)
            triples_count += len(batch)
    return Canonical(nquads, ntriples, count, triples_count)


def _sort(quads: Iterable[ox.Quad], sorter: LineSorter) -> None:
    for lines in _keyed_lines(quads):
        sorter.extend(lines)


def _sorted_runs(directory: Path) -> list[Path]:
    """In a forked process: sort the inherited quads into run files and hand them over."""
    assert _FORKED is not None
    sorter = LineSorter(directory)
    _sort(_FORKED(), sorter)
    return sorter.handed_over()


def _sort_beside(
    quads: Iterable[ox.Quad],
    forked: Callable[[], Iterable[ox.Quad]],
    sorter: LineSorter,
    directory: Path,
) -> None:
    """Sort `quads` here while a forked process sorts what `forked` yields; merge the two."""
    global _FORKED
    _FORKED = forked  # inherited by the fork
    try:
        with ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent(),
        ) as pool:
            other = pool.submit(_sorted_runs, directory)
            _sort(quads, sorter)
            try:
                sorter.take(other.result())
            except BrokenProcessPool:
                raise OutputError(
                    f"the process sorting quads into {directory.name} stopped"
                ) from None
    finally:
        _FORKED = None


def _batched(lines: Iterable[bytes]) -> Iterator[list[bytes]]:
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, _BATCH)):
        yield batch


def _triples(path: Path) -> Iterator[ox.Quad]:
    """The triples of an N-Triples file (as quads of the default graph, as parsed)."""
    return iter(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))


Writer = Callable[[Canonical, Path], None]


def _turtle(graph: Canonical, path: Path) -> None:
    ox.serialize(_triples(graph.ntriples), str(path), ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def _ntriples(graph: Canonical, path: Path) -> None:
    if graph.ntriples != path:
        graph.ntriples.replace(path)


def _trig(graph: Canonical, path: Path) -> None:
    quads = ox.parse(path=str(graph.nquads), format=ox.RdfFormat.N_QUADS)
    ox.serialize(quads, str(path), ox.RdfFormat.TRIG, prefixes=PREFIXES)


_compact = lru_cache(maxsize=1 << 16)(compact)  # predicates, types and hubs repeat


def _compact_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value)}
    if not isinstance(term, ox.Literal):
        return {"@id": str(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def _node(subject: str, triples: list[ox.Quad]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compact(subject)}
    types = []
    values: dict[str, list[Any]] = {}
    for triple in triples:
        predicate = triple.predicate.value
        if predicate == _RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            types.append(_compact(triple.object.value))
        elif predicate != _RDF_TYPE:
            values.setdefault(_compact(predicate), []).append(_compact_value(triple.object))
    if types:
        node["@type"] = types
    node.update(sorted(values.items()))
    return node


def _nodes(path: Path) -> Iterator[dict[str, Any]]:
    """One JSON-LD node per subject of the sorted N-Triples, in order (a subject's triples
    are consecutive lines)."""
    for subject, group in itertools.groupby(_triples(path), key=lambda t: t.subject):
        name = subject.value if isinstance(subject, ox.NamedNode) else str(subject)
        yield _node(name, list(group))


def _jsonld(graph: Canonical, path: Path) -> None:
    """JSON-LD compacted with kg's prefixes as the context: the same RDF, readable keys."""
    context = json.dumps(dict(sorted(PREFIXES.items())), separators=(",", ":"))
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context":' + context + ',"@graph":[')
        for index, node in enumerate(_nodes(graph.ntriples)):
            out.write(",\n" if index else "")
            out.write(json.dumps(node, ensure_ascii=False, separators=(",", ":")))
        out.write("]}\n")


DUMPS: dict[str, tuple[str, Writer]] = {
    "nt": ("kg.nt", _ntriples),
    "ttl": ("kg.ttl", _turtle),
    "jsonld": ("kg.jsonld", _jsonld),
    "trig": ("kg.trig", _trig),
}


def write_dumps(
    graph: Canonical, directory: Path, names: Iterable[str] = tuple(DUMPS)
) -> list[Path]:
    """Write the named dumps (all by default) into a new output folder from canonical lines."""
    written = []
    for name in names:
        try:
            filename, writer = DUMPS[name]
        except KeyError:
            raise UnknownNameError("dump format", name, list(DUMPS)) from None
        writer(graph, directory / filename)
        written.append(directory / filename)
    return written
