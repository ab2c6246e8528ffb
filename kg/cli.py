"""The ``kg`` command: a thin Typer front over plain functions.

Heavy libraries are imported inside the commands that need them: ``kg query`` loads no spaCy.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kg.errors import KgError
from kg.graph.store import DEFAULT_DIR
from kg.terminal import inert

__all__ = ["app"]

app = typer.Typer(
    name="kg",
    help="A knowledge graph of machine-learning papers built from weekly paper digests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
F = TypeVar("F", bound=Callable[..., Any])


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"kg {version('kg')}")
        except PackageNotFoundError:
            from kg import __version__

            typer.echo(f"kg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """A knowledge graph of machine-learning papers built from weekly paper digests."""


StoreOption = Annotated[
    Path, typer.Option("--store", help="Directory written by 'kg build --out'.")
]
EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Read the graph from a SPARQL 1.1 server (its query URL) instead of --store.",
    ),
]


def _is_text(value: str) -> bool:
    """Whether a command-line string is text (bytes that are not UTF-8 arrive as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"kg: error: {message}", err=True)
    raise typer.Exit(code)


def reports_errors(command: F) -> F:
    """Turn a KgError into one line on stderr and a non-zero exit, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = command(*args, **kwargs)
            sys.stdout.flush()
            return result
        except KgError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:  # the reader stopped reading (| head): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None

    return wrapper  # type: ignore[return-value]


@app.command()
@reports_errors
def build(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Digest files or directories (default: the bundled digests).",
            readable=False,  # an unreadable file is skipped with its reason, not a usage error
        ),
    ] = None,
    out: Annotated[str, typer.Option("--out", "-o", help="Output directory.", metavar="DIR")] = str(
        DEFAULT_DIR
    ),
    layout: Annotated[
        str | None, typer.Option("--format", help="Force a digest layout instead of detecting it.")
    ] = None,
    vocab: Annotated[
        list[Path] | None,
        typer.Option("--vocab", help="An extra Turtle vocabulary file.", readable=False),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Extraction processes (default: one per core, at most 4; used from 2,000 texts).",
            show_default=False,
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail, writing nothing, if any file is unreadable.")
    ] = False,
    extract: Annotated[
        bool, typer.Option("--extract/--no-extract", help="Link papers to entities.")
    ] = True,
    cache: Annotated[
        bool,
        typer.Option(
            "--cache/--no-cache",
            help="Reuse what the previous build into --out read of unchanged files and found "
            "in unchanged texts (--no-cache reads and extracts everything again).",
        ),
    ] = True,
    endpoint: Annotated[
        str | None,
        typer.Option("--endpoint", help="Also load the graph into this SPARQL server (query URL)."),
    ] = None,
    update_url: Annotated[
        str | None, typer.Option("--update-url", help="Its SPARQL Update URL (unknown servers).")
    ] = None,
    store_url: Annotated[
        str | None,
        typer.Option("--store-url", help="Its Graph Store Protocol URL (unknown servers)."),
    ] = None,
) -> None:
    """Read digests and publish the store and the dumps (ttl, nt, jsonld, trig) under --out.

    A build writes a complete new set and publishes it in one step; builds into the same --out
    take turns. With --endpoint the published graph is then loaded into a SPARQL 1.1 server too.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table
    from rich.text import Text

    from kg.build import NothingReadError, StrictBuildError, default_jobs
    from kg.build import build as run_build
    from kg.resources import bundled_digests
    from kg.sources import reader

    if not out.strip():
        _fail("--out is empty; give the folder to build into")
    output = Path(out)
    if layout:
        reader(layout)
    console = Console(stderr=True)
    stages = ["read", "resolve", "extract", "store", "dumps"]
    with Progress(
        TextColumn("[bold]{task.description:<8}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("build", total=len(stages))

        def stage(name: str) -> None:
            progress.update(task, description=name, completed=stages.index(name))

        try:
            summary = run_build(
                paths or [bundled_digests()],
                output,
                layout=layout,
                vocab=vocab or [],
                jobs=jobs or default_jobs(),
                extract=extract,
                cache=cache,
                strict=strict,
                stage=stage,
                waiting=lambda: typer.echo(
                    f"kg: waiting for another build into {inert(str(output))} to finish", err=True
                ),
            )
        except (StrictBuildError, NothingReadError) as exc:
            for error in exc.errors:
                typer.echo(f"kg: error: {error}", err=True)
            for error in exc.skipped if isinstance(exc, NothingReadError) else []:
                typer.echo(f"kg: not read {error}", err=True)
            raise
        progress.update(task, completed=len(stages))
    for error in summary.errors:
        typer.echo(f"kg: skipped {error}", err=True)
    for error in summary.skipped:
        typer.echo(f"kg: not read {error}", err=True)
    table = Table(title=Text(f"kg build -> {inert(str(output))}"), show_header=False)
    rows = [
        ("files read", f"{summary.files - len(summary.errors)} of {summary.files}"),
        (
            "of them unchanged",
            f"{summary.unchanged} (taken from the cache)"
            if cache
            else "not looked for (--no-cache)",
        ),
        ("other files skipped", len(summary.skipped)),
        ("digests", summary.digests),
        ("entries", summary.entries),
        ("distinct papers", summary.papers),
        ("merged entries", summary.merges),
        ("entity links", summary.links),
        (
            "texts extracted",
            f"{summary.extracted:,} new, {summary.texts - summary.extracted:,} cached",
        ),
        (
            "papers related",
            f"{summary.related:,} new, {summary.replayed:,} cached",
        ),
        ("triples", summary.triples),
        (
            "store",
            f"loaded ({summary.quads:,} quads)"
            if summary.patched is None
            else f"patched ({summary.patched:,} of {summary.quads:,} quads changed)",
        ),
        ("files written", ", ".join(p.name for p in summary.written)),
        ("seconds", f"{summary.seconds:.2f}"),
    ]
    for key, value in rows:
        table.add_row(key, str(value))
    Console().print(table)
    if endpoint:
        from kg.graph.push import push

        pushed = push(output, endpoint, update_url=update_url, store_url=store_url)
        typer.echo(
            f"pushed {pushed.triples} triples in {pushed.graphs} graphs to "
            f"{pushed.endpoint.query_url} ({pushed.endpoint.server}, {pushed.protocol})"
        )


@app.command()
@reports_errors
def query(
    query: Annotated[
        str | None,
        typer.Argument(help="SPARQL text, a .rq file, or the name of a shipped query."),
    ] = None,
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    output: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, tsv, json, or ttl (CONSTRUCT).")
    ] = "table",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Bind a parameter: NAME=VALUE.")
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the shipped named queries.")
    ] = False,
    allow_service: Annotated[
        bool,
        typer.Option(
            "--allow-service", help="Allow SERVICE (federation: fetching other servers' URLs)."
        ),
    ] = False,
) -> None:
    """Run a SPARQL query against the built store or a SPARQL server."""
    from kg.graph.store import open_graph
    from kg.query import load_query, named_queries, run_query
    from kg.render import render_answer

    if list_queries:
        for name, named in named_queries().items():
            params = " ".join(f"--param {p}=..." for p in named.params)
            typer.echo(f"{name:<24} {named.summary}" + (f"  [{params}]" if params else ""))
        return
    if not query:
        _fail("give a query (SPARQL text, a .rq file or a name from 'kg query --list')", 2)
        return
    if not _is_text(query):
        _fail("the query is not UTF-8 text", 2)
    text, kinds = load_query(query)
    bindings: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[^\W\d]\w*", name):  # as a declared @param
            _fail(f"--param {item!r} is not NAME=VALUE (a NAME of letters, digits and _)", 2)
        if name in bindings:
            _fail(f"--param {name} is given twice", 2)
        if not _is_text(value):
            _fail(f"--param {name}: the value is not UTF-8 text", 2)
        bindings[name] = value
    graph = open_graph(store, endpoint)
    answer = run_query(
        graph, text, bindings, kinds, allow_service=allow_service, lazy=output == "csv"
    )
    sys.stdout.write(render_answer(answer, output))


def _register_commands() -> None:
    """Import the command modules: each adds its commands to `app` (their heavy imports wait)."""
    import importlib
    import pkgutil

    import kg.commands

    for module in pkgutil.iter_modules(kg.commands.__path__):
        importlib.import_module(f"kg.commands.{module.name}")


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
