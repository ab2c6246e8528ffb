"""What the exploration notebook calls: open (or build) the graph, run SPARQL into rows of
Python values, turn records into rows for pandas."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from kg.explore.sparql import Term
from kg.graph.prefixes import PREFIXES, compact
from kg.graph.remote import Graph
from kg.query import load_query, run_query

__all__ = ["as_rows", "open_or_build", "query_rows", "value"]


class _HasRow(Protocol):
    def row(self) -> dict[str, object]: ...


def value(term: Term | None) -> object:
    """A Python value for a term: numbers and dates as such, IRIs compact, other text as is."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value.removeprefix(PREFIXES["xsd"])
        try:
            if datatype in ("integer", "int", "long", "short", "nonNegativeInteger"):
                return int(term.value)
            if datatype in ("decimal", "double", "float"):
                return float(term.value)
            if datatype == "date":
                return date.fromisoformat(term.value)
        except ValueError:
            return term.value
        return term.value
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return str(term)


def query_rows(graph: Graph, query: str, **params: str) -> list[dict[str, object]]:
    """Rows of a named query, a .rq file or inline SPARQL, as dicts of Python values.

    Numbers and dates become int, float and date; IRIs are shown compact (``paper:2404.14219``).
    """
    text, kinds = load_query(query)
    answer = run_query(graph, text, params, kinds)
    return [
        {name: value(term) for name, term in zip(answer.variables, row, strict=True)}
        for row in answer.rows
    ]


def as_rows(records: Iterable[_HasRow]) -> list[dict[str, object]]:
    """The flat rows of records (related papers, shared benchmarks, counts ...)."""
    return [record.row() for record in records]


def open_or_build(directory: str | Path | None = None, endpoint: str | None = None) -> Graph:
    """The built graph: the SPARQL server at `endpoint` (else ``KG_ENDPOINT``), or the store in
    `directory` (else ``KG_STORE``, else ``../kg-out``), built from the bundled digests when it
    is missing."""
    from kg.graph.store import open_graph, store_path
    from kg.resources import bundled_digests

    endpoint = endpoint or os.environ.get("KG_ENDPOINT") or None
    where = Path(directory or os.environ.get("KG_STORE") or "../kg-out")
    if endpoint is None and not (store_path(where) / "CURRENT").exists():
        from kg.build import build

        build([bundled_digests()], where)
    return open_graph(where, endpoint)
