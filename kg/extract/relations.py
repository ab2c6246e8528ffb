"""From mentions to assertions: which paper proposes, compares, uses, introduces, evaluates on,
is about, or comes from what, each with its evidence. A pure function over plain records: it
names entities (curated terms or discovered names) and leaves IRIs to the graph layer."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from kg.extract.entities import Registry
from kg.extract.features import topic_features
from kg.extract.mentions import Mention
from kg.extract.organisations import paper_organisations
from kg.extract.rules import (
    description_artefacts,
    kind_from_text,
    opening_kind,
    places,
    title_artefact,
)
from kg.extract.topic_model import load_topic_model
from kg.extract.vocabulary import Vocabulary
from kg.records import Assertion, Entity, PaperLinks
from kg.resolve import Paper, Resolution, slugify

__all__ = [
    "CONFIDENCE",
    "RELATIONS",
    "Related",
    "paper_features",
    "paper_key",
    "relate",
    "relate_papers",
]

RELATIONS = ("proposes", "compares", "uses", "introduces", "evaluatesOn", "subject", "organisation")
CONFIDENCE = {
    "link": 0.95,
    "title-rule": 0.9,
    "description-rule": 0.85,
    "curated-label": 0.85,
    "developer": 0.8,
    "shape-rule": 0.7,
    "topic-model": 0.6,
}
_MODEL_MORPHEME = re.compile(r"GPT|LLM|LLaMA|Llama|BERT|(?<=[a-z])LM\b|\bLM\b")
_SIZED = re.compile(r"[-\s]\d+(?:\.\d+)?[BM]\b")  # a sized variant right after a name
_NAME_PARTS = re.compile(r"[-\s]")
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")
_USES = re.compile(
    r"\b(fine-?tun\w*|based on|built (?:up)?on|on top of|backbone|initiali[sz]ed from"
    r"|distill\w* from|post-train\w*|trained from)\b",
    re.I,
)


def _key(entity: Entity) -> tuple[str, str]:
    return (entity.kind, entity.term or slugify(entity.name))


class _Ledger:
    """Assertions keyed by (paper, relation, entity); evidence accumulates."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, str, tuple[str, str]], Assertion] = {}

    def add(
        self,
        paper: int,
        relation: str,
        target: Entity,
        method: str,
        digests: Iterable[str],
        snippet: str | None,
    ) -> Assertion:
        key = (paper, relation, _key(target))
        item = self.items.setdefault(key, Assertion(paper, relation, target))
        item.methods.add(method)
        item.digests.update(digests)
        if snippet and snippet not in item.snippets:
            item.snippets.append(snippet)
        return item

    def assertions(self) -> list[Assertion]:
        for item in self.items.values():
            item.confidence = _confidence(item)
        return [self.items[k] for k in sorted(self.items)]


def _confidence(item: Assertion) -> float:
    best = max((CONFIDENCE[m] for m in item.methods), default=0.5)
    if item.methods == {"topic-model"}:
        best = max(0.5, min(0.95, item.score))
    bonus = 0.02 * (len(item.digests) - 1) + 0.02 * (len(item.methods) - 1)
    return round(min(0.99, best + bonus), 2)


class _Relater:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.registry = Registry(vocabulary)
        self.ledger = _Ledger()
        self.calls: list[tuple[str, str]] = []
        self.answers: list[Entity | None] = []
        topics = vocabulary.of_kind("topic")
        self.topic_iris = {term.slug: term.iri for term in topics}
        self.broader = {
            term.slug: tuple(
                vocabulary.terms[b].slug for b in term.broader if b in vocabulary.terms
            )
            for term in topics
        }

    def _entity(self, name: str, kind: str) -> Entity | None:
        """The registry's entity for a name, the question and its answer noted: they are all
        a paper's links depend on beyond the paper itself (``PaperLinks``)."""
        entity = self.registry.entity(name, kind)
        self.calls.append((name, kind))
        self.answers.append(entity)
        return entity

    def _known(self, name: str) -> Entity | None:
        """A curated model or benchmark a name denotes, whatever a text calls it."""
        term = self.vocabulary.lookup(name, "model") or self.vocabulary.lookup(name, "benchmark")
        return self.registry.curated(term) if term else None

    def _model_by_name(self, name: str, body: str) -> str | None:
        """A name that is a model's by how it is made: built on a model word or a curated
        model family ("HuatuoGPT-o1", "SQL-PaLM", "MoE-Mamba"), or with sized variants in the
        text ("UI-TARS" beside "UI-TARS-72B")."""
        if " " in name:
            return None
        if _MODEL_MORPHEME.search(name):
            return "model"
        parts = [p for p in _NAME_PARTS.split(name) if len(p) >= 3]
        if len(parts) > 1 and any(self.vocabulary.lookup(p, "model") for p in parts):
            return "model"
        sized = any(_SIZED.match(body, end) for _, end in places(name, body))
        return "model" if sized else None

    def _propose(
        self, index: int, entity: Entity, method: str, digests: Iterable[str], snippet: str
    ) -> None:
        relation = "proposes" if entity.kind == "model" else "introduces"
        self.ledger.add(index, relation, entity, method, digests, snippet)

    def own_artefacts(self, index: int, paper: Paper) -> tuple[list[Entity], set[str]]:
        """What the paper itself puts forward (from its titles and the sentences introducing
        it), and the signals that implies for its topics."""
        own: list[Entity] = []
        signals: set[str] = set()
        english = [
            (a.digest.key, t)
            for a in paper.appearances
            for t in (a.entry.intro_en, a.entry.abstract_en)
            if t
        ]
        described = {
            artefact.name: (artefact, digest, text)
            for digest, text in english
            for artefact in description_artefacts(text)
        }
        body = " ".join(text for _, text in english)
        for title in dict.fromkeys(a.entry.title_en for a in paper.appearances):
            whole = self._known(title)
            artefact = title_artefact(title)
            # a release: the title is a known model's name, a technical report, an announcement
            release = whole is not None or (
                artefact is not None and artefact.release and artefact.name != title
            )
            entity = whole or (self._known(artefact.name) if artefact else None)
            if entity is None and artefact is not None:
                said = described.get(artefact.name)
                if said and said[0].kind is None:
                    continue  # the text says what it is: a method, a framework, a system
                openings = [opening_kind(text) for _, text in english]
                kind = (
                    artefact.kind
                    or kind_from_text(artefact.name, body)
                    or (said[0].kind if said else None)
                    or next((k for k in openings if k), None)
                    or self._model_by_name(artefact.name, body)
                )
                entity = self._entity(artefact.name, kind) if kind else None
            if entity is None:
                continue
            own.append(entity)
            if entity.kind == "benchmark" and artefact is not None and artefact.kind == "benchmark":
                signals.add("benchmark")
            if entity.kind == "model" and release:
                signals.add("model-release")
            digests = {a.digest.key for a in paper.appearances if a.entry.title_en == title}
            self._propose(index, entity, "title-rule", digests, title)
        for artefact, digest, text in described.values():
            if artefact.kind is None:
                continue
            entity = self._known(artefact.name) or self._entity(artefact.name, str(artefact.kind))
            if entity is None:
                continue
            if entity not in own:
                own.append(entity)
            sentence = next((s for s in _SENTENCE_END.split(text) if artefact.name in s), text)
            self._propose(index, entity, "description-rule", [digest], sentence[:280])
        return own, signals

    def _owned(self, entity: Entity, own: list[Entity]) -> bool:
        """Whether an entity is one the paper puts forward, or a variant of one."""
        if not own:
            return False  # most papers put forward nothing: no need for the entity's families
        return entity in own or any(family in own for family in self.registry.lineage(entity)[1:])

    def names(self, index: int, mentions: Sequence[Mention], own: list[Entity]) -> None:
        for mention in mentions:
            kind = mention.kind.removesuffix("-shape")
            if kind not in ("model", "benchmark"):
                continue
            shape = mention.kind.endswith("-shape")
            if shape:
                entity = self._entity(mention.text, kind)
            else:
                entity = self.registry.curated(self.vocabulary.terms[str(mention.iri)])
            if entity is None:
                continue
            method = "shape-rule" if shape else "curated-label"
            if self._owned(entity, own):
                relation = "proposes" if kind == "model" else "introduces"
            elif kind == "benchmark":
                relation = "evaluatesOn"
            else:
                before = mention.snippet.split(mention.text, 1)[0]
                relation = "uses" if _USES.search(before[-80:]) else "compares"
            self.ledger.add(index, relation, entity, method, [mention.digest], mention.snippet)

    def organisations(
        self, index: int, paper: Paper, mentions: Sequence[Mention], own: list[Entity]
    ) -> None:
        for evidence in paper_organisations(paper, mentions, own, self.registry):
            entity = self.registry.curated(evidence.organisation)
            self.ledger.add(
                index, "organisation", entity, evidence.method, evidence.digests, evidence.snippet
            )

    def topics(
        self,
        index: int,
        paper: Paper,
        mentions: Sequence[Mention],
        own: list[Entity],
        signals: set[str],
    ) -> None:
        features = topic_features(paper, mentions, own, signals, self.vocabulary)
        for slug, probability in load_topic_model().choose(features, self.broader):
            topic = self.registry.curated(self.vocabulary.terms[self.topic_iris[slug]])
            evidence = [m for m in mentions if m.iri == topic.term]
            english = [m for m in evidence if m.language == "en"] or evidence
            digests = {m.digest for m in evidence} or {a.digest.key for a in paper.appearances}
            snippet = english[0].snippet if english else paper.title
            item = self.ledger.add(index, "subject", topic, "topic-model", digests, snippet)
            item.score = probability

    def start(self) -> None:
        """A new paper: an empty ledger, no question asked of the registry yet."""
        self.ledger, self.calls, self.answers = _Ledger(), [], []

    def paper(self, index: int, paper: Paper, mentions: Sequence[Mention]) -> PaperLinks:
        """Every assertion about one paper."""
        self.start()
        own, signals = self.own_artefacts(index, paper)
        self.names(index, mentions, own)
        self.organisations(index, paper, mentions, own)
        self.topics(index, paper, mentions, own, signals)
        return PaperLinks(tuple(self.calls), tuple(self.answers), tuple(self.ledger.assertions()))

    def replays(self, links: PaperLinks) -> bool:
        """Ask the registry what a paper related in an earlier build asked it: True when every
        answer is the same (its links are then the same too)."""
        answers = [self.registry.entity(name, kind) for name, kind in links.calls]
        return tuple(answers) == links.answers


class Related(NamedTuple):
    """Every assertion about every paper, the entities discovered on the way, each paper's
    links by its ``paper_key``, and how many papers were related afresh (not replayed)."""

    assertions: list[Assertion]
    discovered: list[Entity]
    papers: dict[bytes, PaperLinks]
    fresh: int


def _digest_numbers(paper: Paper) -> dict[str, str]:
    """The paper's digests numbered in the order it appears in them: a digest's key changes
    with every byte of its file (a week added to a README), a paper's links must not."""
    numbers: dict[str, str] = {}
    for appearance in paper.appearances:
        numbers.setdefault(appearance.digest.key, str(len(numbers)))
    return numbers


def paper_key(paper: Paper) -> bytes:
    """A digest of everything relating a paper reads of it: its title, and of each appearance
    the digest's number among the paper's (not its key) and language, the entry's texts and its
    links (the mentions found in the texts follow from them)."""
    numbers = _digest_numbers(paper)
    parts: list[object] = [paper.title]
    for appearance in paper.appearances:
        entry, digest = appearance.entry, appearance.digest
        parts += [
            numbers[digest.key],
            digest.language,
            entry.title_en,
            entry.intro_en,
            entry.abstract_en,
            entry.title_local,
            entry.intro_local,
            entry.abstract_local,
            entry.qa_local,
            [link.url for link in entry.links],
        ]
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).digest()


def paper_features(
    resolution: Resolution, mentions: Iterable[Mention], vocabulary: Vocabulary
) -> list[dict[str, float]]:
    """The topic model's features of every paper (what training sees)."""
    relater = _Relater(vocabulary)
    features = []
    each = _each_paper(resolution, mentions)
    for index, (paper, found) in enumerate(zip(resolution.papers, each, strict=True)):
        relater.start()
        own, signals = relater.own_artefacts(index, paper)
        features.append(topic_features(paper, found, own, signals, vocabulary))
    return features


def _each_paper(resolution: Resolution, mentions: Iterable[Mention]) -> list[list[Mention]]:
    """The mentions of each paper of a resolution, in the order of its papers."""
    each: list[list[Mention]] = [[] for _ in resolution.papers]
    for mention in mentions:
        each[mention.paper].append(mention)
    return each


def relate(
    resolution: Resolution,
    mentions: Iterable[Mention],
    vocabulary: Vocabulary,
    known: Mapping[bytes, PaperLinks] | None = None,
) -> Related:
    """Every assertion about every paper, from all their mentions (see :func:`relate_papers`)."""
    return relate_papers(resolution, _each_paper(resolution, mentions), vocabulary, known)


def relate_papers(
    resolution: Resolution,
    mentions: Iterable[Sequence[Mention]],
    vocabulary: Vocabulary,
    known: Mapping[bytes, PaperLinks] | None = None,
) -> Related:
    """Every assertion about every paper, and the entities discovered on the way, from the
    `mentions` of each paper in turn (taken one paper at a time, as they are found).

    Papers are related in order, each against the registry of the entities discovered before
    it; a paper whose links are `known` from an earlier build (by its ``paper_key``) is only
    replayed, unless the registry now answers it otherwise."""
    relater = _Relater(vocabulary)
    known = known or {}
    assertions: list[Assertion] = []
    papers: dict[bytes, PaperLinks] = {}
    fresh = 0
    for index, (paper, found) in enumerate(zip(resolution.papers, mentions, strict=True)):
        key = paper_key(paper)
        digests = _digest_numbers(paper)
        links = known.get(key)
        if links is not None and relater.replays(links):
            named = list(digests)
            assertions.extend(
                replace(item, paper=index, digests={named[int(n)] for n in item.digests})
                for item in links.assertions
            )
        else:
            links = relater.paper(index, paper, found)
            assertions.extend(links.assertions)
            numbered = (
                replace(i, digests={digests[d] for d in i.digests}) for i in links.assertions
            )
            links = links._replace(assertions=tuple(numbered))
            fresh += 1
        papers[key] = links
    discovered = sorted(relater.registry.discovered.values(), key=_key)
    return Related(assertions, discovered, papers, fresh)
