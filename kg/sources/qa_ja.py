"""The Japanese Q&A digest: an index of the week's papers, then one block per paper.

A block is an English title, ``著者:`` authors, ``発行日:`` published, ``最終更新日:`` updated,
``URL:``, ``カテゴリ:`` categories, ``概要:`` a Japanese abstract and ``Q&A:`` pairs
(kept as evidence).
The file has no date of its own: the week is the one holding the latest publication date.

A file cut short is told by its layout: the index names every paper, so fewer blocks than
index lines is a cut; a block without ``URL:`` or ``Q&A:``, a last question without its
answer, or a last answer that stops mid-sentence is a cut in the last block.
"""

from __future__ import annotations

import re
from datetime import date

from kg.errors import DigestError
from kg.records import Digest, Entry, EntryKind, WeekSource
from kg.sources.links import classify, find_urls
from kg.sources.text import clean, iso_week

__all__ = ["LANGUAGE", "NAME", "read", "sniff"]

NAME = "qa-ja"
LANGUAGE = "ja"
_FIELD = re.compile(r"^(著者|発行日|最終更新日|URL|カテゴリ|概要|Q&A)\s*[:：]\s*(.*)$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_UNKNOWN = {"", "不明", "なし", "-"}
_QUESTION = re.compile(r"^Q\s*[:：]")
_ANSWER = re.compile(r"^A\s*[:：]")
_SENTENCE_END = tuple(".。!?！？)）」』]")


def sniff(text: str) -> bool:
    head = text[:20000]
    return "著者:" in head and "発行日:" in head and "Q&A:" in head


def _date(value: str) -> date | None:
    match = _DATE.search(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _index_summaries(lines: list[str]) -> list[str]:
    """The one-line Japanese summaries of the index, in order ('- Title / 発行日: / summary')."""
    summaries: list[str] = []
    for i in range(len(lines) - 2):
        if lines[i + 1].startswith("発行日") and not lines[i + 2].startswith(
            ("著者", "最終更新日")
        ):
            summary = lines[i + 2]
            if i + 3 < len(lines) and lines[i + 3].startswith("発行日"):
                summary = summary.rsplit(" - ", 1)[0]
            summaries.append(summary.strip())
    return summaries


def _fields(block: list[str]) -> dict[str, list[str]]:
    """The lines of a paper block by field name (a field runs until the next one)."""
    fields: dict[str, list[str]] = {}
    current = None
    for line in block:
        match = _FIELD.match(line)
        if match:
            current = match[1]
            fields.setdefault(current, []).append(match[2])
        elif current:
            fields[current].append(line)
    return fields


def _cut_in_last_answer(qa: list[str]) -> str | None:
    """Why the Q&A of the file's last block looks cut short, or None if it looks whole."""
    marked = [line for line in qa if _QUESTION.match(line) or _ANSWER.match(line)]
    if not marked or not _ANSWER.match(marked[-1]):
        return "its last question has no answer"
    if not qa[-1].endswith(_SENTENCE_END):
        return "its last answer stops mid-sentence"
    return None


def _check_whole(source: str, n: int, title: str, fields: dict[str, list[str]], last: bool) -> None:
    missing = [name for name in ("URL", "Q&A") if name not in fields]
    reason = f"it has no {' or '.join(missing)} field" if missing else None
    if last and reason is None:
        reason = _cut_in_last_answer(fields["Q&A"])
    if reason:
        raise DigestError(source, f"truncated: entry {n} ({title[:60]!r}) is incomplete: {reason}")


def read(text: str, source: str, checksum: str) -> list[Digest]:
    lines = [c for c in (clean(line) for line in text.splitlines()) if c]
    starts = [i - 1 for i, line in enumerate(lines) if line.startswith("著者") and i > 0]
    if not starts:
        raise DigestError(source, "no paper blocks ('著者:' lines) found")
    summaries = _index_summaries(lines[: starts[0]])
    if len(summaries) > len(starts):
        raise DigestError(
            source,
            f"truncated: the index lists {len(summaries)} papers, the file holds "
            f"{len(starts)} of them",
        )
    entries: list[Entry] = []
    for n, start in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        fields = _fields(lines[start + 1 : stop])
        _check_whole(source, n + 1, lines[start], fields, last=n + 1 == len(starts))
        authors = ",".join(fields.get("著者", []))
        categories = ",".join(fields.get("カテゴリ", []))
        urls = find_urls(" ".join(fields.get("URL", [])))
        abstract = " ".join(fields.get("概要", [])).strip()
        entries.append(
            Entry(
                position=n + 1,
                title_en=lines[start],
                kind=EntryKind.PAPER,
                intro_local=summaries[n] if len(summaries) == len(starts) else None,
                abstract_local=abstract or None,
                authors=tuple(a.strip() for a in authors.split(",") if a.strip() not in _UNKNOWN),
                published=_date(" ".join(fields.get("発行日", []))),
                categories=tuple(
                    c.strip() for c in categories.split(",") if c.strip() not in _UNKNOWN
                ),
                links=tuple(classify(url) for url in urls),
                qa_local=" ".join(fields.get("Q&A", [])).strip() or None,
            )
        )
    dates = [e.published for e in entries if e.published]
    week = iso_week(max(dates)) if dates else (None, None)
    return [
        Digest(
            source=source,
            checksum=checksum,
            language=LANGUAGE,
            layout=NAME,
            title="Top ML Papers of the Week: Q&A",
            week_start=week[0],
            week_end=week[1],
            week_source=WeekSource.ENTRIES if dates else None,
            entries=tuple(entries),
        )
    ]
