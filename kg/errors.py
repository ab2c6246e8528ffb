"""One catalogue of the errors kg raises, each naming the bad value and the fix."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DigestError",
    "EndpointError",
    "KgError",
    "QueryError",
    "StoreError",
    "UnknownNameError",
]


class KgError(Exception):
    """Base of every error kg reports to a user as one line."""


class DigestError(KgError):
    """A digest file that cannot be read: binary, empty, not UTF-8, truncated, unknown layout."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


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
