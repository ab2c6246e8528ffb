"""``kg export``: GraphML and GEXF that networkx reads back with the same nodes and edges, and
CSV tables of papers x topics and papers x entities."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import explore_build
from typer.testing import CliRunner

from kg.cli import app
from kg.explore.exports import graph_bytes, projection, table_csv
from kg.explore.subgraph import whole
from kg.graph.prefixes import ID
from kg.graph.store import open_store

PHI3 = ID + "paper/2404.14219"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return explore_build(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return open_store(built)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_the_graph_round_trips(store: ox.Store, fmt: str) -> None:
    sub = whole(store)
    graph = projection(sub, "graph")
    data = graph_bytes(graph, fmt)
    back = nx.read_graphml(io.BytesIO(data)) if fmt == "graphml" else nx.read_gexf(io.BytesIO(data))
    assert back.number_of_nodes() == len(sub.nodes)
    assert back.number_of_edges() == len(sub.edges)
    assert back.nodes[PHI3]["kind"] == "paper"
    assert back.nodes[PHI3]["arxiv"] == "2404.14219"
    assert back.nodes[ID + "benchmark/mmlu"]["papers"] in (5, "5")


def test_projections(store: ox.Store) -> None:
    sub = whole(store)
    topics = projection(sub, "topics")
    assert {sub.nodes[n].kind for n in topics} == {"topic"}
    assert topics.edges[ID + "topic/open-models", ID + "topic/small-models"]["weight"] == 2
    entities = projection(sub, "entities")
    assert {sub.nodes[n].kind for n in entities} == {"topic", "model", "benchmark", "organisation"}
    papers = projection(sub, "papers", ["benchmark", "model"])
    assert papers.edges[PHI3, ID + "paper/2311.10702"]["weight"] == 4  # 3 benchmarks, GPT-3.5


def test_tables(store: ox.Store) -> None:
    sub = whole(store)
    rows = list(csv.DictReader(io.StringIO(table_csv(store, sub, "papers-topics"))))
    assert len(rows) == 40
    phi3 = next(r for r in rows if r["paper"] == "paper:2404.14219")
    assert [k for k, v in phi3.items() if v == "1"] == [
        "open-models",
        "small-models",
        "training-data",
    ]
    links = list(csv.DictReader(io.StringIO(table_csv(store, sub, "papers-entities"))))
    mmlu = next(
        r for r in links if r["paper"] == "paper:2404.14219" and r["entity"] == "benchmark:mmlu"
    )
    assert mmlu["predicate"] == "mlkg:evaluatesOn"
    assert (mmlu["kind"], mmlu["label"], mmlu["support"], mmlu["confidence"]) == (
        "benchmark",
        "MMLU",
        "2",
        "0.95",
    )
    assert len(links) == sum(1 for s, p, _ in sub.edges if sub.nodes[s].is_paper)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["graph.graphml"], r"graph, [\d,]+ nodes, [\d,]+ edges \(graphml\)"),
        (["topics.gexf", "-p", "topics"], r"topics, \d+ nodes, \d+ edges \(gexf\)"),
        (["p.graphml", "-p", "papers", "--via", "benchmark,model"], r"papers, \d+ nodes"),
        (["t.csv", "-t", "papers-topics"], r"papers-topics, 40 rows"),
        (["e.csv"], r"papers-entities, [\d,]+ rows"),
        (["out.xml", "--format", "graphml"], r"graph, "),
    ],
)
def test_kg_export(built: Path, tmp_path: Path, args: list[str], expected: str) -> None:
    out = tmp_path / args[0]
    result = CliRunner().invoke(app, ["export", str(out), *args[1:], "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{out}: ")
    import re

    assert re.search(expected, result.stdout)
    assert out.stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x.pdf"], "unknown export format 'pdf'"),
        (["x.graphml", "-p", "authors"], "unknown projection 'authors'"),
        (["x.csv", "-t", "nope"], "unknown table 'nope'"),
        (["x.graphml", "-p", "papers", "--via", "people"], "unknown kind for --via 'people'"),
    ],
)
def test_kg_export_errors(built: Path, tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        app, ["export", str(tmp_path / args[0]), *args[1:], "--store", str(built)]
    )
    assert result.exit_code == 1
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
