"""Digest readers, one per layout, looked up by name or detected from the text.

Each reader module exposes ``NAME``, ``LANGUAGE``, ``sniff(text) -> bool`` and
``read(text, source, checksum) -> list[Digest]``. Adding a layout is adding a module here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kg.errors import DigestError, UnknownNameError
from kg.records import Digest
from kg.sources import autotranslate, dair, pytorchkr, qa_ja

__all__ = ["READERS", "ReadResult", "detect", "read_file", "read_files", "reader"]

READERS: dict[str, ModuleType] = {
    module.NAME: module for module in (pytorchkr, autotranslate, qa_ja, dair)
}
_SUFFIXES = {".txt", ".md", ".markdown"}


def reader(name: str) -> ModuleType:
    """The reader registered under a layout name."""
    try:
        return READERS[name]
    except KeyError:
        raise UnknownNameError("digest format", name, list(READERS)) from None


def detect(text: str) -> ModuleType | None:
    """The first reader whose sniff accepts the text, or None."""
    return next((module for module in READERS.values() if module.sniff(text)), None)


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
    return text


def read_file(path: Path, layout: str | None = None) -> list[Digest]:
    """Read one digest file into its digests (a multi-week file gives one per week)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DigestError(path, f"cannot be read ({exc.strerror})") from None
    text = _decode(path, raw)
    module = reader(layout) if layout else detect(text)
    if module is None:
        known = ", ".join(READERS)
        raise DigestError(path, f"unknown layout (none of: {known}); force one with --format")
    digests = module.read(text, str(path), hashlib.sha256(raw).hexdigest())
    if not any(d.entries for d in digests):
        raise DigestError(path, f"no entries found in a {module.NAME} digest")
    return digests


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What reading a set of paths gave: the digests, and one error per file skipped."""

    digests: list[Digest]
    errors: list[DigestError]
    files: int


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in _SUFFIXES)
        else:
            yield path


def read_files(paths: Iterable[Path], layout: str | None = None) -> ReadResult:
    """Read every file (directories are walked); bad files become errors, not exceptions."""
    digests: list[Digest] = []
    errors: list[DigestError] = []
    files = 0
    for path in _expand(paths):
        files += 1
        try:
            digests.extend(read_file(path, layout))
        except DigestError as exc:
            errors.append(exc)
    return ReadResult(digests, errors, files)
