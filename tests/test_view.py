"""The graph view: subgraph -> pyvis network -> one offline page; overview layouts; escaping of
untrusted text; ``kg viz`` and its errors."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from html.parser import HTMLParser
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import explore_build
from typer.testing import CliRunner

from kg.cli import app
from kg.explore.kinds import KINDS
from kg.explore.subgraph import around, whole
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.view.embed import raw_text, remote_references, script_json
from kg.view.network import tooltip
from kg.view.overview import OPTIONAL_KINDS, layout_key, overview
from kg.view.page import view_page

REMOTE_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
HOSTILE = '</script><script>alert(1)</script> "quoted" & <b>'
HOSTILE_TOPIC = "<img src=x onerror=alert(2)>"
HOSTILE_IRI = ID + "paper/hostile"
RAG = ID + "topic/rag"
PHI3 = ID + "paper/2404.14219"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return explore_build(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return open_store(built)


def hostile_store() -> ox.Store:
    """A tiny graph whose paper, topic and person carry hostile text and links."""
    turtle = f"""
        @prefix mlkg: <{PREFIXES["mlkg"]}> . @prefix rdfs: <{PREFIXES["rdfs"]}> .
        @prefix dcterms: <{PREFIXES["dcterms"]}> . @prefix schema: <{PREFIXES["schema"]}> .
        @prefix xsd: <{PREFIXES["xsd"]}> .
        <{HOSTILE_IRI}> a mlkg:Paper ;
            rdfs:label {json.dumps(HOSTILE)}@en ; dcterms:title {json.dumps(HOSTILE)}@en ;
            mlkg:week "2024-04-22"^^xsd:date ;
            schema:url <https://example.org/paper> , <javascript:alert(3)> ;
            dcterms:subject <{ID}topic/hostile> ; schema:author <{ID}person/hostile> .
        <{ID}topic/hostile> a mlkg:Topic ; rdfs:label {json.dumps(HOSTILE_TOPIC)}@en .
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
        self.data_block = ""
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self._in_data = tag == "script" and ("id", "kg-data") in attrs

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data_block += data

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False


def parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def payload(page: str) -> dict[str, object]:
    loaded = json.loads(parse(page).data_block)
    assert isinstance(loaded, dict)
    return loaded


# ---------------------------------------------------------------------------------- the page


def test_the_whole_graph_page_is_offline_and_carries_the_whole_subgraph(store: ox.Store) -> None:
    sub = whole(store)
    page = view_page(sub)
    assert page.title == "Overview of 40 papers"
    assert (page.nodes, page.links) == (len(sub.nodes), len(sub.edges))
    assert REMOTE_ATTRIBUTE.search(page.html) is None
    assert remote_references(page.html) == []
    tags = parse(page.html).tags
    assert tags["script"] == 3 and tags["link"] == 0 and tags["img"] == 0
    assert "@version 9.1.2" in page.html  # vis-network inlined from the pyvis package
    assert "default-src 'none'" in page.html
    data = payload(page.html)
    nodes = data["nodes"]
    assert isinstance(nodes, list) and len(nodes) == len(sub.nodes)
    links = data["links"]
    assert isinstance(links, list) and len(links) == 3 * len(sub.edges)
    assert data["start"] == {"centres": [], "hops": 1}
    assert "<title>Overview of 40 papers — kg graph view</title>" in page.html
    by_iri = {row[0]: row for row in nodes}
    phi3 = by_iri[PHI3]
    kinds = data["kinds"]
    assert isinstance(kinds, list)
    assert kinds[phi3[1]]["name"] == "paper"
    assert phi3[3:6] == ["2024-04-22", "2404.14219", -1]
    assert by_iri[RAG][5] == 3


def test_a_focused_page_carries_only_the_neighbourhood(store: ox.Store) -> None:
    sub = around(store, [RAG], hops=1)
    page = view_page(sub)
    assert page.title == "Retrieval-Augmented Generation (topic) within 1 link"
    data = payload(page.html)
    assert data["overview"] is None
    assert data["start"] == {"centres": [RAG], "hops": 1}
    assert {row[0] for row in data["nodes"]} == set(sub.nodes)  # type: ignore[union-attr]
    assert page.nodes == 1 + 3 + 0  # the topic and its papers (no narrower topic)
    assert len(sub.nodes) > page.nodes  # the papers' own links travel too, for the side panel


def test_overview_layouts_for_every_combination_of_kinds(store: ox.Store) -> None:
    sub = whole(store)
    layouts = overview(sub)
    assert len(layouts) == 2 ** len(OPTIONAL_KINDS)
    topics = {n.iri for n in sub.of_kind("topic") if n.papers}
    assert {n.iri for n in layouts["topic"].nodes} == topics
    full = layouts[layout_key(["topic", *OPTIONAL_KINDS])]
    kinds = Counter(sub.nodes[n.iri].kind for n in full.nodes)
    assert kinds["topic"] == len(topics)
    assert 0 < kinds["benchmark"] <= 15 and 0 < kinds["organisation"] <= 15
    members = {n.iri for n in full.nodes}
    assert all(e.source in members and e.target in members for e in full.edges)
    assert all(e.papers >= 1 for e in full.edges)
    for layout in layouts.values():
        for a, b in combinations(layout.nodes, 2):
            assert math.hypot(a.x - b.x, a.y - b.y) >= a.size + b.size, (a.iri, b.iri)
    biggest = max(layouts["topic"].nodes, key=lambda n: n.size)
    assert sub.nodes[biggest.iri].papers == max(sub.nodes[i].papers or 0 for i in topics)


def test_tooltips_are_plain_text(store: ox.Store) -> None:
    sub = whole(store)
    assert tooltip(sub.nodes[PHI3]) == (
        f"{sub.nodes[PHI3].label}\nPaper · week 2024-04-22 · arXiv 2404.14219"
    )
    assert tooltip(sub.nodes[RAG]) == "Retrieval-Augmented Generation\nTopic · 3 papers"


def test_script_json_and_raw_text_escape() -> None:
    value = {"t": "</script><!--&\u2028\u2029 한국어"}
    text = script_json(value)
    assert text == '{"t":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029 한국어"}'
    assert json.loads(text) == value
    assert raw_text("a</script>b</SCRIPT >", "script") == "a<\\/script>b<\\/SCRIPT >"


def test_remote_references_are_found() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/a.css">'
        "<script src='//cdn.example/b.js'></script>"
        "<style>@import 'https://cdn.example/d.css';"
        " body { background: url( https://cdn.example/c.png ) }</style>"
        '<img src="https://arxiv.org/abs/1.png">'
        '<script>var s = "<img src=https://not.a/tag>";</script>'
        '<img src="data:image/png;base64,AAAA"><a href="https://arxiv.org/abs/2404.14219">x</a>'
    )
    found = remote_references(page)
    assert len(found) == 5  # the string inside the script and the link to follow are not loads
    assert any("a.css" in item for item in found) and any("b.js" in item for item in found)
    assert any("c.png" in item for item in found) and any("1.png" in item for item in found)


def test_hostile_titles_stay_text_in_the_page() -> None:
    page = view_page(whole(hostile_store())).html
    assert "<script>alert(1)" not in page
    assert "</script><script>" not in page
    assert "<img src=x" not in page
    assert "\u2028" not in page and "\u2029" not in page
    assert "javascript:alert(3)" not in page
    assert (
        "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"
        ' \\"quoted\\" \\u0026 \\u003cb\\u003e'
    ) in page
    parsed = parse(page)
    assert parsed.tags["script"] == 3 and parsed.tags["b"] == 0 and parsed.tags["img"] == 0
    nodes = {row[0]: row for row in json.loads(parsed.data_block)["nodes"]}
    assert nodes[HOSTILE_IRI][2] == HOSTILE
    assert nodes[ID + "topic/hostile"][2] == HOSTILE_TOPIC
    assert nodes[ID + "person/hostile"][2] == "line break end"  # one line, as every label
    assert json.loads(parsed.data_block)["web"] == {
        str(list(nodes).index(HOSTILE_IRI)): [["paper", "https://example.org/paper"]]
    }


def test_every_kind_has_a_look() -> None:
    assert len({k.colour for k in KINDS.values()}) == len(KINDS)


# ---------------------------------------------------------------------------------- kg viz


def test_kg_viz_writes_the_overview(built: Path, store: ox.Store, tmp_path: Path) -> None:
    out = tmp_path / "view" / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(built), "--out", str(out)])
    assert result.exit_code == 0, result.output
    sub = whole(store)
    assert result.stdout.strip() == (
        f"{out}: Overview of 40 papers; {len(sub.nodes):,} nodes, {len(sub.edges):,} links"
    )
    assert sorted(p.name for p in out.parent.iterdir()) == ["graph.html"]
    assert len(payload(out.read_text(encoding="utf-8"))["nodes"]) == len(sub.nodes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "heading", "nodes"),
    [
        (["--topic", "rag"], "Retrieval-Augmented Generation (topic) within 1 link", 4),
        (
            ["--topic", "RAG", "--hops", "0"],
            "Retrieval-Augmented Generation (topic) within 0 links",
            1,
        ),
        (["--paper", "https://arxiv.org/abs/2404.14219"], "Phi-3 Technical Report", 13),
        (["--focus", "MMLU"], "MMLU (benchmark) within 1 link", None),
        (["--focus", "Microsoft"], "Microsoft (organisation) within 1 link", None),
    ],
)
def test_kg_viz_focuses(
    built: Path, tmp_path: Path, args: list[str], heading: str, nodes: int | None
) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(built), "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{out}: {heading}")
    if nodes is not None:
        assert f"; {nodes} nodes," in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--topic", "quantum"], 1, "kg: error: no topic matches 'quantum'"),
        (["--topic", "mmlu"], 1, "benchmark:mmlu is a benchmark"),
        (["--paper", "zebra crossing"], 1, "kg: error: no paper matches 'zebra crossing'"),
        (["--paper", "survey"], 1, "kg: error: 5 papers match 'survey'"),
        (["--hops", "-1"], 2, "--hops"),
    ],
)
def test_kg_viz_errors(
    built: Path, tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    out = tmp_path / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(built), "-o", str(out), *args])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_kg_viz_missing_store(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["viz", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"kg: error: no kg store at {tmp_path / 'none' / 'store'}; "
        f"run 'kg build --out {tmp_path / 'none'}' first"
    )


def test_kg_viz_cannot_write(built: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["viz", "--store", str(built), "-o", str(blocker / "graph.html")]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kg: error: cannot write {blocker / 'graph.html'}: ")
    assert blocker.read_text(encoding="utf-8") == "x"
