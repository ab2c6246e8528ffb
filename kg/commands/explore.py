"""Exploration commands: ``kg shared-benchmarks``, ``kg related`` and ``kg report``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import EndpointOption, StoreOption, app, reports_errors
from kg.errors import UnknownNameError
from kg.graph.store import DEFAULT_DIR

__all__ = ["related", "report", "shared_benchmarks"]

_TABLE_FORMATS = ("table", "json", "csv")


@app.command("shared-benchmarks")
@reports_errors
def shared_benchmarks(
    paper: Annotated[
        str | None,
        typer.Argument(help="arXiv id, paper:<id>, IRI or title words (none: every benchmark)."),
    ] = None,
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    output: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Papers sharing benchmarks with a paper, or how many papers use each benchmark."""
    from kg.explore.kinds import LINK_BY_PREDICATE
    from kg.explore.lookup import find_paper
    from kg.explore.nodes import describe
    from kg.explore.related import shared_benchmarks as find_shared
    from kg.explore.sparql import select
    from kg.graph.prefixes import compact
    from kg.graph.store import open_graph
    from kg.render import render_records
    from kg.terminal import inert

    if output not in _TABLE_FORMATS:
        raise UnknownNameError("output format", output, list(_TABLE_FORMATS))
    graph = open_graph(store, endpoint)
    if paper is None:
        rows = [
            {
                "benchmark": compact(row["benchmark"].value),
                "label": row["label"].value if "label" in row else "",
                "papers": int(row["papers"].value),
            }
            for row in select(graph, "benchmark-papers")
        ]
        sys.stdout.write(render_records(rows, output))
        if output == "table":
            typer.echo(f"{len(rows)} benchmark(s)")
        return
    iri = find_paper(graph, paper)
    own = sorted(
        {
            row["entity"].value
            for row in select(graph, "paper-entities", paper=iri)
            if LINK_BY_PREDICATE[row["predicate"].value].kind == "benchmark"
        }
    )
    nodes = describe(graph, [iri, *own])
    found = [item.row() for item in find_shared(graph, iri)]
    if output != "table":
        sys.stdout.write(render_records(found, output))
        return
    name = f"{nodes[iri].short} ({inert(nodes[iri].label)})"
    if not own:
        typer.echo(
            f"{name} has no benchmark in the graph, so no paper shares one with it; "
            f"'kg related {nodes[iri].short}' ranks papers by shared topics, models and "
            "organisations too."
        )
        return
    listed = ", ".join(inert(nodes[b].label) for b in own)
    if not found:
        typer.echo(f"No other paper shares a benchmark with {name}; its benchmarks: {listed}.")
        return
    typer.echo(f"Papers sharing benchmarks with {name}; its benchmarks: {listed}.")
    sys.stdout.write(render_records(found, output))
    typer.echo(f"{len(found)} paper(s)")


@app.command("related")
@reports_errors
def related(
    paper: Annotated[str, typer.Argument(help="arXiv id, paper:<id>, IRI or title words.")],
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many papers.")] = 20,
    output: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Papers related to a paper by shared benchmarks, models, authors, topics, organisations."""
    from kg.explore.lookup import find_paper
    from kg.explore.nodes import describe
    from kg.explore.related import related_papers
    from kg.graph.store import open_graph
    from kg.render import render_records
    from kg.terminal import inert

    if output not in _TABLE_FORMATS:
        raise UnknownNameError("output format", output, list(_TABLE_FORMATS))
    graph = open_graph(store, endpoint)
    iri = find_paper(graph, paper)
    found = [item.row() for item in related_papers(graph, iri, limit)]
    if output != "table":
        sys.stdout.write(render_records(found, output))
        return
    node = describe(graph, [iri])[iri]
    name = f"{node.short} ({inert(node.label)})"
    if not found:
        typer.echo(
            f"No other paper shares a topic, model, benchmark, organisation or author with {name}."
        )
        return
    typer.echo(f"Papers related to {name}, by what they share (rarer things count more):")
    sys.stdout.write(render_records(found, output))
    typer.echo(f"{len(found)} paper(s)")


@app.command("report")
@reports_errors
def report(
    name: Annotated[
        str,
        typer.Argument(
            help="A topic, model, benchmark, organisation or paper: id (rag), prefix:id, IRI, "
            "name, arXiv id or title words."
        ),
    ],
    output: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")
    ] = None,
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
) -> None:
    """A report on one node: its links with evidence, activity, neighbourhood and papers."""
    from kg.files import write_text
    from kg.graph.store import open_graph
    from kg.report import FORMATS, render_report, report_page

    if output not in FORMATS:
        raise UnknownNameError("report format", output, list(FORMATS))
    text = render_report(report_page(open_graph(store, endpoint), name), output)
    if out is None:
        sys.stdout.write(text)
        return
    write_text(out, text)
    typer.echo(f"wrote {out}", err=True)
