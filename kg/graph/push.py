"""Load a built graph into a SPARQL 1.1 server: one named graph per digest, each replaced
whole, plus the default-graph facts; kg's graphs the build no longer has are dropped.

Through the Graph Store Protocol (``PUT``/``POST``/``DELETE`` of N-Triples) where the server
has one, else through SPARQL Update (``DROP SILENT GRAPH`` + ``INSERT``). Graphs are
sent as bounded chunks read from an N-Triples dump of the store, so memory stays flat whatever
the graph's size. A push is not one transaction: while it runs, a reader sees each graph
either before or after its replacement.
"""

from __future__ import annotations

import re
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import EndpointError
from kg.graph.prefixes import ID
from kg.graph.remote import Endpoint, Http, RemoteGraph, describe_endpoint
from kg.graph.store import open_store
from kg.sparql import sparql_term

__all__ = ["PushSummary", "push"]

_BLANK = re.compile(rb"(?:^|\s)(_:[^\s]+)")
_CHUNK_BYTES = {"gsp": 8 << 20, "update": 128 << 10}  # Virtuoso compiles an update in memory
_NT = "application/n-triples"


@dataclass(frozen=True, slots=True)
class PushSummary:
    """What a push wrote: where, how, how many graphs and triples, what it dropped."""

    endpoint: Endpoint
    protocol: str
    graphs: int
    triples: int
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Counted:
    """The chunks of one graph, counting the triples that went through."""

    def __init__(self) -> None:
        self.triples = 0

    def __call__(
        self, store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, limit: int
    ) -> Iterator[bytes]:
        for chunk in _chunks(store, graph, limit):
            self.triples += chunk.count(b"\n")
            yield chunk


def _chunks(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph, limit: int) -> Iterator[bytes]:
    """N-Triples of one graph in pieces of about `limit` bytes, cut at line ends. A blank node's
    label only holds within one document, so the triples that share blank nodes go together."""
    with tempfile.TemporaryFile() as dump:
        store.dump(dump, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        dump.seek(0)
        blank = b"_:" in dump.read()
        dump.seek(0)
        groups: Iterable[list[bytes]] = _linked(dump) if blank else ([line] for line in dump)
        piece: list[bytes] = []
        size = 0
        for group in groups:
            piece += group
            size += sum(map(len, group))
            if size >= limit:
                yield b"".join(piece)
                piece, size = [], 0
        if piece:
            yield b"".join(piece)


def _linked(lines: Iterable[bytes]) -> list[list[bytes]]:
    """The lines grouped so that every line naming a blank node is with the others naming it."""
    kept = list(lines)
    parent = list(range(len(kept)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[bytes, int] = {}
    for index, line in enumerate(kept):
        for label in _BLANK.findall(line):
            other = first.setdefault(label, index)
            parent[root(index)] = root(other)
    groups: dict[int, list[bytes]] = {}
    for index, line in enumerate(kept):
        groups.setdefault(root(index), []).append(line)
    return list(groups.values())


class _Writer:
    protocol = ""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.http = Http(endpoint.query_url)

    def replace(self, graph: str | None, chunks: Iterator[bytes]) -> None:
        raise NotImplementedError

    def drop(self, graph: str) -> None:
        raise NotImplementedError


class _GraphStore(_Writer):
    """The SPARQL 1.1 Graph Store HTTP Protocol: PUT replaces, POST adds, DELETE drops."""

    protocol = "graph store"

    def _url(self, graph: str | None) -> str:
        assert self.endpoint.store_url
        where = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
        return f"{self.endpoint.store_url}?{where}"

    def replace(self, graph: str | None, chunks: Iterator[bytes]) -> None:
        method = "PUT"
        for chunk in chunks:
            self.http.send(method, self._url(graph), chunk, {"Content-Type": _NT})
            method = "POST"
        if method == "PUT":  # an empty graph
            self.http.send("PUT", self._url(graph), b"", {"Content-Type": _NT})

    def drop(self, graph: str) -> None:
        try:
            self.http.send("DELETE", self._url(graph))
        except EndpointError as error:
            if "HTTP 404" not in str(error):
                raise


class _Update(_Writer):
    """SPARQL 1.1 Update: DROP SILENT the graph, then INSERT its triples chunk by chunk."""

    protocol = "update"

    def _send(self, update: str) -> None:
        assert self.endpoint.update_url
        self.http.send(
            "POST",
            self.endpoint.update_url,
            urllib.parse.urlencode({"update": update}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def replace(self, graph: str | None, chunks: Iterator[bytes]) -> None:
        target = "DEFAULT" if graph is None else "GRAPH " + sparql_term(ox.NamedNode(graph))
        self._send(f"DROP SILENT {target}")
        for chunk in chunks:
            triples = chunk.decode("utf-8")
            if graph is not None:
                triples = f"GRAPH {sparql_term(ox.NamedNode(graph))} {{\n{triples}}}"
            # INSERT … WHERE {} rather than INSERT DATA: Virtuoso refuses blank nodes in DATA
            self._send(f"INSERT {{\n{triples}}} WHERE {{}}")

    def drop(self, graph: str) -> None:
        self._send(f"DROP SILENT GRAPH {sparql_term(ox.NamedNode(graph))}")


def push(
    out_dir: Path,
    endpoint: str,
    *,
    update_url: str | None = None,
    store_url: str | None = None,
    via: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PushSummary:
    """Load the graph built in `out_dir` into the SPARQL server whose query URL is `endpoint`,
    through the Graph Store Protocol where the server has one, else SPARQL Update (`via`
    "graph store" or "update" chooses). Credentials come from KG_ENDPOINT_USER /
    KG_ENDPOINT_PASSWORD.
    """
    started = time.perf_counter()
    store = open_store(out_dir)
    target = describe_endpoint(endpoint, update_url=update_url, store_url=store_url)
    writer: _Writer
    if via not in (None, _GraphStore.protocol, _Update.protocol):
        raise EndpointError(f"unknown protocol {via!r}; known: graph store, update")
    if target.store_url and via in (None, _GraphStore.protocol):
        writer = _GraphStore(target)
    elif target.update_url and via in (None, _Update.protocol):
        writer = _Update(target)
    else:
        raise EndpointError(
            f"kg does not know where {endpoint} ({target.software or 'unknown server'}) takes "
            "writes; give --store-url (Graph Store Protocol) or --update-url (SPARQL Update)"
        )
    limit = _CHUNK_BYTES["gsp" if isinstance(writer, _GraphStore) else "update"]
    graphs = sorted(
        (g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value
    )
    names = [g.value for g in graphs]
    counted = _Counted()
    for graph, name in zip(graphs, names, strict=True):
        if progress:
            progress(name)
        writer.replace(name, counted(store, graph, limit))
    if progress:
        progress("default graph")
    writer.replace(target.default_graph, counted(store, ox.DefaultGraph(), limit))
    kept = set(names) | ({target.default_graph} if target.default_graph else set())
    dropped = sorted(set(RemoteGraph(target).graphs(ID)) - kept)
    for name in dropped:
        writer.drop(name)
    return PushSummary(
        target,
        writer.protocol,
        len(names) + 1,
        counted.triples,
        dropped,
        time.perf_counter() - started,
    )
