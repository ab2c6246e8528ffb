"""``kg viz``: write the interactive graph view as one offline HTML page."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import StoreOption, app, reports_errors
from kg.graph.store import DEFAULT_DIR

__all__ = ["DEFAULT_PAGE", "viz", "write_atomically"]

DEFAULT_PAGE = Path("graph.html")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
    from kg.viz import ViewError

    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ViewError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ViewError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise


@app.command("viz")
@reports_errors
def viz(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The HTML file to write.")
    ] = DEFAULT_PAGE,
    store: StoreOption = DEFAULT_DIR,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="Only this topic's neighbourhood: topic:rag, rag or a label."),
    ] = None,
    paper: Annotated[
        str | None,
        typer.Option("--paper", help="Only this paper's neighbourhood (arXiv id, IRI or title)."),
    ] = None,
    hops: Annotated[
        int, typer.Option("--hops", min=0, help="How many links from --topic or --paper.")
    ] = 1,
) -> None:
    """Write an interactive graph of papers, topics, models, benchmarks and people (offline)."""
    from kg.graph.store import open_store
    from kg.viz import graph_from_store, render_html, to_pyvis

    graph = graph_from_store(open_store(store), topic=topic, paper=paper, hops=hops)
    page = render_html(to_pyvis(graph))
    write_atomically(out, page)
    typer.echo(f"{out}: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges")
