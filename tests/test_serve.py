"""``kg serve``: the safe SPARQL endpoint over the built store, started for real and queried over
HTTP: answers, time limit, SERVICE refusal, Host check, workers that die with it, new builds."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.errors import StoreError
from kg.graph.prefixes import PREFIXES
from kg.graph.store import open_store, store_path
from kg.query import run_query
from kg.serve import (
    Endpoint,
    Settings,
    endpoint,
    free_port,
    is_loopback,
    oxigraph_executable,
    running_server,
)
from tests.dairgen import make_dair_readme

JSON_RESULTS = "application/sparql-results+json"
PAPERS = (
    "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> "
    "SELECT (COUNT(DISTINCT ?paper) AS ?n) WHERE { ?paper a mlkg:Paper }"
)
FEATURED = (
    "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> "
    "SELECT (COUNT(*) AS ?n) WHERE { ?paper mlkg:featuredIn ?digest }"
)
RUNAWAY = {
    "ordered product": "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1",
    "counted product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "distinct product": (
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "BIND(CONCAT(STR(?c), STR(?f), STR(?i)) AS ?x) }"
    ),
}
STREAMED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FAST = Settings(timeout=1.0, workers=2, poll=0.2)


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[Endpoint]:
    with running_server(built_dir, settings=FAST) as running:
        yield running


def local_count(built_dir: Path, query: str) -> int:
    answer = run_query(open_store(built_dir), query)
    return int(answer.rows[0][0].value)  # type: ignore[union-attr]


def sparql_json(request: urllib.request.Request, timeout: float = 10) -> dict[str, Any]:
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith(JSON_RESULTS)
        document: dict[str, Any] = json.load(response)
    return document


def count_of(document: dict[str, Any]) -> int:
    (binding,) = document["results"]["bindings"]
    assert binding["n"]["datatype"] == PREFIXES["xsd"] + "integer"
    return int(binding["n"]["value"])


def get(base: str, query: str, host: str | None = None) -> urllib.request.Request:
    url = endpoint(base) + "?" + urllib.parse.urlencode({"query": query})
    headers = {"Accept": JSON_RESULTS} | ({"Host": host} if host else {})
    return urllib.request.Request(url, headers=headers)


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


def refusal(request: urllib.request.Request) -> tuple[int, str]:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    return caught.value.code, caught.value.read().decode()


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for a reaper does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and alive(int(entry.name)):
                found.append(int(entry.name))
    return sorted(found)


def wait_until(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_the_oxigraph_of_this_environment_is_used() -> None:
    assert oxigraph_executable().parent == Path(sys.executable).parent


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))


@pytest.mark.parametrize("request_for", [get, post_form, post_direct])
def test_paper_count_over_http_equals_the_store(
    server: Endpoint, built_dir: Path, request_for: Any
) -> None:
    expected = local_count(built_dir, PAPERS)
    assert expected == 39
    assert count_of(sparql_json(request_for(server.url, PAPERS))) == expected


def test_the_endpoint_sees_every_named_graph(server: Endpoint, built_dir: Path) -> None:
    expected = local_count(built_dir, FEATURED)
    assert expected == 55
    assert count_of(sparql_json(get(server.url, FEATURED))) == expected


def test_a_named_query_runs_over_http(server: Endpoint) -> None:
    query = (
        "PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?paper WHERE { ?paper dcterms:subject "
        "<https://w3id.org/mlkg/id/topic/rag> } ORDER BY ?paper"
    )
    bindings = sparql_json(get(server.url, query))["results"]["bindings"]
    assert [b["paper"]["value"].rsplit("/", 1)[-1][:7] for b in bindings] == [
        "2401.14",
        "2401.15",
        "longrag",
    ]


def test_a_large_answer_arrives_whole(server: Endpoint, built_dir: Path) -> None:
    """Past the buffered size the answer streams (chunked) and still arrives complete."""
    copies = "VALUES ?copy { 1 2 }"
    everything = sparql_json(get(server.url, f"SELECT * WHERE {{ ?s ?p ?o {copies} }}"))
    triples = local_count(built_dir, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert len(everything["results"]["bindings"]) == 2 * triples > 20_000


def test_the_endpoint_is_read_only(server: Endpoint, built_dir: Path) -> None:
    for path in ("/update", "/store"):
        update = urllib.request.Request(
            server.url + path,
            data=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
        )
        assert refusal(update)[0] == 404
    update_as_query = post_direct(server.url, "DROP ALL")
    assert refusal(update_as_query)[0] == 400
    assert count_of(sparql_json(get(server.url, PAPERS))) == local_count(built_dir, PAPERS)


def test_a_query_stopped_after_waiting_for_a_worker_is_told_so(built_dir: Path) -> None:
    """The limit counts from the request; the answer says how much of it went to waiting."""
    import concurrent.futures

    runaway = RUNAWAY[sorted(RUNAWAY)[0]]
    settings = Settings(timeout=2.0, workers=1, poll=0.2)
    with (
        running_server(built_dir, settings=settings) as running,
        concurrent.futures.ThreadPoolExecutor(max_workers=2) as clients,
    ):
        first = clients.submit(refusal, get(running.url, runaway))
        time.sleep(1.2)  # the one worker runs the first query
        second = clients.submit(refusal, get(running.url, runaway))
        assert first.result(timeout=30) == (503, "the query ran over the time limit of 2 s\n")
        status, message = second.result(timeout=30)
    assert status == 503
    assert re.fullmatch(
        r"the query ran over the time limit of 2 s, \d\.\d s of it waiting for a free worker\n",
        message,
    ), message


@pytest.mark.parametrize("name", sorted(RUNAWAY))
def test_a_runaway_query_is_stopped_at_the_time_limit(built_dir: Path, name: str) -> None:
    """Oxigraph's own --timeout-s lets these run on (ORDER BY for minutes, at gigabytes):
    the process running the query is killed at the limit, and a new one answers next."""
    with running_server(built_dir, settings=FAST) as running:
        before = running.worker_pids()
        started = time.monotonic()
        status, message = refusal(get(running.url, RUNAWAY[name]))
        took = time.monotonic() - started
        assert status == 503
        assert message == "the query ran over the time limit of 1 s\n"
        assert 1.0 <= took < 2.5
        killed = [pid for pid in before if not alive(pid)]
        assert len(killed) == 1
        wait_until(lambda: len(running.worker_pids()) == 2, 15, "no worker took its place")
        assert count_of(sparql_json(get(running.url, PAPERS))) == 39
        ticks = {pid: cpu_ticks(pid) for pid in running.worker_pids()}
        time.sleep(1.0)
        assert all(cpu_ticks(pid) - ticks[pid] < 10 for pid in ticks), "a worker burns CPU"


def test_a_streamed_answer_is_cut_at_the_time_limit_as_an_error(built_dir: Path) -> None:
    """An endless streamed answer ends at the limit without its last chunk: an error for the
    client, never a short answer taken for a whole one."""
    with running_server(built_dir, settings=FAST) as running:
        before = running.worker_pids()
        started = time.monotonic()
        with (
            pytest.raises(http.client.IncompleteRead),
            urllib.request.urlopen(get(running.url, STREAMED), timeout=10) as response,
        ):
            assert response.status == 200
            response.read()
        assert time.monotonic() - started < 2.5
        assert sum(not alive(pid) for pid in before) == 1
        wait_until(lambda: len(running.worker_pids()) == 2, 15, "no worker took its place")


class Recorder(http.server.ThreadingHTTPServer):
    """A local HTTP server that records every request made to it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.hits.append(self.path)
                self.send_response(500)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sparql"


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.shutdown()
    server.server_close()


def federated(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ ?x ?y ?z . service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <{url}> SELECT * WHERE {{ ?x ?y ?z .SeRvIcE ex: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # SERVICE in a comment, then for real\n SERVICE <{url}> {{ }} }}",
    ]


@pytest.mark.parametrize("request_for", [get, post_form, post_direct])
def test_service_is_refused(server: Endpoint, recorder: Recorder, request_for: Any) -> None:
    for query in federated(recorder.url):
        status, message = refusal(request_for(server.url, query))
        assert status == 403
        assert "SERVICE" in message
    assert recorder.hits == []
    harmless = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p "SERVICE" . ?s ?service ?o }'
    assert count_of(sparql_json(request_for(server.url, harmless))) == 0


def test_service_runs_when_federation_is_allowed(built_dir: Path, recorder: Recorder) -> None:
    allowed = Settings(timeout=2.0, workers=1, allow_service=True)
    with running_server(built_dir, settings=allowed) as running:
        try:
            with urllib.request.urlopen(get(running.url, federated(recorder.url)[0])) as answer:
                answer.read()  # the other server fails, so the answer is an error or cut
        except (urllib.error.HTTPError, http.client.HTTPException) as error:
            assert getattr(error, "code", 500) != 403
    assert recorder.hits == ["/sparql"], "the SERVICE call never reached the other server"


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:7878", "rebind.attacker.test.", "[2001:db8::1]:80"]
)
def test_a_foreign_host_header_is_refused(server: Endpoint, host: str) -> None:
    """DNS rebinding: a page on another name whose address now points here gets nothing."""
    status, message = refusal(get(server.url, PAPERS, host=host))
    assert status == 403
    assert message.startswith(f"Host {host!r} is not a name of this endpoint")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "LOCALHOST:1234", "[::1]:7878"])
def test_loopback_host_headers_are_served(server: Endpoint, host: str) -> None:
    assert count_of(sparql_json(get(server.url, PAPERS, host=host))) == 39


def test_an_allowed_host_name_is_served(built_dir: Path) -> None:
    settings = Settings(timeout=2.0, workers=1, allowed_hosts=("kg.example.org",))
    with running_server(built_dir, settings=settings) as running:
        assert count_of(sparql_json(get(running.url, PAPERS, host="kg.example.org"))) == 39
        assert refusal(get(running.url, PAPERS, host="other.example.org"))[0] == 403


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "127.8.9.1", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.0.2.1", "example.org"]))


def test_the_server_stops_when_the_block_ends(built_dir: Path) -> None:
    with running_server(built_dir, settings=FAST) as running:
        assert count_of(sparql_json(post_direct(running.url, PAPERS))) == 39
        workers = running.worker_pids()
        assert len(workers) == 2
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(get(running.url, PAPERS), timeout=2)
    assert not any(map(alive, workers))


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


def start_kg_serve(
    built_dir: Path, *options: str, host: str = "127.0.0.1"
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg), "serve", "--store", str(built_dir), "--port", str(port), "--host", host]
    process = subprocess.Popen(
        [*command, "--workers", "2", *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            assert count_of(sparql_json(get(base, PAPERS))) == 39
            return process, base
        except urllib.error.URLError:
            assert process.poll() is None, process.stderr.read().decode()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "kg serve did not answer"
            time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGKILL])
def test_kg_serve_takes_its_workers_down_however_it_is_stopped(
    built_dir: Path, stop: signal.Signals
) -> None:
    process, base = start_kg_serve(built_dir)
    try:
        workers = children(process.pid)
        assert len(workers) == 2
        assert all("oxigraph" in Path(f"/proc/{pid}/cmdline").read_text() for pid in workers)
        process.send_signal(stop)
        assert process.wait(timeout=15) == (-signal.SIGKILL if stop == signal.SIGKILL else 0)
        wait_until(lambda: not any(map(alive, workers)), 5, "an oxigraph worker outlived kg")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stdout is not None and process.stderr is not None
    output = process.stdout.read().decode()
    assert output.startswith(f"SPARQL endpoint: {base}/query\n")
    assert "2 queries at once, 5 s each at most; SERVICE refused" in output
    assert process.stderr.read() == b""
    process.stdout.close()
    process.stderr.close()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(get(base, PAPERS), timeout=2)


def test_kg_serve_warns_when_it_listens_beyond_loopback(built_dir: Path) -> None:
    process, base = start_kg_serve(built_dir, host="0.0.0.0")
    try:
        assert refusal(get(base, PAPERS, host="evil.example"))[0] == 403
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.stderr is not None and process.stdout is not None
    warning = process.stderr.read().decode()
    process.stderr.close()
    process.stdout.close()
    assert warning.startswith("kg serve: warning: listening on 0.0.0.0, not loopback")


def publish(out: Path, build_dir: Path) -> None:
    """Publish `build_dir`'s store as the store of `out` in one atomic step (a symlink swap),
    as a build publishes a new output set."""
    link = out / "store"
    temporary = out / ".store.next"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(store_path(build_dir).resolve(), target_is_directory=True)
    os.replace(temporary, link)


@pytest.fixture(scope="module")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of a generated DAIR README: other papers than the bundled build's 39."""
    folder = tmp_path_factory.mktemp("generated")
    readme, _ = make_dair_readme(weeks=12, seed=8)
    (folder / "README.md").write_text(readme, encoding="utf-8")
    build([folder / "README.md"], folder / "out", extract=False)
    return folder / "out"


def test_a_new_build_is_served_at_once_without_stale_data(
    tmp_path: Path, built_dir: Path, second_build: Path
) -> None:
    """While clients query without pause, the store `store_path(out)` resolves to is replaced:
    every answer is the old count or the new one (never an error, never a mix), and once the
    new one is seen the old one never comes back."""
    first, second = local_count(built_dir, PAPERS), local_count(second_build, PAPERS)
    assert first == 39 and second > 100
    out = tmp_path / "out"
    out.mkdir()
    publish(out, built_dir)
    with running_server(out, settings=FAST) as running:
        answers: list[list[int | str]] = [[], [], []]
        stop = threading.Event()

        def client(seen: list[int | str]) -> None:
            while not stop.is_set():
                try:
                    seen.append(count_of(sparql_json(get(running.url, PAPERS))))
                except Exception as error:  # every failure is a finding
                    seen.append(repr(error))

        clients = [threading.Thread(target=client, args=(seen,)) for seen in answers]
        for thread in clients:
            thread.start()
        time.sleep(0.5)
        old_location = store_path(out).resolve()
        old_workers = running.worker_pids()
        publish(out, second_build)
        assert store_path(out).resolve() != old_location
        published = time.monotonic()
        wait_until(
            lambda: all(seen[-2:] == [second] * 2 for seen in answers),
            10,
            "the new build is not served",
        )
        picked_up = time.monotonic() - published
        time.sleep(0.5)
        stop.set()
        for thread in clients:
            thread.join()
        wait_until(lambda: not any(map(alive, old_workers)), 10, "old workers still run")
    for seen in answers:
        assert set(seen) == {first, second}, [a for a in seen if a not in (first, second)]
        switch = seen.index(second)
        assert all(answer == second for answer in seen[switch:])
    assert picked_up < 3.0
