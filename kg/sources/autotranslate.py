"""The auto-translated Korean digest: no dated header; the week is in the original's URL.

Paragraphs start with ``- ``, the English introduction is glued to the Korean one, and the
file ends with the original's URLs (``.../2024-01-29-02-04-ml-top-ml-papers-of-the-week/...``)
and an unrelated blog footer.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from kg.errors import DigestError
from kg.records import Digest, WeekSource
from kg.sources.korean import END_MARKER, parse_entries
from kg.sources.links import find_urls
from kg.sources.text import clean

__all__ = ["LANGUAGE", "NAME", "read", "sniff"]

NAME = "autotranslate"
LANGUAGE = "ko"
_WEEK_URL = re.compile(
    r"/(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<m2>\d{2})-(?P<d2>\d{2})-[^/]*top-ml-papers"
)


def sniff(text: str) -> bool:
    composed = unicodedata.normalize("NFC", text)
    if "논문" not in composed or "원문" not in composed:  # the cheap test first
        return False
    lines = [clean(line) for line in text.splitlines()]
    return (
        any(line.startswith("논문 소개") for line in lines)
        and any(END_MARKER.match(line) for line in lines)
        and any(_WEEK_URL.search(url) for url in find_urls(text))
    )


def read(text: str, source: str, checksum: str) -> list[Digest]:
    lines = [c for c in (clean(line) for line in text.splitlines()) if c]
    week = next((m for m in map(_WEEK_URL.search, find_urls(text)) if m), None)
    if week is None:
        raise DigestError(source, "no dated 'top-ml-papers-of-the-week' URL to take the week from")
    try:
        start = date(int(week["y"]), int(week["m"]), int(week["d"]))
        end = date(start.year, int(week["m2"]), int(week["d2"]))
        if end < start:
            end = date(start.year + 1, end.month, end.day)
    except ValueError as exc:
        raise DigestError(source, f"week URL holds no valid date ({exc})") from None
    return [
        Digest(
            source=source,
            checksum=checksum,
            language=LANGUAGE,
            layout=NAME,
            title=f"Top ML Papers of the Week ({start.isoformat()} - {end.isoformat()})",
            week_start=start,
            week_end=end,
            week_source=WeekSource.URL,
            entries=tuple(parse_entries(lines, source)),
        )
    ]
