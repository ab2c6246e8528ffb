"""The one lookup: what a name typed by a person means in the graph.

A paper is named by its arXiv id or arXiv URL, its IRI, ``paper:<id>`` / ``article:<id>``, its
title or words of its title. A topic, model, benchmark or organisation is named by its id
(``rag``), ``topic:rag``, its IRI, or any of its names in any language, case, accents and
punctuation aside (``mixture-of-experts`` finds "Mixture of Experts"); a name is looked for among
topics, then organisations, benchmarks and models, and the first kind that has it wins (give
``model:<id>`` for a model named like a topic). Every command resolves
names here, so they all accept the same ones. A name that matches several nodes raises
`AmbiguousNameError` listing them; one that matches nothing raises `NotFoundError` with the
closest names the graph has.

Each step asks the graph about the name itself (an id, an IRI, a word of a label), never for a
list of every paper.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.errors import AmbiguousNameError, NotFoundError, QueryError
from kg.explore.kinds import (
    ENTITY_KINDS,
    KINDS,
    LINK_BY_PREDICATE,
    PAPER_KINDS,
    kind_from_classes,
    kind_from_iri,
)
from kg.explore.labels import fold, local_name, words
from kg.explore.sparql import select
from kg.graph.prefixes import ID, PREFIXES, compact
from kg.graph.remote import Graph
from kg.resolve import slugify
from kg.sources.links import ARXIV_ID

__all__ = ["Match", "find", "find_entity", "find_paper", "find_topic", "node_kind"]

_ARXIV = rf"({ARXIV_ID})"
_ARXIV_ID = re.compile(rf"(?:arxiv:\s*)?{_ARXIV}(?:v\d+)?", re.I)
_ARXIV_URL = re.compile(
    rf"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/{_ARXIV}(?:v\d+)?(?:\.pdf)?/?",
    re.I,
)
_WEB = re.compile(r"^https?://", re.I)
_SUGGESTIONS = 5
_MIN_WORD = 3
_NAME_ORDER = ("topic", "organisation", "benchmark", "model")
"""Kinds whose names are searched, in order: a name a topic has is that topic, and so on."""


@dataclass(frozen=True, slots=True)
class Match:
    """A node a name resolved to, and its kind."""

    iri: str
    kind: str


def _what(kinds: Sequence[str]) -> str:
    if set(kinds) <= set(PAPER_KINDS):
        return "paper"
    if len(kinds) == 1:
        return KINDS[kinds[0]].name
    return "node"


def _whats(kinds: Sequence[str]) -> str:
    what = _what(kinds)
    return "papers" if what == "paper" else ("nodes" if what == "node" else KINDS[what].plural)


def _hint(kinds: Sequence[str]) -> str:
    hints = []
    if set(kinds) & set(PAPER_KINDS):
        hints.append("a paper by arXiv id, paper:<id>, IRI or title words")
    entity = [k for k in kinds if k in ENTITY_KINDS]
    if entity:
        names = "/".join(entity)
        hints.append(f"a {names} by id, {KINDS[entity[0]].segment}:<id>, IRI or name")
    return "give " + "; or ".join(hints)


def node_kind(graph: Graph, iri: str) -> str | None:
    """The kind of a node of the graph, or None when the graph does not have it."""
    try:
        rows = list(select(graph, "lookup-node", node=iri))
    except QueryError:  # not a valid IRI: not in the graph
        return None
    if not rows:
        return None
    classes = [row["class"].value for row in rows if "class" in row]
    links = [row["link"].value for row in rows if "link" in row]
    reached = next((LINK_BY_PREDICATE[p].kind for p in links if p in LINK_BY_PREDICATE), None)
    return kind_from_classes(classes) or kind_from_iri(iri) or reached or "other"


def _by_iri(graph: Graph, text: str, iri: str, kinds: Sequence[str]) -> Match:
    kind = node_kind(graph, iri)
    if kind is None:
        raise NotFoundError(_what(kinds), text, hint=_hint(kinds))
    if kind not in kinds:
        what = "a class or property of the ontology" if kind == "other" else f"a {kind}"
        raise NotFoundError(_what(kinds), text, hint=f"{compact(iri)} is {what}; {_hint(kinds)}")
    return Match(iri, kind)


def _expand(text: str) -> str | None:
    """The full IRI of ``prefix:rest`` for a kg prefix, or of ``<iri>``; None otherwise."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1].strip()
    if _WEB.match(text):
        return text
    prefix, sep, rest = text.partition(":")
    if sep and prefix in PREFIXES and rest and not rest.startswith("//"):
        return PREFIXES[prefix] + rest
    return None


def _describe(iri: str, label: str, kind: str) -> str:
    return (
        f"{compact(iri)} ({label})" if kind in PAPER_KINDS else f"{compact(iri)} ({kind}: {label})"
    )


def _one(text: str, kinds: Sequence[str], found: dict[str, tuple[str, str]]) -> Match | None:
    """The single match among `found` (iri -> kind, label); raise when there are several."""
    if len(found) == 1:
        ((iri, (kind, _)),) = found.items()
        return Match(iri, kind)
    if found:
        ordered = sorted(found.items(), key=lambda item: (item[1][1].casefold(), item[0]))
        raise AmbiguousNameError(
            _whats(kinds),
            text,
            [(iri, _describe(iri, label, kind)) for iri, (kind, label) in ordered],
            "give more words or the id",
        )
    return None


def _longest(query_words: Sequence[str]) -> str | None:
    longest = max(query_words, key=len, default="")
    return longest or None


def _class(kind: str) -> str:
    return KINDS[kind].classes[0]


def _entity_names(graph: Graph, word: str, kind: str) -> list[tuple[str, str, str]]:
    """(iri, kind, name) for entities of `kind` with a name containing `word`."""
    return [
        (row["node"].value, kind, row["name"].value)
        for row in select(graph, "lookup-name", word=word, **{"class": _class(kind)})
    ]


def _titles(graph: Graph, word: str) -> list[tuple[str, str, str]]:
    """(iri, kind, title) of papers whose title contains `word`."""
    found = []
    for row in select(graph, "lookup-title", word=word):
        iri = row["node"].value
        found.append((iri, kind_from_iri(iri) or "paper", row["title"].value))
    return found


def _suggest(
    graph: Graph, text: str, kinds: Sequence[str], query_words: Sequence[str]
) -> list[str]:
    """The names closest to `text`: entity names of `kinds` that read alike, then titles
    sharing most of its words."""
    shown: dict[str, str] = {}
    entity_kinds = [k for k in kinds if k in ENTITY_KINDS]
    if entity_kinds:
        names: dict[str, str] = {}
        for kind in entity_kinds:
            for row in select(graph, "entity-names", **{"class": _class(kind)}):
                node = row["node"].value
                names.setdefault(fold(row["name"].value), node)
                names.setdefault(fold(local_name(node)), node)
        for name in difflib.get_close_matches(fold(text), list(names), n=_SUGGESTIONS, cutoff=0.7):
            shown.setdefault(names[name], compact(names[name]))
    if set(kinds) & set(PAPER_KINDS):
        wanted = {w for w in query_words if len(w) >= _MIN_WORD}
        titles: dict[str, str] = {}
        for word in sorted(wanted, key=len, reverse=True)[:3]:
            titles.update((iri, title) for iri, _, title in _titles(graph, word))
        scored = []
        for iri, title in titles.items():
            title_words = set(words(title))
            shared = sum(any(t.startswith(w) for t in title_words) for w in wanted)
            if wanted and shared * 2 >= len(wanted):
                scored.append((-shared, len(title), iri, title))
        for _, _, iri, title in sorted(scored)[:_SUGGESTIONS]:
            shown.setdefault(iri, f"{compact(iri)} ({title})")
    return list(shown.values())[: _SUGGESTIONS * 2]


def find(graph: Graph, text: str, kinds: Iterable[str] = (*PAPER_KINDS, *ENTITY_KINDS)) -> Match:
    """The node `text` names among nodes of `kinds` (see the module's description)."""
    kinds = tuple(kinds)
    query = " ".join(text.split())
    if not any(c.isalnum() for c in query):  # punctuation names nothing
        raise NotFoundError(_what(kinds), text, hint=_hint(kinds))
    papers = bool(set(kinds) & set(PAPER_KINDS))
    arxiv = _ARXIV_URL.fullmatch(query) or _ARXIV_ID.fullmatch(query)
    if arxiv and papers:
        found = sorted(row["node"].value for row in select(graph, "lookup-arxiv", id=arxiv[1]))
        by_id = {iri: (kind_from_iri(iri) or "paper", iri) for iri in found}
        match = _one(text, kinds, by_id)
        if match:
            return match
        raise NotFoundError(_what(kinds), text, hint=_hint(kinds))
    iri = _expand(query)
    if iri is not None:
        return _by_iri(graph, text, iri, kinds)
    prefix, colon, rest = query.partition(":")
    if colon and not rest.strip() and prefix in PREFIXES:  # "topic:" names no node
        raise NotFoundError(_what(kinds), text, hint=_hint(kinds))

    slug = slugify(query)
    if slug == "untitled" and query.casefold() != slug:
        slug = ""  # no ASCII letter or digit: "untitled" stands in for a slug it does not have
    by_slug: dict[str, tuple[str, str]] = {}
    for kind in kinds if slug else ():
        candidate = f"{ID}{KINDS[kind].segment}/{slug}"
        if candidate not in by_slug and (found_kind := node_kind(graph, candidate)) in kinds:
            by_slug[candidate] = (found_kind, slug)
    if query == slug or query.casefold() == slug:
        match = _one(text, kinds, by_slug)
        if match:
            return match

    folded = fold(query)
    query_words = folded.split()
    word = _longest(query_words)
    named: list[tuple[str, str, str]] = []
    for kind in (k for k in _NAME_ORDER if k in kinds):
        of_kind = _entity_names(graph, word, kind) if word else []
        named.extend(of_kind)
        exact = {iri: (kind, name) for iri, kind, name in of_kind if fold(name) == folded}
        match = _one(text, kinds, exact)
        if match:
            return match
    titled = _titles(graph, word) if word and papers else []
    exact = {iri: (kind, title) for iri, kind, title in titled if fold(title) == folded}
    match = _one(text, kinds, exact) or _one(text, kinds, by_slug)
    if match:
        return match

    def covers(name: str) -> bool:
        name_words = words(name)
        return all(any(n.startswith(w) for n in name_words) for w in query_words)

    partial: dict[str, tuple[str, str]] = {}
    for iri, kind, name in named:
        if covers(name):
            partial.setdefault(iri, (kind, name))
    for iri, kind, title in titled:
        if covers(title):
            partial.setdefault(iri, (kind, title))
    match = _one(text, kinds, partial)
    if match:
        return match
    hint = _hint(kinds)
    for kind in (*PAPER_KINDS, *ENTITY_KINDS):
        other = f"{ID}{KINDS[kind].segment}/{slug}"
        if kind not in kinds and node_kind(graph, other) == kind:
            hint = f"{compact(other)} is a {kind}; {hint}"
            break
    raise NotFoundError(_what(kinds), text, _suggest(graph, query, kinds, query_words), hint)


def find_paper(graph: Graph, text: str) -> str:
    """The IRI of the paper or article `text` names."""
    return find(graph, text, PAPER_KINDS).iri


def find_topic(graph: Graph, text: str) -> str:
    """The IRI of the topic `text` names."""
    return find(graph, text, ("topic",)).iri


def find_entity(graph: Graph, text: str, kinds: Iterable[str] = ENTITY_KINDS) -> Match:
    """The topic, model, benchmark or organisation `text` names."""
    return find(graph, text, tuple(kinds))
