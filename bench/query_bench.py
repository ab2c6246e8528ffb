"""Time the named queries on a generated graph of 100,000 papers, and ``kg query`` as a process.

The graph is written directly with pyoxigraph: papers with a week, an arXiv id and a title, about
20 topics (half of them narrower than the other half), about 300 benchmarks with a long-tailed
popularity, 3-6 benchmark links and 1-3 topics per paper. The same triples go into a plain rdflib
Graph, and the same SPARQL runs over both. Medians are of 20 runs (3 over rdflib, which is far
slower, and without a warm-up run). ``kg query`` is timed as a whole process on the bundled build.
The exit status is 1 when a target is missed.

    python bench/query_bench.py [--papers N] [--runs N] [--rdflib-runs N] [--no-rdflib]
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from kg.graph.prefixes import ID, PREFIXES
from kg.query import bind_value, named_queries, run_query

__all__ = ["Timing", "generate", "main"]

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "digests"
STORE_TARGET_MS = 100.0
PROCESS_TARGET_MS = 500.0
TOPICS = 20
BENCHMARKS = 300


@dataclass(frozen=True, slots=True)
class Timing:
    """One measured line of the table."""

    what: str
    engine: str
    runs: int
    median_ms: float | None  # None: a run went past the deadline
    rows: int | None
    target_ms: float | None = None
    deadline_s: float | None = None

    @property
    def verdict(self) -> str:
        """'ok' or 'SLOW' against the target, blank when there is none."""
        if self.target_ms is None:
            return ""
        return "ok" if self.median_ms is not None and self.median_ms < self.target_ms else "SLOW"

    def cells(self) -> tuple[str, ...]:
        """The cells of its line in the table."""
        if self.median_ms is None:
            median = f"> {(self.deadline_s or 0) * 1000:.0f}"
        else:
            median = f"{self.median_ms:.1f}"
        return (
            self.what,
            self.engine,
            str(self.runs),
            median,
            "?" if self.rows is None else str(self.rows),
            "" if self.target_ms is None else f"< {self.target_ms:.0f}",
            self.verdict,
        )


class _PastDeadline(Exception):
    """A run took longer than its deadline."""


def _with_deadline(action: Callable[[], int], seconds: float) -> Callable[[], int]:
    """`action`, interrupted (SIGALRM) when it runs longer than `seconds`."""

    def expire(signum: int, frame: object) -> None:
        raise _PastDeadline

    def run() -> int:
        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return action()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return run


def _node(kind: str, name: str) -> ox.NamedNode:
    return ox.NamedNode(f"{ID}{kind}/{name}")


def _term(prefixed: str) -> ox.NamedNode:
    prefix, _, rest = prefixed.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + rest)


def generate(papers: int, seed: int = 7) -> Iterator[ox.Triple]:
    """The triples of the generated graph: the same ones for the same arguments."""
    rng = random.Random(seed)
    a, label, title = _term("rdf:type"), _term("rdfs:label"), _term("dcterms:title")
    broader, pref = _term("skos:broader"), _term("skos:prefLabel")
    subject, evaluates, introduces = (
        _term("dcterms:subject"),
        _term("mlkg:evaluatesOn"),
        _term("mlkg:introduces"),
    )
    week_p, arxiv_p = _term("mlkg:week"), _term("mlkg:arxivId")
    xsd_date = _term("xsd:date")
    topics = [_node("topic", f"t{i:02d}") for i in range(TOPICS)]
    for i, topic in enumerate(topics):
        yield ox.Triple(topic, a, _term("mlkg:Topic"))
        yield ox.Triple(topic, pref, ox.Literal(f"Topic {i}", language="en"))
        if i >= TOPICS // 2:
            yield ox.Triple(topic, broader, topics[i - TOPICS // 2])
    benchmarks = [_node("benchmark", f"b{i:03d}") for i in range(BENCHMARKS)]
    for i, benchmark in enumerate(benchmarks):
        yield ox.Triple(benchmark, a, _term("mlkg:Benchmark"))
        yield ox.Triple(benchmark, label, ox.Literal(f"Benchmark {i}", language="en"))
    popularity = [1 / (rank + 1) ** 0.5 for rank in range(BENCHMARKS)]
    first_week = date(2023, 1, 2)
    for i in range(papers):
        paper = _node("paper", f"{2300 + i // 20000}.{i % 20000:05d}")
        yield ox.Triple(paper, a, _term("mlkg:Paper"))
        yield ox.Triple(paper, title, ox.Literal(f"Generated paper number {i}", language="en"))
        week = first_week + timedelta(weeks=rng.randrange(104))
        yield ox.Triple(paper, week_p, ox.Literal(week.isoformat(), datatype=xsd_date))
        yield ox.Triple(paper, arxiv_p, ox.Literal(paper.value.rsplit("/", 1)[-1]))
        for topic in rng.sample(topics, rng.randint(1, 3)):
            yield ox.Triple(paper, subject, topic)
        chosen: set[ox.NamedNode] = set()
        wanted = rng.randint(3, 6)
        while len(chosen) < wanted:
            chosen.update(rng.choices(benchmarks, weights=popularity, k=wanted - len(chosen)))
        for n, benchmark in enumerate(sorted(chosen, key=lambda b: b.value)):
            predicate = introduces if n == 0 and rng.random() < 0.02 else evaluates
            yield ox.Triple(paper, predicate, benchmark)


def _median_ms(action: Callable[[], int], runs: int, warm_up: bool = True) -> tuple[float, int]:
    rows = action() if warm_up else 0  # a warm-up run is not counted
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def _bench_oxigraph(
    store: ox.Store, name: str, params: dict[str, str], runs: int
) -> tuple[float, int]:
    named = named_queries()[name]
    return _median_ms(lambda: len(run_query(store, named.text, params, named.params).rows), runs)


def _bench_serialised(
    store: ox.Store, name: str, params: dict[str, str], runs: int
) -> tuple[float, int]:
    """The same query with its results written as TSV by Oxigraph: no Python object per term."""
    named = named_queries()[name]
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(key): bind_value(named.params[key][0], value) for key, value in params.items()
    }

    def action() -> int:
        result = store.query(
            named.text,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions=substitutions,
        )
        assert isinstance(result, ox.QuerySolutions)
        written = result.serialize(format=ox.QueryResultsFormat.TSV) or b""
        return written.count(b"\n") - 1

    return _median_ms(action, runs)


def _bench_rdflib(
    graph: object, name: str, params: dict[str, str], runs: int, deadline: float
) -> tuple[float | None, int | None]:
    from rdflib import URIRef

    named = named_queries()[name]
    bindings = {
        key: URIRef(PREFIXES[value.partition(":")[0]] + value.partition(":")[2])
        for key, value in params.items()
    }
    prepared_ns = dict(PREFIXES)

    def action() -> int:
        result = graph.query(named.text, initNs=prepared_ns, initBindings=bindings)  # type: ignore[attr-defined]
        return len(list(result))

    try:
        return _median_ms(_with_deadline(action, deadline), runs, warm_up=False)
    except _PastDeadline:
        return None, None


def _bench_process(
    store_dir: Path, name: str, params: dict[str, str], runs: int
) -> tuple[float, int]:
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg), "query", name, "--store", str(store_dir), "--format", "csv"]
    for key, value in params.items():
        command += ["--param", f"{key}={value}"]

    def action() -> int:
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return len(done.stdout.splitlines()) - 1

    return _median_ms(action, runs)


def _table(timings: list[Timing]) -> str:
    header = ("query", "engine", "runs", "median ms", "rows", "target ms", "")
    lines = [t.cells() for t in timings]
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    right = {2, 3, 4}

    def fmt(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *(fmt(row) for row in lines)])


def main(argv: list[str] | None = None) -> int:
    """Generate, load, time, print the table; non-zero exit when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--rdflib-runs", type=int, default=3, help="Runs over rdflib, which is far slower."
    )
    parser.add_argument(
        "--rdflib-deadline",
        type=float,
        default=600.0,
        help="Seconds after which an rdflib run is abandoned (shown as '> ...').",
    )
    parser.add_argument("--no-rdflib", action="store_true", help="Skip the rdflib comparison.")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the work dir is removed
    work = Path(tempfile.mkdtemp(prefix="kg-query-bench-"))
    try:
        started = time.perf_counter()
        triples = list(generate(args.papers))
        store = ox.Store(str(work / "store"))
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        store.flush()
        del store
        store = ox.Store.read_only(str(work / "store"))
        print(
            f"generated {args.papers:,} papers, {len(triples):,} triples "
            f"({time.perf_counter() - started:.1f} s)",
            file=sys.stderr,
        )
        index = min(12345, args.papers - 1)
        paper = f"paper:{2300 + index // 20000}.{index % 20000:05d}"
        cases = [
            ("shared-benchmarks", {"paper": paper}),
            ("papers-by-topic", {"topic": "topic:t03"}),
        ]
        timings: list[Timing] = []

        def record(timing: Timing) -> None:
            timings.append(timing)
            print("  ".join(timing.cells()), file=sys.stderr, flush=True)

        for name, params in cases:
            ms, rows = _bench_oxigraph(store, name, params, args.runs)
            record(Timing(name, "oxigraph store", args.runs, ms, rows, STORE_TARGET_MS))
            ms, rows = _bench_serialised(store, name, params, args.runs)
            record(Timing(name, "oxigraph, TSV out", args.runs, ms, rows))
        if not args.no_rdflib:
            from rdflib import Graph

            started = time.perf_counter()
            graph = Graph()
            for t in triples:
                graph.add(tuple(_to_rdflib(term) for term in (t.subject, t.predicate, t.object)))  # type: ignore[arg-type]
            print(f"rdflib graph loaded ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
            for name, params in cases:
                deadline = args.rdflib_deadline
                found = _bench_rdflib(graph, name, params, args.rdflib_runs, deadline)
                record(Timing(name, "rdflib Graph", args.rdflib_runs, *found, deadline_s=deadline))
        del triples

        build_dir = work / "bundled"
        subprocess.run(
            [str(Path(sys.executable).with_name("kg")), "build", "--out", str(build_dir)],
            capture_output=True,
            check=True,
        )
        for name, params in [("papers", {}), ("papers-by-topic", {"topic": "topic:rag"})]:
            ms, rows = _bench_process(build_dir, name, params, args.runs)
            record(Timing(f"kg query {name}", "process", args.runs, ms, rows, PROCESS_TARGET_MS))
        print(_table(timings))
        return 0 if all(t.verdict != "SLOW" for t in timings) else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> object:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


if __name__ == "__main__":
    sys.exit(main())
