"""Deterministic IRIs: the same input gives the same IRIs, on any machine."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from kg.graph.prefixes import ID
from kg.records import Digest, Entry, EntryKind, Link
from kg.resolve import Paper, slugify

__all__ = ["DigestNames", "entity_iri", "paper_iri", "person_iri", "tweet_iri"]


def paper_iri(paper: Paper) -> str:
    kind = "article" if paper.kind is EntryKind.ARTICLE else "paper"
    return f"{ID}{kind}/{paper.slug}"


def person_iri(name: str) -> str:
    return f"{ID}person/{slugify(name)}"


def entity_iri(kind: str, name: str) -> str:
    """The IRI of a model, benchmark, organisation or topic named `name`."""
    return f"{ID}{kind}/{slugify(name)}"


def tweet_iri(link: Link) -> str:
    return f"https://x.com/{link.account}/status/{link.status_id}"


class DigestNames:
    """Digest IRIs named by layout and week, with the file's checksum only where two clash."""

    def __init__(self, digests: Iterable[Digest]) -> None:
        digests = list(digests)
        self._base = {d.key: self._stem(d) for d in digests}
        clashes = Counter(self._base.values())
        self._slug = {
            d.key: self._base[d.key]
            if clashes[self._base[d.key]] == 1
            else f"{self._base[d.key]}-{d.checksum[:8]}" + (f"-{d.section}" if d.section else "")
            for d in digests
        }

    @staticmethod
    def _stem(digest: Digest) -> str:
        week = digest.week_start.isoformat() if digest.week_start else "undated"
        return f"{digest.layout}-{week}"

    def slug(self, digest: Digest) -> str:
        return self._slug[digest.key]

    def digest(self, digest: Digest) -> str:
        return f"{ID}digest/{self.slug(digest)}"

    def entry(self, digest: Digest, entry: Entry) -> str:
        return f"{ID}entry/{self.slug(digest)}-{entry.position}"
