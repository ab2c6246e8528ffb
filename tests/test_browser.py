"""The view and the site in a real headless chromium with the network off: no console or page
errors and no request leaving the machine; the overview of a generated 2,000-paper graph and of
the development README; search, focus, expand and filters; labels that never overlap; the side
panel; site pages linked both ways; hostile titles that stay text; and the story of a new user
going from the overview to a topic, a paper, its related papers and a benchmark they share.

Needs Debian's chromium at /usr/bin/chromium (Playwright drives it; it never downloads a browser).
Without it these tests are skipped, unless KG_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import explore_build

from kg.explore.kinds import LINK_BY_PREDICATE
from kg.explore.profiles import entity_profile, paper_profile
from kg.explore.subgraph import Subgraph, whole
from kg.graph.prefixes import ID
from kg.graph.store import open_store
from kg.site.build import build_site
from kg.view.page import view_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_WITHIN = 20.0


def _require_browser() -> None:
    """Skip (or, with KG_REQUIRE_BROWSER=1, fail) when chromium or Playwright is missing."""
    reason = None
    if not CHROMIUM.exists():
        reason = "chromium not installed: apt-get install chromium"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed: pip install -e '.[test]'"
    if reason is None:
        return
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    _require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """Pages opened offline in one browser context, with everything they tried to do."""

    page: Page
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait_for(self, expression: str, timeout: float = READY_WITHIN) -> Any:
        """Poll `expression` until it is truthy (the page's CSP forbids wait_for_function)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
            self.page.wait_for_timeout(25)

    def ready(self) -> None:
        self.wait_for("window.kgView && window.kgView.ready")

    def assert_clean(self) -> None:
        local = ("file:", "data:", "about:", "blob:")
        assert self.console_errors == []
        assert self.page_errors == []
        assert self.dialogs == []
        assert self.refused == []
        assert [url for url in self.requests if not url.startswith(local)] == []
        assert self.requests and all(url.startswith("file:") for url in self.requests)


@contextmanager
def visit(browser: Browser, path: Path, fragment: str = "") -> Iterator[Visit]:
    """Open `path` from a file:// URL in an offline context that refuses every remote request."""
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = Visit(page)

    def refuse(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            seen.refused.append(url)
            route.abort()

    context.route("**/*", refuse)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))

    def dialog(d: Any) -> None:
        seen.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    try:
        page.goto(path.resolve().as_uri() + fragment, wait_until="load")
        yield seen
    finally:
        context.close()


def assert_labels_apart(seen: Visit) -> list[dict[str, Any]]:
    """The labels drawn on the canvas: none overlaps another or runs off the canvas."""
    labels: list[dict[str, Any]] = seen.evaluate("kgView.labels")
    width, height = seen.evaluate(
        "[network.canvas.frame.canvas.clientWidth, network.canvas.frame.canvas.clientHeight]"
    )
    for label in labels:
        inside = label["x"] >= 0 and label["x"] + label["w"] <= width
        assert inside and label["y"] >= 0 and label["y"] + label["h"] <= height, label["text"]
    for a, b in combinations(labels, 2):
        apart = (
            a["x"] + a["w"] <= b["x"]
            or b["x"] + b["w"] <= a["x"]
            or a["y"] + a["h"] <= b["y"]
            or b["y"] + b["h"] <= a["y"]
        )
        assert apart, (a["text"], b["text"])
    return labels


@dataclass
class Graph:
    """A built graph, its whole subgraph and its view page."""

    store: Path
    sub: Subgraph
    page: Path


def _graph(built: Path, folder: Path) -> Graph:
    sub = whole(open_store(built))
    page = folder / "graph.html"
    page.write_text(view_page(sub).html, encoding="utf-8")
    return Graph(built, sub, page)


@pytest.fixture(scope="module")
def generated(generated_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    graph = _graph(generated_build, tmp_path_factory.mktemp("generated"))
    assert len(graph.sub.papers()) >= 1900
    return graph


@pytest.fixture(scope="module")
def dev(dev_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return _graph(dev_build, tmp_path_factory.mktemp("dev"))


@pytest.fixture(params=["generated", "dev"])
def big(request: pytest.FixtureRequest) -> Graph:
    graph: Graph = request.getfixturevalue(request.param)
    return graph


def _linked_paper(sub: Subgraph, fewest: int = 3) -> str:
    """A paper with a unique title, at least `fewest` links and a topic."""
    titles: dict[str, int] = {}
    for node in sub.papers():
        titles[node.label] = titles.get(node.label, 0) + 1
    counts: dict[str, set[str]] = {}
    for source, predicate, target in sub.edges:
        if predicate in LINK_BY_PREDICATE:
            counts.setdefault(source, set()).add(target)
    chosen = [
        iri
        for iri, linked in sorted(counts.items())
        if len(linked) >= fewest
        and titles[sub.nodes[iri].label] == 1
        and any(sub.nodes[t].kind == "topic" for t in linked)
        and len(sub.nodes[iri].label) >= 12
    ]
    assert chosen
    return chosen[len(chosen) // 2]


# ---------------------------------------------------------------------------------- the view


def test_the_overview_opens_offline_with_labels_apart(browser: Browser, big: Graph) -> None:
    with visit(browser, big.page) as seen:
        seen.ready()
        assert seen.evaluate("kgView.mode") == "overview"
        papers = len(big.sub.papers())
        title = seen.page.title()
        assert title.startswith(f"Overview of {papers:,} papers: ")
        assert "topics" in title and title.endswith(" — kg graph view")
        shown = seen.evaluate("kgView.shown")
        topics = sum(1 for n in big.sub.of_kind("topic") if n.papers)
        assert topics <= shown["nodes"] <= topics + 45 and shown["edges"] > 0
        labels = assert_labels_apart(seen)
        assert len(labels) >= 10
        assert seen.page.locator("#kg-kinds input[value=paper]").is_disabled()  # none drawn
        largest = sorted(
            (n for n in big.sub.of_kind("topic") if n.papers), key=lambda n: -n.papers
        )[:8]
        labelled = {label["id"] for label in labels}
        assert [n.label for n in largest if n.iri not in labelled] == []
        assert seen.evaluate("network.physics.options.enabled") is False
        seen.assert_clean()


def test_search_finds_a_paper_and_focus_shows_its_neighbours(browser: Browser, big: Graph) -> None:
    paper = _linked_paper(big.sub)
    node = big.sub.nodes[paper]
    linked = {t for s, p, t in big.sub.edges if s == paper and p in LINK_BY_PREDICATE}
    topics = {t for t in linked if big.sub.nodes[t].kind == "topic"}
    with visit(browser, big.page) as seen:
        seen.ready()
        seen.page.fill("#kg-search", node.label[:40])
        result = seen.page.locator(f'#kg-results button[data-node="{paper}"]')
        result.wait_for(timeout=5000)
        assert result.inner_text().startswith(node.label[:30])
        result.click()
        assert seen.page.locator("#kg-results").is_hidden()  # a chosen result closes the list
        assert seen.page.locator("#kg-kinds input[value=paper]").is_enabled()
        assert seen.evaluate("[kgView.mode, kgView.centre]") == [
            "focus",
            seen.evaluate(
                "(iri) => network.body.data.nodes.getIds().find(i => i === kgView.centre)", paper
            ),
        ]
        shown = set(seen.evaluate("network.body.data.nodes.getIds()"))
        drawn = {
            seen.evaluate(
                "(i) => JSON.parse(document.getElementById('kg-data').textContent).nodes[i][0]", i
            )
            for i in shown
        }
        assert drawn == {paper} | linked
        assert seen.page.title().startswith(node.label[:30])
        assert seen.page.locator("#kg-details h2").inner_text() == node.label
        chips = set(
            seen.page.locator("#kg-details .kg-chip").evaluate_all(
                "buttons => buttons.map(b => b.dataset.node)"
            )
        )
        assert topics <= chips and linked <= chips
        headings = seen.page.locator("#kg-details h3").all_inner_texts()
        assert f"TOPICS ({len(topics)})" in [h.upper() for h in headings]
        assert seen.evaluate("location.hash").startswith("#focus=")
        assert_labels_apart(seen)
        seen.page.click("#kg-home")  # back to the start: nothing selected, no search left
        assert seen.evaluate("[kgView.mode, kgView.selected]") == ["overview", None]
        assert seen.page.locator("#kg-details").is_hidden()
        assert seen.page.input_value("#kg-search") == ""
        seen.assert_clean()


def test_expand_and_filters_lay_the_view_out_again(browser: Browser, dev: Graph) -> None:
    rag = ID + "topic/rag"
    with visit(browser, dev.page) as seen:
        seen.ready()
        seen.evaluate("(iri) => kgView.focus(iri)", rag)
        before = seen.evaluate("kgView.shown.nodes")
        papers = [n for n in seen.evaluate("network.body.data.nodes.getIds()")]
        assert before == len(papers) and before > 20
        first_paper = seen.evaluate(
            "JSON.parse(document.getElementById('kg-data').textContent).nodes"
            "[network.body.data.nodes.getIds().find(i => i !== kgView.centre)][0]"
        )
        seen.evaluate("(iri) => kgView.expand(iri)", first_paper)
        assert seen.evaluate("kgView.shown.nodes") > before
        assert seen.evaluate("kgView.expanded.length") == 1
        positions = seen.evaluate("JSON.stringify(network.getPositions())")
        seen.page.locator("#kg-kinds input[value=paper]").uncheck()
        assert seen.evaluate("kgView.shown.nodes") < before
        assert seen.evaluate("JSON.stringify(network.getPositions())") != positions
        seen.page.locator("#kg-kinds input[value=paper]").check()
        seen.page.click("#kg-home")
        assert seen.evaluate("kgView.mode") == "overview"
        full = seen.evaluate("kgView.shown.nodes")
        seen.page.locator("#kg-kinds input[value=organisation]").uncheck()
        assert seen.evaluate("kgView.shown.nodes") < full
        kinds = seen.evaluate(
            "(() => { const d = JSON.parse(document.getElementById('kg-data').textContent);"
            " const ids = network.body.data.nodes.getIds();"
            " return [...new Set(ids.map(i => d.kinds[d.nodes[i][1]].name))]; })()"
        )
        assert "organisation" not in kinds and "topic" in kinds
        assert_labels_apart(seen)
        seen.assert_clean()


def test_a_focus_page_made_by_kg_viz_topic(
    browser: Browser, dev_build: Path, tmp_path: Path
) -> None:
    from kg.explore.subgraph import around

    store = open_store(dev_build)
    sub = around(store, [ID + "topic/rag"], hops=1)
    page = tmp_path / "rag.html"
    page.write_text(view_page(sub).html, encoding="utf-8")
    profile = entity_profile(store, ID + "topic/rag")
    with visit(browser, page) as seen:
        seen.ready()
        assert seen.evaluate("kgView.mode") == "focus"
        assert seen.page.title().startswith("Retrieval-Augmented Generation (topic): ")
        assert seen.page.locator("#kg-home").is_hidden()
        shown = seen.evaluate("kgView.shown.nodes") + seen.evaluate("kgView.cut")
        assert shown >= min(profile.papers, 60)
        assert_labels_apart(seen)
        seen.assert_clean()


# ---------------------------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def explore_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(open_store(explore_build(tmp_path_factory.getbasetemp())), out)
    return out


def test_a_model_page_links_to_its_papers_and_back(browser: Browser, explore_site: Path) -> None:
    with visit(browser, explore_site / "model" / "llama-2.html") as seen:
        assert seen.page.title() == "Llama 2 (model) — kg"
        seen.page.click('a[href="../paper/2311.10702.html"]')
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith("/paper/2311.10702.html")
        assert seen.page.title().startswith("Camels in a Changing Climate")
        seen.page.click('td a[href="../model/llama-2.html"]')
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith("/model/llama-2.html")
        assert seen.evaluate("getComputedStyle(document.body).maxWidth") == "1180px"  # styled
        seen.assert_clean()


def test_site_search_and_graph_view_link_to_pages(browser: Browser, explore_site: Path) -> None:
    with visit(browser, explore_site / "index.html") as seen:
        seen.page.fill("#search-box", "llama")
        link = seen.page.locator('#results a[href="model/llama-2.html"]')
        link.wait_for(timeout=5000)
        link.click()
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith("/model/llama-2.html")
        seen.page.click("text=open in the graph view")
        seen.ready()
        assert seen.evaluate("kgView.mode") == "focus"
        assert seen.page.locator("#kg-details h2").inner_text() == "Llama 2"
        seen.page.click("#kg-details a:text('Open its page')")
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith("/model/llama-2.html")
        seen.assert_clean()


def test_the_story_of_a_new_user_on_the_dev_build(
    browser: Browser, dev_build: Path, tmp_path: Path
) -> None:
    """Overview -> the RAG topic -> a paper -> its related papers -> a benchmark they share,
    offline and by clicking."""
    store = open_store(dev_build)
    rag = entity_profile(store, ID + "topic/rag")
    story = None
    for link in rag.links:
        profile = paper_profile(store, link.paper.iri)
        shared = [
            (related, reason.entity)
            for related in profile.related
            for reason in related.reasons
            if reason.entity.kind == "benchmark"
        ]
        if shared:
            story = (link.paper, *shared[0])
            break
    assert story is not None
    paper, related, benchmark = story
    site = tmp_path / "site"
    build_site(store, site)
    with visit(browser, site / "graph.html") as seen:
        seen.ready()
        assert seen.evaluate("kgView.mode") == "overview"
        x, y = seen.evaluate(
            """(iri) => {
                const d = JSON.parse(document.getElementById('kg-data').textContent);
                const id = d.nodes.findIndex(n => n[0] === iri);
                const p = network.canvasToDOM(network.getPosition(id));
                const box = document.getElementById('kg-network').getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""",
            ID + "topic/rag",
        )
        seen.page.mouse.click(x, y)
        assert seen.page.locator("#kg-details h2").inner_text() == "Retrieval-Augmented Generation"
        seen.page.click("#kg-details a:text('Open its page')")
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith("/topic/rag.html")
        assert paper.path is not None and related.paper.path is not None
        seen.page.click(f'table.papers a[href="../{paper.path}"]')
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith(paper.path)
        seen.page.click(f'table.related a[href="../{related.paper.path}"]')
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith(related.paper.path)
        assert benchmark.path is not None
        seen.page.click(f'table.links a[href="../{benchmark.path}"]')
        seen.page.wait_for_load_state("load")
        assert seen.page.url.endswith(benchmark.path)
        assert seen.page.title() == f"{benchmark.label} (benchmark) — kg"
        seen.assert_clean()


# ---------------------------------------------------------------------------------- hostile text


def test_hostile_titles_stay_text_in_the_view_and_the_site(
    browser: Browser, tmp_path: Path
) -> None:
    from test_view import HOSTILE, HOSTILE_IRI, HOSTILE_TOPIC, hostile_store

    store = hostile_store()
    page = tmp_path / "hostile.html"
    page.write_text(view_page(whole(store)).html, encoding="utf-8")
    with visit(browser, page) as seen:
        seen.ready()
        seen.page.fill("#kg-search", "quoted")
        button = seen.page.locator(f'#kg-results button[data-node="{HOSTILE_IRI}"]')
        button.wait_for(timeout=5000)
        assert HOSTILE[:30] in button.inner_text()
        button.click()
        assert seen.page.locator("#kg-details h2").inner_text() == HOSTILE
        assert seen.page.title().startswith(HOSTILE)
        texts = [label["text"] for label in seen.evaluate("kgView.labels")]
        assert HOSTILE[:43] + "…" in texts
        assert HOSTILE_TOPIC in texts
        assert seen.evaluate("document.scripts.length") == 3
        assert seen.evaluate("document.querySelectorAll('b, img, iframe, object').length") == 0
        hrefs = seen.evaluate("[...document.querySelectorAll('#kg-details a')].map(a => a.href)")
        assert hrefs == ["https://example.org/paper"]
        seen.assert_clean()
    site = tmp_path / "site"
    build_site(store, site)
    with visit(browser, site / "paper" / "hostile.html") as seen:
        assert seen.page.locator("h1").inner_text().endswith(HOSTILE)
        assert seen.evaluate("document.querySelectorAll('script, b, img').length") == 0
        seen.assert_clean()
