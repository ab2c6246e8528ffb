"""Exploration commands: ``kg shared-benchmarks`` and ``kg report``."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from kg.cli import StoreOption, app, reports_errors
from kg.errors import UnknownNameError
from kg.graph.store import DEFAULT_DIR

__all__ = ["report", "shared_benchmarks"]

_TABLE_FORMATS = ("table", "json")


def _write_atomically(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        umask = os.umask(0)
        os.umask(umask)
        Path(temporary).chmod(0o666 & ~umask)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@app.command("shared-benchmarks")
@reports_errors
def shared_benchmarks(
    paper: Annotated[
        str | None,
        typer.Argument(help="arXiv id, paper:<id>, IRI or title words (none: every benchmark)."),
    ] = None,
    store: StoreOption = DEFAULT_DIR,
    output: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Papers sharing benchmarks with a paper, or the papers around each benchmark."""
    from kg.analysis import as_rows, benchmark_groups, find_paper
    from kg.analysis import shared_benchmarks as find_shared
    from kg.graph.store import open_store

    if output not in _TABLE_FORMATS:
        raise UnknownNameError("output format", output, list(_TABLE_FORMATS))
    graph = open_store(store)
    if paper is None:
        rows = as_rows(benchmark_groups(graph))
        title = "Papers around each benchmark"
    else:
        iri = find_paper(graph, paper)
        rows = as_rows(find_shared(graph, iri))
        title = f"Papers sharing benchmarks with {iri}"
    if output == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for column in rows[0] if rows else ["result"]:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(str(value) if value is not None else "" for value in row.values()))
    Console(width=200).print(table)
    typer.echo(f"{len(rows)} row(s)")


@app.command("report")
@reports_errors
def report(
    topic: Annotated[str, typer.Argument(help="Topic id (rag), topic:<id>, IRI or label.")],
    output: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: stdout).")
    ] = None,
    store: StoreOption = DEFAULT_DIR,
) -> None:
    """A report on one topic: papers, activity per week, linked entities and nearby topics."""
    from kg.graph.store import open_store
    from kg.report import FORMATS, render_report, topic_report

    if output not in FORMATS:
        raise UnknownNameError("report format", output, list(FORMATS))
    text = render_report(topic_report(open_store(store), topic), output)
    if out is None:
        sys.stdout.write(text)
        return
    _write_atomically(out, text)
    typer.echo(f"wrote {out}", err=True)
