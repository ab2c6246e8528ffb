"""``kg report``: one node's page as Markdown or as one self-contained HTML page, for topics,
models, benchmarks, organisations and papers."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import explore_build
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import UnknownNameError
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.report import iframe, render_report, report, report_page
from kg.site.pages import EntityPage
from kg.view.embed import remote_references

UNESCAPED_TAG = re.compile(r"(?<!\\)<[a-z/!]", re.I)
HOSTILE_TITLE = "<script>alert('x')</script> & \"friends\""
HOSTILE_LABEL = '"><img src=https://evil.example/x.png onerror=alert(1)>'
HOSTILE_ORG = "</svg><script src=http://evil.example/a.js></script>"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return explore_build(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return open_store(built)


def term(prefixed: str) -> ox.NamedNode:
    prefix, _, rest = prefixed.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + rest)


@pytest.fixture
def hostile_store() -> ox.Store:
    """A tiny graph whose digest texts try to inject markup."""
    store = ox.Store()
    en = "en"
    day = term("xsd:date")
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
        (term("paper:evil"), term("mlkg:week"), ox.Literal("2024-01-01", datatype=day)),
        (term("paper:evil"), term("mlkg:arxivId"), ox.Literal("2401.00001")),
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
        (term("digest:d"), term("mlkg:weekStart"), ox.Literal("2024-01-01", datatype=day)),
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


def test_markdown_topic_report(store: ox.Store) -> None:
    text = report(store, "rag", "md")
    assert text.startswith("# Topic: Retrieval-Augmented Generation\n")
    assert "`topic:rag` · 3 papers, from Jan 2024 to Oct 2024" in text
    assert "| Jan 2024 | 2 |\n| Oct 2024 | 1 |" in text
    assert "| Apr 2024 |" not in text  # no period without papers is listed
    assert (
        "| 2024-01-29 | Corrective Retrieval Augmented Generation | "
        "[2401.15884](https://arxiv.org/abs/2401.15884) | is about | 1 digest · confidence 0.90 · "
        "curated-label: “Corrective Retrieval Augmented Generation” |"
    ) in text
    assert "| Llama 2 (`model:llama-2`) | 2 |" in text
    assert "| Sapienza University of Rome (`org:sapienza-university-of-rome`) | 1 |" in text
    assert "| Information Retrieval (`topic:information-retrieval`) | 1 |" in text


def test_markdown_reports_of_other_kinds(store: ox.Store) -> None:
    model = report(store, "Llama 2", "md")
    assert model.startswith("# Model: Llama 2\n")
    assert "- **Developed by**: Meta (`org:meta`)" in model
    assert "| uses |" in model
    benchmark = report(store, "benchmark:mmlu", "md")
    assert benchmark.startswith("# Benchmark: MMLU\n") and "5 papers" in benchmark
    organisation = report(store, "Microsoft", "md")
    assert organisation.startswith("# Organisation: Microsoft\n")
    paper = report(store, "2404.14219", "md")
    assert paper.startswith("# Phi-3 Technical Report")
    assert "[2404.14219](https://arxiv.org/abs/2404.14219)" in paper
    assert (
        "| benchmark | MMLU (`benchmark:mmlu`) | evaluates on | 2 digests · confidence 0.95 · "
        "curated-label: “phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench” |"
    ) in paper
    assert (
        "| Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2 | "
        "[2311.10702](https://arxiv.org/abs/2311.10702) | 7.488 |"
    ) in paper


def test_markdown_report_names_narrower_topics(store: ox.Store) -> None:
    text = report(store, "reasoning", "md")
    assert "3 papers (its narrower topics' included)" in text
    assert "Mathematical Reasoning (`topic:math-reasoning`)" in text
    assert "| is about Chain-of-Thought |" in text


def test_html_report_is_one_self_contained_page(store: ox.Store) -> None:
    page = report_page(store, "rag")
    assert isinstance(page, EntityPage)
    html = render_report(page, "html")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert "<script" not in html.lower() and "<link" not in html.lower()
    hrefs = [v for n, v in parsed(html).attributes if n == "href"]
    assert {h.split("/abs/")[0] for h in hrefs} == {"https://arxiv.org"}
    assert "@import" not in html and "url(" not in html
    tags = parsed(html).tags
    assert tags.count("svg") == 2
    assert tags.count("rect") == 2  # one bar per month with papers
    assert tags.count("circle") == len(page.drawing.nodes)
    text = " ".join(parsed(html).text)
    assert "Jan 2024: 2 papers" in text and "Oct 2024: 1 paper" in text
    assert "The Power of Noise: Redefining Retrieval for RAG Systems" in text


def test_chart_bars_are_proportional_and_ticks_do_not_crowd(store: ox.Store) -> None:
    page = report_page(store, "rag")
    assert isinstance(page, EntityPage)
    chart = page.chart
    drawn = [bar for bar in chart.bars if bar.period.papers]
    assert [bar.period.papers for bar in drawn] == [2, 1]
    assert drawn[0].height == pytest.approx(2 * drawn[1].height)
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)
    assert [t.text for t in chart.y_ticks] == ["0", "1", "2"]
    gaps = [b.position - a.position for a, b in zip(chart.x_ticks, chart.x_ticks[1:], strict=False)]
    assert all(gap >= 44 for gap in gaps)


def test_report_rendering_is_deterministic(store: ox.Store) -> None:
    assert report(store, "rag", "html") == report(store, "rag", "html")


def test_hostile_digest_text_is_escaped_in_html(hostile_store: ox.Store) -> None:
    for name in ("hostile", "paper:evil", "benchmark:evil", "org:evil"):
        page = report(hostile_store, name, "html")
        lowered = page.lower()
        assert "<script" not in lowered and "<img" not in lowered and "<b>bold" not in lowered
        assert {"script", "img", "b"}.isdisjoint(parsed(page).tags)
        assert remote_references(page) == []
    page = report(hostile_store, "paper:evil", "html")
    text = " ".join(parsed(page).text)
    assert HOSTILE_TITLE in text and HOSTILE_LABEL in text and HOSTILE_ORG in text
    assert "&lt;/svg&gt;&lt;script src=http://evil.example/a.js&gt;" in page
    assert parsed(page).tags.count("svg") == 1


def test_hostile_digest_text_is_escaped_in_markdown(hostile_store: ox.Store) -> None:
    text = report(hostile_store, "hostile", "md")
    assert UNESCAPED_TAG.search(text) is None
    assert "\\<script\\>alert('x')\\</script\\> & \"friends\"" in text
    assert "\\<b\\>Bold\\</b\\> topic" in text
    other = report(hostile_store, "paper:other", "md")
    assert other.startswith("# Other \\| \\*paper\\*\n")


@pytest.mark.parametrize("fmt", ["pdf", "", "HTML", "markdown"])
def test_unknown_report_format(store: ox.Store, fmt: str) -> None:
    with pytest.raises(UnknownNameError, match="known: html, md"):
        render_report(report_page(store, "rag"), fmt)


def test_iframe_keeps_the_page_apart() -> None:
    frame = iframe('<p class="x">a & b</p>', height=300)
    assert frame.startswith(
        '<div><iframe srcdoc="&lt;p class=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;"'
    )
    assert frame.endswith("</iframe></div>") and "height: 300px" in frame


def test_kg_report_writes_html_through_a_temporary_file(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "rag.html"
    result = CliRunner().invoke(
        app, ["report", "rag", "--format", "html", "--out", str(out), "--store", str(built)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == report(open_store(built), "rag", "html")
    assert [p.name for p in out.parent.iterdir()] == ["rag.html"]
    assert out.stat().st_mode & 0o044 == 0o044


def test_kg_report_prints_markdown_without_out(built: Path) -> None:
    result = CliRunner().invoke(app, ["report", "mixture-of-experts", "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Topic: Mixture of Experts\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "zzzz"], "kg: error: no node matches 'zzzz'"),
        (["report", "ragg"], "kg: error: no node matches 'ragg'; did you mean: topic:rag"),
        (["report", "rag", "--format", "pdf"], "kg: error: unknown report format 'pdf'"),
        (["report", "rag", "--store", "/nonexistent/kg"], "kg: error: no kg store at"),
    ],
)
def test_kg_report_errors_are_one_line(built: Path, args: list[str], message: str) -> None:
    if "--store" not in args:
        args = [*args, "--store", str(built)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_report_names_resolve_alike(store: ox.Store) -> None:
    assert report(store, ID + "topic/rag") == report(store, "Retrieval-Augmented Generation")
