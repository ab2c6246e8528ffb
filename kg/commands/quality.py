"""``kg eval`` and ``kg validate``: extraction quality and schema conformance."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kg.cli import EndpointOption, StoreOption, app, reports_errors
from kg.graph.store import DEFAULT_DIR


@app.command("eval")
@reports_errors
def evaluate_command(
    store: StoreOption = DEFAULT_DIR,
    endpoint: EndpointOption = None,
    gold: Annotated[
        list[Path] | None,
        typer.Option("--gold", help="Annotated set (JSON); default: every set in data/eval."),
    ] = None,
    errors: Annotated[
        bool, typer.Option("--errors", help="List every miss and every extra link.")
    ] = False,
) -> None:
    """Precision, recall and F1 per entity type, for each annotated set on its own."""
    from rich.console import Console
    from rich.table import Table

    from kg.evaluate import evaluate, load_gold
    from kg.graph.store import open_graph
    from kg.resources import annotation_files

    graph = open_graph(store, endpoint)
    console = Console(width=120, highlight=False)
    for path in gold or annotation_files():
        gold_set = load_gold(path)
        scores = evaluate(graph, gold_set)
        if not scores.papers:
            console.print(
                f"{gold_set.name}: none of its {len(gold_set.papers)} papers is in this graph "
                "(build the digests it annotates to score it)",
                markup=False,
            )
            continue
        title = (
            f"{gold_set.name}: extraction vs {path.name} "
            f"({scores.papers} of {len(gold_set.papers)} papers matched)"
        )
        table = Table(title=title, title_justify="left")
        for column in ("type", "precision", "recall", "F1", "tp", "fp", "fn"):
            table.add_column(column, justify="left" if column == "type" else "right")
        for name, score in [*scores.by_type.items(), ("overall", scores.overall)]:
            table.add_row(
                name,
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
                str(score.tp),
                str(score.fp),
                str(score.fn),
            )
        console.print(table)
        if scores.unscored_topics:
            console.print(
                f"  {scores.unscored_topics} topic link(s) outside this set's annotation scheme "
                f"({gold_set.scheme}) are not scored",
                markup=False,
            )
        for unmatched in scores.unmatched:
            console.print(f"  unmatched gold paper: {unmatched}", markup=False)
        if errors:
            for name, score in scores.by_type.items():
                for miss in score.misses:
                    console.print(f"  miss  {name:<13} {miss}", markup=False)
                for extra in score.extras:
                    console.print(f"  extra {name:<13} {extra}", markup=False)


@app.command()
@reports_errors
def validate(store: StoreOption = DEFAULT_DIR, endpoint: EndpointOption = None) -> None:
    """Check the built graph against ontology/shapes.ttl; exit 1 on any violation."""
    from kg.graph.store import open_graph
    from kg.validate import validate_store

    violations = validate_store(open_graph(store, endpoint))
    for violation in violations[:200]:
        typer.echo(str(violation))
    if len(violations) > 200:
        typer.echo(f"... and {len(violations) - 200} more")
    if violations:
        typer.echo(f"{len(violations)} violation(s) of the shapes", err=True)
        raise typer.Exit(1)
    typer.echo("the graph conforms to ontology/shapes.ttl")
