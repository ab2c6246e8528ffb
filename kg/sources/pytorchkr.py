"""The PyTorchKR Korean digest: a dated header, a trend summary, then bilingual entries.

Header: ``[2023/11/20 ~ 11/26] 이번 주의 주요 ML 논문 (Top ML Papers of the Week)``.
Variants: blank lines or none, ``-`` separator lines, the header repeated, article entries.
"""

from __future__ import annotations

import re
from datetime import date

from kg.errors import DigestError
from kg.records import Digest, WeekSource
from kg.sources.korean import parse_entries
from kg.sources.text import clean

__all__ = ["LANGUAGE", "NAME", "read", "sniff"]

NAME = "pytorchkr"
LANGUAGE = "ko"
_HEADER = re.compile(
    r"^\[(?P<y>\d{4})[/.-](?P<m>\d{1,2})[/.-](?P<d>\d{1,2})\s*~\s*"
    r"(?:(?P<y2>\d{4})[/.-])?(?P<m2>\d{1,2})[/.-](?P<d2>\d{1,2})\]\s*(?P<rest>.*)$"
)


def sniff(text: str) -> bool:
    head = [c for c in (clean(line) for line in text.splitlines()[:200]) if c][:5]
    return any(_HEADER.match(line) and "논문" in line for line in head)


def read(text: str, source: str, checksum: str) -> list[Digest]:
    lines = [c for c in (clean(line) for line in text.splitlines()) if c]
    header = next((m for m in map(_HEADER.match, lines[:5]) if m), None)
    if header is None:
        raise DigestError(source, "no dated header '[YYYY/MM/DD ~ MM/DD]'")
    try:
        start = date(int(header["y"]), int(header["m"]), int(header["d"]))
        end_year = int(header["y2"] or start.year)
        end = date(end_year, int(header["m2"]), int(header["d2"]))
        if end < start:
            end = date(end_year + 1, end.month, end.day)
    except ValueError as exc:
        raise DigestError(source, f"header date is not a date ({exc})") from None
    entries = tuple(parse_entries(lines, source))
    return [
        Digest(
            source=source,
            checksum=checksum,
            language=LANGUAGE,
            layout=NAME,
            title=lines[0],
            week_start=start,
            week_end=end,
            week_source=WeekSource.HEADER,
            entries=entries,
        )
    ]
