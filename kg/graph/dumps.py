"""Dumps of the graph in the standard RDF formats, written from one sorted byte stream.

Quads stream in once and become canonical lines (Oxigraph's N-Triples keyed by their graph, in
byte order, each quad once), sorted outside memory when they are many; quads may also come as
such lines already (the links, ``kg.graph.links``) or as runs sorted by forked processes
(:class:`ForkedSort`). Every dump is derived from those lines, never from lists of Python terms:
N-Quads (graph by graph: what the store loads and TriG is written from, kept in the output set
for the next build to patch the store from), N-Triples (the union of the graphs, the default
graph's lines merged with the named graphs' triples), Turtle and TriG by Oxigraph's streaming
serialiser, JSON-LD node by node. The same graph always gives the same bytes.
"""

from __future__ import annotations

import heapq
import itertools
import json
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.children import die_with_parent
from kg.errors import OutputError, UnknownNameError
from kg.graph.lines import LineSorter, unique
from kg.graph.prefixes import PREFIXES, compact
from kg.terminal import inert_line

__all__ = [
    "BATCH",
    "DUMPS",
    "NQUADS",
    "Canonical",
    "ForkedSort",
    "canonical",
    "keyed_lines",
    "quad_lines",
    "write_dumps",
]

NQUADS = ".kg.nq"
"""The graph-by-graph N-Quads a build loads its store from; kept in the output set (not linked
at the top of the output folder), where the next build reads what changed."""

BATCH = 20_000
"""Quads serialised, or lines written, at a time."""
_XSD_STRING = PREFIXES["xsd"] + "string"
_RDF_TYPE_TERM = f"<{PREFIXES['rdf']}type>"


@dataclass(frozen=True, slots=True)
class Canonical:
    """The canonical lines of one graph, on disk: N-Quads by graph, and N-Triples."""

    nquads: Path
    ntriples: Path
    quads: int
    triples: int


def keyed_lines(quads: Iterable[ox.Quad]) -> Iterator[list[bytes]]:
    """Batches of `<graph> <s> <p> <o> .` lines (the default graph as an empty name).

    Oxigraph writes each batch as N-Quads (`<s> <p> <o> <graph> .`); the graph name is moved to
    the front, where it sorts the lines graph by graph.
    """
    iterator = iter(quads)
    while batch := list(itertools.islice(iterator, BATCH)):
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


def canonical(
    quads: Iterable[ox.Quad],
    directory: Path,
    beside: Sequence[ForkedSort] = (),
    lines: Iterable[bytes] = (),
    written: Callable[[int], None] | None = None,
) -> Canonical:
    """Sort the quads (and quads already written as keyed `lines`) once into `directory`:
    `.kg.nq` (by graph) and `kg.nt` (the union), merged with the lines forked processes sorted
    `beside` this one, if any. How far `.kg.nq` is written is told to `written` as it grows
    (a store loading it meanwhile)."""
    by_graph = LineSorter(directory)
    by_graph.extend(quad_lines(quads))
    by_graph.extend(lines)
    for sort in beside:
        by_graph.take(sort.runs())
    # The default graph's lines come first and in order (their key, the graph's name, is empty):
    # only the triples of the named graphs are sorted again, then merged with them for kg.nt.
    named = LineSorter(directory)
    nquads = directory / NQUADS
    count = in_default = 0
    with nquads.open("wb") as out:
        for batch in _batched(by_graph):
            rows = []
            triples = []
            for key in batch:
                graph, _, triple = key.partition(b" ")
                if graph:
                    rows.append(triple[:-2] + b" " + graph + b" .\n")
                    triples.append(triple)
                else:
                    rows.append(triple + b"\n")
                    in_default += 1
            out.writelines(rows)
            if written is not None:
                out.flush()
                written(out.tell())
            named.extend(triples)
            count += len(batch)
    ntriples = directory / "kg.nt"
    triples_count = 0
    with nquads.open("rb") as by_graph_lines, ntriples.open("wb") as out:
        default = (line[:-1] for line in itertools.islice(by_graph_lines, in_default))
        for batch in _batched(unique(heapq.merge(default, named))):
            out.writelines(line + b"\n" for line in batch)
            triples_count += len(batch)
    return Canonical(nquads, ntriples, count, triples_count)


def quad_lines(quads: Iterable[ox.Quad]) -> Iterator[bytes]:
    """The keyed lines of some quads, one by one (:func:`keyed_lines`)."""
    for batch in keyed_lines(quads):
        yield from batch


class ForkedSort:
    """Keyed lines made and sorted into run files by a forked process while this one goes on;
    the runs are handed to :func:`canonical`, which merges them with its own."""

    def __init__(self, lines: Callable[[], Iterable[bytes]], directory: Path) -> None:
        context = multiprocessing.get_context("fork")
        self._answer, sending = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_sort_and_send,
            args=(lines, directory, sending, die_with_parent()),
            daemon=True,
        )
        self._process.start()  # forked: what the lines are made from is inherited, not pickled
        sending.close()

    def runs(self) -> list[Path]:
        """The sorted run files, once the process is done."""
        try:
            answer = self._answer.recv()
        except EOFError:
            answer = None
        self._process.join()
        if answer is None:
            answer = f"it stopped (exit status {self._process.exitcode})"
        if isinstance(answer, str):
            raise OutputError(f"the process sorting quads beside the build failed: {answer}")
        return answer

    def stop(self) -> None:
        """Stop the process (the build failed); its run files go with the folder."""
        self._process.kill()
        self._process.join()


def _sort_and_send(
    lines: Callable[[], Iterable[bytes]],
    directory: Path,
    sending: Connection,
    arm: Callable[[], None] | None,
) -> None:
    """In the forked process: sort, then send the run files (or one line of what failed)."""
    if arm is not None:
        arm()
    try:
        sorter = LineSorter(directory)
        sorter.extend(lines())
        sending.send(sorter.handed_over())
    except BaseException as error:  # the parent reports it; a child prints no traceback
        sending.send(inert_line(str(error)) or type(error).__name__)


def _batched(lines: Iterable[bytes]) -> Iterator[list[bytes]]:
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, BATCH)):
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


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # json.dumps makes one a call


def _compact_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if not isinstance(term, ox.Literal):
        return {"@id": str(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": compact(term.datatype.value)}


def _object_value(text: str) -> Any:
    r"""The JSON-LD value of an object as an N-Triples line writes it.

    Oxigraph escapes a literal with ``\"``, ``\\``, ``\t``, ``\b``, ``\n``, ``\f``, ``\r``
    and ``\uXXXX``, all of them JSON escapes too, so JSON reads the quoted text back. Anything
    else (a triple term) is parsed by Oxigraph."""
    if text[0] == "<" and text[1] != "<":
        return {"@id": compact(text[1:-1])}
    if text[0] == '"':
        end = text.rfind('"')
        value = text[1:end]
        if "\\" in value:
            value = json.loads(text[: end + 1])
        rest = text[end + 1 :]
        if not rest:
            return value
        if rest[0] == "@":
            return {"@value": value, "@language": rest[1:]}
        return {"@value": value, "@type": compact(rest[3:-1])}  # ^^<datatype>
    if text.startswith("_:"):
        return {"@id": text}
    line = f"<s:> <p:> {text} .".encode()
    return _compact_value(next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))).object)


def _node(subject: str, types: list[str], values: dict[str, list[Any]]) -> dict[str, Any]:
    node: dict[str, Any] = {"@id": compact(subject[1:-1]) if subject[0] == "<" else subject}
    if types:
        node["@type"] = types
    node.update(sorted(values.items()))
    return node


def _nodes(path: Path) -> Iterator[dict[str, Any]]:
    """One JSON-LD node per subject of the sorted N-Triples, in order (a subject's triples
    are consecutive lines), read from the lines as written: ``S <P> O .``, where neither the
    subject (an IRI or a blank node) nor the predicate holds a space."""
    subject = ""
    types: list[str] = []
    values: dict[str, list[Any]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            this, predicate, rest = line.split(" ", 2)
            if this != subject:
                if subject:
                    yield _node(subject, types, values)
                subject, types, values = this, [], {}
            value = rest[:-3]  # before " .\n"
            if predicate != _RDF_TYPE_TERM:
                values.setdefault(compact(predicate[1:-1]), []).append(_object_value(value))
            elif value[0] == "<" and value[1] != "<":
                types.append(compact(value[1:-1]))
    if subject:
        yield _node(subject, types, values)


def _jsonld(graph: Canonical, path: Path) -> None:
    """JSON-LD compacted with kg's prefixes as the context: the same RDF, readable keys."""
    context = json.dumps(dict(sorted(PREFIXES.items())), separators=(",", ":"))
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context":' + context + ',"@graph":[')
        for index, node in enumerate(_nodes(graph.ntriples)):
            out.write(",\n" if index else "")
            out.write(_JSON.encode(node))
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
