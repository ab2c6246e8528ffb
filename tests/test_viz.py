"""The graph view: the graph agrees with SPARQL, styles per type, filters, an offline page in
which hostile titles stay text, and ``kg viz``."""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import build_with_links
from typer.testing import CliRunner

from kg.cli import app
from kg.commands.view import write_atomically
from kg.errors import KgError
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.query import run_query
from kg.viz import (
    EDGE_LABELS,
    NODE_STYLES,
    NODE_TYPES,
    AmbiguousPaperError,
    UnknownPaperError,
    UnknownTopicError,
    ViewError,
    graph_from_store,
    node_size,
    remote_references,
    render_html,
    script_json,
    to_pyvis,
)

BUNDLED = Path(__file__).parent.parent / "data" / "digests"
LINKS = Path(__file__).parent / "fixtures" / "view_links.ttl"
PHI3 = ID + "paper/2404.14219"
RAG_SLUG = "retrieval-augmentation"
RAG = ID + "topic/" + RAG_SLUG
RAG_PAPERS = {
    ID + "paper/2401.15884",
    ID + "paper/2401.14887",
    ID + "paper/longrag-a-dual-perspective-retrieval-augmented-generation-paradigm-for-long-cont",
}
HOSTILE = '</script><script>alert(1)</script> "quoted" & <b>'
HOSTILE_IRI = ID + "paper/hostile"
REMOTE_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)

# The nodes and edges of the view, written independently of kg.viz.
VIEW_TRIPLES = """
    SELECT DISTINCT ?s ?p ?o WHERE {
      VALUES ?class { mlkg:Paper mlkg:Article }
      ?paper a ?class .
      {
        VALUES ?p { schema:author mlkg:featuredIn dcterms:subject mlkg:proposes mlkg:compares
                    mlkg:uses mlkg:introduces mlkg:evaluatesOn schema:sourceOrganization }
        ?paper ?p ?o .
        BIND(?paper AS ?s)
      } UNION {
        VALUES ?link { mlkg:proposes mlkg:compares mlkg:uses mlkg:introduces mlkg:evaluatesOn }
        ?paper ?link ?s .
        ?s mlkg:developedBy ?o .
        BIND(mlkg:developedBy AS ?p)
      }
      FILTER(isIRI(?o))
    }"""
PAPERS = "SELECT DISTINCT ?paper WHERE { VALUES ?c { mlkg:Paper mlkg:Article } ?paper a ?c }"


@pytest.fixture(scope="module")
def linked_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled digests built without extraction, plus the links of view_links.ttl."""
    return build_with_links(tmp_path_factory.mktemp("view"), LINKS)


@pytest.fixture(scope="module")
def linked_store(linked_build: Path) -> ox.Store:
    return open_store(linked_build)


@pytest.fixture(scope="module")
def graph(linked_store: ox.Store) -> nx.MultiDiGraph:
    return graph_from_store(linked_store)


def _rows(store: ox.Store, sparql: str) -> list[list[str]]:
    """The answer to a SELECT query, as the string values of its terms."""
    rows = run_query(store, sparql).rows
    assert all(term is not None for row in rows for term in row)
    return [[term.value for term in row if term is not None] for row in rows]


@pytest.fixture(scope="module")
def triples(linked_store: ox.Store) -> set[tuple[str, str, str]]:
    return {(s, p, o) for s, p, o in _rows(linked_store, VIEW_TRIPLES)}


def _hostile_store() -> ox.Store:
    """A tiny store whose paper, topic and person carry hostile text and links."""
    turtle = f"""
        @prefix mlkg: <{PREFIXES["mlkg"]}> . @prefix rdfs: <{PREFIXES["rdfs"]}> .
        @prefix dcterms: <{PREFIXES["dcterms"]}> . @prefix schema: <{PREFIXES["schema"]}> .
        @prefix xsd: <{PREFIXES["xsd"]}> .
        <{HOSTILE_IRI}> a mlkg:Paper ;
            rdfs:label {json.dumps(HOSTILE)}@en ; dcterms:title {json.dumps(HOSTILE)}@en ;
            mlkg:week "2024-04-22"^^xsd:date ;
            schema:url <https://arxiv.org/abs/2404.00001> , <javascript:alert(3)> ;
            dcterms:subject <{ID}topic/hostile> ; schema:author <{ID}person/hostile> .
        <{ID}topic/hostile> a mlkg:Topic ; rdfs:label "<img src=x onerror=alert(2)>"@en .
        <{ID}person/hostile> a schema:Person ; rdfs:label "line\\u2028break\\u2029end" .
    """
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return store


class _Tags(HTMLParser):
    """Start tags of a page, and the text of its kg-data block."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.data_block: str | None = None
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self._in_data = tag == "script" and ("id", "kg-data") in attrs

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_block = (self.data_block or "") + data

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


# ---------------------------------------------------------------------------------- the graph


def test_counts_equal_sparql(
    graph: nx.MultiDiGraph, linked_store: ox.Store, triples: set[tuple[str, str, str]]
) -> None:
    papers = {row[0] for row in _rows(linked_store, PAPERS)}
    nodes = papers | {s for s, _, _ in triples} | {o for _, _, o in triples}
    assert graph.number_of_nodes() == len(nodes)
    assert set(graph.nodes) == nodes
    assert graph.number_of_edges() == len(triples)
    assert {(u, d["predicate"], v) for u, v, d in graph.edges(data=True)} == triples


def test_node_types_and_entities(graph: nx.MultiDiGraph, linked_store: ox.Store) -> None:
    by_type = Counter(data["type"] for _, data in graph.nodes(data=True))
    count = "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {} }}"
    sparql = {
        kind: int(_rows(linked_store, count.format(pattern))[0][0])
        for kind, pattern in {
            "paper": "?x a mlkg:Paper",
            "article": "?x a mlkg:Article",
            "person": "?p a ?c ; schema:author ?x VALUES ?c { mlkg:Paper mlkg:Article }",
            "digest": "?p a ?c ; mlkg:featuredIn ?x VALUES ?c { mlkg:Paper mlkg:Article }",
        }.items()
    }
    assert by_type == Counter(sparql | {"topic": 3, "model": 4, "benchmark": 2, "organisation": 3})
    assert set(by_type) == set(NODE_TYPES)
    topics = {n for n, d in graph.nodes(data=True) if d["type"] == "topic"}
    assert topics == {RAG, ID + "topic/small-language-models", ID + "topic/llm-evaluation"}
    for curated_only in (
        "topic/protein-folding",
        "model/alphafold-multimer",
        "organisation/isomorphic-labs",
    ):
        assert ID + curated_only not in graph
    assert graph.nodes[ID + "model/phi-2-2-7b"]["type"] == "model"  # no class: typed by mlkg:uses
    assert graph.nodes[ID + "topic/llm-evaluation"]["label"] == "LLM evaluation"  # prefLabel
    keyword = graph.out_edges(ID + "paper/2311.11829", keys=True)  # its subject is a literal
    assert "dcterms:subject" not in {key for _, _, key in keyword} and "attention" not in graph


def test_node_attributes(graph: nx.MultiDiGraph, triples: set[tuple[str, str, str]]) -> None:
    phi3 = graph.nodes[PHI3]
    assert phi3["type"] == "paper"
    assert phi3["label"].startswith("Phi-3 Technical Report")
    assert phi3["week"] == "2024-04-22"
    assert phi3["arxiv"] == "2404.14219"
    assert phi3["url"] == "https://arxiv.org/abs/2404.14219"
    assert phi3["links"][0] == "https://arxiv.org/abs/2404.14219"
    assert any(link.startswith("https://x.com/") for link in phi3["links"])
    assert phi3["degree"] == sum(PHI3 in (s, o) for s, _, o in triples) == graph.degree(PHI3)
    aya = graph.nodes[ID + "article/aya-expanse"]
    assert (aya["type"], aya["label"], aya["week"]) == ("article", "Aya Expanse", "2024-10-21")
    digest = graph.nodes[ID + "digest/dair-2024-04-22"]
    assert digest["type"] == "digest"
    assert digest["week"] == "2024-04-22"
    assert graph.nodes[ID + "organisation/microsoft-genai"]["degree"] == 3  # two papers, one model


def test_edges_carry_predicates(graph: nx.MultiDiGraph) -> None:
    proposes = graph.get_edge_data(PHI3, ID + "model/phi-3-mini-instruct")
    assert proposes == {
        "mlkg:proposes": {"predicate": PREFIXES["mlkg"] + "proposes", "label": "proposes"}
    }
    phi3_mini, genai = ID + "model/phi-3-mini-instruct", ID + "organisation/microsoft-genai"
    developed = graph.get_edge_data(phi3_mini, genai)
    assert developed["mlkg:developedBy"]["label"] == "developed by"
    gpqa = graph.get_edge_data(ID + "paper/2311.12022", ID + "benchmark/gpqa-main")
    assert set(gpqa) == {"mlkg:introduces", "mlkg:evaluatesOn"}  # parallel edges kept
    labels = {data["label"] for _, _, data in graph.edges(data=True)}
    assert labels == set(EDGE_LABELS.values())


def test_topic_filter(linked_store: ox.Store, triples: set[tuple[str, str, str]]) -> None:
    for name in (f"topic:{RAG_SLUG}", RAG_SLUG, RAG, "RETRIEVAL augmentation"):
        view = graph_from_store(linked_store, topic=name)
        assert set(view.nodes) == RAG_PAPERS | {RAG}, name
        assert view.number_of_edges() == 3
    view = graph_from_store(linked_store, topic=RAG_SLUG)
    assert view.nodes[RAG]["degree"] == 3
    assert view.nodes[RAG]["centre"] is True
    assert view.graph["centres"] == [RAG]
    two = graph_from_store(linked_store, topic=RAG_SLUG, hops=2)
    neighbours = {o if s in RAG_PAPERS else s for s, _, o in triples if RAG_PAPERS & {s, o}}
    assert set(two.nodes) == RAG_PAPERS | neighbours
    assert two.number_of_edges() == sum(s in two and o in two for s, _, o in triples)
    alone = graph_from_store(linked_store, topic=RAG_SLUG, hops=0)
    assert set(alone.nodes) == {RAG}


def test_paper_filter(linked_store: ox.Store, triples: set[tuple[str, str, str]]) -> None:
    expected = {PHI3} | {o for s, _, o in triples if s == PHI3}
    assert len(expected) == 10
    for name in ("2404.14219", "arXiv:2404.14219v2", "paper:2404.14219", PHI3, "phi-3 TECHNICAL"):
        view = graph_from_store(linked_store, paper=name)
        assert set(view.nodes) == expected, name
        assert view.number_of_edges() == sum(s in expected and o in expected for s, _, o in triples)
    both = graph_from_store(linked_store, paper="2404.14219", topic=RAG_SLUG)
    assert set(both.nodes) == expected | RAG_PAPERS | {RAG}


def test_filter_errors(linked_store: ox.Store) -> None:
    with pytest.raises(UnknownTopicError, match=r"'quantum'.*topic:retrieval-augmentation"):
        graph_from_store(linked_store, topic="quantum")
    with pytest.raises(UnknownTopicError):
        graph_from_store(linked_store, topic="protein-folding")  # curated, no paper has it
    with pytest.raises(UnknownPaperError, match="no paper matches 'zebra crossing'"):
        graph_from_store(linked_store, paper="zebra crossing")
    with pytest.raises(AmbiguousPaperError, match=r"'survey' matches 5 papers: paper:"):
        graph_from_store(linked_store, paper="survey")
    with pytest.raises(ViewError, match="--hops must be 0 or more"):
        graph_from_store(linked_store, paper="2404.14219", hops=-1)
    assert issubclass(ViewError, KgError)


# ---------------------------------------------------------------------------------- pyvis


def test_styles_per_type(graph: nx.MultiDiGraph) -> None:
    network = to_pyvis(graph)
    assert len(network.nodes) == graph.number_of_nodes()
    assert len(network.edges) == graph.number_of_edges()
    assert len({style.color for style in NODE_STYLES.values()}) == len(NODE_TYPES)
    for node in network.nodes:
        data = graph.nodes[node["id"]]
        style = NODE_STYLES[data["type"]]
        assert (node["color"], node["shape"]) == (style.color, style.shape)
        assert node["kgType"] == data["type"]
        assert node["size"] == node_size(data["degree"])
        assert node["kgLabel"] == data["label"]
    by_id = {node["id"]: node for node in network.nodes}
    assert by_id[PHI3]["shape"] == "dot"
    assert by_id[RAG]["shape"] == "diamond"
    assert by_id[ID + "model/phi-3-mini-instruct"]["shape"] == "triangle"
    hub = max(graph.nodes, key=graph.degree)
    assert by_id[hub]["size"] == max(node["size"] for node in network.nodes)
    assert node_size(0) == 10.0 and node_size(4) == 18.0 and node_size(10_000) == 50.0
    assert len({edge["id"] for edge in network.edges}) == len(network.edges)


def test_tooltip_and_physics(graph: nx.MultiDiGraph) -> None:
    network = to_pyvis(graph)
    phi3 = next(node for node in network.nodes if node["id"] == PHI3)
    lines = phi3["title"].split("\n")
    assert lines[0] == graph.nodes[PHI3]["title"]
    assert lines[1] == f"paper · week 2024-04-22 · arXiv 2404.14219 · {graph.degree(PHI3)} links"
    assert "https://arxiv.org/abs/2404.14219" in lines[2:]
    assert phi3["label"].endswith("…") and len(phi3["label"]) == 40
    physics = network.options["physics"]
    assert physics["enabled"] is True
    assert physics["stabilization"]["enabled"] is True
    assert 0 < physics["stabilization"]["iterations"] <= 400


# ---------------------------------------------------------------------------------- the page


def test_page_is_offline(graph: nx.MultiDiGraph) -> None:
    page = render_html(to_pyvis(graph))
    assert REMOTE_ATTRIBUTE.search(page) is None
    assert remote_references(page) == []
    tags = _parse(page).tags
    assert tags["script"] == 3 and tags["link"] == 0
    assert "@version 9.1.2" in page  # vis-network inlined from the pyvis package
    assert "default-src 'none'" in page
    assert "stabilizationIterationsDone" in page and "window.kgView" in page
    payload = json.loads(_parse(page).data_block or "")
    assert len(payload["nodes"]) == graph.number_of_nodes()
    assert len(payload["edges"]) == graph.number_of_edges()


def test_remote_references_are_found() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/a.css">'
        "<script src='//cdn.example/b.js'></script>"
        "<style>@import 'https://cdn.example/d.css';"
        " body { background: url( https://cdn.example/c.png ) }</style>"
        '<img src="https://arxiv.org/abs/1.png">'
        '<script>var s = "<img src=https://not.a/tag>";</script>'
        + '<img src="data:image/png;base64,AAAA">'
    )
    found = remote_references(page)
    assert len(found) == 5  # the string inside the script is not a tag
    assert any("a.css" in item for item in found) and any("b.js" in item for item in found)
    assert any("c.png" in item for item in found) and any("arxiv" in item for item in found)
    assert any("d.css" in item for item in found)


def test_script_json_escapes() -> None:
    value = {"t": "</script><!--&\u2028\u2029 한국어"}
    text = script_json(value)
    assert text == '{"t":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029 한국어"}'
    assert json.loads(text) == value


def test_hostile_title_stays_text() -> None:
    graph = graph_from_store(_hostile_store())
    assert graph.nodes[HOSTILE_IRI]["label"] == HOSTILE
    assert graph.nodes[HOSTILE_IRI]["links"] == ["https://arxiv.org/abs/2404.00001"]
    page = render_html(to_pyvis(graph))
    assert "<script>alert(1)" not in page
    assert "</script><script>" not in page
    assert "<img src=x" not in page
    assert "\u2028" not in page and "\u2029" not in page
    assert "javascript:alert(3)" not in page
    escaped = (
        "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"
        ' \\"quoted\\" \\u0026 \\u003cb\\u003e'
    )
    assert escaped in page
    parsed = _parse(page)
    assert parsed.tags["script"] == 3
    assert parsed.tags["b"] == 0 and parsed.tags["img"] == 0
    nodes = {node["id"]: node for node in json.loads(parsed.data_block or "")["nodes"]}
    assert nodes[HOSTILE_IRI]["kgLabel"] == HOSTILE
    assert nodes[HOSTILE_IRI]["title"].split("\n")[0] == HOSTILE
    assert nodes[ID + "topic/hostile"]["kgLabel"] == "<img src=x onerror=alert(2)>"
    assert nodes[ID + "person/hostile"]["kgLabel"] == "line\u2028break\u2029end"
    assert REMOTE_ATTRIBUTE.search(page) is None


# ---------------------------------------------------------------------------------- kg viz


def test_cli_writes_the_page(linked_build: Path, graph: nx.MultiDiGraph, tmp_path: Path) -> None:
    out = tmp_path / "view" / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(linked_build), "--out", str(out)])
    assert result.exit_code == 0, result.output
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    assert result.stdout.strip() == f"{out}: {nodes} nodes, {edges} edges"
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]
    payload = json.loads(_parse(out.read_text(encoding="utf-8")).data_block or "")
    assert (len(payload["nodes"]), len(payload["edges"])) == (nodes, edges)

    viz = ["viz", "--store", str(linked_build), "-o", str(out)]
    result = CliRunner().invoke(app, [*viz, "--topic", RAG_SLUG])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"{out}: 4 nodes, 3 edges"
    result = CliRunner().invoke(app, [*viz, "--paper", "2404.14219", "--hops", "0"])
    assert result.stdout.strip() == f"{out}: 1 nodes, 0 edges"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--topic", "quantum"], 1, "kg: error: unknown topic 'quantum'"),
        (["--paper", "zebra"], 1, "kg: error: no paper matches 'zebra'"),
        (["--paper", "survey"], 1, "kg: error: 'survey' matches 5 papers"),
        (["--hops", "-1"], 2, "--hops"),
    ],
)
def test_cli_errors(
    linked_build: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(linked_build), "-o", str(out), *args])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["viz", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"kg: error: no kg store at {tmp_path / 'none' / 'store'}; "
        f"run 'kg build --out {tmp_path / 'none'}' first"
    )


def test_write_atomically_keeps_old_page_on_failure(tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    write_atomically(page, "first")
    write_atomically(page, "second")
    assert page.read_text(encoding="utf-8") == "second"
    with pytest.raises(UnicodeEncodeError):
        write_atomically(page, "half \ud800 written")
    assert page.read_text(encoding="utf-8") == "second"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]
    with pytest.raises(ViewError, match="cannot write"):
        write_atomically(page / "inside-a-file.html", "x")
