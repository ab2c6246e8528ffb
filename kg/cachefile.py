"""A cache file: tables of keyed text values in one SQLite file, valid for one fingerprint.

The fingerprint names everything the values depend on (versions, code, data files); a file made
under another fingerprint reads as empty and is started anew when written. Every row carries a
checksum of its key and value (SQLite has none of its own): a damaged row reads as missing, an
unreadable file as empty, and a file that cannot be written is replaced once, then left as it
was. A cache can make a build faster, never different, and never make it fail.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["CacheFile", "Table", "code_digest"]

T = TypeVar("T")
_BATCH = 900  # SQLite's limit on bound parameters is 999 in older builds


def code_digest(versions: Sequence[str], files: Iterable[Path]) -> str | None:
    """A fingerprint of some versions and the contents of some files (None when a file cannot
    be read: no cache)."""
    digest = hashlib.sha256(" ".join(versions).encode() + b"\n")
    try:
        for path in files:
            digest.update(path.name.encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return digest.hexdigest()


def _check(key: bytes, value: str) -> bytes:
    return hashlib.sha256(key + value.encode("utf-8", "surrogatepass")).digest()


class Table:
    """The rows one build keeps in a table: exactly `rows` (encoded by `encode`); rows already
    stored are kept as they are, except the `renewed` ones."""

    def __init__(
        self,
        rows: Mapping[bytes, Any],
        encode: Callable[[Any], str],
        renewed: Iterable[bytes] = (),
    ) -> None:
        self.rows = rows
        self.encode = encode
        self.renewed = set(renewed)


class CacheFile:
    """One SQLite cache file with the named tables, for one fingerprint."""

    def __init__(self, path: Path, fingerprint: str, tables: Sequence[str]) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.tables = tuple(tables)

    def read(
        self, table: str, wanted: list[bytes] | None, decode: Callable[[str], T]
    ) -> dict[bytes, T]:
        """The rows of a table (those of the `wanted` keys, or all), decoded; a row whose
        checksum fails or that does not decode is missing, and an unreadable file has none."""
        if not self.path.is_file():
            return {}
        known: dict[bytes, T] = {}
        try:
            db = sqlite3.connect(f"{self.path.absolute().as_uri()}?mode=ro", uri=True)
            try:
                if self._stored_fingerprint(db) != self.fingerprint:
                    return {}
                select = f"SELECT key, value, checksum FROM {table}"
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

    def write(self, tables: Mapping[str, Table]) -> None:
        """Keep exactly the given rows in each table (a damaged file is replaced by a new one;
        one that cannot be written is left as it was)."""
        for _attempt in range(2):
            try:
                self.path.parent.mkdir(exist_ok=True)
                self._write(tables)
                return
            except (OSError, sqlite3.Error, ValueError):
                try:
                    self.path.unlink(missing_ok=True)
                except OSError:
                    return

    def _write(self, tables: Mapping[str, Table]) -> None:
        db = sqlite3.connect(self.path)
        try:
            if self._stored_fingerprint(db) != self.fingerprint:
                drops = [f"DROP TABLE IF EXISTS {name};" for name in (*self.tables, "meta")]
                creates = [
                    f"CREATE TABLE {name} (key BLOB PRIMARY KEY, value TEXT NOT NULL,"
                    " checksum BLOB NOT NULL) WITHOUT ROWID;"
                    for name in self.tables
                ]
                db.executescript(
                    "".join(drops)
                    + "CREATE TABLE meta (fingerprint TEXT NOT NULL);"
                    + "".join(creates)
                )
                db.execute("INSERT INTO meta VALUES (?)", (self.fingerprint,))
            with db:
                for name, table in tables.items():
                    self._replace(db, name, table)
        finally:
            db.close()

    @staticmethod
    def _replace(db: sqlite3.Connection, name: str, table: Table) -> None:
        have = {key for (key,) in db.execute(f"SELECT key FROM {name}")}
        stale = [(key,) for key in have - table.rows.keys()]
        values = {
            key: table.encode(value)
            for key, value in table.rows.items()
            if key not in have or key in table.renewed
        }
        new = [(key, value, _check(key, value)) for key, value in values.items()]
        db.executemany(f"DELETE FROM {name} WHERE key = ?", stale)
        db.executemany(f"INSERT OR REPLACE INTO {name} VALUES (?, ?, ?)", new)

    @staticmethod
    def _stored_fingerprint(db: sqlite3.Connection) -> str | None:
        try:
            row = db.execute("SELECT fingerprint FROM meta").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None
