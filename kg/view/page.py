"""The view as one offline HTML page: graph (a subgraph and its overview layouts) -> network
(pyvis) -> page (the Jinja template, with vis-network and the page's own script and style
inlined from package files).

The page carries the nodes, links and web pages of the subgraph as escaped JSON; its script
draws the overview, searches, focuses and expands in the browser. Nothing is loaded from
anywhere: vis-network comes from the copy shipped inside the pyvis package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from kg.errors import KgError
from kg.explore.kinds import KINDS, LINKS
from kg.explore.records import WebLink
from kg.explore.subgraph import Subgraph
from kg.graph.prefixes import PREFIXES, compact
from kg.view.embed import CSP, raw_text, remote_references, script_json
from kg.view.network import OPTIONS, to_pyvis
from kg.view.overview import OPTIONAL_KINDS, overview

__all__ = ["ViewPage", "render_view", "view_page"]

_EXTRA_PREDICATES = (
    (PREFIXES["mlkg"] + "developedBy", "developed by"),
    (PREFIXES["skos"] + "broader", "narrower than"),
    (PREFIXES["mlkg"] + "variantOf", "variant of"),
)
_OTHER = {
    "name": "other",
    "title": "Other",
    "plural": "others",
    "colour": "#999999",
    "shape": "dot",
}


@dataclass(frozen=True, slots=True)
class ViewPage:
    """A rendered view: the page and what it shows."""

    html: str
    title: str
    nodes: int
    links: int


@cache
def _asset(package: str, *parts: str) -> str:
    path = resources.files(package).joinpath(*parts)
    if not path.is_file():
        raise KgError(f"{'/'.join(parts)} is missing from the installed {package} package")
    return path.read_text(encoding="utf-8")


def _vis(name: str) -> str:
    for folder in (("templates", "lib", "vis-9.1.2"), ("lib", "vis-9.1.2")):
        path = resources.files("pyvis").joinpath(*folder, name)
        if path.is_file():
            return _asset("pyvis", *folder, name)
    raise KgError(f"vis-network's {name} is missing from the installed pyvis package")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kg.view", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["script_json"] = script_json
    env.filters["raw_text"] = raw_text
    return env


def _title(sub: Subgraph, papers: int) -> str:
    if sub.is_whole:
        return f"Overview of {papers:,} papers"
    names = [sub.nodes[c].label for c in sub.centres if c in sub.nodes]
    kinds = {sub.nodes[c].kind for c in sub.centres if c in sub.nodes}
    kind = next(iter(kinds)) if len(kinds) == 1 else "nodes"
    around = " and ".join(names)
    return f"{around} ({kind}) within {sub.hops} link{'' if sub.hops == 1 else 's'}"


def _is_arxiv_page(link: WebLink) -> bool:
    """The arXiv page of a paper, which the page makes from its arXiv id."""
    return link.role == "paper" and "arxiv.org/abs/" in link.url


def _payload(sub: Subgraph, papers: int, pages: bool, hidden: Sequence[str]) -> dict[str, Any]:
    kinds = [
        {"name": k.name, "title": k.title, "plural": k.plural, "colour": k.colour, "shape": k.shape}
        for k in KINDS.values()
    ] + [_OTHER]
    kind_index = {kind["name"]: index for index, kind in enumerate(kinds)}
    predicates = [
        {"iri": link.predicate, "short": link.short, "label": link.label} for link in LINKS
    ]
    predicates += [
        {"iri": iri, "short": compact(iri), "label": label} for iri, label in _EXTRA_PREDICATES
    ]
    predicate_index = {p["iri"]: index for index, p in enumerate(predicates)}
    order = sorted(sub.nodes, key=lambda iri: (sub.depth.get(iri, 0), iri))
    index = {iri: position for position, iri in enumerate(order)}
    nodes = []
    for iri in order:
        node = sub.nodes[iri]
        row: list[Any] = [
            iri,
            kind_index.get(node.kind, kind_index["other"]),
            node.label,
            node.week.isoformat() if node.week else "",
            node.arxiv or "",
            -1 if node.papers is None else node.papers,
            sub.depth.get(iri, 0),
        ]
        if pages:
            row.append(node.path or "")
        nodes.append(row)
    links: list[int] = []
    for source, predicate, target in sub.edges:
        if predicate in predicate_index and source in index and target in index:
            links += [index[source], predicate_index[predicate], index[target]]
    web = {
        str(index[iri]): [
            [w.role, w.url] for w in found if not (w.role == "paper" and "arxiv.org/abs/" in w.url)
        ]
        for iri, found in sub.web.items()
        if iri in index
    }
    layouts = None
    if sub.is_whole:
        layouts = {}
        for key, layout in overview(sub).items():
            network = to_pyvis(layout, sub.nodes, index)
            layouts[key] = {"nodes": network.nodes, "edges": network.edges}
    return {
        "meta": {
            "papers": papers,
            "pages": pages,
            "partial": not sub.is_whole,
            "leftOut": sub.left_out,
        },
        "kinds": kinds,
        "predicates": predicates,
        "nodes": nodes,
        "links": links,
        "web": {key: value for key, value in web.items() if value},
        "overview": layouts,
        "optionalKinds": list(OPTIONAL_KINDS),
        "hiddenKinds": list(hidden),
        "start": {"centres": list(sub.centres), "hops": max(sub.hops, 1)},
        "options": OPTIONS,
    }


def view_page(
    sub: Subgraph, *, papers: int | None = None, pages: bool = False, hidden: Sequence[str] = ()
) -> ViewPage:
    """The page of a subgraph: its overview when it is the whole graph, else a focus on its
    centres. `papers` is the number of papers of the whole graph (for the heading); `pages`
    links each node to its page of a ``kg site``; `hidden` kinds start unchecked."""
    papers = len(sub.papers()) if papers is None else papers
    title = _title(sub, papers)
    payload = _payload(sub, papers, pages, hidden)
    html = (
        _environment()
        .get_template("view.html.j2")
        .render(
            title=f"{title} — kg graph view",
            heading=title,
            csp=Markup(CSP),
            payload=payload,
            vis_css=_vis("vis-network.css"),
            vis_js=_vis("vis-network.min.js"),
            page_css=_asset("kg.view", "static", "view.css"),
            page_js=_asset("kg.view", "static", "view.js"),
        )
    )
    remote = remote_references(html)
    if remote:
        raise KgError(f"the page would load remote resources: {', '.join(remote[:3])}")
    shown = (
        {iri for iri in sub.nodes if sub.depth.get(iri, 0) <= sub.hops}
        if sub.centres
        else set(sub.nodes)
    )
    return ViewPage(
        html, title, len(shown), sum(1 for s, _, t in sub.edges if s in shown and t in shown)
    )


def render_view(sub: Subgraph, **options: Any) -> str:
    """The HTML of `view_page`."""
    return view_page(sub, **options).html
