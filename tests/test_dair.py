"""The DAIR.AI reader on the bundled sample and on generated READMEs of 120 weeks."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from conftest import BUNDLED, DAIR_SAMPLE
from dairgen import DEFECTS, NEWEST, GeneratedReadme, generate, make_dair_readme

from kg.records import Digest, EntryKind, LinkKind, WeekSource
from kg.sources import detect, read_file

WEEKS = 120
SEEDS = (7, 11, 2024)


def _read(readme: GeneratedReadme, directory: Path, name: str = "README.md") -> list[Digest]:
    path = directory / name
    path.write_text(readme.text, encoding="utf-8")
    return read_file(path)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GeneratedReadme, list[Digest]]:
    readme = generate(WEEKS, seed=SEEDS[0])
    return readme, _read(readme, tmp_path_factory.mktemp("dair"))


# ------------------------------------------------------------------ the bundled sample


def test_sample_sections() -> None:
    digests = read_file(BUNDLED / DAIR_SAMPLE)
    assert [(d.section, d.week_start, d.week_end, d.week_source) for d in digests] == [
        (1, date(2024, 4, 22), date(2024, 4, 28), WeekSource.HEADER),
        (2, date(2023, 11, 20), date(2023, 11, 26), WeekSource.HEADER),
    ]
    assert all(d.layout == "dair" and d.language == "en" for d in digests)


def test_sample_year_of_a_section_without_one_comes_from_arxiv_ids() -> None:
    november = read_file(BUNDLED / DAIR_SAMPLE)[1]
    assert "2023" not in november.title
    assert november.week_start == date(2023, 11, 20)


def test_sample_entries() -> None:
    april, november = read_file(BUNDLED / DAIR_SAMPLE)
    rows = [
        (e.position, e.title_en, e.kind, e.arxiv_ids, e.status_ids)
        for d in (april, november)
        for e in d.entries
    ]
    assert rows == [
        (1, "Phi-3", EntryKind.PAPER, ("2404.14219",), ("1782780923806699716",)),
        (2, "OpenELM", EntryKind.PAPER, ("2404.14619",), ("1783480053847736713",)),
        (3, "FineWeb", EntryKind.PAPER, (), ("1781953413938557276",)),
        (1, "System 2 Attention", EntryKind.PAPER, ("2311.11829",), ("1726784511357157618",)),
        (2, "GPQA", EntryKind.PAPER, ("2311.12022",), ("1727033002234909060",)),
    ]
    gpqa = november.entries[1]
    assert gpqa.intro_en == (
        "a benchmark of 448 expert-written multiple-choice questions in biology, physics and "
        "chemistry; the strongest GPT-4 baseline reaches 39%."
    )
    assert gpqa.title_local is None and gpqa.intro_local is None


# ------------------------------------------------------------------ the generator itself


def test_generator_is_reproducible_and_consistent() -> None:
    text, rows = make_dair_readme(WEEKS, seed=SEEDS[0])
    readme = generate(WEEKS, seed=SEEDS[0])
    assert (text, rows) == (readme.text, readme.row_count)
    assert make_dair_readme(WEEKS, seed=SEEDS[1])[0] != text
    assert 9 * WEEKS <= rows <= 11 * WEEKS
    table_rows = [
        line
        for line in text.splitlines()
        if line.strip().startswith("|") and "**Paper**" not in line and "-----" not in line
    ]
    assert len(table_rows) == rows
    titles = [row.title for row in readme.rows()]
    assert len(set(titles)) == len(titles)
    ids = [row.arxiv_id for row in readme.rows() if row.arxiv_id]
    assert len(set(ids)) == len(ids)
    assert {row.defect for row in readme.rows()} >= set(DEFECTS)
    styles = {week.style for week in readme.weeks}
    assert styles == {"year", "year-new-year", "no-year", "no-year-new-year", "abbreviated"}


def test_generated_headings_look_like_upstream() -> None:
    readme = generate(WEEKS, seed=SEEDS[0])
    headings = {week.start: week.heading for week in readme.weeks}
    prefix = "Top ML Papers of the Week "
    assert headings[date(2024, 4, 22)] == prefix + "(April 22 - April 28) - 2024"
    assert headings[date(2023, 11, 20)] == prefix + "(November 20 - November 26)"
    assert headings[date(2024, 12, 30)] == prefix + "(December 30 - January 5) - 2025"
    assert headings[date(2023, 1, 30)] == prefix + "(Jan 30-Feb 5)"
    assert headings[date(2023, 2, 20)] == prefix + "(Feb 20-26)"
    assert headings[date(2022, 12, 26)] == prefix + "(December 26 - January 1)"
    toc = [line for line in readme.text.splitlines() if line.startswith("- [Top ML Papers")]
    assert len(toc) == WEEKS
    assert toc[0].startswith("- [Top ML Papers of the Week (January 27 - February 2)](./#")


# ------------------------------------------------------------------ generated READMEs


def test_generated_readme_is_detected(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    readme, _ = generated
    module = detect(readme.text)
    assert module is not None and module.NAME == "dair"


@pytest.mark.parametrize("seed", SEEDS)
def test_every_row_is_one_entry(seed: int, tmp_path: Path) -> None:
    text, rows = make_dair_readme(WEEKS, seed=seed)
    path = tmp_path / "README.md"
    path.write_text(text, encoding="utf-8")
    digests = read_file(path)
    assert len(digests) == WEEKS  # the table of contents adds no section
    assert sum(len(d.entries) for d in digests) == rows


def test_rows_map_to_entries_in_order(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    readme, digests = generated
    assert [d.title for d in digests] == [week.heading for week in readme.weeks]
    assert [d.section for d in digests] == list(range(1, WEEKS + 1))
    assert len({d.key for d in digests}) == WEEKS
    for week, digest in zip(readme.weeks, digests, strict=True):
        assert [e.title_en for e in digest.entries] == [row.title for row in week.rows]
        assert [e.position for e in digest.entries] == list(range(1, len(week.rows) + 1))


def test_newest_week_first(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    _, digests = generated
    starts = [d.week_start for d in digests]
    assert starts[0] == NEWEST
    assert starts[-1] == date(2022, 10, 17)


_STYLES = [
    "year",
    "no-year",
    "abbreviated",
    "no-year-new-year",
    pytest.param("year-new-year"),
]


@pytest.mark.parametrize("style", _STYLES)
def test_weeks_are_inferred(generated: tuple[GeneratedReadme, list[Digest]], style: str) -> None:
    readme, digests = generated
    pairs = [
        (week, digest)
        for week, digest in zip(readme.weeks, digests, strict=True)
        if week.style == style
    ]
    assert pairs, f"no week of style {style}"
    wrong = [
        (week.heading, digest.week_start, digest.week_end)
        for week, digest in pairs
        if (digest.week_start, digest.week_end) != (week.start, week.end)
    ]
    assert wrong == []
    assert all(digest.week_source is WeekSource.HEADER for _, digest in pairs)


def test_weeks_are_mondays_to_sundays(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    readme, digests = generated
    for week, digest in zip(readme.weeks, digests, strict=True):
        if week.style == "year-new-year":
            continue  # see test_weeks_are_inferred
        assert digest.week_start is not None and digest.week_end is not None
        assert digest.week_start.weekday() == 0
        assert (digest.week_end - digest.week_start).days == 6


@pytest.mark.parametrize("defect", [None, *DEFECTS])
def test_malformed_rows_still_give_an_entry(
    generated: tuple[GeneratedReadme, list[Digest]], defect: str | None
) -> None:
    readme, digests = generated
    pairs = [
        (row, entry)
        for week, digest in zip(readme.weeks, digests, strict=True)
        for row, entry in zip(week.rows, digest.entries, strict=True)
        if row.defect == defect
    ]
    assert pairs
    for row, entry in pairs:
        assert entry.title_en == row.title, row.line
        assert entry.arxiv_ids == ((row.arxiv_id,) if row.arxiv_id else ()), row.line
        assert entry.status_ids == ((row.status_id,) if row.status_id else ()), row.line
        assert entry.intro_en, row.line
        for leftover in ("**", "](", "|"):
            assert leftover not in entry.intro_en, row.line
        assert entry.intro_en.split(", ")[0].split()[-1] in row.title or defect == "script-title"


_KINDS = [
    pytest.param(defect, id=str(defect)) if defect != "github-paper" else pytest.param(defect)
    for defect in (None, *DEFECTS)
]


@pytest.mark.parametrize("defect", _KINDS)
def test_articles_and_papers(
    generated: tuple[GeneratedReadme, list[Digest]], defect: str | None
) -> None:
    readme, digests = generated
    kinds = [
        (row.kind, entry.kind.value)
        for week, digest in zip(readme.weeks, digests, strict=True)
        for row, entry in zip(week.rows, digest.entries, strict=True)
        if row.defect == defect
    ]
    assert kinds
    assert [got for _, got in kinds] == [want for want, _ in kinds]


def test_blog_rows_are_articles(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    readme, digests = generated
    articles = [e for d in digests for e in d.entries if e.kind is EntryKind.ARTICLE]
    blogs = [row for row in readme.rows() if row.defect == "blog"]
    assert {e.title_en for e in articles} >= {row.title for row in blogs}
    for entry in articles:
        labels = [link.label for link in entry.links]
        assert "Blog" in labels or "Paper" in labels


def test_description_links_are_not_the_papers_links(
    generated: tuple[GeneratedReadme, list[Digest]],
) -> None:
    readme, digests = generated
    entries = {e.title_en: e for d in digests for e in d.entries}
    rows = [row for row in readme.rows() if row.defect == "link-in-description"]
    assert rows
    for row in rows:
        entry = entries[row.title]
        assert entry.arxiv_ids == (row.arxiv_id,)
        assert "2005.11401" not in {link.arxiv_id for link in entry.links}
        assert entry.intro_en is not None
        assert entry.intro_en.startswith("builds on RAG and Toolformer;")


def test_hostile_titles_are_kept_verbatim(
    generated: tuple[GeneratedReadme, list[Digest]],
) -> None:
    readme, digests = generated
    titles = {e.title_en for d in digests for e in d.entries}
    rows = [row for row in readme.rows() if row.defect == "script-title"]
    assert rows
    for row in rows:
        assert row.title.startswith('<script>alert(1)</script> "')
        assert row.title in titles


def test_arxiv_versions_are_dropped(generated: tuple[GeneratedReadme, list[Digest]]) -> None:
    readme, digests = generated
    versioned = [row for row in readme.rows() if row.arxiv_id and f"{row.arxiv_id}v2)" in row.line]
    assert versioned
    entries = {e.title_en: e for d in digests for e in d.entries}
    for row in versioned:
        arxiv = [link for link in entries[row.title].links if link.kind is LinkKind.ARXIV]
        assert [(link.arxiv_id, link.url.endswith("v2")) for link in arxiv] == [
            (row.arxiv_id, True)
        ]


def test_the_checksum_is_the_files(
    generated: tuple[GeneratedReadme, list[Digest]], tmp_path: Path
) -> None:
    readme, _ = generated
    digests = _read(readme, tmp_path)
    expected = hashlib.sha256(readme.text.encode("utf-8")).hexdigest()
    assert {d.checksum for d in digests} == {expected}


@pytest.mark.parametrize(
    ("heading", "arxiv", "week"),
    [
        ("(April 22 - April 28) - 2024", "2404.10001", date(2024, 4, 22)),
        ("(April 22 - April 28) - 10000", "2404.10001", date(2024, 4, 22)),  # no year 1000
        ("(April 22 - April 28)", "2404.10001", date(2024, 4, 22)),  # the year of the ids
        ("(April 22 - April 28)", "9913.10001", None),  # month 13: no arXiv id, no year
    ],
)
def test_a_week_s_year_is_four_digits_or_the_year_of_its_arxiv_ids(
    tmp_path: Path, heading: str, arxiv: str, week: date | None
) -> None:
    path = tmp_path / "README.md"
    path.write_text(
        f"## Top ML Papers of the Week {heading}\n| **Paper** | **Links** |\n| --- | --- |\n"
        f"| 1) **Zorblax** - a model | [Paper](https://arxiv.org/abs/{arxiv}) |\n",
        encoding="utf-8",
    )
    (digest,) = read_file(path)
    assert digest.week_start == week
    (entry,) = digest.entries
    assert entry.arxiv_ids == ((arxiv,) if week else ())
