"""Extraction of paper -> topic / model / benchmark / organisation links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.resolve import Resolution

__all__ = ["Extraction", "extraction_quads"]


@dataclass
class Extraction:
    quads: list[ox.Quad] = field(default_factory=list)
    links: int = 0


def extraction_quads(resolution: Resolution, vocab: Sequence[Path] = (), jobs: int = 1) -> Extraction:
    return Extraction()
