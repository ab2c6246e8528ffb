"""The curated vocabularies as plain records, indexed by normalised alias.

Read once from the ontology's Turtle files (and a user's own with ``--vocab``); the extractor's
patterns are generated from these labels, never from lists in Python.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox

from kg.graph.prefixes import MLKG_NS, PREFIXES
from kg.resources import turtle_quads, vocabulary_files

__all__ = ["ENTITY_TYPES", "Term", "Vocabulary", "load_vocabulary", "normalise_alias"]

ENTITY_TYPES = {"Model": "model", "Benchmark": "benchmark", "Organisation": "organisation"}
_RDF_TYPE = PREFIXES["rdf"] + "type"
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_SCHEMA = PREFIXES["schema"]


_LETTERS_DIGITS = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z]{2,})")
_SEPARATORS = re.compile(r"[\s\-_]+")


@lru_cache(maxsize=1 << 16)
def normalise_alias(text: str) -> str:
    """Fold case, width, quotes, hyphens and spaces: 'Llama-3 70b' ~ 'llama 3 70b'."""
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'")
    return _SEPARATORS.sub(" ", _LETTERS_DIGITS.sub(" ", text)).strip()


@dataclass(frozen=True, slots=True)
class Term:
    """One curated entity or topic: its IRI, kind, English label and every other name."""

    iri: str
    kind: str  # model | benchmark | organisation | topic
    label: str
    names: tuple[tuple[str, str], ...] = ()  # (text, language) of labels and alt labels
    cues: tuple[tuple[str, str], ...] = ()  # mlkg:cue phrases: evidence, not names
    developers: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()  # sameAs IRIs of x.com / github.com / hub accounts
    domains: tuple[str, ...] = ()  # schema:url: the official web domains (and path prefixes)
    parents: tuple[str, ...] = ()  # schema:parentOrganization
    case_sensitive: bool = False  # an editorial note asks for names matched as written
    publisher: bool = False  # a digest publisher: its accounts carry digests, not authorship

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass
class Vocabulary:
    """Terms by IRI, plus the indexes the extractor needs."""

    terms: dict[str, Term] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_alias: dict[str, list[Term]] = defaultdict(list)
        self.by_account: dict[str, Term] = {}
        for term in self.terms.values():
            for name, _ in term.names:
                bucket = self.by_alias[normalise_alias(name)]
                if term not in bucket:
                    bucket.append(term)
            for account in (*term.accounts, *term.domains):
                self.by_account[_web_key(account)] = term

    def broader_topics(self) -> dict[str, tuple[str, ...]]:
        """Each topic's slug -> the slugs of its broader topics."""
        return {
            term.slug: tuple(self.terms[b].slug for b in term.broader if b in self.terms)
            for term in self.of_kind("topic")
        }

    def of_kind(self, kind: str) -> list[Term]:
        return [t for t in self.terms.values() if t.kind == kind]

    def lookup(self, name: str, kind: str | None = None) -> Term | None:
        """The term a name denotes, if the vocabulary knows it (of the given kind)."""
        for term in self.by_alias.get(normalise_alias(name), []):
            if kind is None or term.kind == kind:
                return term
        return None

    def owner(self, url: str) -> Term | None:
        """The organisation owning a URL: an account on x.com or a code host, a hub namespace
        (huggingface.co/datasets/OWNER/...), a project page (OWNER.github.io), or one of its
        official web domains (a subdomain belongs to its domain's owner; the longest path
        prefix wins: microsoft.com/en-us/research before microsoft.com)."""
        return next(
            (self.by_account[key] for key in _web_keys(url) if key in self.by_account), None
        )

    def ancestors(self, term: Term) -> list[Term]:
        """The organisations a term is part of, nearest first."""
        found: list[Term] = []
        stack = list(term.parents)
        while stack:
            parent = self.terms.get(stack.pop(0))
            if parent is not None and parent not in found:
                found.append(parent)
                stack.extend(parent.parents)
        return found

    def institution(self, term: Term) -> Term:
        """The top-level organisation a term belongs to (itself if it has no parent)."""
        ancestors = self.ancestors(term)
        return ancestors[-1] if ancestors else term

    def developers(self, term: Term) -> list[Term]:
        """Developers of a term, inherited from its family when it names none itself."""
        seen: list[Term] = []
        stack = [term]
        while stack:
            current = stack.pop()
            found = [self.terms[d] for d in current.developers if d in self.terms]
            if found:
                seen.extend(t for t in found if t not in seen)
            else:
                stack.extend(self.terms[f] for f in current.families if f in self.terms)
        return seen


_HUB_PREFIXES = ("datasets", "spaces", "models", "orgs")


_AUTHORITY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//(?P<netloc>[^/?#]*)(?P<path>[^?#]*)")


def _web_key(url: str) -> str:
    """host/path of a URL, lowercased, without scheme, ``www.`` or a trailing slash."""
    authority = _AUTHORITY.match(url if "//" in url else f"https://{url}")
    if authority is None:
        return ""
    return f"{_host(authority['netloc']) or ''}{authority['path']}".rstrip("/").lower()


@lru_cache(maxsize=4096)
def _host(netloc: str) -> str | None:
    """The host of a URL's authority (``user@Host:port``), lowercased, without ``www.``, with
    twitter.com as x.com; None when it does not parse. Hosts repeat: each is parsed once."""
    try:
        host = (urlsplit(f"//{netloc}").hostname or "").lower().removeprefix("www.")
    except ValueError:
        return None
    return host.replace("twitter.com", "x.com")


def _web_keys(url: str) -> list[str]:
    """The keys an owner of `url` may be registered under, most specific first."""
    url = url.strip()
    authority = _AUTHORITY.match(url)
    if authority:
        host, path = _host(authority["netloc"]), authority["path"]
    else:  # no "//": urlsplit finds no host either
        host, path = "", urlsplit(url).path
    if host is None:
        return []
    segments = [s for s in path.lower().split("/") if s]
    if host.endswith(".github.io") and host.count(".") == 2:
        return [f"github.com/{host.split('.')[0]}"]
    if host == "huggingface.co" and segments[:1] and segments[0] in _HUB_PREFIXES:
        segments = segments[1:]
    keys = [f"{host}/{'/'.join(segments[:n])}" for n in range(min(len(segments), 3), 0, -1)]
    labels = host.split(".")
    keys.extend(".".join(labels[i:]) for i in range(len(labels) - 1))
    return keys


def _literal(term: object) -> tuple[str, str] | None:
    if isinstance(term, ox.Literal):
        return term.value, term.language or "en"
    return None


def _read(files: Iterable[Path]) -> dict[str, Term]:
    props: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        for quad in turtle_quads(path):
            if isinstance(quad.subject, ox.NamedNode):
                value = quad.object.value if isinstance(quad.object, ox.NamedNode) else quad.object
                props[quad.subject.value][quad.predicate.value].append(value)
    kinds = {MLKG_NS + k: v for k, v in ENTITY_TYPES.items()} | {MLKG_NS + "Topic": "topic"}
    terms: dict[str, Term] = {}
    for iri, p in props.items():
        types = [str(t) for t in p.get(_RDF_TYPE, [])]
        kind = next((kinds[t] for t in types if t in kinds), None)
        if kind is None:
            continue
        labels = [x for x in map(_literal, p.get(_RDFS + "label", [])) if x]
        label = next((v for v, lang in labels if lang == "en"), labels[0][0] if labels else iri)
        names = [
            x
            for key in (_RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel")
            for x in map(_literal, p.get(key, []))
            if x
        ]
        cues = [x for x in map(_literal, p.get(MLKG_NS + "cue", [])) if x]
        terms[iri] = Term(
            iri=iri,
            kind=kind,
            label=label,
            names=tuple(dict.fromkeys(names)),
            cues=tuple(dict.fromkeys(cues)),
            developers=tuple(str(x) for x in p.get(MLKG_NS + "developedBy", [])),
            families=tuple(str(x) for x in p.get(MLKG_NS + "variantOf", [])),
            broader=tuple(str(x) for x in p.get(_SKOS + "broader", [])),
            accounts=tuple(str(x) for x in p.get(_SCHEMA + "sameAs", [])),
            domains=tuple(str(x) for x in p.get(_SCHEMA + "url", [])),
            parents=tuple(str(x) for x in p.get(_SCHEMA + "parentOrganization", [])),
            case_sensitive=any(
                str(getattr(n, "value", n)).startswith("case-sensitive")
                for n in p.get(_SKOS + "editorialNote", [])
            ),
            publisher=MLKG_NS + "DigestPublisher" in types,
        )
    return terms


@lru_cache(maxsize=8)
def _cached(files: tuple[Path, ...], _stamps: tuple[tuple[int, int], ...]) -> Vocabulary:
    return Vocabulary(_read(files))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (-1, -1)  # reading it says why
    return (status.st_mtime_ns, status.st_size)


def load_vocabulary(extra: Sequence[Path] = ()) -> Vocabulary:
    """The bundled vocabularies plus a user's own files, read once per process and again
    when one of the files has changed since."""
    files = tuple(vocabulary_files(extra))
    return _cached(files, tuple(_stamp(path) for path in files))
