"""Plain records the explorer hands to reports, the view, the site and the notebook."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from kg.explore.kinds import KINDS, LINK_BY_PREDICATE
from kg.explore.labels import local_name
from kg.graph.prefixes import ID, compact

__all__ = ["Evidence", "Link", "Node", "WebLink"]

_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]*(?:/[A-Za-z0-9.\-]+)*")
"""The ids a page can be named after: slugs and arXiv ids (old ones hold a ``/``, written ``_``)."""


@dataclass(frozen=True, slots=True)
class Node:
    """A node of the graph as shown: its kind, its label, and for papers a week and arXiv id.

    `papers` is the number of papers linked to an entity (a topic's include those of its
    narrower topics), where it was counted.
    """

    iri: str
    kind: str
    label: str
    week: date | None = None
    arxiv: str | None = None
    papers: int | None = None

    @property
    def short(self) -> str:
        """The compact IRI, such as ``benchmark:mmlu``."""
        return compact(self.iri)

    @property
    def local(self) -> str:
        """The last segment of the IRI, such as ``mmlu``."""
        return local_name(self.iri)

    @property
    def is_paper(self) -> bool:
        """A paper or an article."""
        return self.kind in KINDS and KINDS[self.kind].is_paper

    @property
    def path(self) -> str | None:
        """Where the node's page is in a site (``topic/rag.html``, ``paper/cs_0112017.html``);
        None for IRIs outside kg's."""
        if not self.iri.startswith(ID) or self.kind not in KINDS:
            return None
        segment, _, rest = self.iri[len(ID) :].partition("/")
        if not rest or segment != KINDS[self.kind].segment or not _SAFE.fullmatch(rest):
            return None
        return f"{segment}/{rest.replace('/', '_')}.html"

    @property
    def arxiv_url(self) -> str | None:
        """The arXiv abstract page of a paper with an arXiv id."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else None

    def sort_key(self) -> tuple[str, str]:
        """Alphabetical by label, then by IRI."""
        return (self.label.casefold(), self.iri)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a link is in the graph: how many digests say so, with what confidence, by which
    method, in which digests, and a snippet of the text."""

    support: int | None = None
    confidence: float | None = None
    methods: tuple[str, ...] = ()
    digests: tuple[str, ...] = ()
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A paper -> entity link with its evidence (None where the graph records none)."""

    paper: Node
    predicate: str
    entity: Node
    evidence: Evidence | None = None

    @property
    def wording(self) -> str:
        """How the link reads: ``evaluates on``."""
        known = LINK_BY_PREDICATE.get(self.predicate)
        return known.label if known else compact(self.predicate)

    @property
    def short(self) -> str:
        """The compact predicate."""
        return compact(self.predicate)


@dataclass(frozen=True, slots=True)
class WebLink:
    """A web page of a paper: what it is (paper, code, tweet, page) and its URL."""

    role: str
    url: str = field(compare=True)
