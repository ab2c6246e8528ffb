"""``kg push``: load a built graph into a SPARQL 1.1 server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import app, reports_errors
from kg.graph.store import DEFAULT_DIR

__all__ = ["push_command"]


@app.command("push")
@reports_errors
def push_command(
    endpoint: Annotated[str, typer.Option("--endpoint", help="The server's SPARQL query URL.")],
    out_dir: Annotated[
        Path, typer.Argument(help="Directory written by 'kg build --out'.")
    ] = DEFAULT_DIR,
    update_url: Annotated[
        str | None, typer.Option("--update-url", help="Its SPARQL Update URL (unknown servers).")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option("--store-url", help="Its Graph Store Protocol URL (unknown servers)."),
    ] = None,
) -> None:
    """Load the built graph into a SPARQL server: one named graph per digest, replaced whole.

    Credentials come from the environment: KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD.
    """
    from kg.graph.push import push

    summary = push(
        out_dir,
        endpoint,
        update_url=update_url,
        store_url=store_url,
        progress=lambda name: typer.echo(f"push {name}", err=True),
    )
    where = summary.endpoint
    typer.echo(
        f"pushed {summary.triples} triples in {summary.graphs} graphs to {where.query_url} "
        f"({where.server}, {summary.protocol}"
        f" at {where.store_url if summary.protocol == 'graph store' else where.update_url})"
        f" in {summary.seconds:.1f} s"
    )
    for name in summary.dropped:
        typer.echo(f"dropped {name} (no longer in the build)")
