"""The one label rule: which of a node's names the explorer shows.

English before untagged before any other language; within a language ``skos:prefLabel``, then
``rdfs:label``, ``dcterms:title``, ``schema:name``; ties go to the smallest text. A node with no
name shows the last segment of its IRI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pyoxigraph as ox

from kg.graph.prefixes import PREFIXES

__all__ = ["LABEL_PREDICATES", "best_label", "fold", "local_name", "words"]

LABEL_PREDICATES: tuple[str, ...] = (
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["rdfs"] + "label",
    PREFIXES["dcterms"] + "title",
    PREFIXES["schema"] + "name",
)
_PREDICATE_RANK = {predicate: rank for rank, predicate in enumerate(LABEL_PREDICATES)}
_LANGUAGE_RANK = {"en": 0, "": 1}


def best_label(names: Iterable[tuple[str, ox.Literal]]) -> str | None:
    """The label to show among ``(predicate, literal)`` names, or None when there is none."""
    ranked = [
        (
            _LANGUAGE_RANK.get((literal.language or "").split("-")[0].lower(), 2),
            _PREDICATE_RANK[predicate],
            " ".join(literal.value.split()),
        )
        for predicate, literal in names
        if predicate in _PREDICATE_RANK and literal.value.strip()
    ]
    return min(ranked)[2] if ranked else None


def local_name(iri: str) -> str:
    """The last segment of an IRI: ``mmlu`` for ``…/benchmark/mmlu``."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] or iri


def fold(text: str) -> str:
    """Text compared the way names are looked up: case, width, accents and punctuation folded.

    ``"Mixture-of-Experts"``, ``"mixture of experts"`` and ``"MIXTURE_OF_EXPERTS"`` fold alike;
    so do ``"Tülu"`` and ``"tulu"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", plain))


def words(text: str) -> list[str]:
    """The folded words of a text."""
    return fold(text).split()
