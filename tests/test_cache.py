"""A weekly update: a build into an existing output reads again only the files that are new or
changed, runs the pipeline only on texts it has not read before, and publishes the same bytes as
a full build without the cache."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DEV_README

from kg.build import build
from kg.extract.cache import CACHE_FILE
from kg.extract.mentions import distinct_texts, find_mentions
from kg.extract.relations import Related, paper_key, relate
from kg.graph.output import PUBLISHED
from kg.records import PaperLinks
from kg.resolve import Paper, resolve
from kg.resources import bundled_digests
from kg.sources import read_files
from kg.sources.cache import CACHE_FILE as DIGEST_CACHE
from kg.sources.cache import DigestCache, fingerprint

BUNDLED = bundled_digests()
FILES = sorted(BUNDLED.glob("*.*"))
DUMPS = [name for name in PUBLISHED if name != "store"]
KG = str(Path(sys.executable).parent / "kg")


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DUMPS}


def _texts(files: list[Path]) -> set[str]:
    return set(distinct_texts(resolve(read_files(files).digests)))


def _papers(files: list[Path]) -> list[Paper]:
    return resolve(read_files(files).digests).papers


def _cached_rows(out: Path) -> int:
    with sqlite3.connect(out / CACHE_FILE) as db:
        return int(db.execute("SELECT COUNT(*) FROM found").fetchone()[0])


def test_a_new_week_is_the_only_text_extracted_and_changes_no_byte(tmp_path: Path) -> None:
    older = FILES[1:]  # every digest but one week's
    first = build(older, tmp_path / "weekly")
    assert first.extracted == first.texts == len(_texts(older))
    assert (first.related, first.replayed) == (first.papers, 0)
    update = build(FILES, tmp_path / "weekly")
    new_texts = _texts(FILES) - _texts(older)
    assert update.texts == len(_texts(FILES))
    assert update.extracted == len(new_texts) > 0
    assert _cached_rows(tmp_path / "weekly") == update.texts
    new_papers = {paper_key(p) for p in _papers(FILES)} - {paper_key(p) for p in _papers(older)}
    assert update.related == len(new_papers) > 0, "only the papers new or changed are related"
    assert update.replayed == update.papers - update.related > 0

    full = build(FILES, tmp_path / "full", cache=False)
    assert full.extracted == full.texts
    assert not (tmp_path / "full" / CACHE_FILE).exists(), "--no-cache neither reads nor writes"
    assert _snapshot(tmp_path / "weekly") == _snapshot(tmp_path / "full")

    again = build(older, tmp_path / "weekly")  # a week taken out again: nothing to extract
    assert again.extracted == 0
    assert _cached_rows(tmp_path / "weekly") == again.texts, "texts no longer read are dropped"


def _related_twice(tamper: Callable[[PaperLinks], PaperLinks]) -> tuple[Related, Related]:
    """The bundled digests related afresh, and again with every paper's links known as
    `tamper` makes them."""
    from kg.extract.pipeline import build_pipeline
    from kg.extract.vocabulary import load_vocabulary

    resolution = resolve(read_files(FILES).digests)
    vocabulary = load_vocabulary()
    mentions = find_mentions(build_pipeline(vocabulary), resolution)
    first = relate(resolution, mentions, vocabulary)
    known = {key: tamper(links) for key, links in first.papers.items()}
    return first, relate(resolution, mentions, vocabulary, known)


def test_known_links_are_taken_as_they_are_when_the_registry_answers_the_same() -> None:
    def marked(links: PaperLinks) -> PaperLinks:
        items = tuple(replace(item, snippets=["from the cache"]) for item in links.assertions)
        return links._replace(assertions=items)

    first, again = _related_twice(marked)
    assert again.fresh == 0 and first.fresh == len(first.papers)
    assert [a.snippets for a in again.assertions] == [["from the cache"]] * len(first.assertions)
    assert [(a.paper, a.target, a.digests) for a in again.assertions] == [
        (a.paper, a.target, a.digests) for a in first.assertions
    ]
    assert again.discovered == first.discovered


def test_a_paper_the_registry_now_answers_otherwise_is_related_again() -> None:
    def renamed(links: PaperLinks) -> PaperLinks:
        if not any(entity is not None and entity.discovered for entity in links.answers):
            return links._replace(assertions=())  # replayed: its links would go missing
        answers = tuple(
            replace(entity, name=entity.name + " (an earlier spelling)")
            if entity is not None and entity.discovered
            else entity
            for entity in links.answers
        )
        return PaperLinks(links.calls, answers, ())

    first, again = _related_twice(renamed)
    asking = sum(
        any(e is not None and e.discovered for e in p.answers) for p in first.papers.values()
    )
    assert again.fresh == asking > 0
    fresh_papers = {a.paper for a in again.assertions}
    assert len(fresh_papers) <= asking
    assert all(a in first.assertions for a in again.assertions)


def test_the_key_of_a_paper_follows_everything_relating_it_reads() -> None:
    paper = next(
        p for p in _papers(FILES) if len(p.appearances) == 1 and p.appearances[0].entry.links
    )
    appearance = paper.appearances[0]
    entry, digest = appearance.entry, appearance.digest
    changes = [
        replace(paper, title=paper.title + "!"),
        *(
            replace(paper, appearances=(replace(appearance, entry=replace(entry, **{f: "x"})),))
            for f in (
                "title_en",
                "intro_en",
                "abstract_en",
                "title_local",
                "intro_local",
                "abstract_local",
                "qa_local",
            )
        ),
        replace(paper, appearances=(replace(appearance, entry=replace(entry, links=())),)),
        replace(paper, appearances=(replace(appearance, digest=replace(digest, language="xx")),)),
        replace(
            paper, appearances=(appearance, replace(appearance, digest=replace(digest, section=9)))
        ),
        replace(paper, appearances=(appearance, appearance)),
    ]
    keys = [paper_key(changed) for changed in changes]
    assert paper_key(replace(paper)) == paper_key(paper)
    renumbered = replace(
        paper, appearances=(replace(appearance, digest=replace(digest, section=9)),)
    )
    assert paper_key(renumbered) == paper_key(paper), "a week added to a README renumbers it"
    assert len(set(keys)) == len(keys) and paper_key(paper) not in keys


def test_a_changed_vocabulary_or_a_damaged_cache_extracts_everything_again(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    build([BUNDLED / "dair-sample.md"], out)
    vocab = tmp_path / "extra.ttl"
    vocab.write_text(
        "@prefix mlkg: <https://w3id.org/mlkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/mlkg/id/benchmark/penguin-suite> a mlkg:Benchmark ;\n"
        '    rdfs:label "Penguin Suite"@en .\n',
        encoding="utf-8",
    )
    changed = build([BUNDLED / "dair-sample.md"], out, vocab=[vocab])
    assert changed.extracted == changed.texts > 0, "another vocabulary, another pipeline"
    build([BUNDLED / "dair-sample.md"], tmp_path / "ref", vocab=[vocab], cache=False)
    assert _snapshot(out) == _snapshot(tmp_path / "ref")

    (out / CACHE_FILE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    damaged = build([BUNDLED / "dair-sample.md"], out, vocab=[vocab])
    assert damaged.extracted == damaged.texts
    assert _snapshot(out) == _snapshot(tmp_path / "ref")
    assert build([BUNDLED / "dair-sample.md"], out, vocab=[vocab]).extracted == 0, "rewritten"


def test_the_build_summary_says_what_was_extracted(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = [KG, "build", str(BUNDLED / "dair-sample.md"), "--out", str(out)]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    texts = len(_texts([BUNDLED / "dair-sample.md"]))
    assert f"{texts} new, 0 cached" in first.stdout
    assert "0 (taken from the cache)" in first.stdout
    second = subprocess.run(run, capture_output=True, text=True, check=True)
    assert f"0 new, {texts} cached" in second.stdout
    assert "1 (taken from the cache)" in second.stdout
    fresh = subprocess.run([*run, "--no-cache"], capture_output=True, text=True, check=True)
    assert f"{texts} new, 0 cached" in fresh.stdout


def test_a_damaged_row_reads_as_missing_and_is_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build([BUNDLED / "dair-sample.md"], out)
    with sqlite3.connect(out / CACHE_FILE) as db:
        key, value = db.execute(
            "SELECT key, value FROM found WHERE value LIKE '%\"model\"%' LIMIT 1"
        ).fetchone()
        damaged = value.replace('"model"', '"modal"', 1)  # still a list of mentions
        db.execute("UPDATE found SET value = ? WHERE key = ?", (damaged, key))
    db.close()
    again = build([BUNDLED / "dair-sample.md"], out)
    assert again.extracted == 1, "only the damaged text is extracted again"
    build([BUNDLED / "dair-sample.md"], tmp_path / "ref", cache=False)
    assert _snapshot(out) == _snapshot(tmp_path / "ref")
    assert build([BUNDLED / "dair-sample.md"], out).extracted == 0, "the row was replaced"


def test_the_fingerprint_follows_versions_code_and_rule_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.metadata
    import shutil

    import kg.extract
    from kg.extract import cache
    from kg.resources import ontology_path

    base = cache.fingerprint()
    assert base is not None and cache.fingerprint() == base, "the same inputs, the same stamp"

    real_version = importlib.metadata.version
    with monkeypatch.context() as patch:
        patch.setattr(
            importlib.metadata, "version", lambda n: "0.0" if n == "spacy" else real_version(n)
        )
        assert cache.fingerprint() != base, "another spaCy, another pipeline"

    code = tmp_path / "extract"
    shutil.copytree(
        Path(kg.extract.__file__).parent, code, ignore=shutil.ignore_patterns("__pycache__")
    )
    with monkeypatch.context() as patch:
        patch.setattr(kg.extract, "__file__", str(code / "__init__.py"))
        assert cache.fingerprint() == base
        with (code / "vocabulary.py").open("a") as module:
            module.write("\n# a change in how aliases become patterns\n")
        assert cache.fingerprint() != base, "every module of the extraction package counts"

    rules = tmp_path / "rules"
    shutil.copytree(ontology_path("rules"), rules)
    (rules / "notes").mkdir()  # a folder among the rule files is not a rule file
    with monkeypatch.context() as patch:
        patch.setattr(
            cache, "ontology_path", lambda *p: rules if p == ("rules",) else ontology_path(*p)
        )
        assert cache.fingerprint() == base
        first_rule = sorted(p for p in rules.iterdir() if p.is_file())[0]
        real_read = Path.read_bytes

        def unreadable(path: Path) -> bytes:
            if path == first_rule:
                raise PermissionError(13, "Permission denied", str(path))
            return real_read(path)

        patch.setattr(Path, "read_bytes", unreadable)
        assert cache.fingerprint() is None, "a rule file that cannot be read turns the cache off"


def test_a_vocabulary_file_edited_between_builds_is_read_again(tmp_path: Path) -> None:
    import os

    from kg.extract.vocabulary import load_vocabulary

    vocab = tmp_path / "extra.ttl"
    term = (
        "@prefix mlkg: <https://w3id.org/mlkg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/mlkg/id/benchmark/{slug}> a mlkg:Benchmark ; rdfs:label "{name}"@en .\n'
    )
    vocab.write_text(term.format(slug="penguin-suite", name="Penguin Suite"), encoding="utf-8")
    first = load_vocabulary([vocab])
    assert "https://w3id.org/mlkg/id/benchmark/penguin-suite" in first.terms
    vocab.write_text(term.format(slug="otter-bench", name="Otter Bench"), encoding="utf-8")
    stamp = vocab.stat().st_mtime_ns + 1_000_000_000
    os.utime(vocab, ns=(stamp, stamp))
    second = load_vocabulary([vocab])
    assert "https://w3id.org/mlkg/id/benchmark/otter-bench" in second.terms
    assert "https://w3id.org/mlkg/id/benchmark/penguin-suite" not in second.terms


def test_an_output_path_with_url_characters_keeps_its_cache(tmp_path: Path) -> None:
    out = tmp_path / "week?1#draft%20"
    first = build([BUNDLED / "dair-sample.md"], out)
    assert first.extracted == first.texts > 0
    assert build([BUNDLED / "dair-sample.md"], out).extracted == 0


# ------------------------------------------------------------------ files read again


def _digest_cache(out: Path) -> DigestCache:
    stamp = fingerprint()
    assert stamp is not None
    return DigestCache(out, stamp)


def test_a_file_read_from_the_cache_gives_the_digests_a_reading_gives(tmp_path: Path) -> None:
    files = [*FILES, DEV_README]
    first = _digest_cache(tmp_path)
    read = read_files(files, cache=first)
    assert read.unchanged == 0
    first.keep()
    moved = tmp_path / "moved"
    moved.mkdir()
    copies = [moved / path.name for path in files]
    for path, copy in zip(files, copies, strict=True):
        copy.write_bytes(path.read_bytes())
    second = _digest_cache(tmp_path)
    again = read_files(copies, cache=second)
    assert again.unchanged == len(files)
    assert again.digests == read_files(copies).digests, "the same records, under the new names"
    assert {d.source for d in again.digests} == {str(copy) for copy in copies}


def test_only_new_or_changed_files_are_read_again_and_no_byte_changes(tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    folder.mkdir()
    for path in FILES:
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "out"
    first = build([folder], out)
    assert (first.files, first.unchanged) == (len(FILES), 0)
    assert build([folder], out).unchanged == len(FILES)
    changed = folder / FILES[0].name
    changed.write_bytes(changed.read_bytes() + b"\n")
    update = build([folder], out)
    assert update.unchanged == len(FILES) - 1, "the changed file is read again"
    build([folder], tmp_path / "full", cache=False)
    assert not (tmp_path / "full" / DIGEST_CACHE).exists(), "--no-cache neither reads nor writes"
    assert _snapshot(out) == _snapshot(tmp_path / "full")


def test_a_layout_asked_for_is_part_of_what_is_cached(tmp_path: Path) -> None:
    path = BUNDLED / "dair-sample.md"
    detected = _digest_cache(tmp_path)
    read_files([path], cache=detected)
    detected.keep()
    forced = _digest_cache(tmp_path)
    assert read_files([path], layout="dair", cache=forced).unchanged == 0
    forced.keep()
    assert read_files([path], layout="dair", cache=_digest_cache(tmp_path)).unchanged == 1
    assert read_files([path], cache=_digest_cache(tmp_path)).unchanged == 0, "only the last kept"


def test_a_damaged_digest_cache_reads_every_file_again(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FILES, out)
    with sqlite3.connect(out / DIGEST_CACHE) as db:
        key = db.execute("SELECT key FROM digests LIMIT 1").fetchone()[0]
        db.execute("UPDATE digests SET value = '[]' WHERE key = ?", (key,))
    assert build(FILES, out).unchanged == len(FILES) - 1, "a row that fails its checksum"
    (out / DIGEST_CACHE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    assert build(FILES, out).unchanged == 0
    build(FILES, tmp_path / "full", cache=False)
    assert _snapshot(out) == _snapshot(tmp_path / "full")
    assert build(FILES, out).unchanged == len(FILES), "rewritten"


def test_no_cache_neither_reads_nor_writes_either_cache(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(FILES, out)
    kept = {path: (out / path).read_bytes() for path in (CACHE_FILE, DIGEST_CACHE)}
    fresh = build(FILES, out, cache=False)
    assert fresh.unchanged == 0 and fresh.extracted == fresh.texts > 0
    assert {path: (out / path).read_bytes() for path in kept} == kept
    assert build(FILES, out).unchanged == len(FILES), "still the cache of the build before"
