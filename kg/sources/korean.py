"""The entry grammar shared by the Korean digest layouts.

An entry is a title line ("한국어 제목 / English title", or one name alone) followed by marked
sections: 논문 소개 / 글 소개 (introduction; 글 marks an article), 논문 초록 (abstract),
논문 링크 / 글 링크 (paper link), 더 읽어보기 (read more: the tweet and other links).
The line 원문 ("original") ends the entries; what follows is a site footer. Both sites print
it after the last entry, so a file without it was cut short: its last entry may be incomplete
and is reported, never kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import DigestError
from kg.records import Entry, EntryKind, Link
from kg.sources.links import classify, find_urls
from kg.sources.text import clean, has_hangul, latin_name, split_bilingual

__all__ = ["END_MARKER", "parse_entries", "split_title"]

_INTRO = re.compile(r"^(논문|글)\s*소개\s*(?:\(.*\))?\s*:?$")
_ABSTRACT = re.compile(r"^논문\s*초록\s*(?:\(.*\))?\s*:?$")
_LINK = re.compile(r"^(?:논문|글)\s*링크\s*(?:\(.*\))?\s*:?$")
_MORE = re.compile(r"^더\s*읽어\s*보기\s*:?$")
END_MARKER = re.compile(r"^원문\s*:?$")
_SYLLABLE = re.compile(r"[\uac00-\ud7a3]")
_SEPARATOR = re.compile(r"^[-=_*\s]+$")


def _sections(block: list[str]) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {"intro": [], "abstract": [], "link": [], "more": []}
    current: str | None = None
    for line in block:
        if _INTRO.match(line):
            current = "intro"
        elif _ABSTRACT.match(line):
            current = "abstract"
        elif _LINK.match(line):
            current = "link"
        elif _MORE.match(line):
            current = "more"
        elif current and not _SEPARATOR.match(line):
            sections[current].append(line)
    return sections


def split_title(line: str) -> tuple[str, str] | None:
    """``한국어 제목 / English title`` as (local, English), or None for a line of one language.

    The English part is what follows the first ``/`` after the last Hangul syllable; it is
    found in one pass over the line (a pattern that backtracks took half a minute on a 64 KB
    line).
    """
    from_end = _SYLLABLE.search(line[::-1])  # the last syllable, found from the end
    if from_end is None:
        return None
    slash = line.find("/", len(line) - from_end.start())
    if slash < 0 or not line[slash + 1 :].strip():
        return None
    return line[:slash].rstrip(), line[slash + 1 :].strip()


def _titles(line: str, intro_en: str | None) -> tuple[str, str | None]:
    split = split_title(line)
    if split:
        return clean(split[1]), clean(split[0])
    if not has_hangul(line):
        return line, None
    english = latin_name(line) or (intro_en or line).split(";")[0].split(". ")[0][:120]
    return english, line


def _links(lines: list[str]) -> tuple[Link, ...]:
    return tuple(classify(url) for line in lines for url in find_urls(line))


def _starts(body: list[str]) -> list[int]:
    """Where entries start: the title line before each '논문 소개' line. A marker repeated on
    the next line belongs to the same entry (it is not a title)."""
    return [
        i - 1
        for i, line in enumerate(body)
        if i > 0 and _INTRO.match(line) and not _INTRO.match(body[i - 1])
    ]


def parse_entries(lines: list[str], source: str) -> Iterator[Entry]:
    """Yield the entries of a Korean digest, given its non-empty, cleaned lines."""
    end = next((i for i, line in enumerate(lines) if END_MARKER.match(line)), len(lines))
    body = lines[:end]
    starts = _starts(body)
    if not starts:
        raise DigestError(source, "no entries found (no '논문 소개' section)")
    if end == len(lines):
        last = body[starts[-1]][:60]
        raise DigestError(
            source,
            f"truncated: entry {len(starts)} ({last!r}) is not followed by the '원문' line "
            "that ends a digest",
        )
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(body)
        block = body[start + 1 : stop]
        sections = _sections(block)
        kind_word = _INTRO.match(block[0])
        kind = EntryKind.ARTICLE if kind_word and kind_word.group(1) == "글" else EntryKind.PAPER
        intro_local, intro_en = split_bilingual(sections["intro"])
        abstract_local, abstract_en = split_bilingual(sections["abstract"])
        title_en, title_local = _titles(body[start], intro_en)
        yield Entry(
            position=n + 1,
            title_en=title_en,
            title_local=title_local,
            kind=kind,
            intro_en=intro_en,
            intro_local=intro_local,
            abstract_en=abstract_en,
            abstract_local=abstract_local,
            links=_links(sections["link"] + sections["more"]),
        )
