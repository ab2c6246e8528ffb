"""Time ``kg build`` end to end, and a plain-rdflib baseline on the same data. Prints figures.

1. ``kg build`` as a process on the bundled digests: ``--runs`` runs, best and median seconds,
   and the peak memory of the process (``ru_maxrss`` from ``os.wait4``, taken by a small reaper
   process so that the bench's own memory is not counted).
2. ``kg.build.build`` called in-process, in a child process of its own so that its peak memory
   is its own, on a generated DAIR.AI README of ``--weeks`` weeks (~10 papers a week, written by
   ``tests/dairgen.py``): seconds per stage, papers/s and peak memory.
3. The dump that build wrote (``kg.nt``) loaded and written back as Turtle, by Oxigraph (an
   in-memory ``Store``) and by plain rdflib (a ``Graph``), each timed.
4. The floors of that build, measured on the same corpus in the same run (reading, spaCy's
   tokenizer, Oxigraph's bulk load, streaming N-Triples -> Turtle), and the build's figures next
   to their targets: peak memory <= 2 GiB, wall time <= 2x the sum of the floors, 1,000 weekly
   digests under 15 s.
5. A weekly update: the README without its newest week built first, then the whole README into
   the same output (only the new week's texts go through the pipeline), next to the full build;
   with ``--weekly-files``, a folder of one file per week, the update adding the newest file
   (only that file is read).

    python bench/build_bench.py [--weeks 1000] [--distinct] [--no-extract] [--runs 3] [--no-rdflib]
        [--no-update] [--weekly-files]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "digests"
KG = Path(sys.executable).parent / "kg"
sys.path.insert(0, str(ROOT / "tests"))

__all__ = ["Row", "main"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table."""

    what: str
    engine: str
    runs: int
    best_s: float
    median_s: float
    rate: str = ""
    peak_mib: float | None = None


@dataclass(frozen=True, slots=True)
class Child:
    """A finished child process: wall time, exit code, peak resident memory, its output."""

    seconds: float
    code: int
    peak_mib: float
    stdout: str
    stderr: str


def _mib(maxrss: int) -> float:
    """ru_maxrss is in KiB on Linux and in bytes on macOS."""
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


# A process's peak memory counts the memory of the process that started it: a child takes
# its parent's resident set as its own high-water mark until it execs. The bench's own process
# grows (the generated README, the in-memory stores of the serialiser rows), so each measured
# process is started by this small reaper instead, which reports the process's wait4 figures.
_REAPER = """
import os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(process.pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as figures:
    figures.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss} {seconds}")
"""


def run_child(args: Sequence[str]) -> Child:
    """Run a process to completion through the reaper: its wall time, exit code and peak."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as figures,
    ):
        reaper = [sys.executable, "-S", "-c", _REAPER, figures.name, *args]
        subprocess.run(reaper, stdout=out, stderr=err, text=True, check=True)
        code, maxrss, seconds = figures.read().split()
        out.seek(0)
        err.seek(0)
        return Child(float(seconds), int(code), _mib(int(maxrss)), out.read(), err.read())


def _cli_has_no_extract() -> bool:
    """Whether `kg build` takes --no-extract (the Python API always does: extract=False)."""
    import typer

    from kg.cli import app

    command = typer.main.get_command(app)
    build = command.commands["build"]  # type: ignore[attr-defined]
    return any("--no-extract" in getattr(p, "opts", ()) for p in build.params)


def bench_cli(runs: int, no_extract: bool) -> Row:
    """`kg build` on the bundled digests as a user runs it, start-up included."""
    flag = ["--no-extract"] if no_extract and _cli_has_no_extract() else []
    extracting = not flag
    times: list[float] = []
    peaks: list[float] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for n in range(runs):
            out = Path(tmp) / f"run{n}"
            child = run_child([str(KG), "build", str(BUNDLED), "--out", str(out), *flag])
            if child.code != 0:
                raise SystemExit(f"kg build failed ({child.code}):\n{child.stderr}")
            times.append(child.seconds)
            peaks.append(child.peak_mib)
    note = " (with extraction)" if extracting else ""
    if no_extract and extracting:
        note = " (with extraction: kg build has no --no-extract)"
    return Row(
        f"kg build, bundled digests{note}",
        "oxigraph",
        runs,
        min(times),
        statistics.median(times),
        f"{runs} process(es)",
        max(peaks),
    )


def child_build(corpus: Path, out: Path, extract: bool) -> None:
    """The body of the child process: one in-process build, its figures as JSON on stdout."""
    from kg.build import build, default_jobs

    stages: dict[str, float] = {}
    current: list[tuple[str, float]] = []

    def stage(name: str) -> None:
        now = time.perf_counter()
        if current:
            previous, since = current.pop()
            stages[previous] = now - since
        current.append((name, now))

    started = time.perf_counter()
    summary = build([corpus], out, extract=extract, stage=stage, jobs=default_jobs())
    ended = time.perf_counter()
    if current:
        previous, since = current.pop()
        stages[previous] = ended - since
    figures: dict[str, Any] = {
        "seconds": ended - started,
        "stages": stages,
        "papers": summary.papers,
        "entries": summary.entries,
        "digests": summary.digests,
        "triples": summary.triples,
        "links": summary.links,
        "texts": summary.texts,
        "extracted": summary.extracted,
    }
    sys.stdout.write(json.dumps(figures) + "\n")


def bench_generated(
    weeks: int, seed: int, extract: bool, tmp: Path, distinct: bool = False
) -> tuple[list[Row], dict[str, Any]]:
    """Write a generated README and build it in a child process of its own."""
    from corpus import distinct_ids
    from dairgen import make_dair_readme

    corpus = tmp / "corpus"
    corpus.mkdir()
    started = time.perf_counter()
    text, rows = make_dair_readme(weeks, seed)
    text = distinct_ids(text) if distinct else text
    (corpus / "README.md").write_text(text, encoding="utf-8")
    generated = time.perf_counter() - started
    out = tmp / "out"
    args = [sys.executable, __file__, "--child", str(corpus), str(out)]
    child = run_child([*args, *([] if extract else ["--no-extract"])])
    if child.code != 0:
        raise SystemExit(f"the in-process build failed ({child.code}):\n{child.stderr}")
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures["rows"] = rows
    figures["generated_s"] = generated
    figures["out"] = str(out)
    seconds = figures["seconds"]
    label = f"build() in-process, {weeks} weeks, {figures['papers']:,} papers"
    table = [
        Row(
            label + (", with extraction" if extract else ""),
            "oxigraph",
            1,
            seconds,
            seconds,
            f"{figures['papers'] / seconds:,.0f} papers/s",
            child.peak_mib,
        )
    ]
    for name, stage_s in figures["stages"].items():
        table.append(Row(f"  stage {name}", "", 1, stage_s, stage_s))
    return table, figures


def bench_update(
    weeks: int, seed: int, tmp: Path, distinct: bool = False, weekly_files: bool = False
) -> tuple[list[Row], dict[str, Any]]:
    """A weekly update: build the generated README without its newest week, then build the
    whole README into the same output (the caches of the first build are reused). With
    `weekly_files`, the corpus is a folder of one file per week instead, and the update adds
    the newest week's file."""
    from corpus import distinct_ids
    from dairgen import _markdown, generate

    readme = generate(weeks, seed)

    def ids(text: str) -> str:
        return distinct_ids(text) if distinct else text

    corpus = tmp / "weekly"
    corpus.mkdir()
    out = tmp / "weekly-out"
    args = [sys.executable, __file__, "--child", str(corpus), str(out)]
    if weekly_files:
        files = _week_files(ids(readme.text))
        steps = [("before", files[:-1]), ("update", files[-1:])]
    else:
        before = {"README.md": ids(_markdown(list(readme.weeks[1:])))}
        steps = [("before", list(before.items())), ("update", [("README.md", ids(readme.text))])]
    figures: dict[str, Any] = {}
    for step, written in steps:
        for name, text in written:
            (corpus / name).write_text(text, encoding="utf-8")
        child = run_child(args)
        if child.code != 0:
            raise SystemExit(f"the {step} build failed ({child.code}):\n{child.stderr}")
        figures[step] = json.loads(child.stdout.strip().splitlines()[-1])
        figures[step]["peak_mib"] = child.peak_mib
    update = figures["update"]
    rows = [
        Row(
            f"weekly update: {weeks - 1} weeks + 1 {'file' if weekly_files else 'README'}"
            " into the same --out "
            f"({update['extracted']:,} of {update['texts']:,} texts extracted)",
            "oxigraph",
            1,
            update["seconds"],
            update["seconds"],
            f"{update['papers']:,} papers",
            update["peak_mib"],
        )
    ]
    for name, stage_s in update["stages"].items():
        rows.append(Row(f"  stage {name}", "", 1, stage_s, stage_s))
    return rows, figures


def _week_files(readme: str) -> list[tuple[str, str]]:
    """A README cut into one file per week (its sections, oldest first), each a digest of its
    own."""
    sections = re.split(r"(?m)^(?=## Top ML Papers of the Week)", readme)[1:]
    return [
        (f"week-{number:05d}.md", f"# ML Papers of The Week\n\n{section}")
        for number, section in enumerate(reversed(sections), start=1)
    ]


def bench_serialisers(nt: Path, triples: int, with_rdflib: bool, tmp: Path) -> list[Row]:
    """Load kg.nt and write it as Turtle: Oxigraph's in-memory Store, then rdflib's Graph."""
    import pyoxigraph as ox

    rows: list[Row] = []

    def row(what: str, engine: str, seconds: float) -> Row:
        return Row(what, engine, 1, seconds, seconds, f"{triples / seconds:,.0f} triples/s")

    started = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    store.dump(str(tmp / "ox.ttl"), ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    written = time.perf_counter()
    assert len(store) == triples, (len(store), triples)
    rows.append(row("load kg.nt", "oxigraph", loaded - started))
    rows.append(row("write Turtle", "oxigraph", written - loaded))
    del store
    if with_rdflib:
        import rdflib

        started = time.perf_counter()
        graph = rdflib.Graph()
        graph.parse(nt, format="nt")
        loaded = time.perf_counter()
        graph.serialize(destination=tmp / "rdflib.ttl", format="turtle")
        written = time.perf_counter()
        assert len(graph) == triples, (len(graph), triples)
        rows.insert(1, row("load kg.nt", "rdflib", loaded - started))
        rows.append(row("write Turtle", "rdflib", written - loaded))
    return rows


def bench_floors(corpus: Path, out: Path, tmp: Path) -> dict[str, float]:
    """What no build of this corpus can beat, measured on the same data in the same run:
    reading and scanning the files, spaCy's tokenizer over every entry text, Oxigraph's bulk
    load of the graph into an on-disk store, and Oxigraph's streaming N-Triples -> Turtle."""
    import pyoxigraph as ox
    import spacy

    from kg.sources import read_files

    floors: dict[str, float] = {}
    started = time.perf_counter()
    result = read_files([corpus])
    floors["read + scan the digests"] = time.perf_counter() - started
    texts = [
        text
        for digest in result.digests
        for entry in digest.entries
        for text in (entry.title_en, entry.intro_en, entry.abstract_en)
        if text
    ]
    tokenizer = spacy.blank("en").tokenizer
    started = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    floors["spaCy tokenizer over the entry texts"] = time.perf_counter() - started
    del result, texts
    started = time.perf_counter()
    store = ox.Store(str(tmp / "floor-store"))
    store.bulk_load(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG)
    store.flush()
    floors["Oxigraph bulk load (on disk)"] = time.perf_counter() - started
    del store
    started = time.perf_counter()
    triples = ox.parse(path=str(out / "kg.nt"), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(triples, str(tmp / "floor.ttl"), ox.RdfFormat.TURTLE)
    floors["Oxigraph N-Triples -> Turtle (streaming)"] = time.perf_counter() - started
    return floors


def print_targets(
    figures: dict[str, Any],
    peak_mib: float,
    floors: dict[str, float],
    update: dict[str, Any] | None = None,
) -> None:
    """The build's figures next to the targets they are held to."""
    floor = sum(floors.values())
    seconds = figures["seconds"]
    print()
    print("floors (same corpus, same run):")
    for name, value in floors.items():
        print(f"  {name:<42} {value:8.2f} s")
    print(f"  {'sum of the floors':<42} {floor:8.2f} s")
    print()
    print("targets:")
    checks = [
        ("peak memory of the build", f"{peak_mib:,.0f} MiB", "<= 2,048 MiB", peak_mib <= 2048),
        (
            "build time / sum of the floors",
            f"{seconds / floor:.2f}x ({seconds:.1f} s)",
            "<= 2.00x",
            seconds <= 2 * floor,
        ),
    ]
    if figures["digests"] == 1000:  # the target names 1,000 digests, not a rate per 1,000
        checks.append(("1,000 weekly digests", f"{seconds:.1f} s", "< 15 s", seconds < 15))
    if update is not None:
        seconds = update["update"]["seconds"]
        full = figures["seconds"]
        checks.append(
            (
                "adding one week",
                f"{seconds:.1f} s ({full / seconds:.1f}x faster)",
                "< 60 s",
                seconds < 60,
            )
        )
    for name, value, target, met in checks:
        print(f"  {name:<34} {value:>22}   target {target:<14} {'met' if met else 'MISSED'}")


def print_table(rows: Sequence[Row]) -> None:
    header = ("what", "engine", "runs", "best s", "median s", "throughput", "peak MiB")
    cells = [
        (
            r.what,
            r.engine,
            str(r.runs),
            f"{r.best_s:.3f}",
            f"{r.median_s:.3f}",
            r.rate,
            "" if r.peak_mib is None else f"{r.peak_mib:,.0f}",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6}

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if i in right else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    print(line(header))
    print(line(["-" * w for w in widths]))
    for row in cells:
        print(line(row))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=1000, help="weeks in the generated README")
    parser.add_argument("--no-extract", action="store_true", help="skip entity extraction")
    parser.add_argument("--runs", type=int, default=3, help="runs of kg build on the bundle")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated README")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the rdflib baseline")
    parser.add_argument("--no-update", action="store_true", help="skip the weekly-update figure")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="every paper link a distinct arXiv id (no paper in two weeks), as the query bench",
    )
    parser.add_argument(
        "--weekly-files",
        action="store_true",
        help="the weekly update on a folder of one file per week instead of one README",
    )
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_build(args.child[0], args.child[1], extract=not args.no_extract)
        return 0

    import pyoxigraph
    import rdflib

    print(
        f"kg build benchmark: Python {platform.python_version()}, pyoxigraph "
        f"{pyoxigraph.__version__}, rdflib {rdflib.__version__}, {os.cpu_count()} CPUs, "
        f"extraction {'off' if args.no_extract else 'on'}"
    )
    table: list[Row] = []
    print(f"... kg build on {BUNDLED} ({args.runs} runs)", file=sys.stderr)
    table.append(bench_cli(args.runs, args.no_extract))
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as name:
        tmp = Path(name)
        print(f"... build() on a generated README of {args.weeks} weeks", file=sys.stderr)
        rows, figures = bench_generated(
            args.weeks, args.seed, not args.no_extract, tmp, args.distinct
        )
        table.extend(rows)
        nt = Path(figures["out"]) / "kg.nt"
        print(
            f"... loading and writing {nt.name} ({figures['triples']:,} triples)", file=sys.stderr
        )
        table.extend(bench_serialisers(nt, figures["triples"], not args.no_rdflib, tmp))
        print("... floors", file=sys.stderr)
        floors = bench_floors(tmp / "corpus", Path(figures["out"]), tmp)
        peak = rows[0].peak_mib or 0.0
        update = None
        if not args.no_extract and not args.no_update:
            print(
                f"... a weekly update: {args.weeks - 1} weeks, then {args.weeks}", file=sys.stderr
            )
            update_rows, update = bench_update(
                args.weeks, args.seed, tmp, args.distinct, args.weekly_files
            )
            table.extend(update_rows)
    print(
        f"generated README: {figures['rows']:,} rows in {args.weeks} weeks "
        f"({figures['generated_s']:.2f} s to generate); {figures['digests']:,} digests, "
        f"{figures['entries']:,} entries, {figures['papers']:,} papers, "
        f"{figures['triples']:,} triples, {figures['links']:,} entity links"
    )
    print()
    print_table(table)
    print_targets(figures, peak, floors, update)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
