"""What the pipeline found in each text, kept between builds into one output folder.

A weekly update re-reads every digest (reading is cheap) but runs the spaCy pipeline only on
texts the previous build did not read (the cache holds the last build's texts, no others): the
mentions of a text depend on nothing but the text and the pipeline, so they are kept by the
text's SHA-256 under a fingerprint of everything the pipeline is made from (kg's and spaCy's
versions, the ontology, the vocabularies, the rule files and the code that turns spans into
mentions). A different fingerprint starts an empty cache.

It also keeps each paper's links (``kg.extract.relations.PaperLinks``) by a digest of what
relating the paper reads of it, with the questions the paper asked the registry of discovered
entities and its answers. A paper is taken from the cache only when the registry of this build
answers it the same way; everything else across papers (entity discovery, identity) is
computed again on every build, so a build with the cache gives the same bytes as one without.

The cache is a SQLite file, ``OUT/cache/mentions.sqlite``. It is read and written under the
output folder's lock, written after the build is published; an unreadable
or damaged cache is an empty one, and one that cannot be written is left as it was: the cache
can make a build faster, never different, and never make it fail.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from kg import __version__
from kg.records import Assertion, Entity, PaperLinks
from kg.resources import ontology_files, ontology_path

__all__ = ["CACHE_FILE", "Found", "MentionCache", "fingerprint"]

CACHE_FILE = Path("cache") / "mentions.sqlite"

Found = tuple[str, str | None, str, str, str, str, str, int]
"""One mention without its context: kind, iri, text, snippet, rule, role, following, sentence."""

_FIELDS = 8  # the length of a Found
T = TypeVar("T")
_BATCH = 900  # SQLite's limit on bound parameters is 999 in older builds


def fingerprint(vocab: Sequence[Path] = ()) -> str | None:
    """A digest of everything the mentions of a text depend on: the versions of Python, kg,
    spaCy and PyStemmer, the code of the extraction package and of the resource lookup, the
    ontology, the vocabularies and the rule files. None when one cannot be read (no cache)."""
    import platform
    from importlib.metadata import version

    import kg.extract
    import kg.resources

    versions = [platform.python_version(), __version__, version("spacy"), version("PyStemmer")]
    digest = hashlib.sha256(" ".join(versions).encode() + b"\n")
    code = sorted(Path(kg.extract.__file__).parent.glob("*.py"))
    rules = sorted(p for p in ontology_path("rules").iterdir() if p.is_file())
    try:
        for path in [*code, Path(kg.resources.__file__), *ontology_files(vocab), *rules]:
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


def _check(key: bytes, value: str) -> bytes:
    """A row's checksum: SQLite has none of its own, and a damaged row must read as missing."""
    return hashlib.sha256(key + value.encode("utf-8", "surrogatepass")).digest()


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _encoded(items: list[Found]) -> str:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def _decoded(value: str) -> list[Found]:
    items = json.loads(value)
    if not isinstance(items, list) or any(len(item) != _FIELDS for item in items):
        raise ValueError("not a list of mentions")
    return [tuple(item) for item in items]


def _entity_json(entity: Entity | None) -> list[Any] | None:
    if entity is None:
        return None
    return [entity.kind, entity.name, entity.term, _entity_json(entity.family)]


def _entity(item: list[Any] | None) -> Entity | None:
    if item is None:
        return None
    kind, name, term, family = item
    return Entity(kind, name, term, _entity(family))


def _links_json(links: PaperLinks) -> str:
    assertions = [
        [
            a.relation,
            _entity_json(a.target),
            sorted(a.methods),
            sorted(a.digests),
            a.snippets,
            a.score,
            a.confidence,
        ]
        for a in links.assertions
    ]
    answers = [_entity_json(entity) for entity in links.answers]
    value = [links.calls, answers, assertions]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _links(value: str) -> PaperLinks:
    calls, answers, assertions = json.loads(value)
    items = []
    for relation, target, methods, digests, snippets, score, confidence in assertions:
        entity = _entity(target)
        if entity is None:
            raise ValueError("a link without a target")
        items.append(
            Assertion(-1, relation, entity, set(methods), set(digests), snippets, score, confidence)
        )
    return PaperLinks(
        tuple((name, kind) for name, kind in calls),
        tuple(_entity(answer) for answer in answers),
        tuple(items),
    )


class MentionCache:
    """The mentions found by the previous build into one output folder, for one fingerprint."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.path = out / CACHE_FILE
        self.fingerprint = fingerprint

    def found(self, texts: Iterable[str]) -> dict[str, list[Found]]:
        """The cached mentions of every text that has them (an unreadable cache has none)."""
        keys = {_key(text): text for text in texts}
        rows = self._read("found", list(keys), _decoded)
        return {keys[key]: value for key, value in rows.items()}

    def related(self) -> dict[bytes, PaperLinks]:
        """The links of every paper the previous build related, by ``paper_key``."""
        return self._read("related", None, _links)

    def _read(
        self, table: str, wanted: list[bytes] | None, decode: Callable[[str], T]
    ) -> dict[bytes, T]:
        """The rows of a table (those of the `wanted` keys, or all), decoded; a row whose
        checksum fails is missing, and an unreadable cache has none."""
        if not self.path.is_file():
            return {}
        known: dict[bytes, T] = {}
        try:
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                if self._stored_fingerprint(db) != self.fingerprint:
                    return {}
                select = f"SELECT key, {table}, checksum FROM {table}"
                queries: list[tuple[str, list[bytes]]] = [(select, [])]
                if wanted is not None:
                    batches = [wanted[i : i + _BATCH] for i in range(0, len(wanted), _BATCH)]
                    where = [f"{select} WHERE key IN ({','.join('?' * len(b))})" for b in batches]
                    queries = list(zip(where, batches, strict=True))
                for query, batch in queries:
                    for key, value, checksum in db.execute(query, batch):
                        if checksum == _check(key, value):
                            known[key] = decode(value)
            finally:
                db.close()
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            return {}
        return known

    def keep(
        self,
        found: Mapping[str, list[Found]],
        extracted: Iterable[str] = (),
        related: Mapping[bytes, PaperLinks] | None = None,
    ) -> None:
        """Store the mentions of this build's texts and the links of its papers, and forget
        every other text and paper; the texts `extracted` this time replace what the cache held
        for them (a damaged row)."""
        for _attempt in range(2):  # a damaged file is replaced by a new one
            try:
                self.path.parent.mkdir(exist_ok=True)
                self._write(found, {_key(text) for text in extracted}, related or {})
                return
            except (OSError, sqlite3.Error, ValueError):
                try:
                    self.path.unlink(missing_ok=True)
                except OSError:
                    return

    def _write(
        self,
        found: Mapping[str, list[Found]],
        extracted: set[bytes],
        related: Mapping[bytes, PaperLinks],
    ) -> None:
        mentions = {_key(text): items for text, items in found.items()}
        db = sqlite3.connect(self.path)
        try:
            if self._stored_fingerprint(db) != self.fingerprint:
                db.executescript(
                    "DROP TABLE IF EXISTS found; DROP TABLE IF EXISTS related;"
                    "DROP TABLE IF EXISTS meta;"
                    "CREATE TABLE meta (fingerprint TEXT NOT NULL);"
                    "CREATE TABLE found (key BLOB PRIMARY KEY, found TEXT NOT NULL,"
                    " checksum BLOB NOT NULL) WITHOUT ROWID;"
                    "CREATE TABLE related (key BLOB PRIMARY KEY, related TEXT NOT NULL,"
                    " checksum BLOB NOT NULL) WITHOUT ROWID;"
                )
                db.execute("INSERT INTO meta VALUES (?)", (self.fingerprint,))
            with db:
                self._replace(db, "found", mentions, extracted, _encoded)
                self._replace(db, "related", related, set(), _links_json)
        finally:
            db.close()

    @staticmethod
    def _replace(
        db: sqlite3.Connection,
        table: str,
        rows: Mapping[bytes, T],
        renewed: set[bytes],
        encode: Callable[[T], str],
    ) -> None:
        """Keep exactly the rows of `rows` in a table: add the new ones and the `renewed`, drop
        the others."""
        have = {key for (key,) in db.execute(f"SELECT key FROM {table}")}
        stale = [(key,) for key in have - rows.keys()]
        values = {
            key: encode(value) for key, value in rows.items() if key not in have or key in renewed
        }
        new = [(key, value, _check(key, value)) for key, value in values.items()]
        db.executemany(f"DELETE FROM {table} WHERE key = ?", stale)
        db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", new)

    @staticmethod
    def _stored_fingerprint(db: sqlite3.Connection) -> str | None:
        try:
            row = db.execute("SELECT fingerprint FROM meta").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None
