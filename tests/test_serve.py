"""The Oxigraph SPARQL endpoint over the built store, queried over HTTP."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import StoreError
from kg.graph.prefixes import PREFIXES
from kg.graph.store import open_store, store_path
from kg.query import run_query
from kg.serve import endpoint, free_port, oxigraph_executable, running_server, server_command

BUNDLED = Path(__file__).parent.parent / "data" / "digests"
JSON_RESULTS = "application/sparql-results+json"
PAPERS = (
    "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> "
    "SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE { ?paper a mlkg:Paper }"
)
FEATURED = (
    "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> "
    "SELECT (COUNT(*) AS ?n) WHERE { ?paper mlkg:featuredIn ?digest }"
)


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[str]:
    with running_server(built_dir) as base:
        yield base


def local_count(built_dir: Path, query: str) -> int:
    answer = run_query(open_store(built_dir), query)
    return int(answer.rows[0][0].value)  # type: ignore[union-attr]


def sparql_json(request: urllib.request.Request) -> dict[str, Any]:
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith(JSON_RESULTS)
        document: dict[str, Any] = json.load(response)
    return document


def count_of(document: dict[str, Any]) -> int:
    (binding,) = document["results"]["bindings"]
    assert binding["n"]["datatype"] == PREFIXES["xsd"] + "integer"
    return int(binding["n"]["value"])


def get(base: str, query: str) -> urllib.request.Request:
    url = endpoint(base) + "?" + urllib.parse.urlencode({"query": query})
    return urllib.request.Request(url, headers={"Accept": JSON_RESULTS})


def post_form(base: str, query: str) -> urllib.request.Request:
    return urllib.request.Request(
        endpoint(base),
        data=urllib.parse.urlencode({"query": query}).encode(),
        headers={"Accept": JSON_RESULTS, "Content-Type": "application/x-www-form-urlencoded"},
    )


def post_direct(base: str, query: str) -> urllib.request.Request:
    return urllib.request.Request(
        endpoint(base),
        data=query.encode(),
        headers={"Accept": JSON_RESULTS, "Content-Type": "application/sparql-query"},
    )


def test_the_oxigraph_of_this_environment_is_used(built_dir: Path) -> None:
    executable = oxigraph_executable()
    assert executable.parent == Path(sys.executable).parent
    command = server_command(built_dir, "127.0.0.1", 9999)
    assert command == [
        str(executable),
        "serve-read-only",
        "--location",
        str(store_path(built_dir)),
        "--bind",
        "127.0.0.1:9999",
        "--union-default-graph",
    ]


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize("request_for", [get, post_form, post_direct])
def test_paper_count_over_http_equals_the_store(
    server: str, built_dir: Path, request_for: Any
) -> None:
    expected = local_count(built_dir, PAPERS)
    assert expected == 39
    assert count_of(sparql_json(request_for(server, PAPERS))) == expected


def test_the_endpoint_sees_every_named_graph(server: str, built_dir: Path) -> None:
    expected = local_count(built_dir, FEATURED)
    assert expected == 55
    assert count_of(sparql_json(get(server, FEATURED))) == expected


def test_a_named_query_runs_over_http(server: str) -> None:
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?paper WHERE { ?paper dcterms:subject "
        "<https://w3id.org/mlkg/id/topic/rag> } ORDER BY ?paper"
    )
    bindings = sparql_json(get(server, query))["results"]["bindings"]
    assert [b["paper"]["value"].rsplit("/", 1)[-1][:7] for b in bindings] == [
        "2401.14",
        "2401.15",
        "longrag",
    ]


def test_the_endpoint_is_read_only(server: str, built_dir: Path) -> None:
    update = urllib.request.Request(
        server.rstrip("/") + "/update",
        data=b"DROP ALL",
        headers={"Content-Type": "application/sparql-update"},
    )
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(update, timeout=10)
    assert count_of(sparql_json(get(server, PAPERS))) == local_count(built_dir, PAPERS)


def test_the_server_stops_when_the_block_ends(built_dir: Path) -> None:
    with running_server(built_dir) as base:
        assert count_of(sparql_json(post_direct(base, PAPERS))) == 39
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(get(base, PAPERS), timeout=2)


@pytest.mark.parametrize("where", ["missing", "empty"])
def test_no_server_without_a_store(tmp_path: Path, where: str) -> None:
    target = tmp_path / where
    if where == "empty":
        target.mkdir()
    with (
        pytest.raises(StoreError, match=r"no kg store at .*; run 'kg build --out"),
        running_server(target),
    ):
        pass


def test_kg_serve_refuses_a_busy_port(built_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--store", str(built_dir), "--port", str(port)])
    assert result.exit_code == 1
    assert f"SPARQL endpoint: http://127.0.0.1:{port}/query" in result.stdout
    assert "curl -H 'Accept: application/sparql-results+json'" in result.stdout
    assert (
        result.stderr
        == f"kg: error: port {port} on 127.0.0.1 is in use; pick another with --port\n"
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_kg_serve_runs_until_interrupted(built_dir: Path, stop: signal.Signals) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg), "serve", "--store", str(built_dir), "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert count_of(sparql_json(get(base, PAPERS))) == 39
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "kg serve did not answer"
                time.sleep(0.05)
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stdout is not None
    assert process.stdout.read().decode().startswith(f"SPARQL endpoint: {base}/query\n")
    process.stdout.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(get(base, PAPERS), timeout=2)
