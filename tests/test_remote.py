"""A SPARQL 1.1 server as the graph's home: ``kg push`` into a real Virtuoso and a real Oxigraph
server, then every reading path (named queries, ``kg query``, ``kg validate``, ``kg eval``)
gives the answers of the embedded store."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.build import build
from kg.cli import app
from kg.commands.remote import push_command
from kg.errors import EndpointError
from kg.evaluate import evaluate, load_gold
from kg.graph.prefixes import PREFIXES
from kg.graph.push import push
from kg.graph.remote import (
    DEFAULT_GRAPH,
    PASSWORD_VARIABLE,
    USER_VARIABLE,
    Graph,
    RemoteGraph,
    Term,
    describe_endpoint,
)
from kg.graph.store import open_graph, open_store
from kg.query import bind_value, named_queries, run_query
from kg.resources import data_path
from kg.validate import validate_store
from tests.dairgen import make_dair_readme
from tests.servers import (
    VIRTUOSO_MAX_ROWS,
    VIRTUOSO_PASSWORD,
    VIRTUOSO_USER,
    oxigraph_server,
    virtuoso,
    virtuoso_server,
)

PHI3 = "paper:2404.14219"
PARAMETERS: dict[str, list[dict[str, str]]] = {
    "papers": [{}],
    "topic-cooccurrence": [{}],
    "papers-by-topic": [{"topic": t} for t in ("topic:rag", "topic:reasoning", "topic:agents")],
    "orgs-by-topic": [{"topic": t} for t in ("topic:open-models", "topic:small-models")],
    "topic-timeline": [{"topic": t} for t in ("topic:rag", "topic:open-models")],
    "shared-benchmarks": [{"paper": PHI3}, {"paper": "paper:2401.15947"}],
    "models-compared": [{"paper": PHI3}],
    "link-evidence": [
        {"paper": PHI3, "entity": "benchmark:mmlu"},
        {"paper": PHI3, "entity": "model:phi-3"},
    ],
    "entity-links": [{"entity": "benchmark:mmlu"}, {"entity": "org:microsoft"}],
    "benchmark-papers": [{}],
    "describe": [{"node": PHI3}, {"node": "model:llama-2"}],
    "entity-edges": [{"node": "benchmark:mmlu"}, {"node": PHI3}],
    "entity-facts": [{"entity": "model:llama-2"}, {"entity": "org:microsoft"}],
    "entity-names": [{"class": "mlkg:Benchmark"}, {"class": "mlkg:Topic"}],
    "entity-neighbours": [{"entity": "benchmark:mmlu"}, {"entity": "topic:rag"}],
    "entity-papers": [{"entity": "benchmark:mmlu"}, {"entity": "org:microsoft"}],
    "graph-entity-links": [{}],
    "graph-links": [{}],
    "graph-names": [{}],
    "graph-papers": [{}],
    "graph-span": [{}],
    "graph-web-links": [{}],
    "lookup-arxiv": [{"id": "2404.14219"}],
    "lookup-name": [{"class": "mlkg:Model", "word": "llama"}],
    "lookup-node": [{"node": PHI3}, {"node": "topic:rag"}],
    "lookup-title": [{"word": "retrieval"}],
    "paper-counts": [{"entity": "benchmark:mmlu"}],
    "paper-entities": [{"paper": PHI3}],
    "paper-evidence": [{"paper": PHI3}],
    "paper-links": [{"paper": PHI3}],
    "related-ranking": [{"paper": PHI3}],
    "related-shares": [{"paper": PHI3}],
    "web-links": [{"node": PHI3}],
}
SERVERS = ["oxigraph", "virtuoso"]


@contextmanager
def credentials(user: str | None, password: str | None) -> Iterator[None]:
    """KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD set (or unset) while the block runs."""
    saved = {name: os.environ.get(name) for name in (USER_VARIABLE, PASSWORD_VARIABLE)}
    for name, value in ((USER_VARIABLE, user), (PASSWORD_VARIABLE, password)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


def writer(kind: str) -> tuple[str | None, str | None]:
    """The credentials that may write to a kind of test server."""
    return (VIRTUOSO_USER, VIRTUOSO_PASSWORD) if kind == "virtuoso" else (None, None)


class Servers(dict[str, str]):
    """Query URLs of the test servers, each started on first use and holding the exploration
    build, pushed by kg push."""

    def __init__(self, stack: ExitStack, base: pytest.TempPathFactory, built: Path) -> None:
        super().__init__()
        self.stack, self.base, self.built = stack, base, built

    def __missing__(self, kind: str) -> str:
        folder = self.base.mktemp(kind)
        if kind == "virtuoso":
            if virtuoso() is None:
                message = "virtuoso-t is not installed (apt-get install virtuoso-opensource)"
                if os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
                    pytest.fail(message)
                pytest.skip(message)
            url = self.stack.enter_context(virtuoso_server(folder))
        else:
            url = self.stack.enter_context(oxigraph_server(folder))
        with credentials(*writer(kind)):
            push(self.built, url)
        self[kind] = url
        return url


@pytest.fixture(scope="session")
def pushed(tmp_path_factory: pytest.TempPathFactory, built_dir: Path) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(stack, tmp_path_factory, built_dir)


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def normal(term: object) -> str:
    """A term as text to compare across engines: numbers by value (to 9 places, whatever their
    numeric type), GROUP_CONCAT parts in sorted order (SPARQL leaves their order open)."""
    if term is None or term == EMPTY:
        return (
            ""  # GROUP_CONCAT of nothing: "" in Virtuoso (as SPARQL 1.1 says), unbound in Oxigraph
        )
    if isinstance(term, ox.Literal):
        number = _number(term.value)
        if term.datatype.value in NUMERIC and number is not None:
            return f"{round(number, 9):f}".rstrip("0").rstrip(".")
        parts = " ".join(sorted(re.split(r",? ", term.value)))  # separators ", " or " "
        return f"{parts!r}@{term.language or ''}^^{term.datatype.value}"
    return str(term)


EMPTY = ox.Literal("")
NUMERIC = {PREFIXES["xsd"] + name for name in ("integer", "decimal", "double", "float", "int")}


def answer_rows(graph: Graph, name: str, params: dict[str, str]) -> list[tuple[str, ...]]:
    query = named_queries()[name]
    answer = run_query(graph, query.text, params, query.params)
    return sorted(tuple(normal(t) for t in row) for row in answer.rows)


def triple_count(graph: Graph) -> str:
    answer = run_query(graph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return normal(answer.rows[0][0])


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize(
    ("name", "params"),
    [(name, params) for name, sets in PARAMETERS.items() for params in sets],
    ids=[
        "-".join([name, *params.values()]) for name, sets in PARAMETERS.items() for params in sets
    ],
)
def test_named_queries_answer_as_the_embedded_store(
    pushed: Servers, built_dir: Path, kind: str, name: str, params: dict[str, str]
) -> None:
    expected = answer_rows(open_store(built_dir), name, params)
    found = answer_rows(open_graph(built_dir, pushed[kind]), name, params)
    assert found == expected


def test_every_named_query_is_compared() -> None:
    assert set(PARAMETERS) == set(named_queries())


@pytest.mark.parametrize("kind", SERVERS)
def test_the_remote_union_is_the_graph_and_only_it(
    pushed: Servers, built_dir: Path, kind: str
) -> None:
    local, remote = open_store(built_dir), open_graph(built_dir, pushed[kind])
    assert triple_count(remote) == triple_count(local) != "0"
    papers = "SELECT ?p WHERE { ?p a mlkg:Paper } ORDER BY ?p"
    assert run_query(remote, papers).rows == run_query(local, papers).rows


@pytest.mark.parametrize("kind", SERVERS)
def test_ask_construct_and_the_default_graph_alone(
    pushed: Servers, built_dir: Path, kind: str
) -> None:
    local, remote = open_store(built_dir), open_graph(built_dir, pushed[kind])
    for query in ("ASK { ?p a mlkg:Paper }", "ASK { ?p a mlkg:Nothing }"):
        assert run_query(remote, query).boolean is run_query(local, query).boolean
    construct = f"CONSTRUCT {{ {PHI3} ?p ?o }} WHERE {{ {PHI3} ?p ?o }}"
    here, there = (run_query(graph, construct).triples for graph in (local, remote))
    assert here and there is not None
    assert set(map(str, there)) == set(map(str, here))
    default_only = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = [graph.query(default_only) for graph in (local, remote)]
    assert all(isinstance(c, ox.QuerySolutions) for c in counts)
    assert len({normal(next(c)[0]) for c in counts}) == 1  # type: ignore[call-overload]


HOSTILE = [
    'a"b\\u0022 } ; DROP ALL ; { \\',
    "line\nbreak\ttab\r\u202eRLO 😀 한국어",
    "'''\"\"\" # not a comment <http://x>",
]


@pytest.mark.parametrize("kind", SERVERS)
@pytest.mark.parametrize("value", HOSTILE, ids=["quotes", "controls", "delimiters"])
def test_bound_literals_reach_the_server_as_the_same_term(
    pushed: Servers, built_dir: Path, kind: str, value: str
) -> None:
    local, remote = open_store(built_dir), open_graph(built_dir, pushed[kind])
    query = "SELECT ?v ?n WHERE { BIND(STRLEN(?v) AS ?n) }"
    for term in (ox.Literal(value), ox.Literal(value, language="en")):
        found = []
        for graph in (local, remote):
            answer = graph.query(query, substitutions={ox.Variable("v"): term})
            assert isinstance(answer, ox.QuerySolutions)
            found.append([(row["v"], normal(row["n"])) for row in answer])
        assert found[1] == found[0] == [(term, str(len(value)))]
    assert triple_count(remote) == triple_count(local)


@pytest.mark.parametrize("kind", SERVERS)
def test_an_unprojected_parameter_is_refused_as_by_oxigraph(
    pushed: Servers, built_dir: Path, kind: str
) -> None:
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    substitutions: dict[ox.Variable, Term] = {ox.Variable("s"): bind_value("iri", PHI3)}
    for graph in (open_store(built_dir), open_graph(built_dir, pushed[kind])):
        with pytest.raises(RuntimeError, match=r"does not contains variable \?s"):
            graph.query(query, substitutions=substitutions)


def violations(graph: Graph) -> list[tuple[str, ...]]:
    """The violations, blank nodes named alike (their labels are drawn afresh on each read)."""
    return sorted(
        (re.sub(r"^N[0-9a-f]{32}$", "_:b", v.focus), v.path, v.message, v.severity)
        for v in validate_store(graph)
    )


@pytest.mark.parametrize("kind", SERVERS)
def test_validate_and_eval_read_the_server_as_the_store(
    pushed: Servers, built_dir: Path, kind: str
) -> None:
    local, remote = open_store(built_dir), open_graph(built_dir, pushed[kind])
    assert violations(remote) == violations(local)
    gold = load_gold(data_path("eval", "annotations.json"))
    here, there = evaluate(local, gold), evaluate(remote, gold)
    assert there.papers == here.papers > 0
    for name, score in here.by_type.items():
        other = there.by_type[name]
        assert (other.tp, other.fp, other.fn) == (score.tp, score.fp, score.fn), name


@pytest.mark.parametrize("kind", SERVERS)
def test_kg_query_validate_and_eval_take_endpoint(
    pushed: Servers, built_dir: Path, kind: str
) -> None:
    runner = CliRunner()
    for command in (
        ["query", "papers-by-topic", "--param", "topic=topic:rag", "--format", "csv"],
        ["validate"],
        ["eval"],
    ):
        here = runner.invoke(app, [*command, "--store", str(built_dir)])
        there = runner.invoke(app, [*command, "--endpoint", pushed[kind]])
        assert there.exit_code == here.exit_code, there.output
        lines = [re.sub(r"\bN[0-9a-f]{32}\b", "_:b", line) for line in there.stdout.splitlines()]
        expected = [re.sub(r"\bN[0-9a-f]{32}\b", "_:b", line) for line in here.stdout.splitlines()]
        assert sorted(lines) == sorted(expected)
        assert len(lines) > 1


@pytest.fixture(scope="module")
def other_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("other")
    readme, _ = make_dair_readme(weeks=3, seed=3)
    (folder / "README.md").write_text(readme, encoding="utf-8")
    build([folder / "README.md"], folder / "out", extract=False)
    return folder / "out"


def graph_sizes(graph: Graph, default_graph: str | None) -> dict[str, int]:
    """Triples per named graph under kg's namespace, and in the default graph (the real one,
    or the named graph standing in for it)."""
    answer = graph.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        'FILTER(STRSTARTS(STR(?g), "https://w3id.org/mlkg/id/")) } GROUP BY ?g'
    )
    assert isinstance(answer, ox.QuerySolutions)
    sizes = {row["g"].value: int(row["n"].value) for row in answer}  # type: ignore[union-attr]
    if default_graph is None:
        count = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(count, ox.QuerySolutions)
        sizes[DEFAULT_GRAPH] = int(next(count)["n"].value)  # type: ignore[union-attr]
    return sizes


@pytest.mark.parametrize("via", ["graph store", "update"])
@pytest.mark.parametrize("kind", SERVERS)
def test_a_push_replaces_each_graph_and_drops_the_digests_gone(
    pushed: Servers, built_dir: Path, other_build: Path, kind: str, via: str
) -> None:
    """Push another build over the first: the server holds exactly the other build's graphs;
    push the first back: exactly the first's again (the other tests read it)."""
    url = pushed[kind]
    target = describe_endpoint(url)
    remote = RemoteGraph(target)
    expected = {out: graph_sizes(open_store(out), None) for out in (built_dir, other_build)}
    assert set(expected[built_dir]).isdisjoint(set(expected[other_build]) - {DEFAULT_GRAPH})
    with credentials(*writer(kind)):
        summary = push(other_build, url, via=via)
        assert summary.protocol == via
        assert graph_sizes(remote, target.default_graph) == expected[other_build]
        assert set(summary.dropped) == set(expected[built_dir]) - {DEFAULT_GRAPH}
        assert summary.triples == sum(expected[other_build].values())
        push(built_dir, url, via=via)
    assert graph_sizes(remote, target.default_graph) == expected[built_dir]


def push_option_names() -> set[str]:
    """The parameters of kg push: no password among them, ever."""
    return set(inspect.signature(push_command).parameters)


def test_virtuoso_writes_need_credentials_from_the_environment(
    pushed: Servers, built_dir: Path
) -> None:
    url = pushed["virtuoso"]
    runner = CliRunner()
    with credentials(None, None):
        result = runner.invoke(app, ["push", str(built_dir), "--endpoint", url])
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if not line.startswith("push ")]
    assert error.startswith("kg: error: ")
    assert error.endswith(f"set {USER_VARIABLE} and {PASSWORD_VARIABLE}")
    with credentials(VIRTUOSO_USER, "wrong"):
        result = runner.invoke(app, ["push", str(built_dir), "--endpoint", url])
    assert result.exit_code == 1
    assert f"check {USER_VARIABLE} and {PASSWORD_VARIABLE}" in result.stderr
    with credentials(*writer("virtuoso")):
        result = runner.invoke(app, ["push", str(built_dir), "--endpoint", url])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"pushed \d+ triples in 8 graphs to .*/sparql \(virtuoso, graph store at "
        r".*/sparql-graph-crud-auth\) in [\d.]+ s",
        result.stdout.strip(),
    )
    assert push_option_names() == {"endpoint", "out_dir", "update_url", "store_url"}


def test_a_cut_answer_is_an_error_not_a_short_answer(pushed: Servers) -> None:
    """Virtuoso stops at ResultSetMaxRows and says so in a header: kg refuses the answer."""
    graph = open_graph(Path("unused"), pushed["virtuoso"])
    query = "SELECT ?a ?b WHERE { ?a a ?x . ?b a ?y }"
    with pytest.raises(EndpointError, match=f"cut the answer at {VIRTUOSO_MAX_ROWS} rows"):
        graph.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/query", "cannot reach http://127.0.0.1:9/query"),
        ("ftp://example.org/sparql", "is not an http(s) URL of a SPARQL query service"),
    ],
)
def test_an_unreachable_endpoint_is_one_line(url: str, message: str) -> None:
    result = CliRunner().invoke(app, ["query", "papers", "--endpoint", url])
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
