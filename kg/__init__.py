"""kg: a knowledge graph of machine-learning papers built from weekly paper digests."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
