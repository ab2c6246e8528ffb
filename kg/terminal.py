"""Text from digests made inert for a terminal: no markup, no control characters.

Titles and labels come from files anyone can write. On a terminal they must show as the
characters they are: never as rich markup (``[/]``, ``[bold]``), never as control sequences
(escape codes, carriage returns) and never reordered by bidirectional overrides.
"""

from __future__ import annotations

import unicodedata

__all__ = ["inert", "inert_line"]

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional marks, embeddings, overrides and isolates (Unicode categories Cf and Cc)."""


def _visible(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """`text` with every control, bidi and line-separating character shown as its escape.

    Tabs and newlines are escaped too, so one value always stays one line.
    """
    if text.isprintable() and not _BIDI.intersection(text):
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if (
            char in _BIDI
            or category in ("Cc", "Zl", "Zp")
            or (category == "Cf" and char != "\u200d")
        ):
            out.append(_visible(char))
        else:
            out.append(char)
    return "".join(out)


def inert_line(text: str) -> str:
    """Like `inert`, for a value that may span lines: runs of white space become one space."""
    return inert(" ".join(text.split()))
