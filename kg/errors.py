"""One catalogue of the errors kg raises, each naming the bad value and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kg.terminal import inert, inert_line

__all__ = [
    "AmbiguousNameError",
    "DigestError",
    "EndpointError",
    "KgError",
    "NotFoundError",
    "OutputError",
    "QueryError",
    "StoreError",
    "UnknownNameError",
]

_SHOWN = 10


class KgError(Exception):
    """Base of every error kg reports to a user as one line."""


class DigestError(KgError):
    """A digest file that cannot be read: binary, empty, not UTF-8, truncated, unknown layout.

    The message is one line whatever the path and reason hold: a file name with a newline or a
    bidi override is shown escaped, so it cannot forge another line of output.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{inert(self.path)}: {inert(reason)}")


class VocabularyError(KgError):
    """A vocabulary file (the ontology's own or one given with --vocab) that cannot be read or
    is not Turtle."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(
            f"{inert(str(path))}: not a readable Turtle vocabulary ({inert_line(reason)})"
        )


class StoreError(KgError):
    """A store directory that is missing, locked or not a kg store."""


class EndpointError(KgError, OSError):
    """A SPARQL server that cannot be reached, refuses a request or answers in a way kg cannot
    read (an OSError too, as pyoxigraph raises for a store it cannot read)."""


class QueryError(KgError):
    """A SPARQL query that does not parse or names an unknown query or parameter."""


class UnknownNameError(KgError):
    """A name looked up in a registry (reader, dump format, query) that is not known."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.name = name
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}")


class NotFoundError(KgError):
    """Nothing in the graph matches a name (a paper, topic, model, benchmark, organisation).

    `candidates` are the closest names the graph has (shown as "did you mean"); `hint` says
    what the name may be.
    """

    def __init__(
        self, what: str, text: str, candidates: Sequence[str] = (), hint: str = ""
    ) -> None:
        self.what = what
        self.text = text
        self.candidates = list(candidates)
        shown = "; ".join(inert(c) for c in self.candidates[:_SHOWN])
        message = f"no {what} matches {inert(text)!r}"
        if shown:
            message += f"; did you mean: {shown}"
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class AmbiguousNameError(KgError):
    """Several nodes match a name; the message lists them so that one can be picked.

    `candidates` are ``(iri, description)`` pairs.
    """

    def __init__(
        self, what: str, text: str, candidates: Sequence[tuple[str, str]], hint: str = ""
    ) -> None:
        self.what = what
        self.text = text
        self.candidates = list(candidates)
        shown = "; ".join(inert(description) for _, description in self.candidates[:_SHOWN])
        more = len(self.candidates) - min(len(self.candidates), _SHOWN)
        tail = f"; and {more} more" if more > 0 else ""
        advice = f"; {hint}" if hint else ""
        super().__init__(
            f"{len(self.candidates)} {what} match {inert(text)!r}: {shown}{tail}{advice}"
        )


class OutputError(KgError):
    """An output file or folder that cannot be written."""
