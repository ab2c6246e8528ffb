"""Plain records passed between the stages: digests, entries, links, papers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

__all__ = [
    "Assertion",
    "Digest",
    "Entity",
    "Entry",
    "EntryKind",
    "Link",
    "LinkKind",
    "PaperLinks",
    "WeekSource",
]


class LinkKind(StrEnum):
    """What a link in an entry points at."""

    ARXIV = "arxiv"
    PAPER = "paper"
    TWEET = "tweet"
    CODE = "code"
    OTHER = "other"


class EntryKind(StrEnum):
    """A digest entry is a paper or an article (blog post, release note)."""

    PAPER = "paper"
    ARTICLE = "article"


class WeekSource(StrEnum):
    """Where a digest's week came from, in decreasing order of trust."""

    HEADER = "header"
    URL = "url"
    ENTRIES = "entries"


@dataclass(frozen=True, slots=True)
class Link:
    """A classified URL: arXiv ids carry no version; tweets carry their account and status id."""

    url: str
    kind: LinkKind
    arxiv_id: str | None = None
    account: str | None = None
    status_id: str | None = None
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a digest, with English and local text kept apart."""

    position: int
    title_en: str
    title_local: str | None = None
    kind: EntryKind = EntryKind.PAPER
    intro_en: str | None = None
    intro_local: str | None = None
    abstract_en: str | None = None
    abstract_local: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None
    categories: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    qa_local: str | None = None

    @property
    def arxiv_ids(self) -> tuple[str, ...]:
        return tuple(link.arxiv_id for link in self.links if link.arxiv_id)

    @property
    def status_ids(self) -> tuple[str, ...]:
        return tuple(link.status_id for link in self.links if link.status_id)

    def text_en(self) -> str:
        """The English text of the entry: title, introduction, abstract."""
        return "\n".join(t for t in (self.title_en, self.intro_en, self.abstract_en) if t)

    def text_local(self) -> str:
        """The local-language text of the entry: title, introduction, abstract, Q&A."""
        parts = (self.title_local, self.intro_local, self.abstract_local, self.qa_local)
        return "\n".join(t for t in parts if t)


@dataclass(frozen=True, slots=True)
class Digest:
    """One weekly digest document as read from a file (a multi-week file gives several)."""

    source: str
    checksum: str
    language: str
    layout: str
    title: str
    week_start: date | None
    week_end: date | None
    week_source: WeekSource | None
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    section: int = 0

    @property
    def key(self) -> str:
        """A stable identity: the file's checksum, plus the section for multi-week files."""
        return f"{self.checksum[:16]}-{self.section}" if self.section else self.checksum[:16]


@dataclass(frozen=True, slots=True)
class Entity:
    """What a link points at: a term of the curated vocabulary, or a name a rule found.

    Extraction names entities; the graph layer alone turns them into IRIs.
    """

    kind: str  # topic | model | benchmark | organisation
    name: str  # the English label
    term: str | None = None  # the vocabulary term's identifier; None for a discovered name
    family: Entity | None = None  # the family a discovered variant belongs to

    @property
    def discovered(self) -> bool:
        return self.term is None


@dataclass
class Assertion:
    """A paper -> entity link with everything that supports it.

    ``relation`` is one of proposes, compares, uses (models), introduces, evaluatesOn
    (benchmarks), subject (topics) and organisation.
    """

    paper: int  # index into Resolution.papers
    relation: str
    target: Entity
    methods: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)
    snippets: list[str] = field(default_factory=list)
    score: float = 0.0
    confidence: float = 0.0


class PaperLinks(NamedTuple):
    """What relating one paper gave: the names it asked the entity registry for, in order,
    with the registry's answers, and its assertions (their digests named by their number among
    the paper's digests, in the order it appears in them). Its links depend on nothing else but the
    paper itself (``kg.extract.relations.paper_key``), the vocabulary and the code, so a later
    build whose registry gives the same answers takes them as they are."""

    calls: tuple[tuple[str, str], ...]
    answers: tuple[Entity | None, ...]
    assertions: tuple[Assertion, ...]
