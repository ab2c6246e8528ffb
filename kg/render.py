"""Render query answers and explorer tables as plain-text tables, CSV, TSV, SPARQL JSON results,
or Turtle.

Tables are plain text: every value from the graph goes through `kg.terminal.inert`, so a title
with ``[/]``, escape codes or bidi overrides shows as the characters it holds and is never
interpreted by the terminal or a markup renderer; widths count wide (CJK) characters twice.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rich.cells import cell_len

from kg.errors import UnknownNameError
from kg.graph.prefixes import PREFIXES
from kg.query import QueryAnswer, serialise_solutions, term_text
from kg.terminal import inert

__all__ = ["FORMATS", "MAX_CELL", "render_answer", "render_records", "text_table"]

FORMATS = ("table", "csv", "tsv", "json", "ttl")
MAX_CELL = 60
"""The widest a table cell is shown; longer values end in an ellipsis (CSV and JSON keep all)."""


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


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells, an ellipsis marking the cut."""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def text_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain-text table: a header, a rule, one line per row; values made inert and cut to
    `MAX_CELL` cells. None shows as an empty cell."""
    cells = [
        [_fit(inert(" ".join(str(v).split())) if v is not None else "", MAX_CELL) for v in row]
        for row in rows
    ]
    heads = [inert(h) for h in headers]
    widths = [cell_len(h) for h in heads]
    for row in cells:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], cell_len(cell))
    lines = [
        "  ".join(_pad(h, w) for h, w in zip(heads, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines.extend(
        "  ".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )
    return "\n".join(lines) + "\n"


def render_records(rows: Sequence[Mapping[str, object]], output: str = "table") -> str:
    """Explorer rows (dicts of plain values) as a table (``table``), ``json`` or ``csv``."""
    if output == "json":
        return json.dumps(list(rows), ensure_ascii=False, indent=1, default=str) + "\n"
    headers = list(rows[0]) if rows else []
    if output == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([row.get(h) for h in headers] for row in rows)
        return buffer.getvalue()
    if output != "table":
        raise UnknownNameError("output format", output, ["table", "json", "csv"])
    return text_table(headers, ([row.get(h) for h in headers] for row in rows))


def _table(answer: QueryAnswer) -> str:
    body = text_table(answer.variables, ([term_text(t) for t in row] for row in answer.rows))
    return body + f"{len(answer.rows)} row(s)\n"


def _plain(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _delimited(answer: QueryAnswer, delimiter: str) -> str:
    """CSV as SPARQL 1.1 writes it (RFC 4180 lines), or plain tab-separated values."""
    if delimiter == "," and answer.solutions is not None:
        return serialise_solutions(answer, ox.QueryResultsFormat.CSV).decode()
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n"
    )
    writer.writerow(answer.variables)
    writer.writerows([_plain(t) for t in row] for row in answer.rows)
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
    if answer.solutions is not None and output != "csv":
        raise ValueError("only CSV is written from unread solutions")
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
