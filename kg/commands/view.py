"""``kg viz``: write the interactive graph view as one offline HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import EndpointOption, StoreOption, app, reports_errors
from kg.graph.store import DEFAULT_DIR

__all__ = ["DEFAULT_PAGE", "viz"]

DEFAULT_PAGE = Path("graph.html")


@app.command("viz")
@reports_errors
def viz(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.")
    ] = DEFAULT_PAGE,
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="Only this topic's neighbourhood: rag, topic:rag or a name."),
    ] = None,
    paper: Annotated[
        str | None,
        typer.Option("--paper", help="Only this paper's neighbourhood (arXiv id, IRI or title)."),
    ] = None,
    focus: Annotated[
        str | None,
        typer.Option("--focus", help="Only the neighbourhood of any node: a model, a benchmark…"),
    ] = None,
    hops: Annotated[
        int, typer.Option("--hops", min=0, help="How many links from --topic, --paper, --focus.")
    ] = 1,
) -> None:
    """Write an interactive, offline graph view: the whole graph opens on an overview of its
    topics; with --topic, --paper or --focus only that neighbourhood is fetched and shown."""
    from kg.explore.kinds import ENTITY_KINDS, PAPER_KINDS
    from kg.explore.lookup import find
    from kg.explore.subgraph import around, whole
    from kg.files import is_standard_output, write_text
    from kg.graph.store import open_graph
    from kg.view.page import view_page

    graph = open_graph(store, endpoint)
    centres = []
    if topic is not None:
        centres.append(find(graph, topic, ("topic",)).iri)
    if paper is not None:
        centres.append(find(graph, paper, PAPER_KINDS).iri)
    if focus is not None:
        centres.append(find(graph, focus, (*ENTITY_KINDS, *PAPER_KINDS)).iri)
    sub = around(graph, list(dict.fromkeys(centres)), hops) if centres else whole(graph)
    page = view_page(sub)
    write_text(out, page.html)
    typer.echo(
        f"{out}: {page.title}; {page.nodes:,} nodes, {page.links:,} links",
        err=is_standard_output(out),
    )
