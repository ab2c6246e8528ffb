"""From mentions to assertions: which paper proposes, compares, introduces, evaluates on, is
about, or comes from what — each with its evidence. A pure function over plain records."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.extract.mentions import Mention
from kg.extract.rules import kind_from_text, title_artefact
from kg.extract.vocabulary import Term, Vocabulary
from kg.graph.iris import entity_iri
from kg.graph.prefixes import ID, MLKG_NS, PREFIXES
from kg.resolve import Paper, Resolution
from kg.resources import ontology_path
from kg.sources.links import find_urls

__all__ = ["PREDICATES", "Assertion", "Discovered", "relate"]

PREDICATES = {
    "proposes": MLKG_NS + "proposes",
    "compares": MLKG_NS + "compares",
    "uses": MLKG_NS + "uses",
    "introduces": MLKG_NS + "introduces",
    "evaluatesOn": MLKG_NS + "evaluatesOn",
    "subject": PREFIXES["dcterms"] + "subject",
    "organisation": PREFIXES["schema"] + "sourceOrganization",
}
CONFIDENCE = {
    "link": 0.95,
    "title-rule": 0.9,
    "curated-label": 0.85,
    "developer": 0.8,
    "shape-rule": 0.7,
    "cue-rule": 0.6,
}
_FIELD_WEIGHT = {"title": 3.0, "intro": 2.0, "abstract": 1.0, "qa": 0.5}
_KIND_WEIGHT = {"topic": 1.0, "topic-cue": 0.8}
_USES = re.compile(
    r"\b(fine-?tun\w*|based on|built (?:up)?on|on top of|backbone|initiali[sz]ed from"
    r"|distill\w* from)\b",
    re.I,
)
_SIZE_TAIL = re.compile(r"[\s\-]+(?:\d+(?:\.\d+)?[BbMm]|\d+x\d+[BbMm])(?:[\s\-].*)?$")
_LOCAL_WEIGHT = 0.5  # a translation's evidence, where the paper has English text
_TOPIC_FLOOR = 2.5  # a topic needs at least a title label's worth of evidence
_TOPIC_SHARE = 0.3  # ... and a third of the paper's strongest topic
_TOPIC_LIMIT = 3
_MENTIONS_PER_FIELD = 3  # repetition within one field stops counting after this


@dataclass
class Assertion:
    """A paper -> entity statement with everything that supports it."""

    paper: int
    predicate: str
    target: str
    methods: set[str] = field(default_factory=set)
    digests: set[str] = field(default_factory=set)
    snippets: list[str] = field(default_factory=list)
    score: float = 0.0

    @property
    def confidence(self) -> float:
        best = max((CONFIDENCE[m] for m in self.methods), default=0.5)
        bonus = 0.02 * (len(self.digests) - 1) + 0.02 * (len(self.methods) - 1)
        if self.methods == {"cue-rule"}:
            best = min(0.9, 0.45 + 0.05 * self.score)
        return round(min(0.99, best + bonus), 2)


@dataclass(frozen=True, slots=True)
class Discovered:
    """An entity found by a rule, not in the curated vocabulary."""

    iri: str
    kind: str
    label: str
    family: str | None = None


def _artefact_topics(vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Signal -> topic IRIs, from ontology/rules/artefact_topics.json (unknown ids dropped)."""
    table = json.loads(ontology_path("rules", "artefact_topics.json").read_text(encoding="utf-8"))
    return {
        signal: [iri for t in ids if (iri := f"{ID}topic/{t}") in vocabulary.terms]
        for signal, ids in table.items()
        if isinstance(ids, list)
    }


def _topic_score(by_language: dict[str, float], english_body: bool) -> float:
    """English text is the original where a paper has it; a translation confirms it at a
    discount (translations add ambiguity: 추론 and 推論 are both reasoning and inference)."""
    local = max((v for k, v in by_language.items() if k != "en"), default=0.0)
    if not english_body:
        return max(local, by_language.get("en", 0.0))
    return max(by_language.get("en", 0.0), _LOCAL_WEIGHT * local)


class _Ledger:
    """Assertions keyed by (paper, predicate, target); evidence accumulates."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, str, str], Assertion] = {}

    def add(
        self,
        paper: int,
        predicate: str,
        target: str,
        method: str,
        digests: Iterable[str],
        snippet: str | None,
    ) -> None:
        key = (paper, PREDICATES[predicate], target)
        item = self.items.setdefault(key, Assertion(paper, PREDICATES[predicate], target))
        item.methods.add(method)
        item.digests.update(digests)
        if snippet and snippet not in item.snippets:
            item.snippets.append(snippet)


_RENDERED_REPO = re.compile(r"\b(GitHub|GitLab|Hugging\s?Face)\s*[-:–]\s*([\w.\-]+)/[\w.\-]+")
_RENDERED_HOST = {"github": "github.com", "gitlab": "gitlab.com", "huggingface": "huggingface.co"}


def _rendered_links(text: str) -> list[str]:
    """Links that a scraped page rendered as text: "GitHub - microsoft/FILM: ..."."""
    return [
        f"https://{_RENDERED_HOST[m[1].lower().replace(' ', '')]}/{m[2]}"
        for m in _RENDERED_REPO.finditer(text)
    ]


class _Relater:
    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.ledger = _Ledger()
        self.discovered: dict[str, Discovered] = {}
        self.signals: dict[int, set[str]] = defaultdict(set)
        self.artefact_topics = _artefact_topics(vocabulary)

    # -- entities -----------------------------------------------------------------------------
    def _family_of(self, name: str, kind: str) -> str | None:
        """The family a sized variant belongs to ("Zorblax-7B" -> Zorblax), curated or found."""
        stem = _SIZE_TAIL.sub("", name).strip(" -")
        if not stem or stem == name:
            return None
        term = self.vocabulary.lookup(stem, kind)
        if term is not None:
            return term.iri
        iri = entity_iri(kind, stem)
        return iri if iri in self.discovered else None

    def entity(self, name: str, kind: str) -> str:
        """The IRI of a named model or benchmark: curated if known, else discovered."""
        term = self.vocabulary.lookup(name, kind)
        if term:
            return term.iri
        iri = entity_iri(kind, name)
        if iri in self.vocabulary.terms:
            return iri
        if iri not in self.discovered:
            self.discovered[iri] = Discovered(iri, kind, name, self._family_of(name, kind))
        return iri

    def lineage(self, iri: str) -> set[str]:
        """An entity and every family above it."""
        seen = {iri}
        stack = [iri]
        while stack:
            current = stack.pop()
            term = self.vocabulary.terms.get(current)
            families = list(term.families) if term else []
            found = self.discovered.get(current)
            if found and found.family:
                families.append(found.family)
            for family in families:
                if family not in seen:
                    seen.add(family)
                    stack.append(family)
        return seen

    def developers(self, iri: str) -> list[Term]:
        for member in sorted(self.lineage(iri)):
            term = self.vocabulary.terms.get(member)
            if term and term.developers:
                return self.vocabulary.developers(term)
        return []

    def organisation(
        self, index: int, term: Term, method: str, digests: Iterable[str], snippet: str
    ) -> None:
        """Link an organisation and every organisation it is part of."""
        digests = list(digests)
        for org in (term, *self.vocabulary.ancestors(term)):
            self.ledger.add(index, "organisation", org.iri, method, digests, snippet)

    # -- one paper ----------------------------------------------------------------------------
    def own_artefacts(self, index: int, paper: Paper) -> dict[str, str]:
        """IRI -> kind of what the paper itself puts forward, from its titles."""
        own: dict[str, str] = {}
        english = " ".join(
            t for a in paper.appearances for t in (a.entry.intro_en, a.entry.abstract_en) if t
        )
        titles = dict.fromkeys(a.entry.title_en for a in paper.appearances)
        for title in titles:
            term = self.vocabulary.lookup(title)
            artefact = title_artefact(title)
            release = term is not None or (artefact is not None and artefact.release)
            if term is None and artefact is not None:
                term = self.vocabulary.lookup(artefact.name)
            if term is not None and term.kind in ("model", "benchmark"):
                iri, kind = term.iri, term.kind
            elif artefact is not None:
                kind_or_none = artefact.kind or kind_from_text(artefact.name, english)
                if kind_or_none is None:
                    continue
                kind = kind_or_none
                iri = self.entity(artefact.name, kind)
            else:
                continue
            own[iri] = kind
            if kind == "benchmark" and artefact is not None and artefact.kind == "benchmark":
                self.signals[index].add("benchmark")
            if kind == "model" and release:
                self.signals[index].add("model-release")
            digests = {a.digest.key for a in paper.appearances if a.entry.title_en == title}
            predicate = "proposes" if kind == "model" else "introduces"
            self.ledger.add(index, predicate, iri, "title-rule", digests, title)
        return own

    def names(self, index: int, mentions: Sequence[Mention], own: dict[str, str]) -> None:
        english = {m.iri for m in mentions if m.language == "en"}
        has_english = any(m.language == "en" and m.field != "title" for m in mentions)
        # an organisation named only in a translation must also be named in English, where
        # the paper has English text: translations create names ("Google-Proof" -> 구글 검증)
        confirmed = english if has_english else {m.iri for m in mentions}
        for mention in mentions:
            kind = mention.kind.removesuffix("-shape")
            if kind not in ("model", "benchmark", "organisation"):
                continue
            shape = mention.kind.endswith("-shape")
            if kind == "organisation":
                term = self.vocabulary.terms[str(mention.iri)]
                if mention.language == "en" or mention.iri in confirmed:
                    self.organisation(
                        index, term, "curated-label", [mention.digest], mention.snippet
                    )
                continue
            iri = self.entity(mention.text, kind) if shape else mention.iri
            assert iri is not None
            method = "shape-rule" if shape else "curated-label"
            if self.lineage(iri) & set(own) or iri in own:
                predicate = "proposes" if kind == "model" else "introduces"
            elif kind == "benchmark":
                predicate = "evaluatesOn"
            else:
                before = mention.snippet.split(mention.text, 1)[0]
                predicate = "uses" if _USES.search(before[-80:]) else "compares"
            self.ledger.add(index, predicate, iri, method, [mention.digest], mention.snippet)

    def organisations(self, index: int, paper: Paper, own: dict[str, str]) -> None:
        for appearance in paper.appearances:
            entry = appearance.entry
            text = entry.text_en() + "\n" + entry.text_local()
            urls = [link.url for link in entry.links] + find_urls(text) + _rendered_links(text)
            for url in urls:
                term = self.vocabulary.account(url)
                if term is not None and term.kind == "organisation":
                    self.organisation(index, term, "link", [appearance.digest.key], url)
        digests = [a.digest.key for a in paper.appearances]
        for iri in own:
            for developer in self.developers(iri):
                self.organisation(
                    index, developer, "developer", digests, f"developer of {self._label(iri)}"
                )

    def _label(self, iri: str) -> str:
        term = self.vocabulary.terms.get(iri)
        return term.label if term else self.discovered[iri].label

    def topics(self, index: int, mentions: Sequence[Mention], digests: list[str]) -> None:
        scores: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        evidence: dict[str, list[Mention]] = defaultdict(list)
        for mention in mentions:
            if mention.kind not in _KIND_WEIGHT or mention.iri is None:
                continue
            key = (mention.iri, mention.field, mention.language)
            counts[key] += 1
            if counts[key] > _MENTIONS_PER_FIELD:
                continue
            weight = _KIND_WEIGHT[mention.kind] * _FIELD_WEIGHT[mention.field]
            scores[mention.iri][mention.language] += weight
            evidence[mention.iri].append(mention)
        for signal in sorted(self.signals[index]):
            for topic in self.artefact_topics.get(signal, []):
                scores[topic]["en"] += _FIELD_WEIGHT["title"]
        if not scores:
            return
        english_body = any(m.language == "en" and m.field != "title" for m in mentions)
        totals = {
            topic: _topic_score(by_language, english_body) for topic, by_language in scores.items()
        }
        best = max(totals.values())
        chosen = sorted(
            (t for t, s in totals.items() if s >= max(_TOPIC_FLOOR, _TOPIC_SHARE * best)),
            key=lambda t: (-totals[t], t),
        )[:_TOPIC_LIMIT]
        for topic in list(chosen):
            term = self.vocabulary.terms.get(topic)
            parents = set(term.broader) if term else set()
            for parent in parents & set(chosen):
                if totals[parent] <= totals[topic] * 1.5:
                    chosen.remove(parent)
        for topic in chosen:
            found = evidence[topic]
            english = [m for m in found if m.language == "en"] or found
            if found:
                self.ledger.add(
                    index,
                    "subject",
                    topic,
                    "cue-rule",
                    {m.digest for m in found},
                    english[0].snippet,
                )
            else:
                self.ledger.add(
                    index,
                    "subject",
                    topic,
                    "title-rule",
                    digests,
                    f"the paper puts forward its own {' and '.join(sorted(self.signals[index]))}",
                )
            self.ledger.items[(index, PREDICATES["subject"], topic)].score = totals[topic]


def relate(
    resolution: Resolution, mentions: Iterable[Mention], vocabulary: Vocabulary
) -> tuple[list[Assertion], list[Discovered]]:
    """Every assertion about every paper, and the entities discovered on the way."""
    by_paper: dict[int, list[Mention]] = defaultdict(list)
    for mention in mentions:
        by_paper[mention.paper].append(mention)
    relater = _Relater(vocabulary)
    for index, paper in enumerate(resolution.papers):
        own = relater.own_artefacts(index, paper)
        relater.names(index, by_paper[index], own)
        relater.organisations(index, paper, own)
        relater.topics(index, by_paper[index], [a.digest.key for a in paper.appearances])
    assertions = sorted(
        relater.ledger.items.values(), key=lambda a: (a.paper, a.predicate, a.target)
    )
    return assertions, sorted(relater.discovered.values(), key=lambda d: d.iri)
