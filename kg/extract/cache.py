"""What the pipeline found in each text, kept between builds into one output folder.

A weekly update re-reads every digest (reading is cheap) but runs the spaCy pipeline only on
texts the previous build did not read (the cache holds the last build's texts, no others): the
mentions of a text depend on nothing but the text and the pipeline, so they are kept by the
text's SHA-256 under a fingerprint of everything the pipeline is made from (kg's and spaCy's
versions, the ontology, the vocabularies, the rule files and the code that turns spans into
mentions). A different fingerprint starts an empty cache. Everything across papers (entity
discovery, relations, topics, identity) is computed again on every build, so a build with the
cache gives the same bytes as one without it.

The cache is a SQLite file, ``OUT/cache/mentions.sqlite``. It is read and written under the
output folder's lock, written after the build is published; an unreadable
or damaged cache is an empty one, and one that cannot be written is left as it was: the cache
can make a build faster, never different, and never make it fail.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from kg import __version__
from kg.resources import ontology_files, ontology_path

__all__ = ["CACHE_FILE", "Found", "MentionCache", "fingerprint"]

CACHE_FILE = Path("cache") / "mentions.sqlite"

Found = tuple[str, str | None, str, str, str, str, str, int]
"""One mention without its context: kind, iri, text, snippet, rule, role, following, sentence."""

_FIELDS = 8  # the length of a Found
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


def _decoded(value: str) -> list[Found]:
    items = json.loads(value)
    if not isinstance(items, list) or any(len(item) != _FIELDS for item in items):
        raise ValueError("not a list of mentions")
    return [tuple(item) for item in items]


class MentionCache:
    """The mentions found by the previous build into one output folder, for one fingerprint."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.path = out / CACHE_FILE
        self.fingerprint = fingerprint

    def found(self, texts: Iterable[str]) -> dict[str, list[Found]]:
        """The cached mentions of every text that has them (an unreadable cache has none)."""
        if not self.path.is_file():
            return {}
        keys = {_key(text): text for text in texts}
        known: dict[str, list[Found]] = {}
        try:
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                if self._stored_fingerprint(db) != self.fingerprint:
                    return {}
                wanted = list(keys)
                for start in range(0, len(wanted), _BATCH):
                    batch = wanted[start : start + _BATCH]
                    marks = ",".join("?" * len(batch))
                    rows = db.execute(
                        f"SELECT key, found, checksum FROM found WHERE key IN ({marks})", batch
                    )
                    for key, value, checksum in rows:
                        if checksum == _check(key, value):
                            known[keys[key]] = _decoded(value)
            finally:
                db.close()
        except (sqlite3.Error, ValueError, TypeError, KeyError):
            return {}
        return known

    def keep(self, found: Mapping[str, list[Found]], extracted: Iterable[str] = ()) -> None:
        """Store the mentions of this build's texts and forget every other text; the texts
        `extracted` this time replace what the cache held for them (a damaged row)."""
        for _attempt in range(2):  # a damaged file is replaced by a new one
            try:
                self.path.parent.mkdir(exist_ok=True)
                self._write(found, {_key(text) for text in extracted})
                return
            except (OSError, sqlite3.Error, ValueError):
                try:
                    self.path.unlink(missing_ok=True)
                except OSError:
                    return

    def _write(self, found: Mapping[str, list[Found]], extracted: set[bytes]) -> None:
        rows = {_key(text): items for text, items in found.items()}
        db = sqlite3.connect(self.path)
        try:
            if self._stored_fingerprint(db) != self.fingerprint:
                db.executescript(
                    "DROP TABLE IF EXISTS found; DROP TABLE IF EXISTS meta;"
                    "CREATE TABLE meta (fingerprint TEXT NOT NULL);"
                    "CREATE TABLE found (key BLOB PRIMARY KEY, found TEXT NOT NULL,"
                    " checksum BLOB NOT NULL) WITHOUT ROWID;"
                )
                db.execute("INSERT INTO meta VALUES (?)", (self.fingerprint,))
            have = {key for (key,) in db.execute("SELECT key FROM found")}
            stale = [(key,) for key in have - rows.keys()]
            values = {
                key: json.dumps(items, ensure_ascii=False, separators=(",", ":"))
                for key, items in rows.items()
                if key not in have or key in extracted
            }
            new = [(key, value, _check(key, value)) for key, value in values.items()]
            with db:
                db.executemany("DELETE FROM found WHERE key = ?", stale)
                db.executemany("INSERT OR REPLACE INTO found VALUES (?, ?, ?)", new)
        finally:
            db.close()

    @staticmethod
    def _stored_fingerprint(db: sqlite3.Connection) -> str | None:
        try:
            row = db.execute("SELECT fingerprint FROM meta").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None
