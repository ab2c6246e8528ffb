"""``kg export``: the graph or a projection as GraphML or GEXF, or tables as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import EndpointOption, StoreOption, app, reports_errors
from kg.errors import UnknownNameError
from kg.graph.store import DEFAULT_DIR

__all__ = ["export"]


@app.command("export")
@reports_errors
def export(
    out: Annotated[
        Path,
        typer.Argument(help="The file to write: .graphml, .gexf or .csv (or give --format)."),
    ],
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help="graphml, gexf or csv.")] = None,
    projection: Annotated[
        str,
        typer.Option(
            "--projection",
            "-p",
            help="graph (papers and entities), topics, entities or papers (GraphML/GEXF).",
        ),
    ] = "graph",
    via: Annotated[
        str, typer.Option("--via", help="For --projection papers: kinds shared, comma-separated.")
    ] = "benchmark",
    table: Annotated[
        str,
        typer.Option("--table", "-t", help="For CSV: papers-topics or papers-entities."),
    ] = "papers-entities",
) -> None:
    """Export the graph or a projection for Gephi, Cytoscape or pandas."""
    from kg.explore.exports import (
        GRAPH_FORMATS,
        TABLES,
        graph_bytes,
        table_csv,
    )
    from kg.explore.exports import (
        projection as project,
    )
    from kg.explore.kinds import ENTITY_KINDS
    from kg.explore.subgraph import whole
    from kg.files import is_standard_output, write_bytes, write_text
    from kg.graph.store import open_graph

    chosen = (fmt or out.suffix.lstrip(".")).lower()
    known = [*GRAPH_FORMATS, "csv"]
    if chosen not in known:
        raise UnknownNameError("export format", chosen or str(out), known)
    kinds = [k.strip() for k in via.split(",") if k.strip()]
    for kind in kinds:
        if kind not in ENTITY_KINDS:
            raise UnknownNameError("kind for --via", kind, list(ENTITY_KINDS))
    if chosen == "csv" and table not in TABLES:
        raise UnknownNameError("table", table, list(TABLES))
    graph = open_graph(store, endpoint)
    sub = whole(graph)
    if chosen == "csv":
        text = table_csv(graph, sub, table)
        write_text(out, text)
        typer.echo(f"{out}: {table}, {text.count(chr(10)) - 1:,} rows", err=is_standard_output(out))
        return
    network = project(sub, projection, kinds)
    write_bytes(out, graph_bytes(network, chosen))
    typer.echo(
        f"{out}: {projection}, {network.number_of_nodes():,} nodes, "
        f"{network.number_of_edges():,} edges ({chosen})",
        err=is_standard_output(out),
    )
