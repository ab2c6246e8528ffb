"""Mentions: what the pipeline finds in every text of every paper, with where it found it."""

from __future__ import annotations

import contextlib
import json
import os
import re
from bisect import bisect_right
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Span

from kg.extract.cache import Found
from kg.extract.pipeline import SPANS_KEY
from kg.resolve import Resolution
from kg.resources import ontology_path

__all__ = [
    "CHUNK",
    "FIELDS",
    "MIN_ITEMS_PER_PROCESS",
    "Arriving",
    "Mention",
    "distinct_texts",
    "find_mentions",
    "paper_mentions",
    "paper_texts",
    "stream_pipeline",
]

FIELDS = ("title", "intro", "abstract", "qa")
MIN_ITEMS_PER_PROCESS = 1000  # below this, forking costs more than it saves
CHUNK = 1000  # texts a process reads at a time: what it finds is handed on chunk by chunk
NICENESS = 10
"""How much lower the pipeline's processes run than the process that forked them. That one
relates the papers in order as their texts come back, the longest path of an extraction; the
pipeline's processes need only keep ahead of it, and take what it leaves of the cores."""
_SNIPPET = 280
_FOLLOWING = 60


@dataclass(frozen=True, slots=True)
class Mention:
    """A name or cue found in one field of one entry of a paper."""

    paper: int  # index into Resolution.papers
    digest: str  # Digest.key of the entry
    kind: str  # model | benchmark | organisation | topic | topic-cue | *-shape
    iri: str | None  # the curated term; None for a shape the vocabulary does not know
    text: str
    field: str
    language: str
    snippet: str
    rule: str  # the ruler pattern id for shapes, "label" for curated names
    role: str = ""  # organisations: agent | possessor | mention (see organisation_roles.json)
    following: str = ""  # the text right after the mention (what a possessive owns)
    sentence: int = 0  # which sentence of its text the mention is in (0: the lead)


Context = tuple[int, str, str, str]


def paper_texts(resolution: Resolution) -> Iterator[tuple[str, Context]]:
    """Every distinct text of every paper with its (paper, digest, field, language) context."""
    for index, paper in enumerate(resolution.papers):
        seen: set[str] = set()
        for appearance in paper.appearances:
            entry, digest = appearance.entry, appearance.digest
            local = digest.language
            fields = (
                (entry.title_en, "title", "en"),
                (entry.intro_en, "intro", "en"),
                (entry.abstract_en, "abstract", "en"),
                (entry.title_local, "title", local),
                (entry.intro_local, "intro", local),
                (entry.abstract_local, "abstract", local),
                (entry.qa_local, "qa", local),
            )
            for text, field, language in fields:
                if text and text not in seen:
                    seen.add(text)
                    yield " ".join(text.split()), (index, digest.key, field, language)


def _snippet(span: Span, sentence: Span, text: str) -> str:
    """The sentence a mention is in (its `text`), or the part of a long one around it."""
    if len(text) > _SNIPPET:
        start = max(0, span.start_char - sentence.start_char - _SNIPPET // 2)
        return "…" + text[start : start + _SNIPPET].strip() + "…"
    return text.strip().strip("●•").strip()  # a highlight's bullet is not its text


def _keep_shape(span: Span) -> bool:
    first = span[0].text
    return first.lower() not in STOP_WORDS and len(span.text) >= 3


def _in_compound(span: Span) -> bool:
    """An organisation's name inside a hyphenated compound modifies it ("Google-Proof")."""
    doc = span.doc
    after = span.end < len(doc) and doc[span.end].text == "-" and not doc[span.end].whitespace_
    before = span.start > 0 and doc[span.start - 1].text == "-"
    return after or before


@lru_cache(maxsize=1)
def _roles() -> dict[str, frozenset[str]]:
    table = json.loads(ontology_path("rules", "organisation_roles.json").read_text("utf-8"))
    return {
        key: frozenset(word.lower() for word in words)
        for key, words in table.items()
        if isinstance(words, list)
    }


def organisation_role(span: Span) -> str:
    """Whether an organisation named in a text made the paper (agent), owns what follows it
    (possessor), or is only mentioned."""
    roles = _roles()
    doc = span.doc
    after = [t.lower_ for t in doc[span.end : span.end + 6]]
    if after[:2] in (["'", "s"], ["’", "s"]) or after[:1] == ["’s"]:
        return "possessor"
    rest = after
    while rest and rest[0] in roles["fillers"]:
        if rest[0] in roles["people"]:
            return "agent"
        rest = rest[1:]
    if rest and (rest[0] in roles["verbs"] or rest[0] in roles["people"]):
        return "agent"
    before = [t.lower_ for t in doc[max(0, span.start - 3) : span.start]]
    if before[-1:] and before[-1] in roles["before"]:
        return "agent"
    if len(before) >= 2 and before[-1] in roles["linkers"] and before[-2] in roles["people_before"]:
        return "agent"
    return "mention"


_VERSION = re.compile(r"^v?\d+(?:\.\d+)*$|^\d+(?:\.\d+)?[BbMm]$")
_MEMBER_WORDS = frozenset(
    {
        "nano",
        "mini",
        "micro",
        "small",
        "medium",
        "large",
        "xl",
        "ultra",
        "pro",
        "plus",
        "max",
        "lite",
        "flash",
        "turbo",
        "sonnet",
        "opus",
        "haiku",
        "instruct",
        "chat",
        "coder",
        "math",
        "vision",
        "vl",
        "preview",
        "thinking",
    }
)
_LIKE = frozenset({"like", "style"})


def _member(span: Span) -> Span:
    """A curated model's name with the version or member words that follow it: a named
    variant the vocabulary may not know yet ("Claude 3.7", "Mamba-2", "Gemini 2.5 Pro")."""
    doc = span.doc
    end = span.end
    taken = 0
    while end < len(doc) and taken < 3:
        token = doc[end]
        if token.text == "-" and not doc[end - 1].whitespace_ and end + 1 < len(doc):
            token = doc[end + 1]
            step = 2
        else:
            step = 1
        if not (_VERSION.match(token.text) or token.lower_ in _MEMBER_WORDS):
            break
        end += step
        taken += 1
    return doc[span.start : end]


def _likeness(span: Span) -> bool:
    """ "o1-like models", "GPT-4-style prompts": a comparison, not a mention of the model."""
    doc = span.doc
    return (
        span.end + 1 < len(doc) and doc[span.end].text == "-" and doc[span.end + 1].lower_ in _LIKE
    )


def _trimmed(span: Span) -> Span:
    """A name found with the word that says what it is ("MACHIAVELLI benchmark"), without it."""
    if span.id_ != "trailing-cue" or len(span) < 2:
        return span
    return Span(span.doc, span.start, span.end - 1, span.label_, span_id=span.id_)


def _names_and_topics(spans: Iterable[Span]) -> list[Span]:
    """Names keep only the longest of overlapping spans ("Mixtral 8x7B", not also "Mixtral";
    "DeepSeek 67B" the model, not DeepSeek the company), a curated name before a shape of the
    same length; topic labels and cues are evidence and are all kept."""
    spans = [_trimmed(s) for s in spans]
    topics = [s for s in spans if s.label_.startswith("topic")]
    names = [
        s
        for s in spans
        if not s.label_.startswith("topic")
        and (not s.label_.endswith("-shape") or _keep_shape(s))
        and not (s.label_ == "organisation" and _in_compound(s))
        and not _likeness(s)
    ]
    for span in list(names):
        if span.label_ == "model":
            member = _member(span)
            if member.end > span.end:
                names.append(
                    Span(span.doc, member.start, member.end, "model-shape", span_id="family-member")
                )
    names.sort(key=lambda s: (-(s.end - s.start), s.label_.endswith("-shape"), s.start))
    taken: set[int] = set()
    kept: list[Span] = []
    for span in names:
        if taken.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return sorted(kept, key=lambda s: s.start) + topics


def _found(nlp: Language, texts: list[str]) -> list[list[Found]]:
    """What the pipeline finds in each text, without the text's context."""
    found: list[list[Found]] = []
    for doc in nlp.pipe(texts, batch_size=256):
        sentences = list(doc.sents)
        starts = [sentence.start for sentence in sentences]
        items: list[Found] = []
        spans = _names_and_topics(doc.spans[SPANS_KEY])
        # The words after an organisation's name (offsets are the document's own text, which
        # spaCy joins anew on each call: once per text, and only when it names one).
        text = doc.text if any(span.label_ == "organisation" for span in spans) else ""
        said: dict[int, str] = {}  # the text of each sentence that holds a span, made once
        for span in spans:
            sentence = bisect_right(starts, span.start) - 1
            if sentence not in said:
                said[sentence] = sentences[sentence].text
            shape = span.label_.endswith("-shape")
            organisation = span.label_ == "organisation"
            items.append(
                (
                    span.label_,
                    None if shape else span.id_,
                    span.text,
                    _snippet(span, sentences[sentence], said[sentence]),
                    span.id_ if shape else "label",
                    organisation_role(span) if organisation else "",
                    text[span.end_char : span.end_char + _FOLLOWING] if organisation else "",
                    sentence,
                )
            )
        found.append(items)
    return found


_WORKER_NLP: Language | None = None


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # no os.nice on some systems
        os.nice(NICENESS)


def _worker(texts: list[str]) -> list[list[Found]]:
    assert _WORKER_NLP is not None
    return _found(_WORKER_NLP, texts)


def stream_pipeline(
    nlp: Language, texts: list[str], jobs: int = 1
) -> Generator[list[Found], None, None]:
    """What the pipeline finds in each of `texts`, in their order, as it is found.

    With ``jobs`` > 1 (and enough texts to be worth it) the texts are cut into chunks shared
    between forked processes that inherit the pipeline and send back only what they found
    (small records), not spaCy documents; chunks are handed on in order as they come back, so
    the caller works on the first texts while the processes read the rest. The result does not
    depend on ``jobs``.
    """
    if jobs <= 1 or len(texts) < MIN_ITEMS_PER_PROCESS * 2:
        yield from _found(nlp, texts)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER_NLP
    _WORKER_NLP = nlp
    size = min(-(-len(texts) // (jobs * 4)), CHUNK)
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_lower_priority,
    )
    try:
        for chunk in pool.map(_worker, chunks):
            yield from chunk
    finally:
        _WORKER_NLP = None
        pool.shutdown(cancel_futures=True)


class Arriving(Mapping[str, list[Found]]):
    """What was found in each text: the texts `known` already, and the texts still `coming`
    (in the order they are first asked for), taken from that stream as they are asked for."""

    def __init__(
        self, known: dict[str, list[Found]], coming: Iterable[tuple[str, list[Found]]]
    ) -> None:
        self.known = known
        self._coming = iter(coming)

    def __getitem__(self, text: str) -> list[Found]:
        while text not in self.known:
            try:
                arrived, items = next(self._coming)
            except StopIteration:
                raise KeyError(text) from None
            self.known[arrived] = items
        return self.known[text]

    def __iter__(self) -> Iterator[str]:
        self.known.update(self._coming)
        return iter(self.known)

    def __len__(self) -> int:
        self.known.update(self._coming)
        return len(self.known)


def distinct_texts(resolution: Resolution) -> list[str]:
    """Every text the pipeline reads for a resolution, once each, in a stable order."""
    return list(dict.fromkeys(text for text, _ in paper_texts(resolution)))


def paper_mentions(
    resolution: Resolution, found: Mapping[str, list[Found]]
) -> Iterator[list[Mention]]:
    """The mentions of each paper in turn: what was found in each of its texts, in its
    context (a paper's texts are asked of `found` only when its turn comes)."""
    index, mentions = 0, list[Mention]()
    for text, (paper, digest, field, language) in paper_texts(resolution):
        while paper > index:
            yield mentions
            index, mentions = index + 1, []
        for kind, iri, name, snippet, rule, role, following, sentence in found[text]:
            mentions.append(
                Mention(
                    paper=paper,
                    digest=digest,
                    kind=kind,
                    iri=iri,
                    text=name,
                    field=field,
                    language=language,
                    snippet=snippet,
                    rule=rule,
                    role=role,
                    following=following,
                    sentence=sentence,
                )
            )
    for _ in range(index, len(resolution.papers)):
        yield mentions
        mentions = []


def find_mentions(nlp: Language, resolution: Resolution, jobs: int = 1) -> list[Mention]:
    """Run the pipeline over every paper text and collect the mentions of every paper."""
    texts = distinct_texts(resolution)
    found = dict(zip(texts, stream_pipeline(nlp, texts, jobs), strict=True))
    return [m for mentions in paper_mentions(resolution, found) for m in mentions]
