"""A generator of realistic DAIR.AI "ML Papers of the Week" READMEs, for tests and benchmarks.

The layout follows the upstream file: a table of contents listing every week, then one section a
week, newest first, each a heading and a two-column table. Headings change style over the years
as they do upstream: recent weeks carry the year (``(April 22 - April 28) - 2024``, and a week
across New Year carries the year it ends in: ``(December 30 - January 5) - 2025``), older weeks
omit it (``(November 20 - November 26)``), and early ones are abbreviated (``(Jan 30-Feb 5)``).

Rows are ``| N) **Short title** - description | [Paper](arXiv), [Tweet](x.com) |`` with arXiv ids
whose yymm matches the week, plus deliberately malformed rows (see `DEFECTS`). Every title, arXiv
id and tweet status id is unique in a file, so every row is a distinct paper.

``make_dair_readme(weeks, seed)`` gives the Markdown and its number of table rows; ``generate``
gives the same README with what each week and row is expected to yield.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "DEFECTS",
    "NEWEST",
    "GeneratedReadme",
    "GeneratedRow",
    "GeneratedWeek",
    "generate",
    "make_dair_readme",
]

NEWEST = date(2025, 1, 27)
"""The Monday of the newest week; 120 weeks reach back to 2022-10-17, over two New Years."""

YEAR_LABEL_FROM = 2024
LAYOUT_2025_FROM = 2025
"""Weeks ending in this year or later carry `` - YYYY`` in their heading, as upstream."""

DEFECTS = (
    "no-bold",
    "no-number",
    "no-links",
    "empty-link-cell",
    "blog",
    "extra-spaces",
    "link-in-description",
    "script-title",
    "github-paper",
    "glued-dash",
    "tweet-label-typo",
)
"""The malformed or unusual rows the generator plants, one every other week, in turn."""

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_ABBR = [m[:3] for m in _MONTHS]
_ACCOUNTS = (
    "omarsar0",
    "_akhaliq",
    "rasbt",
    "GoogleAI",
    "AnthropicAI",
    "AIatMeta",
    "jaseweston",
    "GoogleDeepMind",
    "dair_ai",
    "ylecun",
)
_SYLLABLES = (
    "ka",
    "lo",
    "ra",
    "mi",
    "ne",
    "zu",
    "ta",
    "vi",
    "so",
    "re",
    "pa",
    "du",
    "fi",
    "go",
    "he",
    "ju",
)
_ADJECTIVES = (
    "Efficient",
    "Scalable",
    "Robust",
    "Sparse",
    "Adaptive",
    "Multimodal",
    "Contrastive",
    "Recursive",
    "Agentic",
    "Compact",
)
_NOUNS = (
    "Transformers",
    "Retrieval",
    "Reasoning",
    "Alignment",
    "Distillation",
    "Agents",
    "Tokenizers",
    "Planning",
    "Memory",
    "Quantization",
)
_TOPICS = (
    "Long Contexts",
    "Code Generation",
    "Math Word Problems",
    "Speech",
    "Video Understanding",
    "Robotics",
    "Tool Use",
    "Medical QA",
    "Web Navigation",
    "Protein Design",
)
_VERBS = ("proposes", "introduces", "presents", "studies", "shows", "explores")
_BENCHMARKS = ("MMLU", "GSM8K", "HumanEval", "MATH", "ARC", "HellaSwag", "MT-Bench", "GPQA")
_BASELINES = ("GPT-4", "Llama 2 70B", "Mixtral 8x7B", "Claude 2", "Gemini Pro", "Mistral 7B")


@dataclass(frozen=True, slots=True)
class GeneratedRow:
    """One table row and what a reader should make of it."""

    line: str
    title: str
    kind: str  # "paper" or "article"
    arxiv_id: str | None
    status_id: str | None
    defect: str | None


@dataclass(frozen=True, slots=True)
class GeneratedWeek:
    """One weekly section: its heading, its true week, and its rows."""

    heading: str
    start: date
    end: date
    style: str  # "year", "year-new-year", "no-year", "no-year-new-year", "abbreviated"
    rows: tuple[GeneratedRow, ...]


@dataclass(frozen=True, slots=True)
class GeneratedReadme:
    text: str
    weeks: tuple[GeneratedWeek, ...]

    @property
    def row_count(self) -> int:
        return sum(len(week.rows) for week in self.weeks)

    def rows(self) -> list[GeneratedRow]:
        return [row for week in self.weeks for row in week.rows]


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _range(start: date, end: date) -> tuple[str, str]:
    """The heading's date range and its style, following the upstream conventions by year."""
    new_year = end.year != start.year
    if end.year >= YEAR_LABEL_FROM:
        text = f"({_MONTHS[start.month - 1]} {start.day} - {_MONTHS[end.month - 1]} {end.day})"
        return f"{text} - {end.year}", "year-new-year" if new_year else "year"
    if start.month <= 3 and not new_year:
        if start.month == end.month:
            return f"({_ABBR[start.month - 1]} {start.day}-{end.day})", "abbreviated"
        return (
            f"({_ABBR[start.month - 1]} {start.day}-{_ABBR[end.month - 1]} {end.day})",
            "abbreviated",
        )
    if start.month == 5 and end.month == 5:
        return f"(May {start.day} - {end.day})", "no-year"
    text = f"({_MONTHS[start.month - 1]} {start.day} - {_MONTHS[end.month - 1]} {end.day})"
    return text, "no-year-new-year" if new_year else "no-year"


class _Ids:
    """Unique arXiv ids (in the style of their month), tweet status ids and names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.per_month: Counter[tuple[int, int]] = Counter()
        self.status = 1_600_000_000_000_000_000
        self.names = 0

    def arxiv(self, year: int, month: int) -> str:
        self.per_month[year, month] += 1
        n = self.per_month[year, month]
        yymm = f"{year % 100:02d}{month:02d}"
        if (year, month) < (2007, 4):
            return f"cs/{yymm}{n:03d}"
        if year < 2015:
            return f"{yymm}.{1000 + n * 7:04d}"
        return f"{yymm}.{10000 + n * 13:05d}"

    def status_id(self) -> str:
        self.status += self.rng.randint(1_000, 9_000_000)
        return str(self.status)

    def name(self) -> str:
        """A unique model-like name: syllables spelling a counter, then a size or version."""
        self.names += 1
        n, parts = self.names, []
        while True:
            n, digit = divmod(n, len(_SYLLABLES))
            parts.append(_SYLLABLES[digit])
            if n == 0:
                break
        word = "".join(reversed(parts)).capitalize()
        return f"{word}-{self.rng.choice(('7B', '2', 'XL', 'Zero', 'Lite', 'V'))}"


def _title(rng: random.Random, name: str) -> str:
    adjective, noun, topic = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_TOPICS)
    return rng.choice(
        (
            f"{name}",
            f"{name}: {adjective} {noun} for {topic}",
            f"{adjective} {noun} with {name}",
            f"{name} Technical Report",
        )
    )


def _description(rng: random.Random, name: str) -> str:
    adjective = rng.choice(_ADJECTIVES).lower()
    article = "an" if adjective[0] in "aeiou" else "a"
    return (
        f"{rng.choice(_VERBS)} {name}, {article} {adjective} approach to "
        f"{rng.choice(_TOPICS).lower()}; reaches {rng.randint(30, 95)}% on "
        f"{rng.choice(_BENCHMARKS)} and outperforms {rng.choice(_BASELINES)}."
    )


def _row(
    rng: random.Random, ids: _Ids, start: date, end: date, number: int, defect: str | None
) -> GeneratedRow:
    name = ids.name()
    title = _title(rng, name)
    description = _description(rng, name)
    month = rng.choice(((start.year, start.month), (end.year, end.month)))
    arxiv_id: str | None = ids.arxiv(*month)
    status_id: str | None = ids.status_id()
    account = rng.choice(_ACCOUNTS)
    tweet = f"[Tweet](https://x.com/{account}/status/{status_id})"
    kind = "paper"
    if rng.random() < 0.06 and defect is None:  # a paper hosted off arXiv, labelled Paper
        arxiv_id = None
        host = rng.choice(
            (
                f"https://www.biorxiv.org/content/10.1101/{start.isoformat()}.{number:06d}v1",
                f"https://huggingface.co/datasets/{name.lower()}",
                f"https://openreview.net/forum?id={name.replace('-', '')}",
            )
        )
        paper = f"[Paper]({host})"
    else:
        paper = f"[Paper](https://arxiv.org/abs/{arxiv_id})"
    if arxiv_id and rng.random() < 0.05 and defect is None:  # a versioned link, as upstream
        paper = paper.replace(")", "v2)", 1)
    links = f"{paper}, {tweet}"
    cell = f"{number}) **{title}** - {description}"
    if start.year >= LAYOUT_2025_FROM and defect is None:
        # the 2025 layout: no bold, the title ends at a double space, highlights after <br>●
        cell = (
            f"{number}) {title}  {description}  <br>● Key result: {name} needs "
            f"{rng.randint(2, 9)}x less compute. <br>● Code and weights are released."
        )
    elif defect == "no-bold":
        cell = f"{number}) {title} - {description}"
    elif defect == "no-number":
        cell = f"**{title}** - {description}"
    elif defect == "glued-dash":
        cell = f"{number}) **{title}**- {description}"
    elif defect == "script-title":
        title = f'<script>alert(1)</script> "{name}" isn\'t a "model"'
        cell = f"{number}) **{title}** - {description}"
    elif defect == "link-in-description":
        cell = (
            f"{number}) **{title}** - builds on [RAG](https://arxiv.org/abs/2005.11401) and "
            f"[Toolformer](https://arxiv.org/abs/2302.04761); {description}"
        )
    elif defect == "extra-spaces":
        cell = f"  {number})    **{title}**    -   {description.replace(' ', '  ', 3)}   "
        links = f"   {paper} ,   {tweet}   "
    elif defect == "tweet-label-typo":
        links = f"{paper}  {tweet.replace('[Tweet]', '[Tweet)]')}"
    elif defect == "blog":
        arxiv_id, kind = None, "article"
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        links = f"[Blog](https://ai.meta.com/blog/{slug}/), {tweet}"
    elif defect == "github-paper":
        arxiv_id = None
        links = f"[Paper](https://github.com/{account}/{name}/blob/main/{name}.pdf), {tweet}"
    if defect == "no-links":
        arxiv_id = status_id = None
        line = f"| {cell} |"
    elif defect == "empty-link-cell":
        arxiv_id = status_id = None
        line = f"| {cell} | |"
    else:
        line = f"| {cell} | {links} |"
    return GeneratedRow(line, title, kind, arxiv_id, status_id, defect)


def generate(weeks: int, seed: int) -> GeneratedReadme:
    """A README of `weeks` weekly sections, newest first, ~10 rows each, reproducible by seed."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    sections: list[GeneratedWeek] = []
    for index in range(weeks):
        start = NEWEST - timedelta(weeks=index)
        end = start + timedelta(days=6)
        label, style = _range(start, end)
        count = rng.choice((9, 10, 10, 10, 11))
        defect = DEFECTS[(index // 2) % len(DEFECTS)] if index % 2 == 0 else None
        bad = rng.randrange(count) if defect else -1
        rows = tuple(
            _row(rng, ids, start, end, n + 1, defect if n == bad else None) for n in range(count)
        )
        sections.append(
            GeneratedWeek(f"Top ML Papers of the Week {label}", start, end, style, rows)
        )
    return GeneratedReadme(_markdown(sections), tuple(sections))


def _markdown(sections: list[GeneratedWeek]) -> str:
    out = [
        "# ML Papers of The Week",
        "",
        "[Subscribe to our newsletter](https://nlpnews.substack.com/) to get a weekly list of "
        "top ML papers in your inbox.",
        "",
        "At DAIR.AI we ❤️ reading ML papers so we've created this repo to highlight the top ML "
        "papers of every week.",
        "",
        "Here is the weekly series:",
    ]
    group: int | None = None
    for week in sections:
        if week.start.year != group:
            group = week.start.year
            out += ["", f"## {group}"]
        toc = re.sub(r" - \d{4}$", "", week.heading)
        out.append(f"- [{toc}](./#{_anchor(week.heading)})")
    out += [
        "",
        "[Follow us on Twitter](https://twitter.com/dair_ai)",
        "",
        "[Join our Discord](https://discord.gg/SKgkVT8BGJ)",
        "",
    ]
    for n, week in enumerate(sections):
        out.append(f"## {week.heading}")
        out.append("| **Paper**  | **Links** | ")
        out.append("| ------------- | ------------- | ")
        out.extend(row.line for row in week.rows)
        out.append("")
        if n % 5 == 4:
            out += ["---", ""]
    out += [
        "---",
        "",
        "We use a combination of AI-powered tools, analytics, and human curation to build the "
        "lists of papers.",
        "",
        "[Subscribe to our NLP Newsletter](https://nlpnews.substack.com/) to stay on top of ML "
        "research and trends.",
        "",
    ]
    return "\n".join(out)


def make_dair_readme(weeks: int, seed: int) -> tuple[str, int]:
    """The Markdown of a generated README and its number of table rows (papers and articles)."""
    readme = generate(weeks, seed)
    return readme.text, readme.row_count
