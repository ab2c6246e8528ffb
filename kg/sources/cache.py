"""The digests read from each file, kept between builds into one output folder.

A build into an existing output reads again only the files that are new or changed. What a
reader makes of a file depends on nothing but the file's bytes, the layout asked for and the
code of the readers, so the digests of each file are kept by the file's SHA-256 and the layout
asked for, under a fingerprint of Python's and kg's versions and that code. The cache holds the
files of the last build, no others: ``OUT/cache/digests.sqlite`` (``kg.cachefile``), read before
the build and written after it is published. A file is still opened and hashed; the name it is
read under is its own, whatever name it had before.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from kg import __version__
from kg.cachefile import CacheFile, Table, code_digest
from kg.records import Digest, Entry, EntryKind, Link, LinkKind, WeekSource

__all__ = ["CACHE_FILE", "DigestCache", "fingerprint"]

CACHE_FILE = Path("cache") / "digests.sqlite"


def fingerprint() -> str | None:
    """A digest of everything a reader's result depends on besides the file: the versions of
    Python and kg, the code of the readers, of the records and of the cache file (None when
    one cannot be read: no cache)."""
    import platform

    import kg.cachefile
    import kg.records
    import kg.sources

    code = sorted(Path(kg.sources.__file__).parent.glob("*.py"))
    modules = [Path(kg.records.__file__), Path(kg.cachefile.__file__)]
    return code_digest([platform.python_version(), __version__], [*code, *modules])


def _key(checksum: str, layout: str | None) -> bytes:
    return hashlib.sha256(f"{layout or ''}\0{checksum}".encode()).digest()


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value is not None else None


def _encoded(digests: list[Digest]) -> str:
    value = [
        [
            d.language,
            d.layout,
            d.title,
            _day(d.week_start),
            _day(d.week_end),
            d.week_source,
            d.section,
            [_entry_json(entry) for entry in d.entries],
        ]
        for d in digests
    ]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _entry_json(e: Entry) -> list[Any]:
    links = [[k.url, k.kind, k.arxiv_id, k.account, k.status_id, k.label] for k in e.links]
    return [
        e.position,
        e.title_en,
        e.title_local,
        e.kind,
        e.intro_en,
        e.intro_local,
        e.abstract_en,
        e.abstract_local,
        e.authors,
        _day(e.published),
        e.categories,
        links,
        e.qa_local,
    ]


def _decoded(value: str, source: str, checksum: str) -> list[Digest]:
    return [
        Digest(
            source=source,
            checksum=checksum,
            language=language,
            layout=layout,
            title=title,
            week_start=_date(start),
            week_end=_date(end),
            week_source=WeekSource(week_source) if week_source else None,
            entries=tuple(_entry(item) for item in entries),
            section=section,
        )
        for language, layout, title, start, end, week_source, section, entries in json.loads(value)
    ]


def _entry(item: list[Any]) -> Entry:
    (position, title_en, title_local, kind, intro_en, intro_local, abstract_en, abstract_local,
     authors, published, categories, links, qa_local) = item  # fmt: skip
    return Entry(
        position=position,
        title_en=title_en,
        title_local=title_local,
        kind=EntryKind(kind),
        intro_en=intro_en,
        intro_local=intro_local,
        abstract_en=abstract_en,
        abstract_local=abstract_local,
        authors=tuple(authors),
        published=_date(published),
        categories=tuple(categories),
        links=tuple(Link(url, LinkKind(kind), *rest) for url, kind, *rest in links),
        qa_local=qa_local,
    )


class DigestCache:
    """The digests of the files the previous build into one output folder read, and of the
    files this build reads (which are what it keeps)."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.file = CacheFile(out / CACHE_FILE, fingerprint, ("digests",))
        self._stored: dict[bytes, str] | None = None  # read when first asked, decoded on a hit
        self._read: dict[bytes, list[Digest]] = {}
        self._fresh: set[bytes] = set()
        self.hits = 0

    def get(self, checksum: str, layout: str | None, source: str) -> list[Digest] | None:
        """The digests of a file with this checksum read with this `layout` (None: detected),
        named `source`; None if the previous build did not read it."""
        if self._stored is None:
            self._stored = self.file.read("digests", None, str)
        key = _key(checksum, layout)
        value = self._stored.get(key)
        if value is None:
            return None
        try:
            digests = _decoded(value, source, checksum)
        except (ValueError, TypeError, KeyError):
            return None
        self._read[key] = digests
        self.hits += 1
        return digests

    def add(self, checksum: str, layout: str | None, digests: list[Digest]) -> None:
        """What this build read of a file that was not in the cache (or not readable there)."""
        key = _key(checksum, layout)
        self._read[key] = digests
        self._fresh.add(key)

    def keep(self) -> None:
        """Keep the files this build read, and forget every other."""
        self.file.write({"digests": Table(self._read, _encoded, renewed=self._fresh)})
