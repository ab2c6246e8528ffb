"""Rules for what the vocabulary does not know yet: a paper's own artefact, read off its title.

"OLMo: Accelerating the Science of Language Models" -> OLMo; "GPQA: A Graduate-Level
Google-Proof Q&A Benchmark" -> GPQA, a benchmark; "Granite 3.0 Technical Report" -> Granite 3.0;
a title that is only a name ("FineWeb", "Snowflake Arctic") -> that name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Artefact", "kind_from_text", "title_artefact"]

_REPORT = re.compile(r"^(?P<name>.+?)\s+(?:Technical|Tech)\s+Report\b", re.I)
_INTRODUCING = re.compile(r"^(?:Introducing|Announcing|Meet)\s+(?P<name>[^:,.!]+)", re.I)
_BENCHMARK_WORDS = re.compile(
    r"\b(benchmark|dataset|corpus|test suite|evaluation suite|leaderboard|arena|[a-z]*bench)\b",
    re.I,
)
_MODEL_HEAD = re.compile(
    r"\b(models?|llms?|family|foundation models?|language models?|transformer|"
    r"vision[- ]language models?|encoder|decoder|checkpoints?)$",
    re.I,
)
_PREPOSITION = re.compile(r"\s+(?:for|with|of|to|by|in|on|via|from|that|through|at|and)\s+", re.I)
_VERB_START = re.compile(r"^(?:[A-Z][a-z]+ing|Compress|Teach|Make|Scale|Improve|Enhance|Learn)\b")


_NOT_IN_NAME_PHRASE = (
    r"(?:to|for|of|that|which|with|by|on|in|from|method|approach|framework|technique|system"
    r"|pipeline|agent|algorithm|strategy|recipe|paradigm|scheme|study|survey)\b"
)


@dataclass(frozen=True, slots=True)
class Artefact:
    """The name a title gives its own artefact, and what kind the title says it is."""

    name: str
    kind: str | None  # model | benchmark | None (a method, framework or unknown)
    release: bool = False  # a technical report, an announcement, or a title that is the name


def _name_like(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 4:
        return False
    return any(re.search(r"\d|[a-z][A-Z]|^[A-Z]{2,}|[A-Z][a-z]*-[A-Z]", w) for w in words)


def _kind(subtitle: str) -> str | None:
    if _BENCHMARK_WORDS.search(subtitle):
        return "benchmark"
    head = _PREPOSITION.split(subtitle.strip(), maxsplit=1)[0].strip(" .")
    if _MODEL_HEAD.search(head) and not _VERB_START.match(subtitle.strip()):
        return "model"
    return None


def title_artefact(title: str) -> Artefact | None:
    """The paper's own named artefact, if its title names one."""
    title = " ".join(title.split())
    match = _REPORT.match(title)
    if (match and _name_like(match["name"])) or (match and len(match["name"].split()) <= 3):
        return Artefact(match["name"].strip(), "model", release=True)
    match = _INTRODUCING.match(title)
    if match:
        return Artefact(match["name"].strip(), None, release=True)
    head, sep, subtitle = title.partition(":")
    head = head.strip()
    if sep and _name_like(head):
        return Artefact(head, _kind(subtitle))
    if sep and re.fullmatch(r"[A-Z][a-z]{2,}", head) and _kind(subtitle):
        # "Gemma: Open Models Based on ...": a one-word head is a name when the subtitle says
        # what it is
        return Artefact(head, _kind(subtitle))
    if not sep and _name_like(title):
        return Artefact(title, None, release=True)
    return None


def kind_from_text(name: str, text: str) -> str | None:
    """What the text calls a named artefact: "X, a 7B language model", "a benchmark called X"."""
    if name.lower() not in text.lower():
        return None
    escaped = re.escape(name)
    after = re.search(
        rf"{escaped}\W{{0,3}}(?:,|is|\(|:)\s*(?:a|an|the)?\s*"
        rf"((?:(?!{_NOT_IN_NAME_PHRASE})[\w\-.+]+\s+){{0,6}}?)"
        r"(models?|llms?|benchmarks?|datasets?|corpus)\b",
        text,
        re.I,
    )
    before = re.search(
        rf"(model|llm|benchmark|dataset|corpus)s?\s+(?:called|named|dubbed)\s+{escaped}", text, re.I
    )
    word = after or before
    if not word:
        return None
    noun = word.group(word.lastindex or 1).lower()
    return "benchmark" if noun.startswith(("bench", "data", "corp")) else "model"
