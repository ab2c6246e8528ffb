"""One pipeline component for every rule that marks spans: phrase lists and token patterns.

The pipeline matches curated names as written, curated names case-folded, topic labels and cues
on word stems, and the shapes of names (token patterns), each a group of rules of its own. spaCy's
``SpanRuler`` does one group per component; with four of them a text pays four times what
surrounds the matching (a pipeline call, warning filters, a span group read and written anew),
which cost more than the matching itself. Here all groups are matched in one call, and the spans
come out as four rulers would leave them: each group's matches without duplicates, in span order,
the groups one after the other, under ``doc.spans[key]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

__all__ = ["RULERS", "SPANS_KEY", "Rulers"]

RULERS = "kg_rulers"
SPANS_KEY = "kg"  # where the rules leave their spans (doc.spans[SPANS_KEY])

Pattern = dict[str, Any]  # {"label": ..., "pattern": text or token specs, "id": ...}


@dataclass
class _Group:
    """The rules of one kind: a phrase matcher on one token attribute, or a token matcher."""

    name: str
    matcher: PhraseMatcher | Matcher
    patterns: list[Pattern]
    labels: dict[int, tuple[str, str]]  # match key -> label, id

    def spans(self, doc: Doc) -> list[Span]:
        labels = self.labels
        found = {
            Span(doc, start, end, label=labels[key][0], span_id=labels[key][1])
            for key, start, end in self.matcher(doc)
            if start != end
        }
        return sorted(found)


class Rulers:
    """Groups of rules, matched in order; their spans go under one key of ``doc.spans``."""

    def __init__(self, nlp: Language, spans_key: str) -> None:
        self.nlp = nlp
        self.spans_key = spans_key
        self.groups: list[_Group] = []

    def add_phrases(self, name: str, attr: str, patterns: list[Pattern]) -> None:
        """A group of phrase patterns, compared on the token attribute `attr` (ORTH, LOWER,
        NORM); the phrases are cut into tokens by the pipeline's tokenizer."""
        matcher = PhraseMatcher(self.nlp.vocab, attr=attr)
        labels: dict[int, tuple[str, str]] = {}
        phrases: dict[str, list[Doc]] = {}
        for pattern in patterns:
            doc = self.nlp.make_doc(pattern["pattern"])
            phrases.setdefault(self._key(pattern, labels), []).append(doc)
        for key, docs in phrases.items():
            matcher.add(key, docs)
        self._keep(_Group(name, matcher, patterns, labels))

    def add_tokens(self, name: str, patterns: list[Pattern]) -> None:
        """A group of token patterns (spaCy ``Matcher`` patterns)."""
        matcher = Matcher(self.nlp.vocab, validate=False)
        labels: dict[int, tuple[str, str]] = {}
        specs: dict[str, list[list[dict[str, Any]]]] = {}
        for pattern in patterns:
            specs.setdefault(self._key(pattern, labels), []).append(pattern["pattern"])
        for key, token_patterns in specs.items():
            matcher.add(key, token_patterns)
        self._keep(_Group(name, matcher, patterns, labels))

    def _key(self, pattern: Pattern, labels: dict[int, tuple[str, str]]) -> str:
        """The match key of a pattern's label and id (as spaCy's ``SpanRuler`` makes it)."""
        label, span_id = str(pattern["label"]), str(pattern.get("id", ""))
        key = repr((label, span_id))
        labels[self.nlp.vocab.strings.add(key)] = (label, span_id)
        return key

    def _keep(self, group: _Group) -> None:
        if group.patterns:
            self.groups.append(group)

    def patterns(self, name: str) -> list[Pattern]:
        """The patterns of the group called `name` (none if there is no such group)."""
        return [p for group in self.groups if group.name == name for p in group.patterns]

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = [span for group in self.groups for span in group.spans(doc)]
        return doc


@Language.factory(RULERS, default_config={"spans_key": SPANS_KEY})
def make_rulers(nlp: Language, name: str, spans_key: str) -> Rulers:
    return Rulers(nlp, spans_key)
