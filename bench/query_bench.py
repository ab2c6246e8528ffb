"""Time the reading side on a graph of about 100,000 papers built with the real ``kg build``.

The graph comes from `bench/corpus.py` (a generated DAIR.AI README, built once under
``flock /tmp/kg-bigrun.lock`` and kept in ``$KG_BENCH_CACHE``). Printed next to their targets:

* every named query with a bound parameter, in-process (median of ``--runs``), target 1 s;
* ``kg report TOPIC``, ``kg viz --topic``, ``kg shared-benchmarks``, ``kg related`` and a
  ``kg query --format csv`` of one row per paper as whole processes (median of
  ``--process-runs``), targets 3 s, 5 s, 1 s, 1 s and 3 s;
* baselines measured in the same run: a ``kg`` process that does nothing (``kg --help``), and
  the CSV queries written straight to TSV by Oxigraph in-process.

The topic, paper and entity are picked from the graph: the topic with the papers nearest 5 % of
the graph, a paper linked to the most popular entities (the costliest to rank), and the
benchmark most papers use. The exit status is 1 when a target is missed.

    python bench/query_bench.py [--weeks 10020] [--runs 5] [--process-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import KG, built_graph

from kg.graph.prefixes import PREFIXES, compact
from kg.graph.store import open_store
from kg.query import named_queries, run_query

__all__ = ["Figure", "main"]

QUERY_TARGET = 1.0
WEEKS = "SELECT ?paper ?week WHERE { ?paper mlkg:week ?week }"
"""A query of one row per paper that Oxigraph answers from one index: the CSV figure measures
kg's output path, not joins (``kg query papers``, with joins, is shown beside its floor)."""
SEARCHES = {"lookup-title", "lookup-name"}
"""Searches by a word of a name: a scan of every name of a kind, reported beside the target."""


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the table."""

    what: str
    seconds: float
    rows: int | None
    target: float | None

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "ok" if self.seconds <= self.target else "MISSED"

    def line(self, width: int) -> str:
        rows = "" if self.rows is None else f"{self.rows:,}"
        target = "" if self.target is None else f"<= {self.target:.1f}"
        return f"{self.what:<{width}}  {self.seconds:8.3f}  {rows:>9}  {target:>7}  {self.verdict}"


def _median(action: Callable[[], int], runs: int) -> tuple[float, int]:
    rows = action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def _one(store: ox.Store, sparql: str) -> str:
    """The value of the first row's first column (an IRI in full, or a literal's text)."""
    answer = run_query(store, sparql)
    term = answer.rows[0][0]
    assert term is not None
    return term.value


def pick(store: ox.Store) -> dict[str, str]:
    """The topic, paper, entity and arXiv id the bench asks about."""
    papers = int(
        run_query(store, "SELECT (COUNT(?p) AS ?n) WHERE { ?p a mlkg:Paper }").rows[0][0].value
    )  # type: ignore[union-attr]
    counts = run_query(
        store,
        "SELECT ?t (COUNT(?p) AS ?n) WHERE { ?p dcterms:subject ?t } GROUP BY ?t",
    ).rows
    topic = min(counts, key=lambda row: abs(int(row[1].value) - papers * 0.05))[0]  # type: ignore[union-attr]
    benchmark = _one(
        store,
        "SELECT ?b WHERE { ?p mlkg:evaluatesOn ?b } GROUP BY ?b ORDER BY DESC(COUNT(?p)) LIMIT 1",
    )
    organisation = _one(
        store,
        "SELECT ?o WHERE { ?p schema:sourceOrganization ?o } GROUP BY ?o "
        "ORDER BY DESC(COUNT(?p)) LIMIT 1",
    )
    paper = _one(
        store,
        f"SELECT ?p WHERE {{ ?p schema:sourceOrganization <{organisation}> ; "
        f"mlkg:evaluatesOn <{benchmark}> ; mlkg:arxivId ?id }} LIMIT 1",
    )
    arxiv = _one(store, f"SELECT ?id WHERE {{ <{paper}> mlkg:arxivId ?id }}")
    assert topic is not None
    return {
        "papers": str(papers),
        "topic": compact(topic.value),
        "paper": paper,
        "entity": compact(topic.value),
        "hub": benchmark,
        "id": arxiv,
        "word": "reasoning",
        "class": PREFIXES["mlkg"] + "Benchmark",
        "node": paper,
    }


def named_query_figures(store: ox.Store, picked: dict[str, str], runs: int) -> list[Figure]:
    """Every named query with a parameter, bound to the picked nodes; the entity queries also
    on the most used benchmark (a hub: one paper in eight), beside no target."""
    figures = []
    for name, query in named_queries().items():
        if not query.params:
            continue
        params = {key: picked[key] for key in query.params}
        seconds, rows = _median(
            lambda q=query, p=params: len(run_query(store, q.text, p, q.params).rows), runs
        )
        label = f"query {name}" + (" (search)" if name in SEARCHES else "")
        figures.append(Figure(label, seconds, rows, QUERY_TARGET))
        print(figures[-1].line(44), file=sys.stderr, flush=True)
        if "entity" in query.params:
            hub = {**params, "entity": picked["hub"]}
            seconds, rows = _median(
                lambda q=query, p=hub: len(run_query(store, q.text, p, q.params).rows), runs
            )
            figures.append(Figure(f"query {name} on {compact(picked['hub'])}", seconds, rows, None))
            print(figures[-1].line(44), file=sys.stderr, flush=True)
    return figures


def _process(args: list[str], runs: int) -> tuple[float, int]:
    def action() -> int:
        done = subprocess.run([str(KG), *args], capture_output=True, text=True, check=True)
        return done.stdout.count("\n")

    return _median(action, runs)


def process_figures(graph: Path, picked: dict[str, str], runs: int, work: Path) -> list[Figure]:
    store = ["--store", str(graph)]
    cases = [
        ("kg --help (a process doing nothing)", ["--help"], None),
        (f"kg report {picked['topic']}", ["report", picked["topic"], *store], 3.0),
        (
            f"kg viz --topic {picked['topic']}",
            ["viz", "--topic", picked["topic"], "-o", str(work / "viz.html"), *store],
            5.0,
        ),
        (f"kg shared-benchmarks {picked['id']}", ["shared-benchmarks", picked["id"], *store], 1.0),
        (f"kg related {picked['id']}", ["related", picked["id"], *store], 1.0),
        (f"kg query '{WEEKS}' --format csv", ["query", WEEKS, "--format", "csv", *store], 3.0),
        (
            "kg query papers --format csv (joins)",
            ["query", "papers", "--format", "csv", *store],
            None,
        ),
    ]
    figures = []
    for label, args, target in cases:
        seconds, rows = _process(args, runs)
        figures.append(Figure(label, seconds, rows, target))
        print(figures[-1].line(44), file=sys.stderr, flush=True)
    return figures


def tsv_floors(store: ox.Store, runs: int) -> list[Figure]:
    """The CSV queries written to TSV by Oxigraph in-process: the floors of the CSV figures."""
    figures = []
    for label, text in (("weeks query", WEEKS), ("papers query", named_queries()["papers"].text)):

        def action(text: str = text) -> int:
            result = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions)
            return (result.serialize(format=ox.QueryResultsFormat.TSV) or b"").count(b"\n") - 1

        seconds, rows = _median(action, runs)
        figures.append(Figure(f"baseline: {label} as TSV, in-process", seconds, rows, None))
        print(figures[-1].line(44), file=sys.stderr, flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--weeks", type=int, default=10_020, help="weeks of the generated README")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--process-runs", type=int, default=3)
    args = parser.parse_args(argv)
    graph = built_graph(args.weeks)
    store = open_store(graph)
    picked = pick(store)
    print(
        f"graph {graph}: {int(picked['papers']):,} papers; topic {picked['topic']}, "
        f"paper {compact(picked['paper'])} (arXiv {picked['id']}), hub {compact(picked['hub'])}",
        flush=True,
    )
    work = graph.parent / "bench-output"
    work.mkdir(exist_ok=True)
    figures = named_query_figures(store, picked, args.runs)
    figures += tsv_floors(store, args.runs)
    del store
    figures += process_figures(graph, picked, args.process_runs, work)
    width = max(len(f.what) for f in figures)
    print(f"{'what':<{width}}  {'seconds':>8}  {'rows':>9}  {'target':>7}")
    for figure in figures:
        print(figure.line(width))
    missed = [f for f in figures if f.verdict == "MISSED" and not f.what.endswith("(search)")]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
