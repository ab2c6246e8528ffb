"""``kg serve``: the built store as a safe read-only SPARQL endpoint."""

from __future__ import annotations

from typing import Annotated

import typer

from kg.cli import StoreOption, app, reports_errors
from kg.graph.store import DEFAULT_DIR

__all__ = ["serve"]


@app.command("serve")
@reports_errors
def serve(
    store: StoreOption = DEFAULT_DIR,
    port: Annotated[int, typer.Option("--port", "-p", min=1, max=65535, help="TCP port.")] = 7878,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless you say so).")
    ] = "127.0.0.1",
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds a query may run.")
    ] = 5.0,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Queries run at once (default: the cores, ≥ 2)."),
    ] = None,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service", help="Allow SERVICE (federation: the server fetches other URLs)."
        ),
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option("--allow-host", help="Another name clients may reach the server by."),
    ] = None,
) -> None:
    """Serve the graph as a read-only SPARQL endpoint until Ctrl-C; follows new builds."""
    from kg.serve import Settings, base_url, endpoint, is_loopback
    from kg.serve import serve as run_server

    settings = Settings(
        host=host,
        port=port,
        timeout=timeout,
        allow_service=allow_service,
        allowed_hosts=tuple(allow_host or ()),
        **({"workers": workers} if workers else {}),
    )
    url = endpoint(base_url(host, port))
    typer.echo(f"SPARQL endpoint: {url}")
    typer.echo(
        "try: curl -H 'Accept: application/sparql-results+json' --data-urlencode "
        f"'query=SELECT (COUNT(*) AS ?triples) WHERE {{ ?s ?p ?o }}' {url}"
    )
    typer.echo(
        f"{settings.workers} queries at once, {settings.timeout:g} s each at most; "
        + ("SERVICE allowed" if allow_service else "SERVICE refused")
        + f"; new builds in {store} are picked up as they are published. Ctrl-C stops it."
    )
    if not is_loopback(host):
        typer.echo(
            f"kg serve: warning: listening on {host}, not loopback: anyone who reaches this "
            "machine can query the graph (requests must name it in their Host header: "
            "add names with --allow-host)",
            err=True,
        )
    code = run_server(store, settings)
    if code:
        raise typer.Exit(code)
