"""``kg site``: write a static, offline, interlinked site of the graph."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import EndpointOption, StoreOption, app, reports_errors
from kg.graph.store import DEFAULT_DIR

__all__ = ["site"]


@app.command("site")
@reports_errors
def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="The folder to write.")] = Path(
        "kg-site"
    ),
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
) -> None:
    """Write a page for every paper, topic, model, benchmark and organisation, an index with
    search and the graph view, all linked and offline (open index.html)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from kg.graph.store import open_graph
    from kg.site.build import build_site

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task("graph", total=1)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        summary = build_site(open_graph(store, endpoint), out, progress)
    typer.echo(
        f"{out}: {summary.pages:,} pages ({summary.papers:,} papers, {summary.entities:,} "
        f"topics, models, benchmarks and organisations), {summary.bytes / 1e6:.1f} MB in "
        f"{summary.seconds:.1f} s; open {out / 'index.html'}"
    )
