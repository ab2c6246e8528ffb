"""Rules for what the vocabulary does not know yet: a paper's own artefact, read off its title
or off the sentence that introduces it.

"OLMo: Accelerating the Science of Language Models" -> OLMo; "GPQA: A Graduate-Level
Google-Proof Q&A Benchmark" -> GPQA, a benchmark; "Granite 3.0 Technical Report" -> Granite 3.0;
a title that is only a name ("FineWeb", "Snowflake Arctic") -> that name; "This paper introduces
Mercury, a family of diffusion language models" -> Mercury, a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "GENERIC_ACRONYMS",
    "MAX_NAME_CHARS",
    "Artefact",
    "description_artefacts",
    "kind_from_text",
    "kind_of_phrase",
    "name_like",
    "opening_kind",
    "places",
    "title_artefact",
]

_REPORT = re.compile(r"^(?P<name>.+?)\s+(?:Technical|Tech)\s+Report\b", re.I)
_INTRODUCING = re.compile(r"^(?:Introducing|Announcing|Meet)\s+(?P<name>[^:,.!]+)", re.I)
_BENCHMARK_WORDS = re.compile(
    r"\b(benchmarks?|datasets?|databases?|corpus|corpora|test suite|evaluation suite|leaderboard"
    r"|arena|testbed|[a-z]*bench)\b",
    re.I,
)
_MODEL_HEAD = re.compile(
    r"\b(models?|llms?|lms?|slms?|vlms?|mllms?|family|families|series|foundation models?"
    r"|language models?|transformers?|vision[- ]language models?|encoders?|decoders?"
    r"|checkpoints?|reasoning models?|lrms?)$",
    re.I,
)
# The nouns a phrase names its thing with, by kind (None: not a model or benchmark).
_KIND_NOUNS: dict[str, str | None] = {
    **dict.fromkeys(
        [
            "model",
            "models",
            "llm",
            "llms",
            "lm",
            "lms",
            "slm",
            "slms",
            "vlm",
            "vlms",
            "mllm",
            "mllms",
            "lmm",
            "lmms",
            "lrm",
            "lrms",
            "transformer",
            "transformers",
            "encoder",
            "encoders",
            "decoder",
            "decoders",
            "checkpoint",
            "checkpoints",
        ],
        "model",
    ),
    **dict.fromkeys(
        [
            "benchmark",
            "benchmarks",
            "dataset",
            "datasets",
            "database",
            "databases",
            "corpus",
            "corpora",
            "leaderboard",
            "leaderboards",
            "arena",
            "testbed",
        ],
        "benchmark",
    ),
    **dict.fromkeys(
        [
            "method",
            "methods",
            "approach",
            "approaches",
            "framework",
            "frameworks",
            "technique",
            "techniques",
            "system",
            "systems",
            "pipeline",
            "pipelines",
            "agent",
            "agents",
            "algorithm",
            "algorithms",
            "strategy",
            "strategies",
            "recipe",
            "paradigm",
            "scheme",
            "study",
            "studies",
            "survey",
            "surveys",
            "library",
            "libraries",
            "toolkit",
            "toolkits",
            "platform",
            "platforms",
            "protocol",
            "protocols",
            "architecture",
            "architectures",
            "mechanism",
            "mechanisms",
            "module",
            "modules",
            "tool",
            "tools",
            "environment",
            "environments",
            "simulator",
            "simulators",
            "paper",
            "work",
            "analysis",
            "prompting",
            "interface",
            "engine",
            "loss",
            "objective",
        ],
        None,
    ),
}
_GROUP_NOUNS = frozenset(
    [
        "family", "families", "series", "suite", "collection", "set", "generation", "version",
        "variant", "variants",
    ]
)  # fmt: skip
# A description that opens on the act of putting its title forward: the object says what it is.
_PUTS_FORWARD = re.compile(
    r"^(?:(?:this|the)\s+(?:work|paper|report)\s+)?(?:introduces|presents|proposes|releases"
    r"|open-sources|unveils|announces)\s+(?=(?:a|an|the)\s)",
    re.I,
)
_HEAD_END = re.compile(
    r"\s(?:for|with|of|to|by|in|on|via|from|that|which|through|at|where|who|using|across|than"
    r"|as|into|over|under|whose|while)\b",
    re.I,
)
_PREPOSITION = re.compile(r"\s+(?:for|with|of|to|by|in|on|via|from|that|through|at|and)\s+", re.I)
_VERB_START = re.compile(r"^(?:[A-Z][a-z]+ing|Compress|Teach|Make|Scale|Improve|Enhance|Learn)\b")
_NOT_IN_NAME_PHRASE = (
    r"(?:to|for|of|that|which|with|by|on|in|from|method|approach|framework|technique|system"
    r"|pipeline|agent|algorithm|strategy|recipe|paradigm|scheme|study|survey)\b"
)
# A name: words that start with a capital or a digit, or hold a digit ("BitNet b1.58", "o3-mini")
_WORD = r"(?:[A-Z0-9][\w.+\-^]*|[a-z]+\d[\w.+\-]*)"
_NAME = rf"{_WORD}(?:\s+{_WORD}){{0,4}}"
_PHRASE = r"(?P<phrase>(?:(?:a|an|the)\s)?(?:[^.;:!?]|\.(?=\d)){3,160})"
_INTRODUCES = re.compile(
    r"\b(?i:introduces?|introducing|presents?|presenting|proposes?|proposing|releases?|released"
    r"|unveils?|launch(?:es|ed)?|announces?|open-sources?|develops?|debuts?|builds?)\s+"
    r"(?:the\s+)?(?:[A-Z][\w.\-]*(?:\s[A-Z][\w.\-]*)?['’]s\s+)?"  # "Google's Gemma"
    rf"(?P<name>{_NAME})(?:\s*\((?P<short>[A-Z][\w.+\-]{{1,20}})\))?\s*,\s*{_PHRASE}"
)
_IS_A = re.compile(rf"(?:^|[.;!?]\s+)(?P<name>{_NAME})\s+is\s+(?=an?\s){_PHRASE}")
_CALLED = re.compile(
    rf"(?P<phrase>[\w\-]+(?:\s[\w\-]+){{0,3}}),?\s+(?:called|named|dubbed)\s+(?P<name>{_NAME})"
)
_CALLED_WORD = re.compile(r"\b(?:called|named|dubbed)\s")
_PARENTHESISED = re.compile(
    r"\b(?i:introduces?|presents?|proposes?|releases?|develops?|builds?)\s+"
    r"(?P<phrase>(?:a|an|the)\s[^.;:!?()]{3,80}?)\s*\((?P<name>[A-Z][\w.+\-]{1,30})\)"
)
_KIND_THEN_NAME = re.compile(
    r"\b(?i:introduces?|presents?|proposes?|releases?|develops?|builds?|constructs?|curates?"
    r"|creates?)\s+(?P<phrase>(?:a|an|the)\s(?:[\w\-]+\s){0,4}?"
    r"(?i:benchmark|dataset|corpus|model|llm|suite))\s+(?P<name>[A-Z][\w.+\-]*[A-Z0-9][\w.+\-]*)"
)
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.I)
_BRACKETED = re.compile(r"\([^)]*\)")
_CLAUSE_END = re.compile(r"[;.]\s")
_NAME_LIKE_WORD = re.compile(r"\d|[a-z][A-Z]|^[A-Z]{2,}")
_ONE_WORD_NAME = re.compile(r"[A-Z][a-z]{2,}")
_LETTER = re.compile(r"[A-Za-z]")
_SIZE_WORDS = re.compile(r"^(?:\d[\w.]*|new|novel|first|open|open-source|open-weight|family)$")


@dataclass(frozen=True, slots=True)
class Artefact:
    """The name a text gives a paper's own artefact, and what kind the text says it is."""

    name: str
    kind: str | None  # model | benchmark | None (a method, framework or unknown)
    release: bool = False  # a technical report, an announcement, or a title that is the name


MAX_NAME_CHARS = 80
"""A longer text is no model or benchmark name, nor a word of one (the longest known names are
about 40 characters)."""

# acronyms of the field that say what a paper is about, not what it is called
GENERIC_ACRONYMS = frozenset(
    {
        "LLM",
        "LLMs",
        "LM",
        "LMs",
        "VLM",
        "VLMs",
        "MLLM",
        "MLLMs",
        "AI",
        "AGI",
        "RAG",
        "RL",
        "NLP",
        "QA",
        "CoT",
        "GPU",
        "GPUs",
        "API",
        "APIs",
        "SOTA",
        "MoE",
        "SLM",
        "SLMs",
        "LRM",
        "LRMs",
    }
)


def name_like(name: str) -> bool:
    """One to four words of which one looks like a name: a digit, inner capitals, all capitals
    ("Phi-3", "OpenELM", "GPQA", "SHADE-Arena"), not a title-case compound ("Self-Tuning"); in a
    title of several words, a generic acronym of the field ("LLMs", "RAG") is not a name."""
    words = name.split()
    if not 1 <= len(words) <= 4:
        return False
    if len(words) > 1:
        words = [w for w in words if w.strip(",.:") not in GENERIC_ACRONYMS]
    return any(_NAME_LIKE_WORD.search(w) for w in words)


def kind_of_phrase(phrase: str) -> str | None:
    """What a noun phrase says a thing is, from the last kind noun before its first
    preposition: "a family of diffusion language models" -> model, "the first open-source,
    natively trained 1-bit LLM at the 2B scale" -> model, "an RL framework" -> None."""
    text = _BRACKETED.sub(" ", _ARTICLE.sub("", phrase.strip()))
    end = _HEAD_END.search(text)
    head = text[: end.start()] if end else text
    words = [w.split("-")[-1].lower().strip(",.;:'\"") for w in head.split()]
    for position in range(len(words) - 1, -1, -1):
        word = words[position]
        if word in _GROUP_NOUNS and end and text[end.start() :].lstrip().lower().startswith("of "):
            return kind_of_phrase(text[end.start() :].lstrip()[3:])
        if word in _KIND_NOUNS:
            return _KIND_NOUNS[word]
        if word == "suite":
            return "benchmark"
    return None


def opening_kind(description: str) -> str | None:
    """What a description that opens on a noun phrase, or on a verb of putting forward and its
    object, says its title is: "- an 8B model trained ..." -> model (the upstream list's
    "**JetMoE** - an 8B model ..."), "releases a new code LLM ..." -> model, "proposes a new
    method to ..." -> None."""
    text = _PUTS_FORWARD.sub("", description.strip(), count=1)
    if not _ARTICLE.match(text):
        return None
    return kind_of_phrase(_CLAUSE_END.split(text, maxsplit=1)[0])


def _title_kind(subtitle: str) -> str | None:
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
    if match and (name_like(match["name"]) or len(match["name"].split()) <= 3):
        return Artefact(match["name"].strip(), "model", release=True)
    match = _INTRODUCING.match(title)
    if match:
        return Artefact(match["name"].strip(), None, release=True)
    head, sep, subtitle = title.partition(":")
    head = head.strip()
    if sep and name_like(head):
        return Artefact(head, _title_kind(subtitle))
    if sep and _ONE_WORD_NAME.fullmatch(head):
        # "Gemma: Open Models Based on ...", "Muse: Text-To-Image Generation ...": a one-word
        # head names the artefact; the subtitle or the description says what it is
        return Artefact(head, _title_kind(subtitle))
    if not sep and (name_like(title) or _ONE_WORD_NAME.fullmatch(title)):
        return Artefact(title, None, release=True)
    return None


def _clean_name(name: str) -> str:
    words = name.split()
    while words and words[-1] in ("of", "for"):
        words.pop()
    return " ".join(words).strip(" ,.")


def description_artefacts(text: str) -> list[Artefact]:
    """Artefacts a description introduces by name and says what they are: "introduces
    Mercury, a family of ... language models", "Tina is a family of reasoning models", "the
    resulting model, called TransNAR", "proposes a suite of LLMs (Eurus)", "develops a
    large-scale dataset MMTab". A name the text says is something else ("MEM1, an RL
    framework") comes with kind None."""
    found: list[Artefact] = []
    for pattern in (_INTRODUCES, _IS_A, _CALLED, _PARENTHESISED, _KIND_THEN_NAME):
        if pattern is _CALLED and not _CALLED_WORD.search(text):
            continue  # the phrase before "called" is tried at every word: only where one is
        for match in pattern.finditer(text):
            name = _clean_name(match["name"])
            if not name or _SIZE_WORDS.match(name.lower()) or not _LETTER.search(name):
                continue
            if pattern is _IS_A and not (name_like(name) or len(name.split()) == 1):
                continue  # "The model is a ...": a sentence's subject, not a name
            kind = kind_of_phrase(match["phrase"])
            if kind is None and pattern not in (_INTRODUCES, _IS_A):
                continue
            found.append(Artefact(name, kind))  # kind None: said to be a method, a system
            short = match.groupdict().get("short")
            if short and short != name:
                found.append(Artefact(short, kind))
    return list(dict.fromkeys(found))


# What follows a name that says what it is ("X, a 7B language model"), and what precedes one
# ("a benchmark called X"); compiled once, tried at each place the name occurs in a text.
_KIND_AFTER = re.compile(
    r"\W{0,3}(?:,|is|\(|:)\s*(?:a|an|the)?\s*"
    rf"((?:(?!{_NOT_IN_NAME_PHRASE})[\w\-.+]+\s+){{0,6}}?)"
    r"(models?|llms?|benchmarks?|datasets?|corpus)\b",
    re.I,
)
_KIND_BEFORE = re.compile(
    r"(model|llm|benchmark|dataset|corpus)s?\s+(?:called|named|dubbed)\s+\Z", re.I
)


def places(name: str, text: str, ignore_case: bool = False) -> list[tuple[int, int]]:
    """Where `name` occurs in `text` (start, end), left to right, not overlapping: a plain
    search, not a regex compiled for each name."""
    if ignore_case:
        folded = text.lower()
        if len(folded) != len(text):  # a letter whose lower case is longer: offsets would move
            return [m.span() for m in re.finditer(re.escape(name), text, re.I)]
        text, name = folded, name.lower()
    found = []
    start = text.find(name) if name else -1
    while start >= 0:
        found.append((start, start + len(name)))
        start = text.find(name, start + len(name))
    return found


def kind_from_text(name: str, text: str) -> str | None:
    """What the text calls a named artefact: "X, a 7B language model", "a benchmark called X"."""
    spans = places(name, text, ignore_case=True)
    if not spans:
        return None
    word = next(
        (w for _, end in spans if (w := _KIND_AFTER.match(text, end))),
        None,
    ) or next(
        (w for start, _ in spans if (w := _KIND_BEFORE.search(text, max(0, start - 40), start))),
        None,
    )
    if not word:
        return None
    noun = word.group(word.lastindex or 1).lower()
    return "benchmark" if noun.startswith(("bench", "data", "corp")) else "model"
