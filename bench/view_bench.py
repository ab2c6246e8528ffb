"""Time the graph view on a generated graph of about 2,000 nodes, up to a stable layout in chromium.

The store is written directly with pyoxigraph: papers with a title, a week and an arXiv URL,
topics and benchmarks with labels, 1-2 topics and 1-3 benchmarks per paper (benchmark popularity
long-tailed). The page is rendered with kg.viz, opened from a file:// URL in headless chromium
with every network request refused, and timed until vis-network's stabilizationIterationsDone.

    python bench/view_bench.py [--papers N] [--topics N] [--benchmarks N] [--keep FILE]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pyoxigraph as ox

from kg.graph.prefixes import ID, PREFIXES
from kg.viz import graph_from_store, render_html, to_pyvis

__all__ = ["CHROMIUM", "main", "synthetic_store", "time_in_browser"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_SECONDS = 10.0


def _iri(name: str) -> ox.NamedNode:
    prefix, _, rest = name.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + rest)


def synthetic_store(papers: int, topics: int, benchmarks: int, seed: int = 1) -> ox.Store:
    """An in-memory store of papers linked to topics (dcterms:subject) and benchmarks."""
    rng = random.Random(seed)
    a, label, title = _iri("rdf:type"), _iri("rdfs:label"), _iri("dcterms:title")
    week_p, url_p, subject = _iri("mlkg:week"), _iri("schema:url"), _iri("dcterms:subject")
    evaluates = _iri("mlkg:evaluatesOn")
    xsd_date = _iri("xsd:date")
    quads: list[ox.Quad] = []
    topic_nodes = [ox.NamedNode(f"{ID}topic/t{i}") for i in range(topics)]
    bench_nodes = [ox.NamedNode(f"{ID}benchmark/b{i}") for i in range(benchmarks)]
    for i, node in enumerate(topic_nodes):
        quads += [
            ox.Quad(node, a, _iri("mlkg:Topic")),
            ox.Quad(node, label, ox.Literal(f"Topic {i}", language="en")),
        ]
    for i, node in enumerate(bench_nodes):
        quads += [
            ox.Quad(node, a, _iri("mlkg:Benchmark")),
            ox.Quad(node, label, ox.Literal(f"Benchmark {i}", language="en")),
        ]
    weights = [1.0 / (rank + 1) for rank in range(benchmarks)]
    start = date(2023, 1, 2)
    for i in range(papers):
        node = ox.NamedNode(f"{ID}paper/2401.{i:05d}")
        name = f"Synthetic paper {i} on scaling and evaluation"
        week = start + timedelta(weeks=rng.randrange(104))
        quads += [
            ox.Quad(node, a, _iri("mlkg:Paper")),
            ox.Quad(node, label, ox.Literal(name, language="en")),
            ox.Quad(node, title, ox.Literal(name, language="en")),
            ox.Quad(node, week_p, ox.Literal(week.isoformat(), datatype=xsd_date)),
            ox.Quad(node, url_p, ox.NamedNode(f"https://arxiv.org/abs/2401.{i:05d}")),
        ]
        for topic in rng.sample(topic_nodes, rng.randint(1, 2)):
            quads.append(ox.Quad(node, subject, topic))
        for bench in set(rng.choices(bench_nodes, weights, k=rng.randint(1, 3))):
            quads.append(ox.Quad(node, evaluates, bench))
    store = ox.Store()
    store.bulk_extend(quads)
    return store


def time_in_browser(page_file: Path, timeout: float) -> dict[str, float]:
    """Open the page offline in headless chromium; seconds to load and to a stable layout."""
    from playwright.sync_api import sync_playwright

    refused: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})

            def refuse(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(("file:", "data:")):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    refused.append(url)
                    route.abort()  # type: ignore[attr-defined]

            context.route("**/*", refuse)
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            started = time.perf_counter()
            page.goto(page_file.resolve().as_uri(), wait_until="load")
            loaded = time.perf_counter() - started
            while not page.evaluate("Boolean(window.kgView && window.kgView.stabilized)"):
                if time.perf_counter() - started > timeout:
                    raise TimeoutError(f"no stable layout after {timeout:.0f} s")
                page.wait_for_timeout(25)
            wall = time.perf_counter() - started
            in_page = page.evaluate("window.kgView.stabilizationMs") / 1000
            counts = page.evaluate("[window.kgView.nodes, window.kgView.edges]")
        finally:
            browser.close()
    if refused or errors:
        raise RuntimeError(f"requests {refused[:3]}, console errors {errors[:3]}")
    return {
        "load": loaded,
        "stable_wall": wall,
        "stable_in_page": in_page,
        "nodes": counts[0],
        "edges": counts[1],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its timings; exit 1 if the layout misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--papers", type=int, default=1500)
    parser.add_argument("--topics", type=int, default=150)
    parser.add_argument("--benchmarks", type=int, default=350)
    parser.add_argument("--keep", type=Path, help="Also write the page here.")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("chromium not installed: apt-get install chromium", file=sys.stderr)
        return 2

    started = time.perf_counter()
    store = synthetic_store(args.papers, args.topics, args.benchmarks)
    made = time.perf_counter()
    graph = graph_from_store(store)
    graphed = time.perf_counter()
    network = to_pyvis(graph)
    converted = time.perf_counter()
    page = render_html(network)
    rendered = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        page_file = args.keep or Path(tmp) / "graph.html"
        page_file.write_text(page, encoding="utf-8")
        browser = time_in_browser(page_file, args.timeout)

    rows = [
        ("nodes", f"{graph.number_of_nodes()}"),
        ("edges", f"{graph.number_of_edges()}"),
        ("synthetic store", f"{made - started:.2f} s"),
        ("graph_from_store", f"{graphed - made:.2f} s"),
        ("to_pyvis", f"{converted - graphed:.2f} s"),
        ("render_html", f"{rendered - converted:.2f} s ({len(page) / 1e6:.1f} MB)"),
        ("page load", f"{browser['load']:.2f} s"),
        ("stabilised (page clock)", f"{browser['stable_in_page']:.2f} s"),
        ("stabilised (from goto)", f"{browser['stable_wall']:.2f} s"),
        ("page counts", f"{browser['nodes']:.0f} nodes, {browser['edges']:.0f} edges"),
    ]
    for name, value in rows:
        print(f"{name:<24} {value}")
    ok = browser["stable_wall"] < TARGET_SECONDS
    print(f"target < {TARGET_SECONDS:.0f} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
