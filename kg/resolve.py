"""Identity of papers: one node per real paper, however many digests and languages list it.

Entries meet by arXiv id, then tweet status id, then normalised English title, then, inside one
week, by a short title that names one long title ("Phi-3" / "Phi-3 Technical Report: ...") and by
a write-up that quotes a paper's full title. Two entries never meet when they come from the same
digest or carry different arXiv ids, and two rows of one list (the weeks of one file) meet only by
an id they share: a list that features one title twice without a common link features two papers
(a follow-up that reuses its predecessor's title). Two different papers must never merge.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from kg.records import Digest, Entry, EntryKind
from kg.sources.text import has_cjk

__all__ = ["Appearance", "Paper", "Resolution", "normalise_title", "resolve", "slugify"]

_ABBREVIATIONS = {
    "llms": "large language models",
    "llm": "large language model",
    "lms": "language models",
    "lm": "language model",
    "vlms": "vision language models",
    "vlm": "vision language model",
    "mllms": "multimodal large language models",
    "rl": "reinforcement learning",
}
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "and",
        "or",
        "with",
        "by",
        "from",
        "via",
        "how",
        "about",
        "your",
        "you",
        "is",
        "are",
        "as",
        "at",
        "its",
        "their",
        "we",
        "our",
        "be",
        "can",
    ]
)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_TOKEN = re.compile(r"[^\W_]+(?:[-'.+][^\W_]+)*")
_NOT_IN_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Appearance:
    """One entry of one digest: the provenance of a paper."""

    digest: Digest
    entry: Entry


@dataclass(frozen=True, slots=True)
class Paper:
    """A real paper (or article) with every appearance that names it."""

    slug: str
    kind: EntryKind
    title: str
    arxiv_id: str | None
    status_ids: tuple[str, ...]
    authors: tuple[str, ...]
    published: date | None
    week: date | None
    appearances: tuple[Appearance, ...]

    @property
    def digests(self) -> tuple[Digest, ...]:
        seen: dict[str, Digest] = {}
        for appearance in self.appearances:
            seen.setdefault(appearance.digest.key, appearance.digest)
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Resolution:
    """The papers, and how many entries were merged into another."""

    papers: list[Paper]
    entries: int

    @property
    def merges(self) -> int:
        return self.entries - len(self.papers)


def normalise_title(title: str) -> str:
    """Lowercase, NFKC, straight quotes, no punctuation, common abbreviations spelled out."""
    text = unicodedata.normalize("NFKC", title).translate(_QUOTES).lower()
    words = [_ABBREVIATIONS.get(w, w) for w in _TOKEN.findall(text)]
    return " ".join(words)


def slugify(text: str, limit: int = 80) -> str:
    """An IRI-safe slug: ASCII letters and digits joined by '-'."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower().replace("+", " plus ")
    slug = _NOT_IN_SLUG.sub("-", ascii_text).strip("-")
    return slug[:limit].rstrip("-") or "untitled"


def _content(norm: str) -> frozenset[str]:
    return frozenset(w for w in norm.split() if w not in _STOPWORDS)


def _head(title: str) -> str | None:
    head, sep, _ = title.partition(":")
    norm = normalise_title(head)
    return norm if sep and len(norm) >= 3 else None


def _name_like(title: str) -> bool:
    """A one-word short title must look like a name (Phi-3, GPQA, OpenELM), not a word."""
    return bool(re.search(r"\d|[A-Z].*[A-Z]|^[A-Z][a-z]+[A-Z]", title))


class _Groups:
    """Union-find over entries that refuses merges joining two different papers."""

    def __init__(self, appearances: Sequence[Appearance]) -> None:
        self.parent = list(range(len(appearances)))
        self.arxiv: list[set[str]] = [set(a.entry.arxiv_ids) for a in appearances]
        self.digests: list[set[str]] = [{a.digest.key} for a in appearances]
        self.lists: list[set[str]] = [{a.digest.checksum} for a in appearances]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int, *, by_id: bool = False) -> bool:
        """Merge the papers of entries `i` and `j` (`by_id`: they share an arXiv or status id)
        unless that would join two different papers."""
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        if self.digests[a] & self.digests[b]:
            return False
        if not by_id and self.lists[a] & self.lists[b]:
            return False
        if self.arxiv[a] and self.arxiv[b] and not self.arxiv[a] & self.arxiv[b]:
            return False
        a, b = min(a, b), max(a, b)
        self.parent[b] = a
        self.arxiv[a] |= self.arxiv[b]
        self.digests[a] |= self.digests[b]
        self.lists[a] |= self.lists[b]
        return True


def _union_by_key(groups: _Groups, keys: Iterable[tuple[str, int]], *, by_id: bool) -> None:
    """Each entry joins the first paper met before it under the same key that it may join; one
    it may join none of starts a paper others may join (in the order of the entries)."""
    seen: dict[str, list[int]] = defaultdict(list)
    for key, index in keys:
        papers = seen[key]
        if not any(groups.union(other, index, by_id=by_id) for other in papers):
            papers.append(index)


def _union_within_weeks(groups: _Groups, appearances: Sequence[Appearance]) -> None:
    weeks: dict[date | None, list[int]] = defaultdict(list)
    for i, a in enumerate(appearances):
        weeks[a.digest.week_start].append(i)
    for week, members in weeks.items():
        if week is None:
            continue
        titles = {i: appearances[i].entry.title_en for i in members}
        norms = {i: normalise_title(t) for i, t in titles.items()}
        contents = {i: _content(norms[i]) for i in members}
        _union_shorter_titles(groups, members, titles, contents)
        _union_quoted(groups, appearances, members, norms, contents)


def _union_shorter_titles(
    groups: _Groups,
    members: list[int],
    titles: dict[int, str],
    contents: dict[int, frozenset[str]],
) -> None:
    """An entry whose title's words are all in one other same-week paper's title, or that
    shares its head ("Phi-3: ..."), is that paper. The titles holding a set of words are found
    through an index of words (a week of thousands of rows is not compared pair by pair)."""
    heads = {i: _head(titles[i]) for i in members}
    by_content: dict[frozenset[str], list[int]] = defaultdict(list)
    for i in members:
        by_content[contents[i]].append(i)
    by_word: dict[str, set[frozenset[str]]] = defaultdict(set)
    for content in by_content:
        for word in content:
            by_word[word].add(content)
    by_head: dict[str, list[int]] = defaultdict(list)
    for i, head in heads.items():
        if head is not None:
            by_head[head].append(i)
    for i in members:
        short = contents[i]
        if not short or (len(short) == 1 and not _name_like(titles[i])):
            continue
        postings = sorted((by_word[word] for word in short), key=len)
        longer = set.intersection(*postings) - {short}
        related = [j for content in longer for j in by_content[content]]
        head = heads[i]
        if head is not None:
            related.extend(by_head[head])
        root = groups.find(i)
        candidates = {groups.find(j) for j in related} - {root}
        if len(candidates) == 1:
            groups.union(i, candidates.pop())


def _union_quoted(
    groups: _Groups,
    appearances: Sequence[Appearance],
    members: list[int],
    norms: dict[int, str],
    contents: dict[int, frozenset[str]],
) -> None:
    """A write-up with no arXiv id of its own that quotes a same-week paper's full title."""
    quotable = [(j, f" {norms[j]} ") for j in members if len(contents[j]) >= 4]
    for i in members:
        entry = appearances[i].entry
        if entry.arxiv_ids or not (entry.abstract_local or entry.abstract_en):
            continue
        text = normalise_title(" ".join(filter(None, (entry.abstract_local, entry.abstract_en))))
        root = groups.find(i)
        quoted = {groups.find(j) for j, title in quotable if title in f" {text} "} - {root}
        if len(quoted) == 1:
            groups.union(i, quoted.pop())


def _choose_title(entries: Sequence[Entry]) -> str:
    titles = sorted({e.title_en for e in entries}, key=lambda t: (has_cjk(t), -len(t), t))
    return titles[0]


def _paper(members: list[Appearance]) -> Paper:
    entries = [a.entry for a in members]
    arxiv = sorted({x for e in entries for x in e.arxiv_ids})
    status_ids = tuple(sorted({s for e in entries for s in e.status_ids}))
    title = _choose_title(entries)
    kind = EntryKind.PAPER if any(e.kind is EntryKind.PAPER for e in entries) else EntryKind.ARTICLE
    authors = max((e.authors for e in entries), key=len)
    published = min((e.published for e in entries if e.published), default=None)
    weeks = [a.digest.week_start for a in members if a.digest.week_start]
    slug = arxiv[0] if arxiv else slugify(title)
    return Paper(
        slug=slug,
        kind=kind,
        title=title,
        arxiv_id=arxiv[0] if arxiv else None,
        status_ids=status_ids,
        authors=authors,
        published=published,
        week=min(weeks, default=None),
        appearances=tuple(members),
    )


def resolve(digests: Iterable[Digest]) -> Resolution:
    """Group the entries of all digests into papers."""
    unique = {d.key: d for d in reversed(list(digests))}  # a digest read twice counts once
    appearances = [Appearance(d, e) for d in reversed(unique.values()) for e in d.entries]
    groups = _Groups(appearances)
    arxiv = ((x, i) for i, a in enumerate(appearances) for x in a.entry.arxiv_ids)
    _union_by_key(groups, arxiv, by_id=True)
    status = ((s, i) for i, a in enumerate(appearances) for s in a.entry.status_ids)
    _union_by_key(groups, status, by_id=True)
    titles = ((normalise_title(a.entry.title_en), i) for i, a in enumerate(appearances))
    _union_by_key(groups, titles, by_id=False)
    _union_within_weeks(groups, appearances)
    members: dict[int, list[Appearance]] = defaultdict(list)
    for i, appearance in enumerate(appearances):
        members[groups.find(i)].append(appearance)
    papers = [_paper(group) for group in members.values()]
    papers = _unique_slugs(papers)
    papers.sort(key=lambda p: (p.week or date.min, p.slug))
    return Resolution(papers, len(appearances))


def _unique_slugs(papers: list[Paper]) -> list[Paper]:
    """Give papers whose titles slugify alike a stable suffix (their first status id or week)."""
    by_slug: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        by_slug[paper.slug].append(paper)
    result: list[Paper] = []
    for slug, same in by_slug.items():
        if len(same) == 1:
            result.append(same[0])
            continue
        taken: set[str] = set()
        for paper in same:
            suffix = paper.status_ids[0] if paper.status_ids else str(paper.week or "undated")
            candidate, n = f"{slug}-{suffix}", 1
            while candidate in taken or candidate in by_slug:
                n += 1
                candidate = f"{slug}-{suffix}-{n}"
            taken.add(candidate)
            result.append(replace(paper, slug=candidate))
    return result
