"""The pages in a real headless chromium with the network off: no console or page errors, no
request leaving the machine, counts that match the graph, a layout that stops, filters that hide
nodes and edges, and hostile titles that stay text.

Needs Debian's chromium at /usr/bin/chromium (Playwright drives it; it never downloads a browser).
Without it these tests are skipped, unless KG_REQUIRE_BROWSER=1 makes that a failure.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import build_with_links
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.viz import NODE_TYPES, graph_from_store, render_html, to_pyvis

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
BUNDLED = Path(__file__).parent.parent / "data" / "digests"
LINKS = Path(__file__).parent / "fixtures" / "view_links.ttl"
SMALL_MODELS = ID + "topic/small-language-models"
HOSTILE = '</script><script>alert(1)</script> "quoted" & <b>'
HOSTILE_TOPIC = "<img src=x onerror=alert(2)>"
HOSTILE_IRI = ID + "paper/hostile"
STABLE_WITHIN = 10.0
TYPE_BOXES = "document.querySelectorAll('#kg-types input')"
TOPIC_OPTIONS = "document.querySelectorAll('#kg-topic option')"


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


@pytest.fixture(scope="module")
def linked_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled digests built without extraction, plus the links of view_links.ttl."""
    return build_with_links(tmp_path_factory.mktemp("browser"), LINKS)


@pytest.fixture(scope="module")
def view(
    linked_build: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, nx.MultiDiGraph]:
    """graph.html written by ``kg viz``, and the graph it draws."""
    page = tmp_path_factory.mktemp("page") / "graph.html"
    result = CliRunner().invoke(app, ["viz", "--store", str(linked_build), "--out", str(page)])
    assert result.exit_code == 0, result.output
    return page, graph_from_store(open_store(linked_build))


@dataclass
class Visit:
    """One page opened offline, with everything it tried to do."""

    page: Page
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def outbound(self) -> list[str]:
        """Every request for something that is not on this machine."""
        local = ("file:", "data:", "about:", "blob:")
        return [url for url in self.requests if not url.startswith(local)] + self.refused

    def evaluate(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def wait_for(self, expression: str, timeout: float = STABLE_WITHIN) -> Any:
        """Poll `expression` until it is truthy (the page's CSP forbids wait_for_function)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
            self.page.wait_for_timeout(25)


@contextmanager
def _visit(browser: Browser, path: Path) -> Iterator[Visit]:
    """Open `path` from a file:// URL in an offline context that refuses every remote request."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    visit = Visit(page)

    def refuse(route: Route) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            visit.refused.append(url)
            route.abort()

    context.route("**/*", refuse)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))

    def dialog(d: Any) -> None:
        visit.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        yield visit
    finally:
        context.close()


def _assert_clean(visit: Visit) -> None:
    assert visit.console_errors == []
    assert visit.page_errors == []
    assert visit.outbound() == []
    assert visit.dialogs == []
    assert visit.requests and all(url.startswith("file:") for url in visit.requests)


def test_view_offline_with_matching_counts_and_a_layout_that_stops(
    browser: Browser, view: tuple[Path, nx.MultiDiGraph]
) -> None:
    path, graph = view
    with _visit(browser, path) as visit:
        started = time.monotonic()
        visit.wait_for("window.kgView && window.kgView.stabilized")
        assert time.monotonic() - started < STABLE_WITHIN
        counts = visit.evaluate(
            "[kgView.nodes, kgView.edges, network.body.data.nodes.length,"
            " network.body.data.edges.length, kgView.shown.nodes, kgView.shown.edges]"
        )
        nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
        assert counts == [nodes, edges, nodes, edges, nodes, edges]
        assert visit.evaluate("[kgView.physics, network.physics.options.enabled]") == [False, False]
        assert 0 < visit.evaluate("kgView.stabilizationMs") < STABLE_WITHIN * 1000
        before = visit.evaluate("JSON.stringify(network.getPositions())")
        visit.page.wait_for_timeout(400)
        assert visit.evaluate("JSON.stringify(network.getPositions())") == before
        status = visit.evaluate("document.getElementById('kg-status').textContent")
        assert status == f"{nodes} of {nodes} nodes, {edges} of {edges} edges"
        assert visit.evaluate("document.querySelectorAll('script[src], link[href]').length") == 0
        _assert_clean(visit)


def test_filters_hide_nodes_and_edges(browser: Browser, view: tuple[Path, nx.MultiDiGraph]) -> None:
    path, graph = view
    persons = {n for n, d in graph.nodes(data=True) if d["type"] == "person"}
    person_edges = sum(u in persons or v in persons for u, v in graph.edges())
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    hidden = (
        "[network.body.data.nodes.get({filter: n => n.hidden}).length,"
        " network.body.data.edges.get({filter: e => e.hidden}).length]"
    )
    with _visit(browser, path) as visit:
        visit.wait_for("window.kgView && window.kgView.stabilized")
        types = visit.evaluate(f"[...{TYPE_BOXES}].map(i => i.value)")
        assert types == list(NODE_TYPES)
        visit.page.locator("#kg-types input[value=person]").uncheck()
        assert visit.evaluate("[kgView.shown.nodes, kgView.shown.edges]") == [
            nodes - len(persons),
            edges - person_edges,
        ]
        assert visit.evaluate(hidden) == [len(persons), person_edges]
        visit.page.locator("#kg-types input[value=person]").check()
        assert visit.evaluate(hidden) == [0, 0]

        options = visit.evaluate(f"[...{TOPIC_OPTIONS}].map(o => o.value)")
        topics = sorted((d["label"], n) for n, d in graph.nodes(data=True) if d["type"] == "topic")
        assert options == ["", *[iri for _, iri in topics]]
        visit.page.select_option("#kg-topic", SMALL_MODELS)
        around = set(nx.single_source_shortest_path_length(graph.to_undirected(), SMALL_MODELS, 2))
        inside = sum(u in around and v in around for u, v in graph.edges())
        assert visit.evaluate("[kgView.shown.nodes, kgView.shown.edges]") == [len(around), inside]
        shown = visit.evaluate("network.body.data.nodes.get({filter: n => !n.hidden})")
        assert {node["id"] for node in shown} == around
        visit.page.select_option("#kg-topic", "")
        assert visit.evaluate(hidden) == [0, 0]
        _assert_clean(visit)


def _hostile_page(folder: Path) -> Path:
    turtle = f"""
        @prefix mlkg: <{PREFIXES["mlkg"]}> . @prefix rdfs: <{PREFIXES["rdfs"]}> .
        @prefix dcterms: <{PREFIXES["dcterms"]}> . @prefix schema: <{PREFIXES["schema"]}> .
        <{HOSTILE_IRI}> a mlkg:Paper ;
            rdfs:label {json.dumps(HOSTILE)}@en ; dcterms:title {json.dumps(HOSTILE)}@en ;
            schema:url <https://arxiv.org/abs/2404.00001> , <javascript:alert(3)> ;
            dcterms:subject <{ID}topic/hostile> ; schema:author <{ID}person/hostile> .
        <{ID}topic/hostile> a mlkg:Topic ; rdfs:label {json.dumps(HOSTILE_TOPIC)}@en .
        <{ID}person/hostile> a schema:Person ; rdfs:label "line\\u2028break\\u2029end" .
    """
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    path = folder / "hostile.html"
    path.write_text(render_html(to_pyvis(graph_from_store(store))), encoding="utf-8")
    return path


def test_hostile_titles_stay_text(browser: Browser, tmp_path: Path) -> None:
    with _visit(browser, _hostile_page(tmp_path)) as visit:
        visit.wait_for("window.kgView && window.kgView.stabilized")
        assert visit.evaluate("[kgView.nodes, kgView.edges]") == [3, 2]
        data = visit.evaluate("(id) => network.body.data.nodes.get(id)", HOSTILE_IRI)
        assert data["kgLabel"] == HOSTILE
        assert data["label"] == HOSTILE[:39].rstrip() + "…"
        drawn = visit.evaluate("(id) => network.body.nodes[id].options.label", HOSTILE_IRI)
        assert drawn == data["label"]
        assert visit.evaluate("document.scripts.length") == 3
        assert visit.evaluate("document.querySelectorAll('b, img, iframe, object').length") == 0
        options = visit.evaluate(f"[...{TOPIC_OPTIONS}].map(o => o.text)")
        assert options == ["all topics", HOSTILE_TOPIC]

        x, y = visit.evaluate(
            """(id) => {
                const p = network.canvasToDOM(network.getPosition(id));
                const box = document.getElementById('kg-network').getBoundingClientRect();
                return [box.left + p.x, box.top + p.y];
            }""",
            HOSTILE_IRI,
        )
        visit.page.mouse.move(x - 30, y - 30)
        visit.page.mouse.move(x, y, steps=5)
        visit.wait_for(
            "(() => { const t = document.querySelector('div.vis-tooltip');"
            " return t && getComputedStyle(t).visibility === 'visible'; })()",
            timeout=5,
        )
        tooltip = visit.evaluate(
            "(() => { const t = document.querySelector('div.vis-tooltip');"
            " return [t.innerText, t.children.length - t.querySelectorAll('br').length]; })()"
        )
        assert tooltip[0].splitlines()[0] == HOSTILE
        assert "https://arxiv.org/abs/2404.00001" in tooltip[0]
        assert "javascript:" not in tooltip[0]
        assert tooltip[1] == 0

        visit.page.mouse.click(x, y)
        details = visit.evaluate(
            "(() => { const d = document.getElementById('kg-details');"
            " return [d.hidden, d.querySelector('h2').textContent,"
            " [...d.querySelectorAll('a')].map(a => a.href), d.querySelectorAll('script').length];"
            " })()"
        )
        assert details == [False, HOSTILE, ["https://arxiv.org/abs/2404.00001"], 0]
        assert visit.evaluate("document.scripts.length") == 3
        _assert_clean(visit)


def _report_html(linked_build: Path, folder: Path) -> Path:
    """The HTML of ``kg report rag --format html``, as a file (printed, or written and named)."""
    result = CliRunner().invoke(
        app, ["report", "rag", "--format", "html", "--store", str(linked_build)]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    named = Path(text.strip().splitlines()[-1].split(":")[0]) if text.strip() else None
    if "<html" not in text.lower() and named is not None and named.is_file():
        text = named.read_text(encoding="utf-8")
    assert "<html" in text.lower()
    path = folder / "report.html"
    path.write_text(text, encoding="utf-8")
    return path


def test_report_page_is_offline(browser: Browser, linked_build: Path, tmp_path: Path) -> None:
    pytest.importorskip("kg.report")
    with _visit(browser, _report_html(linked_build, tmp_path)) as visit:
        visit.page.wait_for_timeout(300)
        _assert_clean(visit)
