"""The digest readers on the real bundled digests: layouts, weeks, entries, titles, links, text."""

from __future__ import annotations

import os
import re
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import (
    AUTOTRANSLATE,
    BUNDLED,
    BUNDLED_FILES,
    DAIR_SAMPLE,
    PYTORCHKR_2023,
    PYTORCHKR_APRIL,
    PYTORCHKR_OCTOBER,
    QA_JA,
)

from kg.errors import DigestError, UnknownNameError
from kg.records import Digest, Entry, EntryKind, LinkKind, WeekSource
from kg.sources import READERS, detect, read_file, read_files, reader
from kg.sources.korean import split_title
from kg.sources.links import classify
from kg.sources.text import clean, has_hangul, iso_week, strip_unsafe

KOREAN_FILES = (PYTORCHKR_2023, PYTORCHKR_APRIL, PYTORCHKR_OCTOBER, AUTOTRANSLATE)

# file -> [(layout, language, entries, week start, week end, week source)], one per digest
DIGESTS: dict[str, list[tuple[str, str, int, date, date, WeekSource]]] = {
    PYTORCHKR_2023: [
        ("pytorchkr", "ko", 10, date(2023, 11, 20), date(2023, 11, 26), WeekSource.HEADER)
    ],
    PYTORCHKR_APRIL: [
        ("pytorchkr", "ko", 10, date(2024, 4, 22), date(2024, 4, 28), WeekSource.HEADER)
    ],
    PYTORCHKR_OCTOBER: [
        ("pytorchkr", "ko", 10, date(2024, 10, 21), date(2024, 10, 27), WeekSource.HEADER)
    ],
    AUTOTRANSLATE: [
        ("autotranslate", "ko", 10, date(2024, 1, 29), date(2024, 2, 4), WeekSource.URL)
    ],
    QA_JA: [("qa-ja", "ja", 10, date(2023, 11, 20), date(2023, 11, 26), WeekSource.ENTRIES)],
    DAIR_SAMPLE: [
        ("dair", "en", 3, date(2024, 4, 22), date(2024, 4, 28), WeekSource.HEADER),
        ("dair", "en", 2, date(2023, 11, 20), date(2023, 11, 26), WeekSource.HEADER),
    ],
}


def _entry(bundled: dict[str, list[Digest]], name: str, position: int, section: int = 0) -> Entry:
    entries = bundled[name][section].entries
    found = [e for e in entries if e.position == position]
    assert len(found) == 1, f"{name} has no single entry at position {position}"
    return found[0]


def _prose(entry: Entry) -> str:
    """Titles, introductions and abstracts, in both languages (not the Japanese Q&A)."""
    parts = (
        entry.title_en,
        entry.title_local,
        entry.intro_en,
        entry.intro_local,
        entry.abstract_en,
        entry.abstract_local,
    )
    return "\n".join(t for t in parts if t)


def test_every_bundled_file_is_listed() -> None:
    on_disk = sorted(p.name for p in BUNDLED.iterdir() if p.is_file())
    assert on_disk == sorted(BUNDLED_FILES)
    assert set(DIGESTS) == set(BUNDLED_FILES)


@pytest.mark.parametrize("name", BUNDLED_FILES)
def test_layout_is_detected(name: str) -> None:
    text = (BUNDLED / name).read_text(encoding="utf-8")
    module = detect(text)
    assert module is not None
    assert DIGESTS[name][0][0] == module.NAME


@pytest.mark.parametrize("name", BUNDLED_FILES)
def test_digest_weeks_and_counts(bundled: dict[str, list[Digest]], name: str) -> None:
    got = [
        (d.layout, d.language, len(d.entries), d.week_start, d.week_end, d.week_source)
        for d in bundled[name]
    ]
    assert got == DIGESTS[name]
    for digest in bundled[name]:
        assert digest.source == str(BUNDLED / name)
        assert re.fullmatch(r"[0-9a-f]{64}", digest.checksum)
        assert [e.position for e in digest.entries] == list(range(1, len(digest.entries) + 1))


def test_dair_sections_are_numbered(bundled: dict[str, list[Digest]]) -> None:
    digests = bundled[DAIR_SAMPLE]
    assert [d.section for d in digests] == [1, 2]
    assert [d.title for d in digests] == [
        "Top ML Papers of the Week (April 22 - April 28) - 2024",
        "Top ML Papers of the Week (November 20 - November 26)",
    ]
    assert len({d.key for d in digests}) == 2


@pytest.mark.parametrize(
    ("name", "position", "title_en", "title_local"),
    [
        (
            PYTORCHKR_2023,
            1,
            "System 2 Attention (is something you might need too)",
            "(여러분에게도 필요할 수 있는) 시스템 2 어텐션",
        ),
        (
            PYTORCHKR_2023,
            5,
            "Orca 2: Teaching Small Language Models How to Reason",
            "Orca 2: 작은 언어 모델에 추론하는 방법 가르치기",
        ),
        (
            PYTORCHKR_2023,
            10,
            "Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2",
            "변화하는 기후 속 낙타: Tulu 2로 LM 적응력 향상",
        ),
        (
            PYTORCHKR_APRIL,
            1,
            "Phi-3 Technical Report: A Highly Capable Language Model Locally on Your Phone",
            "Phi-3 기술 보고서: 휴대전화의 로컬에서 뛰어난 성능을 발휘하는 언어 모델",
        ),
        (PYTORCHKR_APRIL, 3, "Snowflake Arctic", None),
        (PYTORCHKR_APRIL, 5, "FineWeb", None),
        (PYTORCHKR_OCTOBER, 2, "Aya Expanse", "Aya Expanse 출시 소개"),
        (PYTORCHKR_OCTOBER, 7, "Granite 3.0 Technical Report", "Granite 3.0 기술 문서"),
        (
            AUTOTRANSLATE,
            3,
            "Corrective Retrieval Augmented Generation",
            "CRAG: 자가 수정 검색 증강 생성",
        ),
        (
            AUTOTRANSLATE,
            10,
            "SliceGPT: Compress Large Language Models by Deleting Rows and Columns",
            "SliceGPT: 행과 열을 삭제하여 대용량 언어 모델 압축하기",
        ),
        (QA_JA, 1, "PaSS: Parallel Speculative Sampling", None),
        (QA_JA, 10, "Scaling multimodal understanding to long videos", None),
    ],
)
def test_titles(
    bundled: dict[str, list[Digest]],
    name: str,
    position: int,
    title_en: str,
    title_local: str | None,
) -> None:
    entry = _entry(bundled, name, position)
    assert entry.title_en == title_en
    assert entry.title_local == title_local


def test_dair_titles(bundled: dict[str, list[Digest]]) -> None:
    titles = [[e.title_en for e in d.entries] for d in bundled[DAIR_SAMPLE]]
    assert titles == [["Phi-3", "OpenELM", "FineWeb"], ["System 2 Attention", "GPQA"]]
    phi = bundled[DAIR_SAMPLE][0].entries[0]
    assert phi.intro_en is not None
    assert phi.intro_en.startswith("a 3.8B-parameter model (phi-3-mini) trained on 3.3T tokens")
    assert "**" not in phi.intro_en and "](" not in phi.intro_en


@pytest.mark.parametrize(
    ("name", "articles"),
    [
        (PYTORCHKR_2023, []),
        (PYTORCHKR_APRIL, []),
        (PYTORCHKR_OCTOBER, [2]),
        (AUTOTRANSLATE, []),
        (QA_JA, []),
        (DAIR_SAMPLE, []),
    ],
)
def test_kinds(bundled: dict[str, list[Digest]], name: str, articles: list[int]) -> None:
    entries = [e for d in bundled[name] for e in d.entries]
    assert [e.position for e in entries if e.kind is EntryKind.ARTICLE] == articles
    assert sum(e.kind is EntryKind.PAPER for e in entries) == len(entries) - len(articles)


@pytest.mark.parametrize(
    ("name", "position", "arxiv_ids", "tweets"),
    [
        (AUTOTRANSLATE, 10, ("2401.15024",), [("_akhaliq", "1751796334531592496")]),
        (AUTOTRANSLATE, 1, ("2402.00838",), [("omarsar0", "1753080417530318872")]),
        (PYTORCHKR_2023, 1, (), [("jaseweston", "1726784511357157618")]),
        (PYTORCHKR_OCTOBER, 2, (), [("CohereForAI", "1849435983449587796")]),
        (QA_JA, 1, ("2311.13581",), []),
        (QA_JA, 7, ("2311.11045",), []),
        (QA_JA, 10, (), []),
    ],
)
def test_links(
    bundled: dict[str, list[Digest]],
    name: str,
    position: int,
    arxiv_ids: tuple[str, ...],
    tweets: list[tuple[str, str]],
) -> None:
    entry = _entry(bundled, name, position)
    assert entry.arxiv_ids == arxiv_ids
    got = [(link.account, link.status_id) for link in entry.links if link.kind is LinkKind.TWEET]
    assert got == tweets


def test_arxiv_versions_are_dropped_but_urls_kept(bundled: dict[str, list[Digest]]) -> None:
    slice_gpt = _entry(bundled, AUTOTRANSLATE, 10)
    arxiv = [link for link in slice_gpt.links if link.kind is LinkKind.ARXIV]
    assert [(link.url, link.arxiv_id) for link in arxiv] == [
        ("https://arxiv.org/abs/2401.15024v1", "2401.15024")
    ]
    code = [link for link in slice_gpt.links if link.kind is LinkKind.CODE]
    assert [(link.url, link.account) for link in code] == [
        ("https://github.com/microsoft/TransformerCompression", "microsoft")
    ]
    orca = _entry(bundled, QA_JA, 7)
    assert [link.url for link in orca.links] == ["http://arxiv.org/pdf/2311.11045v2"]


def test_dair_links(bundled: dict[str, list[Digest]]) -> None:
    april, november = bundled[DAIR_SAMPLE]
    assert [e.arxiv_ids for e in april.entries] == [("2404.14219",), ("2404.14619",), ()]
    fineweb = april.entries[2]
    assert [(link.kind, link.label) for link in fineweb.links] == [
        (LinkKind.PAPER, "Paper"),
        (LinkKind.TWEET, "Tweet"),
    ]
    attention = november.entries[0]
    assert attention.arxiv_ids == ("2311.11829",)
    # the tweet URL carries a '?s=20' query: the status id is the bare number
    assert attention.status_ids == ("1726784511357157618",)


def test_links_outside_link_sections_are_not_kept(bundled: dict[str, list[Digest]]) -> None:
    for name in KOREAN_FILES:
        for entry in bundled[name][0].entries:
            urls = [link.url for link in entry.links]
            assert not any("discuss.pytorch.kr" in u or "elvissaravia" in u for u in urls), name


@pytest.mark.parametrize(
    ("position", "authors", "published", "categories"),
    [
        (
            1,
            ("Giovanni Monea", "Armand Joulin", "Edouard Grave"),
            date(2023, 11, 22),
            ("Computation and Language",),
        ),
        (
            6,
            ("Jason Weston", "Sainbayar Sukhbaatar"),
            date(2023, 11, 20),
            ("Computation and Language", "Artificial Intelligence", "Machine Learning"),
        ),
        (10, ("Anelia Angelova", "Isaac Noble"), date(2023, 11, 14), ()),
    ],
)
def test_japanese_metadata(
    bundled: dict[str, list[Digest]],
    position: int,
    authors: tuple[str, ...],
    published: date,
    categories: tuple[str, ...],
) -> None:
    entry = _entry(bundled, QA_JA, position)
    assert entry.authors == authors
    assert entry.published == published
    assert entry.categories == categories


def test_japanese_orca_authors(bundled: dict[str, list[Digest]]) -> None:
    orca = _entry(bundled, QA_JA, 7)
    assert len(orca.authors) == 15
    assert orca.authors[0] == "Arindam Mitra"
    assert orca.authors[-1] == "Ahmed Awadallah"
    assert "Luciano Del Corro" in orca.authors


def test_japanese_text(bundled: dict[str, list[Digest]]) -> None:
    entries = bundled[QA_JA][0].entries
    pass_entry = entries[0]
    assert pass_entry.intro_local is not None
    assert pass_entry.intro_local.startswith("数百億のパラメータを持つ言語モデルの生成において")
    # the index line glues the next paper's title after ' - ': it must be cut off
    assert "Advancing Transformer" not in pass_entry.intro_local
    assert pass_entry.abstract_local is not None
    assert pass_entry.abstract_local.startswith("言語モデルのサイズを数百億のパラメータに")
    for entry in entries:
        assert entry.intro_en is None and entry.abstract_en is None
        assert entry.abstract_local and entry.intro_local


def _long_english_run(text: str) -> int:
    """The longest run of consecutive Latin-script words (an English sentence glued in)."""
    runs = re.findall(r"(?:[A-Za-z][\w,.;:()'\-%]*\s+)+[A-Za-z][\w\-]*", text)
    return max((len(run.split()) for run in runs), default=0)


_BILINGUAL = [
    pytest.param(
        name,
        position,
        id=f"{name.split('.')[0]}-{position}",
    )
    for name in KOREAN_FILES
    for position in range(1, 11)
]


@pytest.mark.parametrize(("name", "position"), _BILINGUAL)
def test_english_and_korean_kept_apart(
    bundled: dict[str, list[Digest]], name: str, position: int
) -> None:
    entry = _entry(bundled, name, position)
    assert entry.intro_local and has_hangul(entry.intro_local)
    assert entry.intro_en and not has_hangul(entry.intro_en)
    assert not entry.abstract_en or not has_hangul(entry.abstract_en)
    if entry.abstract_local:
        assert has_hangul(entry.abstract_local)
        assert entry.abstract_en, "a Korean abstract comes with its English original"
    for local in (entry.intro_local, entry.abstract_local):
        assert _long_english_run(local or "") < 30


@pytest.mark.parametrize(
    ("name", "position", "intro_en", "intro_local_end"),
    [
        (
            PYTORCHKR_2023,
            1,
            "Leverages the reasoning and instruction following capabilities of llms to decide "
            "what to attend to;",
            "표준 어텐션 기반 LLM보다 우수한 성능을 발휘합니다.",
        ),
        (
            AUTOTRANSLATE,
            1,
            "Introduces open language model (olmo), a 7b parameter model;",
            "이보다 작은 버전인 olmo 1b도 있습니다.",
        ),
        (
            PYTORCHKR_OCTOBER,
            2,
            "A family of open-weight foundation models for multilingual capabilities;",
            "Llama 3.1 70B보다 성능이 뛰어납니다.",
        ),
    ],
)
def test_intro_text(
    bundled: dict[str, list[Digest]],
    name: str,
    position: int,
    intro_en: str,
    intro_local_end: str,
) -> None:
    entry = _entry(bundled, name, position)
    assert entry.intro_en is not None and entry.intro_en.startswith(intro_en)
    assert entry.intro_local is not None and entry.intro_local.endswith(intro_local_end)


def test_english_abstract_glued_after_a_sentence_is_split(
    bundled: dict[str, list[Digest]],
) -> None:
    olmo = _entry(bundled, AUTOTRANSLATE, 1)
    assert olmo.abstract_en is not None
    assert olmo.abstract_en.startswith("Language models (LMs) have become ubiquitous")
    assert olmo.abstract_local is not None and "ubiquitous" not in olmo.abstract_local


def test_slicegpt_english_abstract_is_split(bundled: dict[str, list[Digest]]) -> None:
    slice_gpt = _entry(bundled, AUTOTRANSLATE, 10)
    assert slice_gpt.abstract_en is not None
    assert slice_gpt.abstract_en.startswith("Large language models have become the cornerstone")
    assert slice_gpt.abstract_local is not None
    assert "Sparsification provides" not in slice_gpt.abstract_local


FOOTER_MARKERS = (
    "ITFIND",  # autotranslate: the blog's unrelated list
    "메일진",
    "파이토치 한국 사용자 모임",  # pytorchkr footers
    "좋아요",
    "재밌게 읽었습니다",
    "이번 주에 선정된 논문들은",  # trend summaries
    "이번 주에 제출된 논문들을",
    "이 글은 GPT 모델로",
    "Q: ",  # the Japanese Q&A pairs
)


@pytest.mark.parametrize("name", BUNDLED_FILES)
def test_footers_and_summaries_are_not_entries(bundled: dict[str, list[Digest]], name: str) -> None:
    for digest in bundled[name]:
        for entry in digest.entries:
            text = _prose(entry)
            found = [marker for marker in FOOTER_MARKERS if marker in text]
            assert found == [], f"{name} entry {entry.position}: {found}"
            assert entry.title_en not in ("소개", "원문", "개요", "PyTorchKR")


def test_japanese_qa_is_kept_apart(bundled: dict[str, list[Digest]]) -> None:
    raw = (BUNDLED / QA_JA).read_text(encoding="utf-8")
    first_answer = re.search(r"^A: (.{20})", raw, re.M)
    assert first_answer is not None
    entries = bundled[QA_JA][0].entries
    assert first_answer.group(1) in (entries[0].qa_local or "")
    for entry in entries:
        assert entry.qa_local is not None and entry.qa_local.startswith("Q: ")
        assert first_answer.group(1) not in _prose(entry)
        assert "Q: " not in _prose(entry)


# ------------------------------------------------------------------ forcing and naming layouts


def test_format_forces_the_reader(tmp_path: Path) -> None:
    # a PyTorchKR digest that also quotes the original's dated URL: both readers can read it;
    # detection picks pytorchkr (week from the header), --format autotranslate takes the URL
    path = tmp_path / "both.txt"
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    url = "https://discuss.pytorch.kr/t/2023-11-20-11-26-ml-top-ml-papers-of-the-week/2853"
    path.write_text(f"{text}\n{url}\n", encoding="utf-8")
    detected = read_file(path)
    forced = read_file(path, layout="autotranslate")
    assert [(d.layout, d.week_source) for d in detected] == [("pytorchkr", WeekSource.HEADER)]
    assert [(d.layout, d.week_source) for d in forced] == [("autotranslate", WeekSource.URL)]
    assert forced[0].week_start == detected[0].week_start == date(2023, 11, 20)
    assert forced[0].week_end == date(2023, 11, 26)
    assert [e.title_en for e in forced[0].entries] == [e.title_en for e in detected[0].entries]


def test_format_of_the_detected_reader_changes_nothing() -> None:
    forced = read_file(BUNDLED / QA_JA, layout="qa-ja")
    assert forced == read_file(BUNDLED / QA_JA)


def test_leading_blank_lines_do_not_hide_the_header(tmp_path: Path) -> None:
    path = tmp_path / "blank-lines.txt"
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    path.write_text("\n\n\n\n\n" + text, encoding="utf-8")
    assert len(read_file(path, layout="pytorchkr")[0].entries) == 10  # readable when forced
    assert [d.layout for d in read_file(path)] == ["pytorchkr"]


@pytest.mark.parametrize(
    ("name", "layout", "reason"),
    [
        (PYTORCHKR_2023, "dair", "no 'Top ML Papers of the Week' section"),
        (DAIR_SAMPLE, "pytorchkr", "no dated header"),
        (PYTORCHKR_2023, "autotranslate", "no dated 'top-ml-papers-of-the-week' URL"),
        (DAIR_SAMPLE, "qa-ja", "no paper blocks"),
    ],
)
def test_forcing_the_wrong_reader_is_a_digest_error(name: str, layout: str, reason: str) -> None:
    with pytest.raises(DigestError) as caught:
        read_file(BUNDLED / name, layout=layout)
    assert caught.value.path == str(BUNDLED / name)
    assert reason in caught.value.reason


def test_forced_layout_applies_to_every_file() -> None:
    result = read_files([BUNDLED / PYTORCHKR_2023, BUNDLED / PYTORCHKR_APRIL], layout="pytorchkr")
    assert result.errors == []
    assert [d.week_start for d in result.digests] == [date(2023, 11, 20), date(2024, 4, 22)]


@pytest.mark.parametrize("name", ["nope", "DAIR", "qa_ja", ""])
def test_unknown_layout_name(name: str) -> None:
    with pytest.raises(UnknownNameError) as caught:
        reader(name)
    message = str(caught.value)
    assert caught.value.name == name
    assert message == (
        f"unknown digest format {name!r}; known: autotranslate, dair, pytorchkr, qa-ja"
    )


def test_unknown_layout_name_via_read_file() -> None:
    with pytest.raises(UnknownNameError, match="known: autotranslate, dair, pytorchkr, qa-ja"):
        read_file(BUNDLED / DAIR_SAMPLE, layout="markdown")


def test_registry() -> None:
    assert sorted(READERS) == ["autotranslate", "dair", "pytorchkr", "qa-ja"]
    for name, module in READERS.items():
        assert name == module.NAME
        assert module.LANGUAGE in {"ko", "ja", "en"}
        assert reader(name) is module


def test_read_files_walks_directories() -> None:
    result = read_files([BUNDLED])
    assert result.files == 6
    assert result.errors == []
    assert len(result.digests) == 7
    assert sum(len(d.entries) for d in result.digests) == 55
    assert sorted({Path(d.source).name for d in result.digests}) == sorted(BUNDLED_FILES)


# ------------------------------------------------------------------ folders


def test_folder_suffixes_are_matched_in_any_case(tmp_path: Path) -> None:
    for name, target in (("A.MD", DAIR_SAMPLE), ("b.Txt", QA_JA), ("c.Markdown", DAIR_SAMPLE)):
        (tmp_path / name).write_bytes((BUNDLED / target).read_bytes())
    result = read_files([tmp_path])
    assert result.files == 3 and result.errors == [] and result.skipped == []
    assert [Path(d.source).name for d in result.digests] == ["A.MD", "A.MD", "b.Txt"] + [
        "c.Markdown"
    ] * 2


def test_what_a_folder_holds_besides_digests_is_named(tmp_path: Path) -> None:
    (tmp_path / "digest.md").write_bytes((BUNDLED / DAIR_SAMPLE).read_bytes())
    (tmp_path / "README").write_text("notes", encoding="utf-8")
    (tmp_path / "paper.pdf").write_bytes(b"%PDF")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text("ref", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "more.md").write_bytes((BUNDLED / DAIR_SAMPLE).read_bytes())
    (tmp_path / "linked").symlink_to(tmp_path / "sub")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.md")
    result = read_files([tmp_path])
    assert result.files == 2 and result.errors == []
    assert len(result.digests) == 4
    skipped = {Path(e.path).name: e.reason for e in result.skipped}
    expected = {
        ".git": "hidden folder, not searched",
        "README": "not a digest file name (no suffix; digests end in .md, .markdown or .txt)",
        "linked": "link to a folder, not followed",
        "paper.pdf": "not a digest file name (suffix '.pdf'; digests end in .md, .markdown "
        "or .txt)",
    }
    if hasattr(os, "mkfifo"):
        expected["pipe.md"] = "not a regular file (a FIFO)"
    assert skipped == expected
    assert all(str(e) == f"{e.path}: {e.reason}" for e in result.skipped)


def test_a_folder_of_no_digests_reads_nothing_and_says_why(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK")
    result = read_files([tmp_path])
    assert (result.digests, result.errors, result.files) == ([], [], 0)
    assert [Path(e.path).name for e in result.skipped] == ["notes.docx"]


def test_an_unreadable_sub_folder_is_named_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "hidden.md").write_bytes((BUNDLED / DAIR_SAMPLE).read_bytes())
    (tmp_path / "open.md").write_bytes((BUNDLED / DAIR_SAMPLE).read_bytes())
    real_scandir = os.scandir

    def scandir(path: Path) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = read_files([tmp_path])
    assert result.files == 1 and len(result.digests) == 2
    assert [(e.path, e.reason) for e in result.skipped] == [
        (str(locked), "folder cannot be read (Permission denied)")
    ]


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads all")
def test_an_unreadable_sub_folder_on_disk(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        result = read_files([tmp_path])
    finally:
        locked.chmod(0o755)
    assert [e.reason for e in result.skipped] == ["folder cannot be read (Permission denied)"]


# ------------------------------------------------------------------ untrusted text


@pytest.mark.parametrize(
    ("line", "split"),
    [
        ("시스템 2 어텐션 / System 2 Attention", ("시스템 2 어텐션", "System 2 Attention")),
        ("Orca 2: 가르치기/Orca 2: Teaching", ("Orca 2: 가르치기", "Orca 2: Teaching")),
        ("가 / b / c", ("가", "b / c")),  # the first '/' after the last Hangul
        ("a / 가 / b", ("a / 가", "b")),
        ("가 /   ", None),
        ("가 / 나", None),
        ("Snowflake Arctic", None),
        ("가나다", None),
    ],
)
def test_korean_title_split(line: str, split: tuple[str, str] | None) -> None:
    assert split_title(line) == split


@pytest.mark.parametrize("size", [64 * 1024, 1024 * 1024])
@pytest.mark.parametrize("unit", ["가", "가/", "가a", "가 /"])
def test_korean_title_split_is_linear(size: int, unit: str) -> None:
    line = unit * (size // len(unit))
    started = time.perf_counter()
    split_title(line)
    assert time.perf_counter() - started < 0.5


def test_strip_unsafe_keeps_lines_and_drops_controls() -> None:
    text = "a\u202eb\u2066c\u2069\u200e\u200f\x1b[0m\x00d\te\r\nf\x0cg\u2028h\x85i"
    assert strip_unsafe(text) == "abc[0md\te\r\nf g h i"
    assert clean(" x\u202d y \u061c") == "x y"


def test_iso_week_at_the_end_of_time() -> None:
    assert iso_week(date.max) == (date(9999, 12, 27), date.max)
    assert iso_week(date.min) == (date.min, date(1, 1, 7))


@pytest.mark.parametrize(
    "url", ["https://[...", "http://[::1", "https://x.com:port/a/status/123456"]
)
def test_unparsable_urls_are_other_links(url: str) -> None:
    link = classify(url, "Paper")
    assert link.kind is LinkKind.OTHER and link.label == "Paper"
