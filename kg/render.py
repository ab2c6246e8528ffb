"""Render query answers as a terminal table, CSV, TSV, SPARQL JSON results, or Turtle."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pyoxigraph as ox

from kg.errors import UnknownNameError
from kg.graph.prefixes import PREFIXES
from kg.query import QueryAnswer, term_text

__all__ = ["FORMATS", "render_answer"]

FORMATS = ("table", "csv", "tsv", "json", "ttl")


def _json_term(term: object) -> dict[str, Any] | None:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        value: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            value["xml:lang"] = term.language
        elif term.datatype.value != PREFIXES["xsd"] + "string":
            value["datatype"] = term.datatype.value
        return value
    return None


def _table(answer: QueryAnswer) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(*answer.variables, show_lines=False)
    for row in answer.rows:
        table.add_row(*(term_text(t) for t in row))
    buffer = io.StringIO()
    Console(file=buffer, width=200, soft_wrap=False).print(table)
    buffer.write(f"{len(answer.rows)} row(s)\n")
    return buffer.getvalue()


def _delimited(answer: QueryAnswer, delimiter: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(answer.variables)
    for row in answer.rows:
        writer.writerow(["" if t is None else t.value for t in row])
    return buffer.getvalue()


def _json(answer: QueryAnswer) -> str:
    if answer.boolean is not None:
        return json.dumps({"head": {}, "boolean": answer.boolean}) + "\n"
    bindings = [
        {v: j for v, t in zip(answer.variables, row, strict=True) if (j := _json_term(t))}
        for row in answer.rows
    ]
    document = {"head": {"vars": answer.variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def render_answer(answer: QueryAnswer, output: str) -> str:
    """The answer as text in the chosen format."""
    if output not in FORMATS:
        raise UnknownNameError("output format", output, list(FORMATS))
    if answer.triples is not None:
        if output not in ("ttl", "table"):
            raise UnknownNameError("output format for CONSTRUCT", output, ["ttl"])
        turtle = ox.serialize(answer.triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        return (turtle or b"").decode()
    if answer.boolean is not None:
        return _json(answer) if output == "json" else f"{str(answer.boolean).lower()}\n"
    if output == "json":
        return _json(answer)
    if output in ("csv", "tsv"):
        return _delimited(answer, "," if output == "csv" else "\t")
    if output == "ttl":
        raise UnknownNameError("output format for SELECT", output, ["table", "csv", "tsv", "json"])
    return _table(answer)
