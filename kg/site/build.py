"""``kg site``: a static, offline, interlinked site of the graph.

    index.html                 search, newest papers, top topics, models, benchmarks, organisations
    graph.html                 the interactive view; its side panel links to the pages
    topic/<id>.html ...        a page per topic, model, benchmark and organisation
    paper/<id>.html ...        a page per paper (and article/<id>.html per article)
    papers/<year>.html         every paper of a year, by week
    assets/                    the style sheet and the search (its index as a script)

The whole site is written into a fresh folder beside `out` and swapped in at the end, so a
reader never sees half of one site and half of another.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup

from kg.explore.kinds import ENTITY_KINDS, KINDS, LINK_BY_PREDICATE
from kg.explore.profiles import entity_profiles, graph_span, paper_profiles
from kg.explore.records import Node
from kg.explore.related import RelatedPaper, Share, rank, resolve
from kg.explore.sparql import select
from kg.explore.subgraph import Subgraph, whole
from kg.files import replace_folder, staging_folder
from kg.graph.remote import Graph
from kg.site.pages import entity_page, paper_page
from kg.site.render import SITE_CSP, render_page, render_template, site_css, site_script
from kg.view.embed import script_json
from kg.view.page import view_page

__all__ = ["SiteSummary", "build_site"]

_CHUNK = 400
TOP = 25
NEWEST = 30

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class SiteSummary:
    """What a site holds."""

    out: Path
    pages: int
    papers: int
    entities: int
    bytes: int
    seconds: float


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


class _Site:
    """The pages a site has, and links between them relative to each page."""

    def __init__(self, sub: Subgraph) -> None:
        self.sub = sub
        self.paths = {
            iri: node.path
            for iri, node in sub.nodes.items()
            if node.path
            and (node.is_paper or node.kind in ENTITY_KINDS)
            and (node.is_paper or node.papers or node.kind == "organisation")
        }

    def linker(self, root: str) -> Callable[[Node], str | None]:
        def href(node: Node) -> str | None:
            path = self.paths.get(node.iri)
            return f"{root}{path}" if path else None

        return href


class _RelatedIndex:
    """Related papers of every paper, ranked by `kg.explore.related.rank` on the whole graph's
    links (the same ranking `kg related` computes from one query)."""

    def __init__(self, graph: Graph, sub: Subgraph) -> None:
        self.graph = graph
        self.sub = sub
        self.papers_of: dict[str, set[str]] = defaultdict(set)
        self.weights: dict[str, dict[str, float]] = defaultdict(dict)
        self.kinds: dict[str, str] = {}
        for source, predicate, target in sub.edges:
            link = LINK_BY_PREDICATE.get(predicate)
            if link is None:
                continue
            self.papers_of[target].add(source)
            mine = self.weights[source]
            mine[target] = max(mine.get(target, 0.0), link.weight)
            self.kinds.setdefault(target, link.kind)

    def __call__(self, paper: str) -> list[RelatedPaper]:
        shares = {
            entity: Share(entity, weight, len(self.papers_of[entity]))
            for entity, weight in self.weights.get(paper, {}).items()
        }
        ranked = rank(paper, shares, self.papers_of)
        return resolve(self.graph, ranked, self.kinds, self.sub.nodes)


def _write(folder: Path, relative: str, text: str) -> int:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    return len(data)


def _root(path: str) -> str:
    return "../" * path.count("/")


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def build_site(graph: Graph, out: Path, progress: Progress = _no_progress) -> SiteSummary:
    """Write the site of `graph` to `out` (a new folder, or one kg wrote before)."""
    started = time.perf_counter()
    progress("graph", 0, 1)
    sub = whole(graph)
    span = graph_span(graph)
    site = _Site(sub)
    papers = sorted(
        (n for n in sub.nodes.values() if n.is_paper and n.iri in site.paths),
        key=lambda n: (-(n.week or date.min).toordinal(), n.label.casefold(), n.iri),
    )
    entities = sorted(
        (n for n in sub.nodes.values() if n.kind in ENTITY_KINDS and n.iri in site.paths),
        key=lambda n: (ENTITY_KINDS.index(n.kind), -(n.papers or 0), n.label.casefold()),
    )
    summary = select(graph, "graph-span")
    context = {
        "papers": f"{len(papers):,}",
        "digests": int(summary[0]["digests"].value) if summary else 0,
        "first": span[0].isoformat() if span else None,
        "last": span[1].isoformat() if span else None,
    }
    written = 0
    pages = 0
    with staging_folder(out) as stage:
        written += _write(stage, "assets/site.css", site_css())
        search = {
            "kinds": list(KINDS),
            "nodes": [
                [
                    n.label,
                    list(KINDS).index(n.kind),
                    site.paths[n.iri],
                    n.week.isoformat() if n.week else (f"{n.papers} papers" if n.papers else ""),
                    n.arxiv or "",
                ]
                for n in [*entities, *papers]
            ],
        }
        written += _write(
            stage, "assets/search-index.js", f"window.kgSearchIndex = {script_json(search)};\n"
        )
        written += _write(stage, "assets/search.js", site_script())
        progress("graph view", 0, 1)
        written += _write(stage, "graph.html", view_page(sub, papers=len(papers), pages=True).html)
        pages += 1

        total = len(entities)
        for done, entity in enumerate(entities):
            progress("entities", done, total)
            profile = entity_profiles(graph, [entity.iri], span, known=sub.nodes)[entity.iri]
            path = site.paths[entity.iri]
            root = _root(path)
            text = render_page(
                entity_page(profile), "html", href=site.linker(root), site=context, root=root
            )
            written += _write(stage, path, text)
            pages += 1

        related = _RelatedIndex(graph, sub)
        paper_iris = [p.iri for p in papers]
        done = 0
        for chunk in _chunks(paper_iris, _CHUNK):
            progress("papers", done, len(paper_iris))
            profiles = paper_profiles(graph, chunk, related=related, known=sub.nodes, web=sub.web)
            for iri in chunk:
                path = site.paths[iri]
                root = _root(path)
                text = render_page(
                    paper_page(profiles[iri]),
                    "html",
                    href=site.linker(root),
                    site=context,
                    root=root,
                )
                written += _write(stage, path, text)
                pages += 1
            done += len(chunk)

        by_year: dict[str, list[Node]] = defaultdict(list)
        for paper in papers:
            by_year[str(paper.week.year) if paper.week else "undated"].append(paper)
        for year, members in sorted(by_year.items()):
            weeks: dict[str, list[Node]] = defaultdict(list)
            for paper in members:
                weeks[paper.week.isoformat() if paper.week else "undated"].append(paper)
            text = render_template(
                "year.html.j2",
                title=f"Papers of {year}",
                year=year,
                papers=members,
                weeks=sorted(weeks.items(), reverse=True),
                href=site.linker("../"),
                site=context,
                root="../",
                csp=Markup(SITE_CSP),
                focus=None,
                css="",
            )
            written += _write(stage, f"papers/{year}.html", text)
            pages += 1

        lists = [(kind, [e for e in entities if e.kind == kind]) for kind in ENTITY_KINDS]
        text = render_template(
            "index.html.j2",
            title=f"kg: {len(papers):,} papers",
            lists=[(kind, nodes) for kind, nodes in lists if nodes],
            newest=papers[:NEWEST],
            years=sorted(((y, len(m)) for y, m in by_year.items()), reverse=True),
            top=TOP,
            href=site.linker(""),
            site=context,
            root="",
            csp=Markup(SITE_CSP),
            focus=None,
            css="",
        )
        written += _write(stage, "index.html", text)
        pages += 1
        progress("publish", 0, 1)
        replace_folder(stage, out)
    return SiteSummary(
        out=out,
        pages=pages,
        papers=len(papers),
        entities=len(entities),
        bytes=written,
        seconds=time.perf_counter() - started,
    )
