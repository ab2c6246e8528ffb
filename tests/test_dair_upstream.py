"""The DAIR reader over the whole upstream development README (1,240 rows, 2023-2025)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import DEV_README

from kg.records import Digest, Entry
from kg.sources import read_file
from kg.sources.dair import plain_text, split_title

_ROW = re.compile(r"^\|\s*\d+\)")


@pytest.fixture(scope="module")
def digests() -> list[Digest]:
    return read_file(DEV_README)


def _rows() -> list[str]:
    return [
        line for line in DEV_README.read_text(encoding="utf-8").splitlines() if _ROW.match(line)
    ]


def _entries(digests: list[Digest]) -> list[Entry]:
    return [entry for digest in digests for entry in digest.entries]


def test_every_row_is_one_entry_and_every_week_one_digest(digests: list[Digest]) -> None:
    assert len(digests) == 124
    assert len(_entries(digests)) == len(_rows()) == 1240
    for digest in digests:
        # Monday to Sunday, also where a heading slips a day ("April 6 - April 13", "Jan 1-8")
        assert digest.week_start is not None and digest.week_end is not None
        assert digest.week_start.weekday() == 0 and (digest.week_end - digest.week_start).days == 6
    weeks = {d.title: d.week_start for d in digests}
    assert weeks["Top ML Papers of the Week (April 6 - April 13) - 2025"] == date(2025, 4, 7)
    assert weeks["Top ML Papers of the Week (Jan 1-8)"] == date(2023, 1, 2)
    assert weeks["Top ML Papers of the Week (March 18 - March 25) - 2024"] == date(2024, 3, 18)
    assert weeks["Top ML Papers of the Week (March 26 - March 31) - 2024"] == date(2024, 3, 25)
    assert len(set(weeks.values())) == len(digests)
    assert digests[0].week_start == date(2025, 6, 23)
    assert digests[-1].week_start == date(2023, 1, 2)


def test_titles_are_clean_and_of_a_title_s_length(digests: list[Digest]) -> None:
    for entry in _entries(digests):
        title = entry.title_en
        assert not re.search(r"<br|\*\*|\||●|\\[&_*]|\s{2}", title), title
        assert 2 <= len(title) <= 160, title
        assert title == title.strip(" -–—:")


def test_every_title_is_its_row_s_title_cell(digests: list[Digest]) -> None:
    """The title starts the row's text, and what follows it in the row is a separator or the
    opening of a description, never more of the title."""
    for line, entry in zip(_rows(), _entries(digests), strict=True):
        cell = re.sub(r"^\|\s*\d+\)\s*", "", line).split(" | ")[0]
        cell = re.sub(r"^\*8(?=\w)", "**", cell)  # the one row whose bold lost a shift key
        text = " ".join(plain_text(cell).split())
        assert text.startswith(entry.title_en), (entry.title_en, text[:80])
        rest = text[len(entry.title_en) :]
        assert rest == "" or re.match(r"^\s*(?:[-–—:]\s|\s)", rest), (entry.title_en, rest[:40])


@pytest.mark.parametrize(
    ("row", "title", "description"),
    [
        # 2025: no bold, the title ends at the double space; highlights follow <br>●
        (
            "1) Ultra-Fast Diffusion-based Language Models  This paper introduces Mercury, a"
            " family <br>● Speed: up to 1109 tokens/sec",
            "Ultra-Fast Diffusion-based Language Models",
            "This paper introduces Mercury, a family\n● Speed: up to 1109 tokens/sec",
        ),
        # 2023-2024: the bold title, a dash, the description
        (
            "1) **Toolformer** - a model trained to use tools",
            "Toolformer",
            "a model trained to use tools",
        ),
        # Markdown escapes and emphasis inside the bold title
        (
            "9) **Improving Science Q\\&A by *Supervising* Reasoning** - proposes",
            "Improving Science Q&A by Supervising Reasoning",
            "proposes",
        ),
        # bold typed with a shift missed
        ("9) *8RankZephyr** - an open-source LLM", "RankZephyr", "an open-source LLM"),
        # no double space: the description's opening verb ends the title
        (
            "3) An Operating System for Memory in LLMs Introduces a unified operating system",
            "An Operating System for Memory in LLMs",
            "Introduces a unified operating system",
        ),
        # no bold, a spaced dash (early 2025 rows)
        (
            "1) VideoRAG - a framework that enhances RAG",
            "VideoRAG",
            "a framework that enhances RAG",
        ),
        # a link inside the title keeps its label
        ("1) **[Phi-3](https://x.org) Report** - a model", "Phi-3 Report", "a model"),
    ],
)
def test_a_row_s_title_and_description(row: str, title: str, description: str) -> None:
    head, rest = split_title(re.sub(r"^\d+\)\s*", "", row))
    assert " ".join(plain_text(head).split()).strip("*_ ") == title
    assert plain_text(rest).strip(" -") == description


def test_2025_highlights_are_description_not_title(digests: list[Digest]) -> None:
    entries = {e.title_en: e for e in _entries(digests)}
    mercury = entries["Ultra-Fast Diffusion-based Language Models"]
    assert mercury.intro_en is not None
    assert mercury.intro_en.startswith("This paper introduces Mercury")
    assert "<br>" not in mercury.intro_en and "●" in mercury.intro_en
    assert entries["RankZephyr"].intro_en.startswith("an open-source LLM")
