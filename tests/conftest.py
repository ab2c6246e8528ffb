"""Shared fixtures: the bundled digests, read once, and one build of them into a temp dir."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build import BuildSummary, build
from kg.graph.store import open_store, store_path
from kg.records import Digest
from kg.sources import read_file

BUNDLED = Path(__file__).parent.parent / "data" / "digests"
EXPLORE_LINKS = Path(__file__).parent / "fixtures" / "explore_links.ttl"
ONTOLOGY = Path(__file__).parent.parent / "ontology" / "mlkg.ttl"
# The upstream DAIR.AI README of 2023-2025 with some weeks held out: the development corpus.
DEV_README = Path(__file__).parent / "fixtures" / "upstream" / "dair-readme-dev.md"

PYTORCHKR_2023 = "pytorchkr-2023-11-20.ko.txt"
PYTORCHKR_APRIL = "pytorchkr-2024-04-22.ko.txt"
PYTORCHKR_OCTOBER = "pytorchkr-2024-10-21.ko.txt"
AUTOTRANSLATE = "autotranslate-2024-01-29.ko.txt"
QA_JA = "qa-2023-11-20.ja.txt"
DAIR_SAMPLE = "dair-sample.md"
BUNDLED_FILES = (
    AUTOTRANSLATE,
    DAIR_SAMPLE,
    PYTORCHKR_2023,
    PYTORCHKR_APRIL,
    PYTORCHKR_OCTOBER,
    QA_JA,
)


@pytest.fixture(scope="session")
def bundled() -> dict[str, list[Digest]]:
    """Every bundled digest file, read with layout detection, by file name."""
    return {name: read_file(BUNDLED / name) for name in BUNDLED_FILES}


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """One build of the bundled digests (no extraction): the output dir and the summary."""
    out = tmp_path_factory.mktemp("kg")
    summary = build([BUNDLED], out, extract=False)
    return out, summary


@pytest.fixture(scope="session")
def store(built: tuple[Path, BuildSummary]) -> Iterator[ox.Store]:
    """The built store, opened read-only."""
    out, _ = built
    yield open_store(out)


def build_with_links(out: Path, links: Path) -> Path:
    """The bundled digests built without extraction into `out`, plus a Turtle file of links
    (so tests of what reads links do not depend on extraction results)."""
    build([BUNDLED], out, extract=False)
    writable = ox.Store(str(store_path(out)))
    writable.load(path=str(links), format=ox.RdfFormat.TURTLE)
    writable.flush()
    del writable
    return out


def explore_build(base: Path) -> Path:
    """The exploration build (explore_links.ttl), made once per session under `base`."""
    out = base / "explore"
    if not (out / "ready").exists():
        build_with_links(out, EXPLORE_LINKS)
        (out / "ready").touch()
    return out


@pytest.fixture(scope="session")
def built_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exploration build: bundled digests plus tests/fixtures/explore_links.ttl."""
    return explore_build(tmp_path_factory.getbasetemp())


GENERATED_WEEKS = 200
"""Weeks of the generated README the large tests build: about 2,000 papers."""


def _built_once(base: Path, name: str, make: Callable[[Path], None]) -> Path:
    out = base / name
    if not (out / "ready").exists():
        make(out)
        (out / "ready").touch()
    return out


@pytest.fixture(scope="session")
def dev_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of the development README (../shared/corpus/upstream/), once per session."""
    if not DEV_README.is_file():
        pytest.skip(f"the development corpus is not here: {DEV_README}")

    def make(out: Path) -> None:
        build([DEV_README], out)

    return _built_once(tmp_path_factory.getbasetemp(), "dev", make)


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of a generated DAIR README of `GENERATED_WEEKS` weeks, once per session."""
    from dairgen import make_dair_readme

    def make(out: Path) -> None:
        text, _ = make_dair_readme(GENERATED_WEEKS, seed=5)
        readme = tmp_path_factory.getbasetemp() / "generated-readme.md"
        readme.write_text(text, encoding="utf-8")
        build([readme], out)

    return _built_once(tmp_path_factory.getbasetemp(), "generated", make)
