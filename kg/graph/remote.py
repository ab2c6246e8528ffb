"""A SPARQL 1.1 server as the graph's home: what kg knows of the server behind a query URL, HTTP
with credentials from the environment, and :class:`RemoteGraph`, whose ``query`` answers as
``pyoxigraph.Store.query`` does.

Known servers are recognised by the ``Server`` header of their answer to a probe:

- **Oxigraph** (``/query``): update at ``/update``, Graph Store at ``/store``; the union of the
  graphs is asked for with the ``union-default-graph`` parameter.
- **Virtuoso** (``/sparql``): update and Graph Store at ``/sparql-auth`` and
  ``/sparql-graph-crud-auth`` (HTTP digest) when credentials are set, else ``/sparql`` and
  ``/sparql-graph-crud``. Its default dataset is already the union of all graphs; its Graph
  Store has no default graph, so kg keeps the default-graph facts in the named graph
  :data:`DEFAULT_GRAPH`. Its default dataset is the union of *every* graph on the server (its
  own system graphs and other people's data too), so kg names its own graphs as the dataset
  (``default-graph-uri``, the standard protocol parameter) when it asks for the union.

Any other server needs ``--update-url``/``--store-url`` to be written to, and should be set up
so that its default graph is the union of its named graphs (e.g. Fuseki's
``tdb2:unionDefaultGraph``).
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pyoxigraph as ox

from kg.errors import EndpointError
from kg.graph.prefixes import ID
from kg.sparql import bind_values, query_form, sparql_term, with_prefixes

__all__ = [
    "DEFAULT_GRAPH",
    "PASSWORD_VARIABLE",
    "USER_VARIABLE",
    "Endpoint",
    "Graph",
    "Http",
    "RemoteGraph",
    "Term",
    "describe_endpoint",
]

USER_VARIABLE = "KG_ENDPOINT_USER"
PASSWORD_VARIABLE = "KG_ENDPOINT_PASSWORD"
DEFAULT_GRAPH = ID + "graph/default"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_FORM = "application/x-www-form-urlencoded"
_PROBE = "ASK { }"


class Graph(Protocol):
    """What reading commands ask the graph through: ``pyoxigraph.Store`` or a remote server."""

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


class Http:
    """HTTP to one server over kept-alive connections, with credentials from
    KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD (HTTP digest, as Virtuoso asks; basic when the
    server asks for it), sent only to that server's origin.

    The server's challenge is fetched first with an empty request (which also tells digest
    from basic), so credentials go ahead of every body: a large body is never cut off by a
    first refusal.
    """

    def __init__(self, url: str, timeout: float = 600.0) -> None:
        import requests

        self.timeout = timeout
        self.user = os.environ.get(USER_VARIABLE) or None
        self._session = requests.Session()
        self._session.trust_env = True
        self._origin = _origin(url)
        self._challenged = False
        self._password = os.environ.get(PASSWORD_VARIABLE, "")
        if self.user:
            from requests.auth import HTTPDigestAuth

            self._session.auth = HTTPDigestAuth(self.user, self._password)

    def send(
        self,
        method: str,
        url: str,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """One request; a status of 400 and above raises EndpointError (SyntaxError for a
        query the server cannot parse)."""
        import requests

        where = url.split("?", 1)[0]
        if _origin(url) != self._origin:
            raise EndpointError(f"{where} is not on the server of {self._origin}")
        try:
            if self.user and not self._challenged:
                self._challenge(url)
            answer = self._session.request(
                method, url, data=data, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as error:
            reason = error.__context__ or error
            raise EndpointError(f"cannot reach {where}: {reason}") from None
        if answer.status_code < 400:
            return Response(answer.status_code, answer.headers, answer.content)
        detail = " ".join(answer.content.decode("utf-8", "replace").split())[:300]
        if answer.status_code in (401, 403):
            verb = "check" if self.user else "set"
            raise EndpointError(
                f"{where} refused the request (HTTP {answer.status_code}); "
                f"{verb} {USER_VARIABLE} and {PASSWORD_VARIABLE}"
            )
        if answer.status_code == 400 and method == "POST" and _FORM in (headers or {}).values():
            raise SyntaxError(f"{where}: {detail or 'bad request'}")
        raise EndpointError(
            f"{where} answered HTTP {answer.status_code}" + (f": {detail}" if detail else "")
        )

    def _challenge(self, url: str) -> None:
        from requests.auth import HTTPBasicAuth

        with self._session.get(url, timeout=self.timeout) as answer:
            scheme = answer.headers.get("WWW-Authenticate", "").split(" ", 1)[0].lower()
            if answer.status_code == 401 and scheme == "basic":
                self._session.auth = HTTPBasicAuth(self.user or "", self._password)
        self._challenged = True


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A SPARQL server as kg uses it: its URLs and how it holds the union and default graph."""

    query_url: str
    server: str = "sparql"
    update_url: str | None = None
    store_url: str | None = None
    union_fields: tuple[tuple[str, str], ...] = ()
    union_namespace: str | None = None  # the union is of the named graphs under this IRI
    default_fields: tuple[tuple[str, str], ...] = ()
    default_graph: str | None = None  # a named graph standing in for the default graph
    software: str = field(default="", compare=False)


def _sibling(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    folder = parts.path.rsplit("/", 1)[0]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, f"{folder}/{name}", "", ""))


def describe_endpoint(
    url: str, *, update_url: str | None = None, store_url: str | None = None
) -> Endpoint:
    """Probe the server at the query URL `url` and say what kg knows of it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"{url!r} is not an http(s) URL of a SPARQL query service")
    http = Http(url)
    answer = http.send(
        "GET",
        url + ("&" if parts.query else "?") + urllib.parse.urlencode({"query": _PROBE}),
        headers={"Accept": _RESULTS_ACCEPT},
    )
    software = answer.headers.get("Server", "")
    credentials = http.user is not None
    if "oxigraph" in software.lower():
        return Endpoint(
            url,
            "oxigraph",
            update_url or _sibling(url, "update"),
            store_url or _sibling(url, "store"),
            union_fields=(("union-default-graph", ""),),
            software=software,
        )
    if "virtuoso" in software.lower():
        return Endpoint(
            url,
            "virtuoso",
            update_url or _sibling(url, "sparql-auth" if credentials else "sparql"),
            store_url
            or _sibling(url, "sparql-graph-crud-auth" if credentials else "sparql-graph-crud"),
            union_namespace=ID,
            default_fields=(("default-graph-uri", DEFAULT_GRAPH),),
            default_graph=DEFAULT_GRAPH,
            software=software,
        )
    return Endpoint(url, "sparql", update_url, store_url, software=software)


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


class RemoteGraph:
    """The graph on a SPARQL 1.1 server, asked as a ``pyoxigraph.Store`` is asked.

    Prefixes are declared in the text, substitutions become ``VALUES`` blocks (see
    :func:`kg.sparql.bind_values`), and the answer is parsed by pyoxigraph: solutions and
    booleans from SPARQL JSON/XML results, triples from N-Triples/Turtle/RDF-XML.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.http = Http(endpoint.query_url)
        self._union: tuple[tuple[str, str], ...] | None = None

    @classmethod
    def connect(cls, url: str) -> RemoteGraph:
        return cls(describe_endpoint(url))

    def __repr__(self) -> str:
        return f"<RemoteGraph {self.endpoint.query_url} ({self.endpoint.server})>"

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        substitutions: dict[ox.Variable, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        text = with_prefixes(query, prefixes)
        if substitutions:
            text = bind_values(text, substitutions)
        form = query_form(text)
        graph = form in ("CONSTRUCT", "DESCRIBE")
        dataset = (
            self._union_fields() if use_default_graph_as_union else self.endpoint.default_fields
        )
        answer = self._ask(text, dataset, graph)
        if graph:
            return self._triples(answer)
        return self._results(answer, form)

    def graphs(self, namespace: str) -> list[str]:
        """The named graphs on the server whose IRI starts with `namespace`."""
        answer = self._ask(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {sparql_term(ox.Literal(namespace))})) }}",
            (),
            False,
        )
        results = self._results(answer, "SELECT")
        assert isinstance(results, ox.QuerySolutions)
        return sorted(g.value for row in results if isinstance(g := row["g"], ox.NamedNode))

    def _union_fields(self) -> tuple[tuple[str, str], ...]:
        if self.endpoint.union_namespace is None:
            return self.endpoint.union_fields
        if self._union is None:
            names = set(self.graphs(self.endpoint.union_namespace))
            names |= {self.endpoint.default_graph} if self.endpoint.default_graph else set()
            self._union = tuple(("default-graph-uri", name) for name in sorted(names))
        return self._union

    def _ask(self, text: str, dataset: tuple[tuple[str, str], ...], graph: bool) -> Response:
        answer = self.http.send(
            "POST",
            self.endpoint.query_url,
            data=urllib.parse.urlencode([("query", text), *dataset]).encode(),
            headers={"Content-Type": _FORM, "Accept": _RDF_ACCEPT if graph else _RESULTS_ACCEPT},
        )
        cut = answer.headers.get("X-SPARQL-MaxRows")
        if cut:
            raise EndpointError(
                f"{self.endpoint.query_url} cut the answer at {cut} rows (the server's result "
                "limit, ResultSetMaxRows in Virtuoso's [SPARQL] section); raise it to read it all"
            )
        return answer

    def _results(self, answer: Response, form: str) -> ox.QuerySolutions | ox.QueryBoolean:
        media = _media_type(answer.headers)
        format = ox.QueryResultsFormat.from_media_type(media) if media else None
        if format is None:
            raise EndpointError(f"{self.endpoint.query_url} answered {media!r}, not SPARQL results")
        try:
            results = ox.parse_query_results(answer.body, format)
        except (SyntaxError, ValueError) as error:
            raise EndpointError(f"{self.endpoint.query_url}: unreadable results: {error}") from None
        if form == "ASK" and isinstance(results, ox.QuerySolutions):
            # Virtuoso answers ASK with one row (true) or none (false) of ?__ASK_RETVAL.
            rows = [solution[0] for solution in results]
            truth = bool(rows) and all(
                isinstance(v, ox.Literal) and v.value not in ("0", "false") for v in rows
            )
            return _boolean(truth)
        return results

    def _triples(self, answer: Response) -> ox.QueryTriples:
        media = _media_type(answer.headers)
        format = ox.RdfFormat.from_media_type(media) if media else None
        if format is None:
            raise EndpointError(f"{self.endpoint.query_url} answered {media!r}, not RDF")
        graph = ox.Store()
        try:
            graph.load(answer.body, format)
        except (SyntaxError, ValueError) as error:
            raise EndpointError(f"{self.endpoint.query_url}: unreadable RDF: {error}") from None
        result = graph.query("CONSTRUCT WHERE { ?s ?p ?o }")
        assert isinstance(result, ox.QueryTriples)
        return result


def _boolean(value: bool) -> ox.QueryBoolean:
    result = ox.parse_query_results(
        b'{"head":{},"boolean":' + (b"true" if value else b"false") + b"}",
        ox.QueryResultsFormat.JSON,
    )
    assert isinstance(result, ox.QueryBoolean)
    return result
