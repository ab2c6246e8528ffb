"""How much of an untrusted digest the readers take: bytes per file, characters per entry.

A digest is a few hundred kilobytes (the whole upstream DAIR list is under a megabyte; 64 MB
holds a hundred thousand of its rows, a generated corpus the benches build in one file) and an
entry a paragraph or two. Anything far past that is not a digest: it is refused with a reason
before it can use up memory or time, and no entry text reaches the extraction pipeline (spaCy
refuses documents above 1,000,000 characters) longer than `MAX_ENTRY_CHARS`.
"""

from __future__ import annotations

__all__ = ["MAX_ENTRY_CHARS", "MAX_FILE_BYTES", "megabytes"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""A file larger than this is refused unread (at most this many bytes plus one are read)."""

MAX_ENTRY_CHARS = 100_000
"""An entry (or a week's title) with more text than this is refused with its file."""


def megabytes(size: int) -> str:
    """A byte count for a message: ``20 MB``, ``1.5 MB``."""
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
