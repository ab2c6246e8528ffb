"""Topic reports as Markdown and as one self-contained HTML page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import UnknownNameError
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.report import iframe, render_report, topic_report

BUNDLED = Path(__file__).parent.parent / "data" / "digests"
REMOTE = re.compile(r"""\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
UNESCAPED_TAG = re.compile(r"(?<!\\)<[a-z/!]", re.I)
HOSTILE_TITLE = "<script>alert('x')</script> & \"friends\""
HOSTILE_LABEL = '"><img src=https://evil.example/x.png onerror=alert(1)>'
HOSTILE_ORG = "</svg><script src=http://evil.example/a.js></script>"


@pytest.fixture(scope="module")
def store(built_dir: Path) -> Iterator[ox.Store]:
    yield open_store(built_dir)


def term(prefixed: str) -> ox.NamedNode:
    prefix, _, rest = prefixed.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + rest)


@pytest.fixture
def hostile_store() -> ox.Store:
    """A tiny in-memory graph whose digest texts try to inject markup."""
    store = ox.Store()
    en = "en"
    date = term("xsd:date")
    triples: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (term("topic:hostile"), term("rdf:type"), term("mlkg:Topic")),
        (
            term("topic:hostile"),
            term("skos:prefLabel"),
            ox.Literal("<b>Bold</b> topic", language=en),
        ),
        (term("topic:other"), term("rdf:type"), term("mlkg:Topic")),
        (term("topic:other"), term("rdfs:label"), ox.Literal("javascript:alert(1)", language=en)),
        (term("paper:evil"), term("rdf:type"), term("mlkg:Paper")),
        (term("paper:evil"), term("dcterms:title"), ox.Literal(HOSTILE_TITLE, language=en)),
        (term("paper:evil"), term("mlkg:week"), ox.Literal("2024-01-01", datatype=date)),
        (term("paper:evil"), term("dcterms:subject"), term("topic:hostile")),
        (term("paper:evil"), term("mlkg:evaluatesOn"), term("benchmark:evil")),
        (term("paper:evil"), term("schema:sourceOrganization"), term("org:evil")),
        (term("benchmark:evil"), term("rdfs:label"), ox.Literal(HOSTILE_LABEL, language=en)),
        (term("org:evil"), term("rdfs:label"), ox.Literal(HOSTILE_ORG, language=en)),
        (term("paper:other"), term("rdf:type"), term("mlkg:Paper")),
        (term("paper:other"), term("dcterms:title"), ox.Literal("Other | *paper*", language=en)),
        (term("paper:other"), term("mlkg:evaluatesOn"), term("benchmark:evil")),
        (term("paper:other"), term("dcterms:subject"), term("topic:other")),
        (term("digest:d"), term("rdf:type"), term("mlkg:Digest")),
        (term("digest:d"), term("mlkg:weekStart"), ox.Literal("2024-01-01", datatype=date)),
    ]
    store.extend(ox.Quad(s, p, o) for s, p, o in triples)
    return store


class _Text(HTMLParser):
    """The text, the tags and the attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    parser.close()
    return parser


def remote_references(page: str) -> list[str]:
    """Every src or href attribute of the page that would load something over the network."""
    return [
        value
        for name, value in parsed(page).attributes
        if name in ("src", "href", "xlink:href", "srcset", "action", "data")
        and (re.match(r"\s*(?:https?:)?//", value, re.I) or "url(" in value)
    ]


def test_markdown_report_lists_papers_and_counts(store: ox.Store) -> None:
    text = render_report(topic_report(store, "rag"), "md")
    assert text.startswith("# Topic report: Retrieval-Augmented Generation\n")
    assert "3 papers in 2 of the 4 weeks of the graph." in text
    for week, count in [("2023-11-20", 0), ("2024-01-29", 2), ("2024-04-22", 0), ("2024-10-21", 1)]:
        assert f"| {week} | {count} |" in text
    assert (
        "| 2024-01-29 | Corrective Retrieval Augmented Generation | 2401.15884 | Llama 2 | "
        "ARC-Challenge, PopQA, PubHealth | Google |"
    ) in text
    assert "| 2024-01-29 | The Power of Noise: Redefining Retrieval for RAG Systems |" in text
    assert "LongRAG: A Dual-Perspective Retrieval-Augmented Generation Paradigm" in text
    assert "| Llama 2 (`model:llama-2`) | 2 |" in text
    assert "| Natural Questions (`benchmark:natural-questions`) | 1 |" in text
    assert "| Sapienza University of Rome (`org:sapienza-university-of-rome`) | 1 |" in text
    assert "| Information Retrieval (`topic:information-retrieval`) | 1 |" in text
    assert (
        "| Open Foundation Models (`topic:open-models`) | 2 | ARC-Challenge, Llama 2 | 3 |" in text
    )
    assert "| Training Data (`topic:training-data`) | 1 | Natural Questions | 1 |" in text


def test_markdown_report_names_narrower_topics(store: ox.Store) -> None:
    text = render_report(topic_report(store, "reasoning"), "md")
    assert "Mathematical Reasoning (`topic:math-reasoning`)" in text
    assert "Chain-of-Thought (`topic:chain-of-thought`)" in text
    assert "3 papers in 3 of the 4 weeks of the graph." in text
    assert "| Microsoft Research (`org:microsoft-research`) | 1 |" in text


def test_html_report_is_one_self_contained_page(store: ox.Store) -> None:
    report = topic_report(store, "rag")
    page = render_report(report, "html")
    assert page.startswith("<!DOCTYPE html>")
    assert page.rstrip().endswith("</html>")
    assert page.count("<html") == 1
    assert REMOTE.search(page) is None
    assert remote_references(page) == []
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    tags = parsed(page).tags
    assert tags.count("svg") == 2
    assert tags.count("rect") == 4
    assert tags.count("circle") == report.neighbourhood.graph.number_of_nodes() == 18
    assert tags.count("line") == report.neighbourhood.graph.number_of_edges() + 1 + len(
        report.chart.ticks
    )
    text = " ".join(parsed(page).text)
    assert "Corrective Retrieval Augmented Generation" in text
    assert "The Power of Noise: Redefining Retrieval for RAG Systems" in text
    assert "2024-01-29: 2 papers" in text
    assert "2024-10-21: 1 paper" in text


def test_html_chart_bars_are_proportional(store: ox.Store) -> None:
    chart = topic_report(store, "rag").chart
    heights = [bar.height for bar in chart.bars]
    assert [bar.papers for bar in chart.bars] == [0, 2, 0, 1]
    assert heights[0] == heights[2] == 0
    assert heights[1] == pytest.approx(2 * heights[3])
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)
    assert [tick.value for tick in chart.ticks] == [0, 1, 2]


def test_report_rendering_is_deterministic(store: ox.Store) -> None:
    first = render_report(topic_report(store, "rag"), "html")
    assert render_report(topic_report(store, "rag"), "html") == first


def test_hostile_digest_text_is_escaped_in_html(hostile_store: ox.Store) -> None:
    page = render_report(topic_report(hostile_store, "hostile"), "html")
    lowered = page.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<b>bold</b>" not in lowered
    assert remote_references(page) == []
    assert {"script", "img", "b"}.isdisjoint(parsed(page).tags)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;friends&#34;" in page
    assert "&lt;/svg&gt;&lt;script src=http://evil.example/a.js&gt;&lt;/script&gt;" in page
    assert parsed(page).tags.count("svg") == 2
    text = " ".join(parsed(page).text)
    assert HOSTILE_TITLE in text
    assert HOSTILE_LABEL in text
    assert "javascript:alert(1)" in text


def test_hostile_digest_text_is_escaped_in_markdown(hostile_store: ox.Store) -> None:
    text = render_report(topic_report(hostile_store, "hostile"), "md")
    assert UNESCAPED_TAG.search(text) is None
    assert "\\<script\\>alert('x')\\</script\\> & \"friends\"" in text
    assert "Other \\| \\*paper\\*" not in text  # a neighbour's paper is counted, not listed
    assert "| javascript:alert(1) (`topic:other`) | 1 |" in text


@pytest.mark.parametrize("fmt", ["pdf", "", "HTML", "markdown"])
def test_unknown_report_format(store: ox.Store, fmt: str) -> None:
    report = topic_report(store, "rag")
    with pytest.raises(UnknownNameError, match="known: html, md"):
        render_report(report, fmt)


def test_iframe_keeps_the_page_apart() -> None:
    frame = iframe('<p class="x">a & b</p>', height=300)
    assert frame.startswith(
        '<div><iframe srcdoc="&lt;p class=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;"'
    )
    assert frame.endswith("</iframe></div>")
    assert "height: 300px" in frame


def test_kg_report_writes_html_through_a_temporary_file(built_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "rag.html"
    result = CliRunner().invoke(
        app, ["report", "rag", "--format", "html", "--out", str(out), "--store", str(built_dir)]
    )
    assert result.exit_code == 0, result.output
    expected = render_report(topic_report(open_store(built_dir), "rag"), "html")
    assert out.read_text(encoding="utf-8") == expected
    assert [p.name for p in out.parent.iterdir()] == ["rag.html"]
    assert out.stat().st_mode & 0o044 == 0o044


def test_kg_report_prints_markdown_without_out(built_dir: Path) -> None:
    result = CliRunner().invoke(app, ["report", "topic:rag", "--store", str(built_dir)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Topic report: Retrieval-Augmented Generation\n")
    assert "| Llama 2 (`model:llama-2`) | 2 |" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "zzzz"], "kg: error: no topic 'zzzz' in the graph; known topics: "),
        (["report", "rag", "--format", "pdf"], "kg: error: unknown report format 'pdf'"),
        (["report", "rag", "--store", "/nonexistent/kg"], "kg: error: no kg store at"),
    ],
)
def test_kg_report_errors_are_one_line(built_dir: Path, args: list[str], message: str) -> None:
    if "--store" not in args:
        args = [*args, "--store", str(built_dir)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_report_ids_resolve_like_kg_query(store: ox.Store) -> None:
    by_iri = topic_report(store, ID + "topic/rag")
    assert by_iri.topic == topic_report(store, "Retrieval-Augmented Generation").topic
    assert by_iri.active_weeks == 2
