"""SPARQL over the graph: inline text, ``.rq`` files and named queries with parameters.

Parameters are bound as RDF terms through Oxigraph's substitutions, never pasted into the text
(a remote graph writes them as ``VALUES`` terms, see :mod:`kg.sparql`). Federation (``SERVICE``,
which makes the engine fetch any URL) is refused unless asked for.

A query is read over the union of all graphs, except on the embedded store a query that says
``# @dataset: as written``: it names the graphs it reads (``GRAPH`` patterns for the digests'
graphs, plain patterns for the default graph) and gives the same answer over the union, which
a server is asked for. The store then looks a node's facts up in one graph, not in every one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import QueryError, UnknownNameError
from kg.graph.prefixes import PREFIXES, compact
from kg.sparql import is_update, mentions_service, query_form

if TYPE_CHECKING:
    from kg.graph.remote import Graph

__all__ = [
    "SERVICE_REFUSED",
    "UPDATE_REFUSED",
    "NamedQuery",
    "QueryAnswer",
    "bind_value",
    "load_query",
    "named_queries",
    "run_query",
]

SERVICE_REFUSED = (
    "the query uses SERVICE (federation: the engine would fetch another server's URL); "
    "it is off unless asked for"
)
UPDATE_REFUSED = (
    "the query is a SPARQL Update; kg reads the graph and never changes it "
    "(build it again with kg build, or push it with kg push)"
)
_PARAM_DOC = re.compile(r"^#\s*@param\s+(\w+)\s*(?::\s*(\w+))?\s*(.*)$", re.M)
_SUMMARY = re.compile(r"^#\s*(?!@)(.+)$", re.M)
_AS_WRITTEN = re.compile(r"^#\s*@dataset\s*:\s*as written\b", re.M)


@dataclass(frozen=True, slots=True)
class NamedQuery:
    """A query shipped in kg/queries: its text, summary line and documented parameters."""

    name: str
    text: str
    summary: str
    params: dict[str, tuple[str, str]]  # name -> (kind, description)


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """Rows (with their variables), triples, or a boolean."""

    variables: list[str]
    rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]]
    triples: list[ox.Triple] | None = None
    boolean: bool | None = None
    solutions: ox.QuerySolutions | None = None  # not yet read (a SELECT run with lazy=True)


def _declared_params(text: str) -> dict[str, tuple[str, str]]:
    """The ``# @param NAME: kind description`` lines of a query: name -> (kind, description)."""
    return {m[0]: (m[1] or "literal", m[2].strip()) for m in _PARAM_DOC.findall(text)}


def named_queries() -> dict[str, NamedQuery]:
    """Every query in the package's queries/ folder, by file stem."""
    found: dict[str, NamedQuery] = {}
    for item in sorted(resources.files("kg.queries").iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".rq"):
            continue
        text = item.read_text(encoding="utf-8")
        name = item.name.removesuffix(".rq")
        summary = next(iter(_SUMMARY.findall(text)), name).strip()
        params = _declared_params(text)
        found[name] = NamedQuery(name, text, summary, params)
    return found


def load_query(query: str) -> tuple[str, dict[str, tuple[str, str]]]:
    """The text of a query given inline, as a .rq path, or by name; and its parameters."""
    queries = named_queries()
    if query in queries:
        return queries[query].text, queries[query].params
    path = Path(query)
    if query.endswith(".rq"):
        if not path.is_file():
            raise QueryError(f"{query}: no such query file")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise QueryError(f"{query}: cannot be read ({reason})") from None
        return text, _declared_params(text)
    if not query_form(query) and not is_update(query):
        raise UnknownNameError("query", query, list(queries))
    return query, {}


def bind_value(kind: str, value: str) -> ox.NamedNode | ox.Literal:
    """Turn a --param value into an RDF term of the declared kind (iri, date, int, literal)."""
    if kind == "iri":
        prefix, _, rest = value.partition(":")
        if prefix in PREFIXES and not rest.startswith("//"):
            value = PREFIXES[prefix] + rest
        try:
            return ox.NamedNode(value)
        except ValueError:
            raise QueryError(
                f"parameter value {value!r} is not an IRI; give one in full or with a prefix "
                "(topic:rag, paper:2404.14219, benchmark:mmlu, org:meta)"
            ) from None
    if kind == "date":
        return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "date"))
    if kind == "int":
        if not re.fullmatch(r"-?\d+", value):
            raise QueryError(f"parameter value {value!r} is not an integer")
        return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
    return ox.Literal(value)


def run_query(
    store: Graph,
    text: str,
    params: Mapping[str, str] | None = None,
    kinds: Mapping[str, tuple[str, str]] | None = None,
    *,
    allow_service: bool = False,
    lazy: bool = False,
) -> QueryAnswer:
    """Run SPARQL over the union of all graphs (a query that says so: as written), binding
    parameters as terms; a query using SERVICE is refused unless `allow_service`. With `lazy`,
    a SELECT's solutions are left unread for a serialiser to stream (``kg.render.write_csv``)."""
    if is_update(text):
        raise QueryError(UPDATE_REFUSED)
    if not allow_service and mentions_service(text):
        raise QueryError(SERVICE_REFUSED + " (--allow-service)")
    kinds = kinds or {}
    try:
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(name): bind_value(kinds.get(name, ("literal", ""))[0], value)
            for name, value in (params or {}).items()
        }
    except ValueError as exc:  # a name that is no SPARQL variable, a value that is no text
        raise QueryError(f"a parameter cannot be bound: {_one_line(exc)}") from None
    missing = sorted(set(kinds) - set(params or {}))
    if missing:
        raise QueryError(f"missing parameter(s): {', '.join(missing)}; give --param NAME=VALUE")
    union = not (isinstance(store, ox.Store) and _AS_WRITTEN.search(text))
    try:
        result = store.query(
            text, prefixes=PREFIXES, use_default_graph_as_union=union, substitutions=substitutions
        )
    except SyntaxError as exc:
        raise QueryError(f"the query does not parse: {_one_line(exc)}") from None
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"the query failed: {_one_line(exc)}") from None
    if isinstance(result, ox.QueryBoolean):
        return QueryAnswer([], [], boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        return QueryAnswer([], [], triples=list(result))
    variables = [v.value for v in result.variables]
    if lazy:
        return QueryAnswer(variables, [], solutions=result)
    try:
        rows = [[solution[v] for v in variables] for solution in result]
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"the query failed: {_one_line(exc)}") from None
    return QueryAnswer(variables, rows)


def serialise_solutions(answer: QueryAnswer, results_format: ox.QueryResultsFormat) -> bytes:
    """The unread solutions of a lazy answer in a standard results format, in one pass."""
    assert answer.solutions is not None
    try:
        return answer.solutions.serialize(format=results_format) or b""
    except (ValueError, RuntimeError, OSError) as exc:
        raise QueryError(f"the query failed: {_one_line(exc)}") from None


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def term_text(term: object) -> str:
    """A short human form of a term: compact IRIs, bare literal values."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)
