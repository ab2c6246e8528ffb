"""Digest readers, one per layout, looked up by name or detected from the text.

Each reader module exposes ``NAME``, ``LANGUAGE``, ``sniff(text) -> bool`` and
``read(text, source, checksum) -> list[Digest]``. Adding a layout is adding a module here.

Digest files are untrusted. Reading one never raises anything but a `DigestError` naming the
file and the reason: only regular files are opened, at most `MAX_FILE_BYTES` plus one byte is
read, control and bidi characters are dropped, no entry longer than `MAX_ENTRY_CHARS` is
kept, and a reader's unexpected failure becomes that file's error. What a folder holds besides
digests is named in `ReadResult.skipped`, never dropped unsaid.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from kg.errors import DigestError, UnknownNameError
from kg.records import Digest, Entry
from kg.sources import autotranslate, dair, pytorchkr, qa_ja
from kg.sources.limits import MAX_ENTRY_CHARS, MAX_FILE_BYTES, megabytes
from kg.sources.text import strip_unsafe

if TYPE_CHECKING:
    from kg.sources.cache import DigestCache

__all__ = [
    "MAX_ENTRY_CHARS",
    "MAX_FILE_BYTES",
    "READERS",
    "SUFFIXES",
    "ReadResult",
    "detect",
    "read_file",
    "read_files",
    "reader",
]

READERS: dict[str, ModuleType] = {
    module.NAME: module for module in (pytorchkr, autotranslate, qa_ja, dair)
}
SUFFIXES = frozenset({".txt", ".md", ".markdown"})
"""The file name endings read in a folder (in any case: ``.MD`` and ``.Txt`` too)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
_CHUNK = 1024 * 1024


def reader(name: str) -> ModuleType:
    """The reader registered under a layout name."""
    try:
        return READERS[name]
    except KeyError:
        raise UnknownNameError("digest format", name, list(READERS)) from None


def detect(text: str) -> ModuleType | None:
    """The first reader whose sniff accepts the text, or None."""
    return next((module for module in READERS.values() if module.sniff(text)), None)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "of an unknown kind")


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`; anything else is an error.

    The file is opened first and checked after (no race with a swap between the two), without
    blocking on a FIFO, and never more than the limit plus one byte is read.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _O_NONBLOCK)
    except OSError as exc:
        raise DigestError(path, f"cannot be read ({exc.strerror})") from None
    try:
        return _read_regular(path, descriptor)
    except OSError as exc:
        raise DigestError(path, f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(descriptor)


def _read_regular(path: Path, descriptor: int) -> bytes:
    mode = os.fstat(descriptor)
    if not stat.S_ISREG(mode.st_mode):
        raise DigestError(path, f"not a regular file ({_kind(mode.st_mode)})")
    if mode.st_size > MAX_FILE_BYTES:
        raise DigestError(path, _too_large(megabytes(mode.st_size)))
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_FILE_BYTES:
        chunk = os.read(descriptor, min(_CHUNK, MAX_FILE_BYTES + 1 - size))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise DigestError(path, _too_large(f"more than {megabytes(MAX_FILE_BYTES)}"))


def _too_large(size: str) -> str:
    return f"too large for a digest ({size}; the limit is {megabytes(MAX_FILE_BYTES)})"


def _decode(path: Path, raw: bytes) -> str:
    if not raw.strip():
        raise DigestError(path, "empty file")
    if b"\x00" in raw[:8192]:
        raise DigestError(path, "binary file (NUL bytes), not a text digest")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DigestError(path, f"not valid UTF-8 (byte {exc.start}: {exc.reason})") from None
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise DigestError(path, "binary file (control characters), not a text digest")
    return strip_unsafe(text)


def _entry_chars(entry: Entry) -> int:
    texts = (entry.title_en, entry.text_local(), entry.intro_en, entry.abstract_en)
    return sum(len(t) for t in texts if t)


def _check_sizes(path: Path, digests: list[Digest]) -> None:
    """Refuse a file with a week title or an entry longer than `MAX_ENTRY_CHARS`: such text is
    a damaged file (rows run together), and the extraction pipeline must never see it."""
    limit = f"{MAX_ENTRY_CHARS:,}"
    for digest in digests:
        week = f" of week {digest.section}" if digest.section else ""
        if len(digest.title) > MAX_ENTRY_CHARS:
            raise DigestError(
                path, f"the title{week} is {len(digest.title):,} characters long (limit {limit})"
            )
        for entry in digest.entries:
            size = _entry_chars(entry)
            if size > MAX_ENTRY_CHARS:
                raise DigestError(
                    path,
                    f"entry {entry.position}{week} is {size:,} characters long (limit {limit}): "
                    "not one paper's text",
                )


def read_file(
    path: Path, layout: str | None = None, cache: DigestCache | None = None
) -> list[Digest]:
    """Read one digest file into its digests (a multi-week file gives one per week); a file
    the `cache` knows by its checksum is not read again."""
    module = reader(layout) if layout else None
    raw = _read_bytes(path)
    checksum = hashlib.sha256(raw).hexdigest()
    if cache is not None and (read := cache.get(checksum, layout, str(path))) is not None:
        return read
    text = _decode(path, raw)
    module = module or detect(text)
    if module is None:
        known = ", ".join(READERS)
        raise DigestError(path, f"unknown layout (none of: {known}); force one with --format")
    digests: list[Digest] = module.read(text, str(path), checksum)
    if not any(d.entries for d in digests):
        raise DigestError(path, f"no entries found in a {module.NAME} digest")
    _check_sizes(path, digests)
    if cache is not None:
        cache.add(checksum, layout, digests)
    return digests


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What reading a set of paths gave.

    `digests` are the digests read; `errors` has one error per file that was tried and could
    not be read (`files` counts the files tried); `skipped` names what a folder held that was
    not tried, each as a `DigestError` with its path and reason (another suffix, not a regular
    file, a sub-folder that cannot be listed, a hidden or linked folder); `unchanged` counts the
    files a cache knew, which were not read again.
    """

    digests: list[Digest]
    errors: list[DigestError]
    files: int
    skipped: list[DigestError] = field(default_factory=list)
    unchanged: int = 0


def _listing(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return sorted(entries, key=lambda entry: entry.name)


def _walk(folder: Path, skipped: list[DigestError]) -> Iterator[Path]:
    """The digest files under a folder, in path order; everything else goes to `skipped`."""
    try:
        entries = _listing(folder)
    except OSError as exc:
        skipped.append(DigestError(folder, f"folder cannot be read ({exc.strerror})"))
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            reason = _not_a_digest(entry)
        except OSError as exc:
            reason = f"cannot be read ({exc.strerror})"
        if reason == "":
            yield from _walk(path, skipped)
        elif reason:
            skipped.append(DigestError(path, reason))
        else:
            yield path


def _not_a_digest(entry: os.DirEntry[str]) -> str | None:
    """Why a folder entry is not read: None for a digest file, "" for a folder to walk."""
    if entry.is_dir(follow_symlinks=False):
        return "hidden folder, not searched" if entry.name.startswith(".") else ""
    if entry.is_symlink() and entry.is_dir():
        return "link to a folder, not followed"
    mode = entry.stat().st_mode  # follows a link to a file
    if not stat.S_ISREG(mode):
        return f"not a regular file ({_kind(mode)})"
    suffix = Path(entry.name).suffix
    if suffix.lower() not in SUFFIXES:
        shown = f"suffix {suffix!r}" if suffix else "no suffix"
        return f"not a digest file name ({shown}; digests end in .md, .markdown or .txt)"
    return None


def _expand(paths: Iterable[Path], skipped: list[DigestError]) -> Iterator[Path]:
    for path in paths:
        try:
            folder = path.is_dir()
        except OSError:
            folder = False  # read_file names the reason
        if folder:
            yield from _walk(path, skipped)
        else:
            yield path


def _read_one(path: Path, layout: str | None, cache: DigestCache | None) -> list[Digest]:
    """`read_file`, with any failure of a reader turned into a `DigestError` for the file."""
    try:
        return read_file(path, layout, cache)
    except DigestError:
        raise
    except Exception as exc:  # a reader's bug must not stop the other files
        message = " ".join(str(exc).split())
        raise DigestError(path, f"reader failed: {type(exc).__name__}: {message}") from exc


def read_files(
    paths: Iterable[Path], layout: str | None = None, cache: DigestCache | None = None
) -> ReadResult:
    """Read every file (directories are walked); bad files become errors, not exceptions; a
    file the `cache` knows is not read again.

    Only an unknown `layout` name raises (`UnknownNameError`), before any file is read.
    """
    if layout:
        reader(layout)
    digests: list[Digest] = []
    errors: list[DigestError] = []
    skipped: list[DigestError] = []
    files = 0
    for path in _expand(paths, skipped):
        files += 1
        try:
            digests.extend(_read_one(path, layout, cache))
        except DigestError as exc:
            errors.append(exc)
    return ReadResult(digests, errors, files, skipped, cache.hits if cache else 0)
