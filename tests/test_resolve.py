"""Paper identity: entries from several digests and languages merge into one paper each, and two
different papers never merge."""

from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import BUNDLED, DAIR_SAMPLE, PYTORCHKR_2023, QA_JA

from kg.records import Digest, Entry, EntryKind, WeekSource
from kg.resolve import Paper, Resolution, normalise_title, resolve, slugify
from kg.sources import read_files
from kg.sources.links import classify

WEEK = date(2023, 11, 20)


def make_entry(
    position: int,
    title: str,
    *,
    arxiv: str | None = None,
    tweet: str | None = None,
    kind: EntryKind = EntryKind.PAPER,
    authors: tuple[str, ...] = (),
    abstract_local: str | None = None,
) -> Entry:
    urls = []
    if arxiv:
        urls.append(f"https://arxiv.org/abs/{arxiv}")
    if tweet:
        urls.append(f"https://x.com/omarsar0/status/{tweet}")
    return Entry(
        position=position,
        title_en=title,
        kind=kind,
        authors=authors,
        abstract_local=abstract_local,
        links=tuple(classify(url) for url in urls),
    )


def make_digest(
    layout: str, entries: list[Entry], *, week: date = WEEK, language: str = "en", section: int = 0
) -> Digest:
    checksum = hashlib.sha256(f"{layout} {week} {section} {len(entries)}".encode()).hexdigest()
    return Digest(
        source=f"{layout}-{week}.txt",
        checksum=checksum,
        language=language,
        layout=layout,
        title=f"{layout} {week}",
        week_start=week,
        week_end=week + timedelta(days=6),
        week_source=WeekSource.HEADER,
        entries=tuple(entries),
        section=section,
    )


def _titles(resolution: Resolution) -> list[list[str]]:
    return sorted(sorted(a.entry.title_en for a in p.appearances) for p in resolution.papers)


def _paper(resolution: Resolution, arxiv_id: str) -> Paper:
    found = [p for p in resolution.papers if p.arxiv_id == arxiv_id]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def bundled_resolution() -> Resolution:
    result = read_files([BUNDLED])
    assert result.errors == []
    return resolve(result.digests)


# ------------------------------------------------------------------ the bundled digests


def test_bundled_counts(bundled_resolution: Resolution) -> None:
    assert bundled_resolution.entries == 55
    assert len(bundled_resolution.papers) == 40
    assert bundled_resolution.merges == 15
    kinds = Counter(p.kind for p in bundled_resolution.papers)
    assert kinds == {EntryKind.PAPER: 39, EntryKind.ARTICLE: 1}
    assert len({p.slug for p in bundled_resolution.papers}) == 40


def test_every_entry_is_in_exactly_one_paper(bundled_resolution: Resolution) -> None:
    seen = Counter(
        (a.digest.key, a.entry.position) for p in bundled_resolution.papers for a in p.appearances
    )
    assert len(seen) == 55
    assert set(seen.values()) == {1}


def test_no_paper_holds_two_entries_of_one_digest(bundled_resolution: Resolution) -> None:
    for paper in bundled_resolution.papers:
        keys = [a.digest.key for a in paper.appearances]
        assert len(keys) == len(set(keys)), paper.title


def test_week_of_2023_11_20_gives_one_paper_each(bundled_resolution: Resolution) -> None:
    papers = [p for p in bundled_resolution.papers if p.week == WEEK]
    assert len(papers) == 10
    pairs = sorted(
        (
            next(a.entry.position for a in p.appearances if a.digest.layout == "pytorchkr"),
            next(a.entry.position for a in p.appearances if a.digest.layout == "qa-ja"),
        )
        for p in papers
    )
    # pytorchkr position -> qa-ja position, matched by hand from the two files
    assert pairs == [
        (1, 6),
        (2, 2),
        (3, 1),
        (4, 10),
        (5, 7),
        (6, 4),
        (7, 5),
        (8, 3),
        (9, 9),
        (10, 8),
    ]


@pytest.mark.parametrize(
    ("arxiv_id", "title", "layouts"),
    [
        (
            "2311.11829",
            "System 2 Attention (is something you might need too)",
            ["dair", "pytorchkr", "qa-ja"],
        ),
        (
            "2311.12022",
            "GPQA: A Graduate-Level Google-Proof Q&A Benchmark",
            ["dair", "pytorchkr", "qa-ja"],
        ),
        (
            "2311.11045",
            "Orca 2: Teaching Small Language Models How to Reason",
            ["pytorchkr", "qa-ja"],
        ),
        ("2311.12983", "GAIA: a benchmark for General AI Assistants", ["pytorchkr", "qa-ja"]),
        (
            "2404.14219",
            "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone",
            ["dair", "pytorchkr"],
        ),
        (
            "2401.15024",
            "SliceGPT: Compress Large Language Models by Deleting Rows and Columns",
            ["autotranslate"],
        ),
    ],
)
def test_papers_seen_in_several_digests(
    bundled_resolution: Resolution, arxiv_id: str, title: str, layouts: list[str]
) -> None:
    paper = _paper(bundled_resolution, arxiv_id)
    assert paper.slug == arxiv_id
    assert paper.title == title
    assert sorted(a.digest.layout for a in paper.appearances) == layouts
    assert len(paper.digests) == len(layouts)


def test_system_2_attention(bundled_resolution: Resolution) -> None:
    paper = _paper(bundled_resolution, "2311.11829")
    assert paper.authors == ("Jason Weston", "Sainbayar Sukhbaatar")
    assert paper.published == date(2023, 11, 20)
    assert paper.week == WEEK
    assert paper.status_ids == ("1726784511357157618",)
    assert {a.entry.title_en for a in paper.appearances} == {
        "System 2 Attention",
        "System 2 Attention (is something you might need too)",
    }


def test_mirasol_meets_its_japanese_blog_title(bundled_resolution: Resolution) -> None:
    found = [
        p
        for p in bundled_resolution.papers
        if any(
            a.entry.title_en == "Scaling multimodal understanding to long videos"
            for a in p.appearances
        )
    ]
    assert len(found) == 1
    paper = found[0]
    assert paper.title == (
        "Mirasol3B: A Multimodal Autoregressive model for time-aligned and contextual modalities"
    )
    assert paper.arxiv_id is None
    assert sorted((a.digest.layout, a.entry.position) for a in paper.appearances) == [
        ("pytorchkr", 4),
        ("qa-ja", 10),
    ]
    assert paper.authors == ("Anelia Angelova", "Isaac Noble")
    assert paper.published == date(2023, 11, 14)


def test_fineweb_meets_across_dair_and_korean(bundled_resolution: Resolution) -> None:
    found = [p for p in bundled_resolution.papers if p.title == "FineWeb"]
    assert len(found) == 1
    assert sorted(a.digest.layout for a in found[0].appearances) == ["dair", "pytorchkr"]
    assert found[0].slug == "fineweb"
    assert found[0].week == date(2024, 4, 22)


def test_aya_expanse_is_an_article(bundled_resolution: Resolution) -> None:
    found = [p for p in bundled_resolution.papers if p.kind is EntryKind.ARTICLE]
    assert [(p.title, p.slug, p.week) for p in found] == [
        ("Aya Expanse", "aya-expanse", date(2024, 10, 21))
    ]


def test_papers_are_sorted_by_week_then_slug(bundled_resolution: Resolution) -> None:
    keys = [(p.week or date.min, p.slug) for p in bundled_resolution.papers]
    assert keys == sorted(keys)


def test_a_digest_read_twice_adds_no_paper(tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-pytorchkr.txt"
    shutil.copy(BUNDLED / PYTORCHKR_2023, copy)
    result = read_files([BUNDLED, copy])
    assert len(resolve(result.digests).papers) == 40


# ------------------------------------------------------------------ short and long titles


def test_short_title_meets_long_title_in_the_same_week() -> None:
    dair = make_digest("dair", [make_entry(1, "Teaching Small LMs To Reason", arxiv="2311.11045")])
    korean = make_digest(
        "pytorchkr",
        [make_entry(1, "Orca 2: Teaching Small Language Models How to Reason")],
        language="ko",
    )
    resolution = resolve([dair, korean])
    assert len(resolution.papers) == 1
    paper = resolution.papers[0]
    assert paper.title == "Orca 2: Teaching Small Language Models How to Reason"
    assert paper.arxiv_id == "2311.11045"
    assert resolution.merges == 1


def test_short_title_does_not_meet_long_title_in_another_week() -> None:
    dair = make_digest("dair", [make_entry(1, "Teaching Small LMs To Reason")])
    korean = make_digest(
        "pytorchkr",
        [make_entry(1, "Orca 2: Teaching Small Language Models How to Reason")],
        week=WEEK + timedelta(weeks=1),
        language="ko",
    )
    assert len(resolve([dair, korean]).papers) == 2


def test_phi_3_meets_its_technical_report() -> None:
    long_title = "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone"
    week = date(2024, 4, 22)
    dair = make_digest("dair", [make_entry(1, "Phi-3", arxiv="2404.14219")], week=week)
    korean = make_digest("pytorchkr", [make_entry(1, long_title)], week=week, language="ko")
    resolution = resolve([dair, korean])
    assert [(p.title, p.arxiv_id, p.slug) for p in resolution.papers] == [
        (long_title, "2404.14219", "2404.14219")
    ]


def test_ambiguous_short_title_meets_nothing() -> None:
    # "Phi-3" names both long titles of the other digest: no guess is made
    dair = make_digest("dair", [make_entry(1, "Phi-3")])
    korean = make_digest(
        "pytorchkr",
        [
            make_entry(1, "Phi-3 Technical Report: A Highly Capable Language Model"),
            make_entry(2, "Phi-3 Safety Post-Training: Aligning Small Language Models"),
        ],
        language="ko",
    )
    assert len(resolve([dair, korean]).papers) == 3


def test_same_title_heads_meet() -> None:
    ja = make_digest(
        "qa-ja", [make_entry(1, "GAIA: a ベンチマーク for General AI Assistants")], language="ja"
    )
    korean = make_digest(
        "pytorchkr", [make_entry(1, "GAIA: a benchmark for General AI Assistants")], language="ko"
    )
    resolution = resolve([ja, korean])
    assert [p.title for p in resolution.papers] == ["GAIA: a benchmark for General AI Assistants"]


def test_abbreviations_and_punctuation_are_normalised() -> None:
    assert normalise_title("LLMs as Collaborators") == "large language models as collaborators"
    assert normalise_title("The Hitchhiker’s Guide") == normalise_title("The Hitchhiker's Guide")
    one = make_digest("dair", [make_entry(1, "Scaling LLMs: “A Survey”")], week=WEEK)
    two = make_digest(
        "pytorchkr",
        [make_entry(1, "Scaling Large Language Models: A Survey")],
        week=WEEK + timedelta(weeks=3),
    )
    assert len(resolve([one, two]).papers) == 1  # equal normalised titles meet in any week


def test_tweet_status_ids_join_entries() -> None:
    dair = make_digest("dair", [make_entry(1, "S2A", arxiv="2311.11829", tweet="1726784511")])
    korean = make_digest(
        "pytorchkr", [make_entry(1, "Rethinking Soft Attention", tweet="1726784511")]
    )
    resolution = resolve([dair, korean])
    assert len(resolution.papers) == 1
    assert resolution.papers[0].arxiv_id == "2311.11829"


def test_a_write_up_quoting_a_full_title_meets_it() -> None:
    korean = make_digest(
        "pytorchkr",
        [make_entry(1, "Mirasol3B: A Multimodal Autoregressive model for time-aligned modalities")],
    )
    blog = make_digest(
        "qa-ja",
        [
            make_entry(
                1,
                "Scaling multimodal understanding to long videos",
                abstract_local="「Mirasol3B: A Multimodal Autoregressive model for time-aligned "
                "modalities」を紹介します.",
            )
        ],
        language="ja",
    )
    assert len(resolve([korean, blog]).papers) == 1


# ------------------------------------------------------------------ never merge


def test_different_arxiv_ids_never_merge() -> None:
    one = make_digest("dair", [make_entry(1, "Scaling Laws Revisited", arxiv="2401.00001")])
    two = make_digest("pytorchkr", [make_entry(1, "Scaling Laws Revisited", arxiv="2401.00002")])
    resolution = resolve([one, two])
    assert sorted(p.arxiv_id or "" for p in resolution.papers) == ["2401.00001", "2401.00002"]


def test_different_arxiv_ids_never_merge_through_a_third_entry() -> None:
    one = make_digest("dair", [make_entry(1, "Mixture of Depths", arxiv="2404.02258")])
    two = make_digest("qa-ja", [make_entry(1, "Mixture of Depths", arxiv="2404.99999")])
    bridge = make_digest("pytorchkr", [make_entry(1, "Mixture of Depths")])
    resolution = resolve([one, two, bridge])
    assert len(resolution.papers) == 2
    for paper in resolution.papers:
        assert len({x for a in paper.appearances for x in a.entry.arxiv_ids}) == 1


def test_two_entries_of_one_digest_never_merge() -> None:
    digest = make_digest(
        "dair",
        [
            make_entry(1, "FineWeb", tweet="1781953413"),
            make_entry(2, "FineWeb", tweet="1781953414"),
        ],
    )
    resolution = resolve([digest])
    assert len(resolution.papers) == 2
    assert sorted(p.slug for p in resolution.papers) == ["fineweb-1781953413", "fineweb-1781953414"]


def test_same_arxiv_id_twice_in_one_digest_stays_two_entries() -> None:
    digest = make_digest(
        "dair", [make_entry(1, "One", arxiv="2401.00001"), make_entry(2, "Two", arxiv="2401.00001")]
    )
    resolution = resolve([digest])
    assert sorted(p.title for p in resolution.papers) == ["One", "Two"]


def _weeks_of_one_list(*weeks: list[Entry]) -> list[Digest]:
    """The weekly sections of one file (one checksum), a week apart."""
    sections = [
        make_digest("dair", entries, week=WEEK + timedelta(weeks=n), section=n + 1)
        for n, entries in enumerate(weeks)
    ]
    return [replace(d, checksum=sections[0].checksum) for d in sections]


def test_one_list_featuring_a_title_twice_without_a_shared_link_features_two_papers() -> None:
    first, follow_up = _weeks_of_one_list(
        [make_entry(1, "Emergent Misalignment", arxiv="2502.17424", tweet="1894436637")],
        [make_entry(3, "Emergent Misalignment", tweet="1935382830")],
    )
    translation = make_digest("pytorchkr", [make_entry(1, "Emergent Misalignment")])
    resolution = resolve([first, follow_up, translation])
    assert sorted(len(p.appearances) for p in resolution.papers) == [1, 2]
    assert sorted(p.status_ids for p in resolution.papers) == [("1894436637",), ("1935382830",)]


def test_two_lists_featuring_a_title_twice_pair_their_papers_in_order() -> None:
    """Each entry joins the first paper with its title that it may join: the translation of the
    follow-up is not left alone because the first paper already has an entry of its list."""
    first, follow_up = _weeks_of_one_list(
        [make_entry(1, "Emergent Misalignment")], [make_entry(2, "Emergent Misalignment")]
    )
    one, two = (
        make_digest("pytorchkr", [make_entry(1, "Emergent Misalignment")], week=week, section=n)
        for n, week in ((1, WEEK), (2, WEEK + timedelta(weeks=1)))
    )
    resolution = resolve([first, follow_up, replace(one), replace(two, checksum=one.checksum)])
    weeks = sorted(sorted(a.digest.week_start for a in p.appearances) for p in resolution.papers)
    assert weeks == [[WEEK, WEEK], [WEEK + timedelta(weeks=1)] * 2]


def test_one_list_featuring_a_paper_twice_by_its_arxiv_id_features_one_paper() -> None:
    resolution = resolve(
        _weeks_of_one_list(
            [make_entry(1, "MusicGen", arxiv="2306.05284", tweet="1667103478")],
            [make_entry(5, "MusicGen", arxiv="2306.05284", tweet="1723043913")],
        )
    )
    assert [p.status_ids for p in resolution.papers] == [("1667103478", "1723043913")]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            make_entry(1, "FineWeb", tweet="1781953413"),
            make_entry(2, "FineWeb", tweet="1781953413"),
        ),
        (make_entry(1, "One", arxiv="2401.00001"), make_entry(2, "Two", arxiv="2401.00001")),
        (make_entry(1, "Snowflake Arctic"), make_entry(2, "Snowflake Arctic")),
    ],
    ids=["same-tweet", "same-arxiv-no-tweet", "same-title-no-links"],
)
def test_papers_that_never_merge_get_distinct_slugs(first: Entry, second: Entry) -> None:
    resolution = resolve([make_digest("dair", [first, second])])
    assert len(resolution.papers) == 2
    assert len({p.slug for p in resolution.papers}) == 2


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("LLaVA", "LLaVA-Plus: Learning to Use Tools for Creating Multimodal Agents"),
        ("Llama 2", "Code Llama: Open Foundation Models for Code"),
        ("Mamba", "Vision Mamba: Efficient Visual Representation Learning"),
        ("Gemini 1.5", "Gemini: A Family of Highly Capable Multimodal Models"),
        ("Phi-3", "Phi-2: The Surprising Power of Small Language Models"),
        ("GPT-4", "GPT-4V in Wonderland: Large Multimodal Models for Zero-Shot Navigation"),
        ("Orca", "Orca 2: Teaching Small Language Models How to Reason"),
    ],
)
def test_similar_titles_in_one_week_stay_apart(short: str, long: str) -> None:
    dair = make_digest("dair", [make_entry(1, short)])
    korean = make_digest("pytorchkr", [make_entry(1, long)], language="ko")
    resolution = resolve([dair, korean])
    assert _titles(resolution) == sorted([[short], [long]])


def test_slugs() -> None:
    assert slugify("Phi-3 Technical Report") == "phi-3-technical-report"
    assert slugify("Tülu 2+DPO") == "tulu-2-plus-dpo"
    assert slugify("시스템 2 어텐션") == "2"
    assert slugify("어텐션") == "untitled"
    assert len(slugify("x" * 200)) == 80


def test_the_dair_sample_alone() -> None:
    result = read_files([BUNDLED / DAIR_SAMPLE, BUNDLED / QA_JA])
    resolution = resolve(result.digests)
    # 5 DAIR rows and 10 Japanese papers share System 2 Attention and GPQA
    assert resolution.entries == 15
    assert len(resolution.papers) == 13


def test_a_week_of_thousands_of_rows_is_resolved_without_comparing_every_pair() -> None:
    """Titles are matched through an index of their words: 6,000 rows of one week (about 20 s
    when compared pair by pair) resolve in well under 5 s and still merge what they should."""
    import time

    rows = [
        make_entry(i, f"Zorblax Model {i}: study {i % 13}", arxiv=f"2404.{10000 + i}")
        for i in range(6_000)
    ]
    english = make_digest("dair", rows, section=1)
    other = make_digest(
        "pytorchkr",
        [make_entry(1, "Zorblax Model 17"), make_entry(2, "Quux Net: a thing")],
        language="ko",
    )
    started = time.perf_counter()
    resolution = resolve([english, other])
    assert time.perf_counter() - started < 5.0
    assert len(resolution.papers) == 6_001
    assert [a.entry.title_en for a in _paper(resolution, "2404.10017").appearances] == [
        "Zorblax Model 17: study 4",
        "Zorblax Model 17",
    ]
