"""Load on the SPARQL endpoint: throughput and p50/p99 latency of a cheap and an expensive query
from concurrent clients, against ``kg serve`` (the safety layer: Host check, SERVICE refusal,
time limit, worker processes) and, as the baseline measured in the same run, the bare Oxigraph
server on the same store.

Graphs: a ``kg build`` of the development corpus (../shared/corpus/upstream/dair-readme-dev.md)
and of a generated 10,000-paper DAIR README (tests/dairgen.py). Clients run in this process, the
servers in their own; each run is bounded in time and requests, on loopback only.

    python bench/endpoint_bench.py [--seconds 5] [--clients 1,8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.graph.store import store_path  # noqa: E402
from kg.serve import free_port, oxigraph_executable  # noqa: E402
from tests.dairgen import make_dair_readme  # noqa: E402

DEV_CORPUS = ROOT.parent / "shared" / "corpus" / "upstream" / "dair-readme-dev.md"
KG = Path(sys.executable).with_name("kg")
PREFIX = "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> "
QUERIES = {
    # one paper's own triples: an index lookup
    "cheap": PREFIX + "SELECT ?p ?o WHERE { ?paper mlkg:arxivId ?id ; ?p ?o } LIMIT 20",
    # every paper's digests, grouped by week: a scan, a join and an aggregate over the graph
    "expensive": PREFIX + "SELECT ?week (COUNT(DISTINCT ?paper) AS ?papers) "
    "(COUNT(DISTINCT ?digest) AS ?digests) WHERE { ?paper mlkg:week ?week ; "
    "mlkg:featuredIn ?digest . ?digest ?x ?y } GROUP BY ?week ORDER BY ?week",
}
ACCEPT = "application/sparql-results+json"


def build(source: Path, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(KG), "build", str(source), "--out", str(out)], check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request(
            "GET",
            "/query?" + urllib.parse.urlencode({"query": "ASK {}"}),
            headers={"Accept": ACCEPT},
        )
        ok = connection.getresponse().status == 200
        connection.close()
        return ok
    except OSError:
        return False


@contextmanager
def server(kind: str, out: Path, workers: int) -> Iterator[int]:
    port = free_port()
    if kind == "kg serve":
        command = [
            str(KG),
            "serve",
            "--store",
            str(out),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--timeout",
            "30",
        ]
    else:
        command = [
            str(oxigraph_executable()),
            "serve-read-only",
            "--location",
            str(store_path(out).resolve()),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{kind} did not start")
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def load(port: int, query: str, clients: int, seconds: float) -> tuple[int, float, list[float]]:
    """`clients` threads, each on one kept-alive connection, asking until `seconds` pass."""
    body = urllib.parse.urlencode({"query": query}).encode()
    headers = {"Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop and len(mine) < 100_000:
            started = time.perf_counter()
            try:
                connection.request("POST", "/query", body, headers)
                answer = connection.getresponse()
                json.loads(answer.read())
                if answer.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException, ValueError):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            mine.append(time.perf_counter() - started)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors[0], time.perf_counter() - started, latencies


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else (values[0] if values else float("nan"))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--papers", type=int, default=10_000)
    options = parser.parse_args()
    clients = [int(c) for c in options.clients.split(",")]
    with tempfile.TemporaryDirectory(prefix="kg-endpoint-bench-") as scratch:
        work = Path(scratch)
        graphs: dict[str, Path] = {}
        if DEV_CORPUS.is_file():
            seconds = build(DEV_CORPUS, work / "dev")
            graphs["dev corpus"] = work / "dev"
            print(f"built the development corpus in {seconds:.1f} s", flush=True)
        weeks = max(1, options.papers // 10)
        readme, rows = make_dair_readme(weeks=weeks, seed=10)
        (work / "generated.md").write_text(readme, encoding="utf-8")
        seconds = build(work / "generated.md", work / "generated")
        graphs[f"generated ({rows} rows)"] = work / "generated"
        print(f"built the generated corpus ({rows} rows) in {seconds:.1f} s", flush=True)
        print()
        header = (
            f"{'graph':<24} {'query':<10} {'clients':>7} {'server':<13} {'req/s':>8} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
        )
        print(header)
        print("-" * len(header))
        for name, out in graphs.items():
            for query_name, query in QUERIES.items():
                for count in clients:
                    for kind in ("oxigraph", "kg serve"):
                        with server(kind, out, workers=2) as port:
                            load(port, query, count, min(1.0, options.seconds))  # warm up
                            errors, wall, latencies = load(port, query, count, options.seconds)
                        print(
                            f"{name:<24} {query_name:<10} {count:>7} {kind:<13} "
                            f"{len(latencies) / wall:>8.1f} "
                            f"{percentile(latencies, 50) * 1000:>8.2f} "
                            f"{percentile(latencies, 99) * 1000:>8.2f} {errors:>6}",
                            flush=True,
                        )
        print()
        print("oxigraph: the bare Oxigraph server on the same store (baseline, no safety layer);")
        print("kg serve: the endpoint as shipped (2 workers, Host check, SERVICE refusal, limit).")


if __name__ == "__main__":
    main()
