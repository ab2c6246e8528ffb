"""The entities links point at: curated terms of the vocabulary, and names found by rules.

A name the vocabulary does not know becomes a discovered entity, unless it is a misspelling of a
curated name (then it is that name) or not a name at all. A sized variant ("Zorblax-7B") belongs
to its family ("Zorblax"), curated or discovered.
"""

from __future__ import annotations

import re

from kg.extract.rules import GENERIC_ACRONYMS, MAX_NAME_CHARS
from kg.extract.vocabulary import Term, Vocabulary, normalise_alias
from kg.records import Entity
from kg.resolve import slugify

__all__ = ["SIZE_TAIL", "Registry", "edit_distance_one"]

SIZE_TAIL = re.compile(
    r"[\s\-]+(?:\d+(?:\.\d+)?[BbMmKk]|\d+x\d+[BbMm]|A\d+(?:\.\d+)?[Bb])(?:[\s\-].*)?$"
)
# a named member of a family: "Mamba-2", "LN-Nano", "Gemini 2.5 Pro", "Claude 3.7 Sonnet"
_MEMBER_TAIL = re.compile(
    r"[\s\-]+(?:v?\d+(?:\.\d+)*|Nano|Mini|Micro|Small|Medium|Large|XL|Ultra|Pro|Plus|Max|Lite"
    r"|Flash|Turbo|Instruct|Chat|Base|Coder|Math|Vision|VL|Preview|Sonnet|Opus|Haiku)$",
    re.I,
)
# ... or a version glued to a word: "CodeGen2.5", "Llama3"
_GLUED_VERSION = re.compile(r"(?<=[a-z]{2})\d+(?:\.\d+)*$")
_NOT_A_NAME = re.compile(r"^(?:\d+(?:\.\d+)?[BbMmKk]?|[a-z]+)$")  # "7B", "model"


def edit_distance_one(a: str, b: str) -> bool:
    """One letter substituted, dropped or added (never a digit): "HumalEval" ~ "HumanEval"."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        changed = (a[i], b[i])
        rest_equal = a[i + 1 :] == b[i + 1 :]
    else:
        changed = ("", b[i])
        rest_equal = a[i:] == b[i + 1 :]
    return rest_equal and not any(c.isdigit() for c in changed)


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


class Registry:
    """Entities by kind and name: curated terms first, then discovered names."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.discovered: dict[tuple[str, str], Entity] = {}
        self._spellings: dict[str, dict[str, list[tuple[str, Term]]]] = {}
        self._longest: dict[str, int] = {}
        self._curated: dict[str, Entity] = {}

    def curated(self, term: Term) -> Entity:
        """The entity of a curated term: one for each term (entities are immutable)."""
        entity = self._curated.get(term.iri)
        if entity is None:
            entity = self._curated[term.iri] = Entity(term.kind, term.label, term.iri)
        return entity

    def _misspelling(self, name: str, kind: str) -> Term | None:
        """A curated name of the kind that `name` misspells by one letter (long names only).

        Names one edit apart share a form with one letter deleted (or one is such a form of the
        other), so candidates come from an index of those forms and are then checked."""
        key = normalise_alias(name).replace(" ", "")
        if len(key) < 7:
            return None
        if kind not in self._spellings:
            index: dict[str, list[tuple[str, Term]]] = {}
            for term in self.vocabulary.of_kind(kind):
                for alias, _ in term.names:
                    folded = normalise_alias(alias).replace(" ", "")
                    for form in {folded, *_deletions(folded)}:
                        index.setdefault(form, []).append((folded, term))
            self._spellings[kind] = index
            self._longest[kind] = max(map(len, index), default=0)
        if len(key) > self._longest[kind] + 1:
            return None  # longer than any curated name with a letter added
        index = self._spellings[kind]
        near = {
            term.iri: term
            for form in {key, *_deletions(key)}
            for folded, term in index.get(form, [])
            if edit_distance_one(key, folded)
        }
        return next(iter(near.values())) if len(near) == 1 else None

    def lookup(self, name: str, kind: str) -> Entity | None:
        """The curated entity a name denotes (spelled right, or misspelled by one letter)."""
        term = self.vocabulary.lookup(name, kind) or self._misspelling(name, kind)
        return self.curated(term) if term else None

    def entity(self, name: str, kind: str) -> Entity | None:
        """The entity a name of the given kind denotes: curated if known, else discovered;
        None for a text that is no name ("7B", "model")."""
        known = self.lookup(name, kind)
        if known:
            return known
        name = " ".join(name.split()).strip(" -,.;:")
        if not 2 <= len(name) <= MAX_NAME_CHARS or _NOT_A_NAME.match(name):
            return None  # "7B", "model", a run of thousands of letters
        if name in GENERIC_ACRONYMS:
            return None  # "LLM" of "LLM benchmarks" names no benchmark
        key = (kind, slugify(name))
        if key not in self.discovered:
            self.discovered[key] = Entity(kind, name, None, self.family_of(name, kind))
        return self.discovered[key]

    def family_of(self, name: str, kind: str) -> Entity | None:
        """The family a sized or named variant belongs to ("Zorblax-7B" -> Zorblax,
        "Mamba-2" -> Mamba), if that family is curated or already discovered."""
        stem = name
        for _ in range(4):
            shorter = SIZE_TAIL.sub("", stem).strip(" -")
            if shorter == stem:
                shorter = _MEMBER_TAIL.sub("", stem).strip(" -")
            if shorter == stem:
                shorter = _GLUED_VERSION.sub("", stem)
            if not shorter or shorter == stem:
                return None
            stem = shorter
            known = self.lookup(stem, kind)
            if known:
                return known
            found = self.discovered.get((kind, slugify(stem)))
            if found:
                return found
        return None

    def lineage(self, entity: Entity) -> list[Entity]:
        """An entity and every family above it, nearest first."""
        seen: list[Entity] = []
        stack = [entity]
        while stack:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.append(current)
            if current.family is not None:
                stack.append(current.family)
            term = self.vocabulary.terms.get(current.term or "")
            if term:
                stack.extend(
                    self.curated(self.vocabulary.terms[f])
                    for f in term.families
                    if f in self.vocabulary.terms
                )
        return seen

    def developers(self, entity: Entity) -> list[Term]:
        """The organisations that developed an entity or, failing that, its nearest family."""
        for member in self.lineage(entity):
            term = self.vocabulary.terms.get(member.term or "")
            if term and term.developers:
                return self.vocabulary.developers(term)
        return []
