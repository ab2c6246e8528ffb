"""Running the explorer's SPARQL: named queries bound to one node, and the internal queries
that describe a set of nodes.

Everything goes through the graph's ``query`` method (via `kg.query.run_query`), so a remote
SPARQL server can stand in for the embedded store. Rows come back as dicts of terms, unbound
variables left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

import pyoxigraph as ox

from kg.errors import KgError
from kg.graph.remote import Graph
from kg.query import NamedQuery, named_queries, run_query

__all__ = [
    "CHUNK",
    "Row",
    "Term",
    "day",
    "iri",
    "number",
    "select",
    "select_filled",
    "select_many",
    "text",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
CHUNK = 500


def _rows(answer_variables: list[str], rows: Iterable[Sequence[Term | None]]) -> list[Row]:
    return [
        {name: term for name, term in zip(answer_variables, row, strict=True) if term is not None}
        for row in rows
    ]


@cache
def _queries() -> dict[str, NamedQuery]:
    """The shipped named queries, read once."""
    return named_queries()


def select(graph: Graph, name: str, **params: str) -> list[Row]:
    """Rows of a named query of ``kg/queries`` with its parameters bound as terms."""
    query = _queries()[name]
    answer = run_query(graph, query.text, params, query.params)
    return _rows(answer.variables, answer.rows)


_WHERE = re.compile(r"\bWHERE\s*\{", re.I)


def _values(name: str, iris: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(str(ox.NamedNode(value)) for value in iris)} }}"


def select_many(
    graph: Graph, name: str, param: str, values: Iterable[str], **params: str
) -> Iterator[Row]:
    """Rows of a named query for many values of one IRI parameter at once.

    The values go into a ``VALUES`` block at the top of the query's outer ``WHERE`` (`CHUNK` at
    a time; nothing is asked for no value), so the parameter must be used at that level, not
    only inside a sub-query. Other parameters are bound as terms.
    """
    query = _queries()[name]
    if param not in query.params or query.params[param][0] != "iri":
        raise KgError(f"query {name} has no IRI parameter {param!r}")
    where = _WHERE.search(query.text)
    if where is None:
        raise KgError(f"query {name} has no WHERE clause")
    kinds = {key: kind for key, kind in query.params.items() if key != param}
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), CHUNK):
        block = _values(param, unique[start : start + CHUNK])
        text = f"{query.text[: where.end()]}\n  {block}\n{query.text[where.end() :]}"
        answer = run_query(graph, text, params, kinds)
        yield from _rows(answer.variables, answer.rows)


_EMPTY_VALUES = re.compile(r"VALUES \(([?\w ]+)\) \{\}")
_LIMIT = re.compile(r"\bLIMIT \d+\s*$")


def select_filled(
    graph: Graph,
    name: str,
    rows: Sequence[Sequence[Term]],
    limit: int | None = None,
    **params: str,
) -> list[Row]:
    """Rows of a named query whose empty ``VALUES (?a ?b) {}`` block is filled with `rows` of
    terms (and whose final ``LIMIT`` becomes `limit`); other parameters are bound as terms."""
    query = _queries()[name]
    block = _EMPTY_VALUES.search(query.text)
    if block is None:
        raise KgError(f"query {name} has no empty VALUES block to fill")
    width = len(block.group(1).split())
    if any(len(row) != width for row in rows):
        raise KgError(f"query {name} takes rows of {width} values")
    data = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
    text = query.text.replace(block.group(0), f"VALUES ({block.group(1)}) {{ {data} }}")
    if limit is not None:
        text = _LIMIT.sub(f"LIMIT {int(limit)}\n", text)
    answer = run_query(graph, text, params, query.params)
    return _rows(answer.variables, answer.rows)


def text(term: Term | None) -> str | None:
    """The lexical value of a term, None when unbound."""
    return None if term is None else term.value


def iri(term: Term | None) -> str | None:
    """The IRI of a named node, None for anything else."""
    return term.value if isinstance(term, ox.NamedNode) else None


def number(term: Term | None) -> float | None:
    """A numeric literal as a float (integers stay exact up to 2**53)."""
    if not isinstance(term, ox.Literal):
        return None
    try:
        return float(Decimal(term.value))
    except (InvalidOperation, ValueError):
        return None


def day(term: Term | None) -> date | None:
    """An xsd:date literal as a date."""
    if not isinstance(term, ox.Literal):
        return None
    try:
        return date.fromisoformat(term.value[:10])
    except ValueError:
        return None
