"""``kg site``: a page for every paper and entity, every name a link to an existing page, every
arXiv id a link to arXiv, nothing remote, published whole."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
from conftest import explore_build
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import OutputError
from kg.explore.subgraph import whole
from kg.files import SITE_MARK
from kg.graph.store import open_store
from kg.site.build import build_site
from kg.view.embed import remote_references

ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")


class Page(HTMLParser):
    """The links, arXiv mentions and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.tags: list[str] = []
        self._href: str | None = None
        self._anchor: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._anchor = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._anchor)))
            self._href = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._anchor.append(data)


def read(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    return open_store(explore_build(tmp_path_factory.getbasetemp()))


@pytest.fixture(scope="module")
def site(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(store, out)
    return out


def test_a_page_for_every_paper_and_linked_entity(store: ox.Store, site: Path) -> None:
    sub = whole(store)
    expected = {
        node.path
        for node in sub.nodes.values()
        if node.path
        and (node.is_paper or node.papers or node.kind == "organisation")
        and node.kind != "person"
    }
    written = {
        str(p.relative_to(site))
        for p in site.rglob("*.html")
        if p.parent.name not in ("papers",) and p.name not in ("index.html", "graph.html")
    }
    assert written == expected
    assert len([p for p in expected if p.startswith(("paper/", "article/"))]) == 40
    assert {"topic/rag.html", "model/llama-2.html", "benchmark/mmlu.html"} <= written
    assert "person/" not in " ".join(written)
    assert (site / SITE_MARK).is_file()
    assert sorted(p.name for p in (site / "papers").iterdir()) == ["2023.html", "2024.html"]


def test_every_link_leads_to_a_page_of_the_site_or_to_the_web(site: Path) -> None:
    checked = 0
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert remote_references(text) == [], path
        for href, _ in read(path).links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https"):
                assert parts.scheme == "https" or href.startswith("http://"), href
                continue
            assert parts.scheme == "", (path, href)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), (path, href)
            checked += 1
    assert checked > 500


def test_every_arxiv_id_is_a_link_to_arxiv(site: Path) -> None:
    for path in [*site.glob("paper/*.html"), site / "topic" / "rag.html", site / "index.html"]:
        page = read(path)
        shown = {t.strip().removeprefix("arXiv:") for t in page.text if "arXiv:" in t}
        linked = {
            text.removeprefix("arXiv:")
            for href, text in page.links
            if href.startswith("https://arxiv.org/abs/")
            and href.endswith(text.removeprefix("arXiv:"))
        }
        assert {s for s in shown if ARXIV.match(s)} <= linked, path


def test_a_model_page_links_to_its_papers_and_they_link_back(site: Path) -> None:
    model = read(site / "model" / "llama-2.html")
    papers = {href for href, _ in model.links if href.startswith("../paper/")}
    assert papers == {
        "../paper/2311.10702.html",
        "../paper/2311.11045.html",
        "../paper/2401.15884.html",
        "../paper/2401.14887.html",
    }
    for href in papers:
        back = read((site / "model" / href).resolve())
        assert ("../model/llama-2.html", "Llama 2") in back.links
    assert ("../organisation/meta.html", "Meta") in model.links
    assert any(href.startswith("../graph.html#focus=") for href, _ in model.links)


def test_a_paper_page_lists_its_links_with_evidence_and_related_papers(site: Path) -> None:
    page = read(site / "paper" / "2404.14219.html")
    text = " ".join(page.text)
    assert "phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench" in text
    assert "2 digests · confidence 0.95 · curated-label" in " ".join(text.split())
    related = [href for href, _ in page.links if href.startswith("../paper/")]
    assert related[:2] == ["../paper/2311.10702.html", "../paper/2404.14619.html"]
    assert ("../benchmark/mt-bench.html", "MT-bench") in page.links
    assert ("https://arxiv.org/abs/2404.14219", "arXiv:2404.14219") in page.links


def test_the_index_searches_everything(site: Path) -> None:
    index = read(site / "index.html")
    assert ("graph.html", "Open the graph view") in index.links
    assert "assets/search-index.js" in (site / "index.html").read_text(encoding="utf-8")
    data = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    assert data.startswith("window.kgSearchIndex = {")
    assert '"Retrieval-Augmented Generation",2,"topic/rag.html"' in data
    graph = (site / "graph.html").read_text(encoding="utf-8")
    assert '"topic/rag.html"' in graph


def test_hostile_titles_are_escaped_in_site_pages(tmp_path: Path) -> None:
    from test_view import HOSTILE, HOSTILE_TOPIC, hostile_store

    out = tmp_path / "site"
    build_site(hostile_store(), out)
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in text and "<img src=x" not in text, path
        assert "javascript:alert" not in text, path
    paper = read(out / "paper" / "hostile.html")
    assert HOSTILE in " ".join(paper.text)
    assert {"b", "img"}.isdisjoint(paper.tags)
    topic = read(out / "topic" / "hostile.html")
    assert HOSTILE_TOPIC in " ".join(topic.text)


def test_a_new_site_replaces_the_old_one_whole(store: ox.Store, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(store, out)
    (out / "stale.html").write_text("old", encoding="utf-8")
    build_site(store, out)
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_folder_kg_did_not_write_is_left_alone(store: ox.Store, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="was not written by kg"):
        build_site(store, mine)
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    result = CliRunner().invoke(
        app, ["site", "--out", str(mine), "--store", str(explore_build(tmp_path.parent))]
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"kg: error: {mine} exists and was not written by kg; give a new or empty folder\n"
    )


def test_kg_site_reports_what_it_wrote(tmp_path_factory: pytest.TempPathFactory) -> None:
    built = explore_build(tmp_path_factory.getbasetemp())
    out = tmp_path_factory.mktemp("cli") / "site"
    result = CliRunner().invoke(app, ["site", "--out", str(out), "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        rf"{re.escape(str(out))}: \d+ pages \(40 papers, \d+ topics, models, benchmarks and "
        rf"organisations\), [\d.]+ MB in [\d.]+ s; open {re.escape(str(out / 'index.html'))}\n",
        result.stdout,
    )


def test_counts_agree_in_number_with_their_noun(site: Path) -> None:
    singular = 0
    for path in site.rglob("*.html"):
        text = " ".join(read(path).text)
        assert not re.search(r"(?<![\d.,])1 papers\b", text), path
        singular += len(re.findall(r"(?<![\d.,])1 paper\b", text))
    assert singular > 0


def test_a_neighbourhood_drawing_has_a_legend_of_the_kinds_it_draws(site: Path) -> None:
    html = (site / "topic" / "rag.html").read_text(encoding="utf-8")
    drawing = html[html.index('<svg class="drawing"') : html.index('<p class="legend">') + 400]
    drawn = set(re.findall(r'<g class="node (\w+)', drawing))
    legend = drawing[drawing.index('<p class="legend">') :].split("</p>", 1)[0]
    assert len(drawn) >= 3
    assert set(re.findall(r'<span class="kind (\w+)">\1</span>', legend)) == drawn
