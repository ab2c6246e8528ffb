"""A report on one node of the graph (a topic, model, benchmark, organisation or paper), as
Markdown or as one self-contained offline HTML page: the page `kg site` writes for it, without
links to other pages."""

from __future__ import annotations

import html

from kg.explore.kinds import ENTITY_KINDS, PAPER_KINDS
from kg.explore.lookup import find
from kg.explore.profiles import entity_profile, paper_profile
from kg.graph.remote import Graph
from kg.site.pages import EntityPage, PaperPage, entity_page, paper_page
from kg.site.render import FORMATS, render_page

__all__ = ["FORMATS", "iframe", "render_report", "report", "report_page"]


def report_page(graph: Graph, name: str) -> EntityPage | PaperPage:
    """The page of the node `name` names (see `kg.explore.lookup`): entities first."""
    match = find(graph, name, (*ENTITY_KINDS, *PAPER_KINDS))
    if match.kind in PAPER_KINDS:
        return paper_page(paper_profile(graph, match.iri))
    return entity_page(entity_profile(graph, match.iri))


def render_report(page: EntityPage | PaperPage, fmt: str = "md") -> str:
    """A page as a stand-alone report: Markdown (``md``) or one offline HTML page (``html``)."""
    return render_page(page, fmt)


def report(graph: Graph, name: str, fmt: str = "md") -> str:
    """The report on the node `name` names, in `fmt`."""
    return render_report(report_page(graph, name), fmt)


def iframe(document: str, height: int = 720) -> str:
    """An iframe showing a whole HTML document inline (for notebooks), its styles kept apart."""
    return (
        f'<div><iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width: 100%; height: {int(height)}px; border: 0"></iframe></div>'
    )
