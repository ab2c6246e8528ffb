"""Where kg's packaged files live: the ontology, the vocabularies, the bundled digests and the
annotated evaluation sets.

``ontology/`` and ``data/`` sit at the top of the repository, where people look for them, and are
shipped as the subpackages ``kg.ontology`` and ``kg.data`` (see ``pyproject.toml``), so a normal
install, a wheel and an editable checkout find them the same way. A missing file is an error,
never an empty vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError, VocabularyError

__all__ = [
    "ResourceError",
    "annotation_files",
    "bundled_digests",
    "data_path",
    "ontology_files",
    "ontology_path",
    "turtle_quads",
    "vocabulary_files",
]

_VOCABULARIES = (
    "topics.ttl",
    "vocab/models.ttl",
    "vocab/benchmarks.ttl",
    "vocab/organisations.ttl",
)


class ResourceError(KgError):
    """A file kg ships with is missing: the installation is incomplete."""


def _package_dir(package: str) -> Path:
    try:
        root = resources.files(package)
    except ModuleNotFoundError:
        raise ResourceError(
            f"the package data {package!r} is not installed; reinstall kg"
        ) from None
    return Path(str(root))


def _existing(path: Path, what: str) -> Path:
    if not path.exists():
        raise ResourceError(f"{path}: {what} is missing from this installation; reinstall kg")
    return path


def ontology_path(*parts: str) -> Path:
    """A file or folder of the shipped ontology (``ontology/`` in the repository)."""
    return _existing(_package_dir("kg.ontology").joinpath(*parts), "an ontology file")


def data_path(*parts: str) -> Path:
    """A file or folder of the shipped data (``data/`` in the repository)."""
    return _existing(_package_dir("kg.data").joinpath(*parts), "a data file")


def bundled_digests() -> Path:
    """The folder of sample digests that ``kg build`` reads when given no path."""
    return data_path("digests")


def annotation_files() -> list[Path]:
    """The annotated evaluation sets shipped in ``data/eval/`` (every ``*.json``)."""
    return sorted(data_path("eval").glob("*.json"))


def vocabulary_files(extra: Sequence[Path] = ()) -> list[Path]:
    """The curated vocabularies (topics, models, benchmarks, organisations) and a user's own."""
    return [ontology_path(name) for name in _VOCABULARIES] + [Path(p) for p in extra]


def ontology_files(extra: Sequence[Path] = ()) -> list[Path]:
    """The ontology itself followed by every vocabulary."""
    return [ontology_path("mlkg.ttl"), *vocabulary_files(extra)]


def turtle_quads(path: Path) -> Iterator[ox.Quad]:
    """The quads of a Turtle vocabulary file; one line naming the file when it cannot be read
    or is not Turtle."""
    try:
        yield from ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    except OSError as exc:
        raise VocabularyError(path, exc.strerror or str(exc)) from None
    except (SyntaxError, ValueError) as exc:
        raise VocabularyError(path, str(exc)) from None
