"""Time the view and the site: ``kg viz`` and ``kg site`` on about 10,000 papers (time and
output size), and the overview of a graph of about 100,000 papers opening in headless chromium.

The graphs are built once with the real ``kg build`` (`bench/corpus.py`). Pages are opened
from file:// URLs in Debian's chromium with every request that would leave the machine refused;
a console error or a refused request fails the bench. Printed beside each figure: its target
where there is one, and a baseline measured in the same run (a ``kg`` process that does
nothing, and the whole graph read by ``kg query`` as CSV).

    python bench/view_bench.py [--weeks 1000] [--big-weeks 10020] [--no-big]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import KG, built_graph

__all__ = ["CHROMIUM", "Figure", "main", "open_offline"]

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
OPEN_TARGET = 60.0


@dataclass(frozen=True, slots=True)
class Figure:
    """One line of the table."""

    what: str
    seconds: float
    size: str = ""
    target: float | None = None

    def line(self, width: int) -> str:
        target = "" if self.target is None else f"<= {self.target:.0f}"
        verdict = "" if self.target is None else ("ok" if self.seconds <= self.target else "MISSED")
        return f"{self.what:<{width}}  {self.seconds:8.2f}  {self.size:>22}  {target:>6}  {verdict}"


def _size(path: Path) -> tuple[int, int]:
    if path.is_file():
        return path.stat().st_size, 1
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(KG), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def open_offline(page: Path, fragment: str = "", timeout: float = 120.0) -> dict[str, Any]:
    """Open `page` in headless chromium offline; seconds to load and until the view is ready."""
    from playwright.sync_api import Route, sync_playwright

    refused: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})

            def refuse(route: Route) -> None:
                url = route.request.url
                if url.startswith(("file:", "data:")):
                    route.continue_()
                else:
                    refused.append(url)
                    route.abort()

            context.route("**/*", refuse)
            tab = context.new_page()
            tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: errors.append(str(e)))
            started = time.perf_counter()
            tab.goto(page.resolve().as_uri() + fragment, wait_until="load", timeout=timeout * 1000)
            loaded = time.perf_counter() - started
            facts: dict[str, Any] = {"load": loaded, "title": tab.title()}
            if tab.evaluate("Boolean(window.kgView)"):
                while not tab.evaluate("window.kgView.ready"):
                    if time.perf_counter() - started > timeout:
                        raise TimeoutError(f"{page}: the view was not ready after {timeout:.0f} s")
                    tab.wait_for_timeout(50)
                facts["ready"] = time.perf_counter() - started
                facts["shown"] = tab.evaluate("window.kgView.shown")
                facts["labels"] = tab.evaluate("window.kgView.labels.length")
                searched = time.perf_counter()
                facts["found"] = len(tab.evaluate("window.kgView.search('report')"))
                facts["search"] = time.perf_counter() - searched
        finally:
            browser.close()
    if refused or errors:
        raise RuntimeError(f"{page}: requests {refused[:3]}, console errors {errors[:3]}")
    return facts


def _figures_for(graph: Path, label: str, work: Path, site: bool) -> list[Figure]:
    store = ["--store", str(graph)]
    figures = [Figure(f"{label}: kg --help (a process doing nothing)", _run(["--help"]))]
    started = time.perf_counter()
    subprocess.run(
        [str(KG), "query", "papers", "--format", "csv", *store],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    figures.append(Figure(f"{label}: kg query papers --format csv", time.perf_counter() - started))
    page = work / f"{label}-graph.html"
    seconds = _run(["viz", "-o", str(page), *store])
    size, _ = _size(page)
    figures.append(Figure(f"{label}: kg viz (whole graph)", seconds, f"{size / 1e6:.1f} MB"))
    topic_page = work / f"{label}-topic.html"
    seconds = _run(["viz", "--topic", "reasoning", "-o", str(topic_page), *store])
    figures.append(Figure(f"{label}: kg viz --topic reasoning", seconds, "", 5.0))
    opened = open_offline(page)
    figures.append(
        Figure(
            f"{label}: overview ready in chromium",
            opened["ready"],
            f"{opened['shown']['nodes']} nodes, {opened['labels']} labels",
            OPEN_TARGET,
        )
    )
    found = f"{opened['found']} found"
    figures.append(Figure(f"{label}: search 'report' in the page", opened["search"], found))
    focused = open_offline(topic_page)
    figures.append(Figure(f"{label}: topic page ready in chromium", focused["ready"]))
    if site:
        out = work / f"{label}-site"
        seconds = _run(["site", "--out", str(out), *store])
        size, files = _size(out)
        written = f"{files:,} files, {size / 1e6:.0f} MB"
        figures.append(Figure(f"{label}: kg site", seconds, written))
        index = open_offline(out / "index.html")
        figures.append(Figure(f"{label}: site index loads in chromium", index["load"]))
        model = next((out / "model").glob("*.html"))
        figures.append(Figure(f"{label}: a model page loads", open_offline(model)["load"]))
        shutil.rmtree(out)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--weeks", type=int, default=1000, help="about 10 papers a week")
    parser.add_argument("--big-weeks", type=int, default=10_020)
    parser.add_argument("--no-big", action="store_true", help="skip the 100,000-paper graph")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print("chromium not installed: apt-get install chromium", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    graphs = [(built_graph(args.weeks), f"{args.weeks * 10 // 1000}K", True)]
    if not args.no_big:
        graphs.append((built_graph(args.big_weeks), f"{args.big_weeks * 10 // 1000}K", False))
    for graph, label, site in graphs:
        work = graph.parent / "bench-output"
        work.mkdir(exist_ok=True)
        for figure in _figures_for(graph, label, work, site):
            figures.append(figure)
            print(figure.line(52), file=sys.stderr, flush=True)
    width = max(len(f.what) for f in figures)
    print(f"{'what':<{width}}  {'seconds':>8}  {'output':>22}  target")
    for figure in figures:
        print(figure.line(width))
    missed = [f for f in figures if f.target is not None and f.seconds > f.target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
