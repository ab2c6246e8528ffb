"""Text helpers shared by the readers: cleaning, script detection, bilingual splitting."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

__all__ = [
    "clean",
    "has_cjk",
    "has_hangul",
    "iso_week",
    "latin_name",
    "split_bilingual",
    "strip_bullet",
    "strip_unsafe",
]

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_CJK = re.compile(r"[\uac00-\ud7a3\u3040-\u30ff\u4e00-\u9fff]")
# bidirectional marks, embeddings, overrides and isolates: they reorder what a reader sees
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff{_BIDI}]")
# what `strip_unsafe` keeps of a whole file: tabs and line breaks; the other characters Python
# splits lines at are no line breaks in Markdown and become spaces; other controls and bidi
# characters go
_LINE_BREAKS = re.compile(r"[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_UNSAFE = re.compile(rf"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f{_BIDI}]")
_BLANKS = re.compile(r"[ \t\u00a0\u3000]+")
_BULLET = re.compile(r"^\s*(?:[•\-*·▪●◦]\s+|[•·▪●◦])")
_SENTENCE_END = re.compile(r"^[^A-Za-z]*?[.!?。]\s*")
_GLUED = re.compile(r"^(?=[A-Z][a-z]+(?: [a-z]+){3})")  # "...있습니다Large language models have"
_LATIN_RUN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-+&' ]*[A-Za-z0-9+]")


_TEX_UMLAUT = re.compile(r'\\["”]\{?([AEIOUaeiouy])\}?')  # T\"ULU, T\”ULU from a PDF's LaTeX


def clean(text: str) -> str:
    """NFC-normalise, drop control and zero-width characters, mend LaTeX umlauts copied from a
    PDF (T\\"ULU -> TÜLU), fold runs of spaces."""
    text = _TEX_UMLAUT.sub(lambda m: m[1] + "\u0308", text)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    return _BLANKS.sub(" ", text).strip()


def strip_unsafe(text: str) -> str:
    """A whole file's text without control and bidirectional-override characters.

    Line structure is kept: tabs, ``\\n`` and ``\\r`` (Markdown's line endings) stay, and the
    other characters ``str.splitlines`` splits at (form feed, vertical tab, NEL, U+2028/U+2029,
    the file, group and record separators) become spaces: in Markdown they end no line, and as
    line breaks they would cut a table row or a title in two. Zero-width characters are left
    to `clean`, which works line by line.
    """
    return _UNSAFE.sub("", _LINE_BREAKS.sub(" ", text))


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def strip_bullet(line: str) -> str:
    return _BULLET.sub("", line, count=1).strip()


def split_bilingual(lines: list[str]) -> tuple[str | None, str | None]:
    """Split paragraphs into (local, English) text.

    A paragraph with Hangul is local text; an English sentence glued to its end after the last
    Hangul sentence ("...입니다.A comprehensive survey...") is cut off and kept as English.
    """
    local: list[str] = []
    english: list[str] = []
    for raw in lines:
        line = strip_bullet(clean(raw))
        if not line:
            continue
        if not has_hangul(line):
            english.append(line)
            continue
        last = max(m.end() for m in _HANGUL.finditer(line))
        tail = line[last:]
        stop = _SENTENCE_END.match(tail) or _GLUED.match(tail)
        if stop and len(tail) - stop.end() >= 20 and re.match(r"[A-Za-z]", tail[stop.end() :]):
            local.append(line[: last + stop.end()].strip())
            english.append(tail[stop.end() :].strip())
        else:
            local.append(line)
    return (" ".join(local) or None, " ".join(english) or None)


def latin_name(text: str) -> str | None:
    """The longest Latin-script run in a local title ("Aya Expanse 출시 소개" -> "Aya Expanse")."""
    runs = [m.group(0).strip() for m in _LATIN_RUN.finditer(text)]
    runs = [r for r in runs if len(r) >= 3 and re.search(r"[A-Za-z]", r)]
    return max(runs, key=len) if runs else None


def iso_week(day: date) -> tuple[date, date]:
    """The Monday-to-Sunday week containing a day."""
    start = day - timedelta(days=day.weekday())  # 0001-01-01 is a Monday: never below date.min
    return start, start + timedelta(days=6) if start <= date.max - timedelta(days=6) else date.max
