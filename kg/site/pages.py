"""What each page shows, ready for its template: a profile with its chart and its drawn
neighbourhood."""

from __future__ import annotations

from dataclasses import dataclass

from kg.explore.kinds import ENTITY_KINDS, KINDS
from kg.explore.profiles import EntityProfile, PaperProfile
from kg.site.charts import Chart, chart
from kg.site.neighbourhood import Neighbourhood, neighbourhood

__all__ = ["EntityPage", "PaperPage", "entity_page", "paper_page"]

DRAWN_PER_KIND = 5
DRAWN_RELATED = 6
DRAWN_LINKS = 20


@dataclass(frozen=True, slots=True)
class EntityPage:
    """A topic, model, benchmark or organisation page."""

    profile: EntityProfile
    chart: Chart
    drawing: Neighbourhood

    @property
    def title(self) -> str:
        """The page title."""
        return f"{self.profile.node.label} ({KINDS[self.profile.node.kind].name})"


@dataclass(frozen=True, slots=True)
class PaperPage:
    """A paper page."""

    profile: PaperProfile
    drawing: Neighbourhood

    @property
    def title(self) -> str:
        """The page title."""
        return self.profile.node.label


def entity_page(profile: EntityProfile) -> EntityPage:
    """The page of an entity: its activity chart and its strongest neighbours drawn."""
    inner = [
        (
            count.node,
            float(count.papers),
            f"{count.papers} paper{'s' if count.papers != 1 else ''} in common",
        )
        for kind in ENTITY_KINDS
        for count in profile.neighbours_of(kind)[:DRAWN_PER_KIND]
    ]
    return EntityPage(profile, chart(profile.activity), neighbourhood(profile.node, inner))


def paper_page(profile: PaperProfile) -> PaperPage:
    """The page of a paper: its links drawn around it and its closest related papers beyond."""
    inner = [(link.entity, 1.0, link.wording) for link in profile.links[:DRAWN_LINKS]]
    drawn = {node.iri for node, _, _ in inner}
    outer = [
        (
            related.paper,
            [r.entity.iri for r in related.reasons if r.entity.iri in drawn],
            "shares " + ", ".join(r.entity.label for r in related.reasons),
        )
        for related in profile.related[:DRAWN_RELATED]
    ]
    return PaperPage(profile, neighbourhood(profile.node, inner, outer))
