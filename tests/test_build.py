"""A build is all or nothing: builds into one folder take turns, a killed build leaves the
published graph as it was, and the order of the inputs does not change a byte."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.errors import OutputError
from kg.graph.lines import LineSorter, changed_lines
from kg.graph.output import PUBLISHED
from kg.records import Assertion
from kg.resolve import Resolution
from kg.resources import bundled_digests

BUNDLED = bundled_digests()
FILES = sorted(BUNDLED.glob("*.*"))  # one digest each
DUMPS = [name for name in PUBLISHED if name != "store"]
KG = [str(Path(sys.executable).parent / "kg")]


def _papers(out: Path) -> int:
    store = ox.Store.read_only(str(out / "store"))
    query = (
        "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> SELECT (COUNT(DISTINCT ?p) AS ?n) "
        "WHERE { VALUES ?c { mlkg:Paper mlkg:Article } ?p a ?c }"
    )
    rows = list(store.query(query))  # type: ignore[arg-type]
    return int(rows[0]["n"].value)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in DUMPS}


def test_the_order_of_the_inputs_changes_nothing(tmp_path: Path) -> None:
    build(FILES, tmp_path / "a", extract=True)
    build(list(reversed(FILES)), tmp_path / "b", extract=True)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_publishing_keeps_one_set_before_and_removes_leftovers(tmp_path: Path) -> None:
    build([BUNDLED / "dair-sample.md"], tmp_path, extract=False)
    first = os.readlink(tmp_path / "current")
    crashed = tmp_path / "builds" / ".20260101T000000-abcdef.partial"
    crashed.mkdir()
    (crashed / "kg.nt").write_bytes(b"half")
    build([BUNDLED], tmp_path, extract=False)
    second = os.readlink(tmp_path / "current")
    assert first != second
    assert not crashed.exists(), "a crashed build's leftovers are removed"
    assert sorted(p.name for p in (tmp_path / "builds").iterdir()) == sorted(
        [Path(first).name, Path(second).name]
    )
    assert _papers(tmp_path) == 40
    build([BUNDLED / "dair-sample.md"], tmp_path, extract=False)
    assert not (tmp_path / first).exists(), "only the set published just before stays"


def test_an_older_output_folder_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "CURRENT").write_text("old")
    (tmp_path / "kg.nt").write_text("old\n")
    build([BUNDLED], tmp_path, extract=False)
    assert (tmp_path / "store").is_symlink() and (tmp_path / "kg.nt").is_symlink()
    assert _papers(tmp_path) == 40


def test_an_output_that_is_a_file_is_one_error(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("not a folder")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        build([BUNDLED], target, extract=False)


def test_line_sorter_spills_runs_and_merges_them_unique(tmp_path: Path) -> None:
    sorter = LineSorter(tmp_path, budget=200)
    lines = [f"<{i % 37:03d}> .".encode() for i in range(500)]
    sorter.extend(lines)
    assert len(list(tmp_path.glob(".run-*"))) > 3, "the budget forces spilled runs"
    assert list(sorter) == sorted(set(lines))
    assert not list(tmp_path.glob(".run-*")), "runs are removed once merged"


def _start_build(out: Path, *paths: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*KG, "build", "--no-extract", "--out", str(out), *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_concurrent_builds_take_turns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    builds = [_start_build(out, BUNDLED) for _ in range(3)]
    results = [process.communicate(timeout=300) for process in builds]
    assert [process.returncode for process in builds] == [0, 0, 0], results
    assert _papers(out) == 40
    reference = tmp_path / "alone"
    build([BUNDLED], reference, extract=False)
    assert _snapshot(out) == _snapshot(reference)


def test_readers_open_one_published_set_while_builds_publish(tmp_path: Path) -> None:
    """A store opened while builds keep publishing is always one whole set (opened through
    OUT/store, RocksDB could take files of two sets and report corruption)."""
    from kg.graph.store import open_store

    out, small = tmp_path / "out", BUNDLED / "dair-sample.md"
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    expected = set()
    for paths in ([BUNDLED], [small]):
        build(paths, out, extract=False)
        expected.add(int(next(iter(open_store(out).query(count)))[0].value))  # type: ignore[index,union-attr,call-overload]
    builds = " ; ".join(
        f"{KG[0]} build --no-extract --out {out} {paths} >/dev/null 2>&1"
        for paths in (BUNDLED, small) * 6
    )
    builder = subprocess.Popen(["bash", "-c", builds])
    seen, opened = set(), 0
    try:
        while builder.poll() is None:
            store = open_store(out)
            seen.add(int(next(iter(store.query(count)))[0].value))  # type: ignore[index,union-attr,call-overload]
            opened += 1
            del store
    finally:
        builder.wait(timeout=300)
    assert opened > 50 and seen == expected


def test_a_build_waits_for_the_lock_and_says_so(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    handle = os.open(out / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    process = _start_build(out, BUNDLED)
    time.sleep(8)
    assert process.poll() is None, "the build waits while another holds the folder"
    os.close(handle)
    _, stderr = process.communicate(timeout=300)
    assert process.returncode == 0
    assert f"kg: waiting for another build into {out} to finish" in stderr
    assert _papers(out) == 40


@pytest.mark.parametrize("delay", [1.5, 3.0, 4.5])
def test_a_killed_build_leaves_the_published_graph(tmp_path: Path, delay: float) -> None:
    out = tmp_path / "out"
    build([BUNDLED], tmp_path / "full", extract=False)
    after = _snapshot(tmp_path / "full")
    build([BUNDLED / "dair-sample.md"], out, extract=False)
    before = _snapshot(out)
    process = _start_build(out, BUNDLED)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _snapshot(out) in (before, after), "old or new, never a mix"
    assert _papers(out) in (5, 40)
    build([BUNDLED], out, extract=False)
    assert _papers(out) == 40
    leftovers = [p for p in (out / "builds").iterdir() if p.name.endswith(".partial")]
    assert leftovers == []


def test_when_nothing_can_be_read_every_reason_is_printed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x00\x01" * 100)
    run = subprocess.run(
        [*KG, "build", str(empty), str(binary), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"kg: error: {empty}: empty file",
        f"kg: error: {binary}: binary file (NUL bytes), not a text digest",
        "kg: error: no digest could be read; nothing was written",
    ]
    assert not (tmp_path / "out" / "current").exists()


def test_what_a_folder_holds_besides_digests_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "week.MD").write_bytes((BUNDLED / "dair-sample.md").read_bytes())
    (folder / "notes.pdf").write_bytes(b"%PDF")
    run = subprocess.run(
        [*KG, "build", str(folder), "--no-extract", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert [line for line in run.stderr.splitlines() if line.startswith("kg: not read ")] == [
        f"kg: not read {folder / 'notes.pdf'}: {_reason(folder / 'notes.pdf')}"
    ]
    assert re.search(r"other files skipped\s*│\s*1\s*│", run.stdout)


def _reason(path: Path) -> str:
    from kg.sources import read_files

    return read_files([path.parent]).skipped[0].reason


def test_the_store_is_loaded_slice_by_slice_without_losing_a_quad(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.graph import store as store_module

    build([BUNDLED / "dair-sample.md"], tmp_path / "whole", extract=False)
    monkeypatch.setattr(store_module, "LOAD_SLICE_LINES", 97)
    build([BUNDLED / "dair-sample.md"], tmp_path / "sliced", extract=False)
    whole = set(ox.Store.read_only(str(tmp_path / "whole" / "store")))
    sliced = set(ox.Store.read_only(str(tmp_path / "sliced" / "store")))
    assert len(whole) > 1000 and sliced == whole


def test_a_blank_node_stays_one_node_whatever_the_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.graph import store as store_module

    vocab = tmp_path / "extra.ttl"
    vocab.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        '<https://example.org/m> schema:creator [ schema:name "Anon Lab" ; '
        "schema:url <https://example.org/lab> ] .\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(store_module, "LOAD_SLICE_LINES", 500)
    build([BUNDLED / "dair-sample.md"], tmp_path / "out", extract=False, vocab=[vocab])
    store = ox.Store.read_only(str(tmp_path / "out" / "store"))
    rows = list(
        store.query(  # type: ignore[union-attr]
            "PREFIX schema: <https://schema.org/> SELECT ?name ?url WHERE { "
            "<https://example.org/m> schema:creator ?c . ?c schema:name ?name ; schema:url ?url }"
        )
    )
    assert [(r["name"].value, r["url"].value) for r in rows] == [
        ("Anon Lab", "https://example.org/lab")
    ]


def test_a_first_build_with_two_jobs_loads_its_store_while_it_sorts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --jobs 2 and a large input, a first build into a folder loads its store in a process
    of its own, from .kg.nq as it is written; blank nodes stay whole; the same store. A store
    opened before in this process does not stop it (a fork would wait forever)."""
    import kg.build
    from kg.graph.store import LoadBeside

    vocab = tmp_path / "extra.ttl"
    vocab.write_text(
        "@prefix schema: <https://schema.org/> .\n"
        '<https://example.org/m> schema:creator [ schema:name "Anon Lab" ] .\n',
        encoding="utf-8",
    )
    build([BUNDLED], tmp_path / "one job", extract=True, jobs=1, vocab=[vocab])
    whole = _without_blank_ids(tmp_path / "one job")
    loaders: list[int] = []

    class Recording(LoadBeside):
        def add(self, written: int) -> None:
            loaders.append(self._process.pid or 0)
            super().add(written)

    def not_here(*_: Any) -> None:
        raise AssertionError("the store is loaded by the process beside")

    monkeypatch.setattr(kg.build, "LoadBeside", Recording)
    monkeypatch.setattr(kg.build, "write_store", not_here)
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    build([BUNDLED], tmp_path / "beside", extract=True, jobs=2, vocab=[vocab])
    assert len(set(loaders)) == 1 and loaders[0] not in (0, os.getpid())
    assert _without_blank_ids(tmp_path / "beside") == whole
    store = ox.Store.read_only(str(tmp_path / "beside" / "store"))
    assert len({q.subject for q in store if isinstance(q.subject, ox.BlankNode)}) == 1


def _without_blank_ids(out: Path) -> set[str]:
    """The quads of a built store, each blank node written as _:b (a load names them afresh)."""
    return {re.sub(r"_:\w+", "_:b", str(q)) for q in ox.Store.read_only(str(out / "store"))}


def test_a_loading_process_that_dies_fails_the_build_and_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.build
    from kg.graph.store import LoadBeside

    class Dying(LoadBeside):
        def add(self, written: int) -> None:
            self._process.kill()
            self._process.wait()
            super().add(written)

    monkeypatch.setattr(kg.build, "LoadBeside", Dying)
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    out = tmp_path / "out"
    with pytest.raises(OutputError, match="the process loading the store failed: it stopped"):
        build([BUNDLED], out, extract=True, jobs=2)
    assert not (out / "current").exists() and list((out / "builds").iterdir()) == []


def test_the_folder_layout_and_jobs_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kg.extract import mentions

    monkeypatch.setattr(mentions, "MIN_ITEMS_PER_PROCESS", 10)  # so that --jobs 2 forks here
    elsewhere = tmp_path / "inputs"
    for depth, path in enumerate(reversed(FILES)):
        folder = elsewhere.joinpath(*[f"level{n}" for n in range(depth % 3)])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / path.name).write_bytes(path.read_bytes())
    build(FILES, tmp_path / "a", extract=True)
    build([elsewhere], tmp_path / "b", extract=True, jobs=2)
    assert _snapshot(tmp_path / "a") == _snapshot(tmp_path / "b")


def test_with_two_jobs_the_papers_are_sorted_by_a_process_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold and with --jobs 2, the quads of the papers are made and sorted by a
    forked process while this one extracts the links; the output set is the same to the byte."""
    import kg.build

    build([BUNDLED], tmp_path / "here", extract=True, jobs=2)  # too few entries to fork
    seen = tmp_path / "pids"
    real_resolution_quads = kg.build.resolution_quads

    def recording(resolution: Resolution) -> Iterator[ox.Quad]:
        with seen.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return real_resolution_quads(resolution)

    monkeypatch.setattr(kg.build, "resolution_quads", recording)  # inherited by the fork
    build([BUNDLED], tmp_path / "one job", extract=True, jobs=1)
    assert seen.read_text().split() == [str(os.getpid())]
    seen.unlink()
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    build([BUNDLED], tmp_path / "forked", extract=True, jobs=2)
    pids = seen.read_text().split()
    assert len(pids) == 1 and pids[0] != str(os.getpid())
    assert _snapshot(tmp_path / "here") == _snapshot(tmp_path / "forked")
    assert _snapshot(tmp_path / "here") == _snapshot(tmp_path / "one job")


def test_with_two_jobs_half_of_the_links_are_made_by_a_process_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold and with --jobs 2, a forked process makes and sorts the lines of
    half of the links while this one makes the other half; the same bytes as one process."""
    import kg.build
    from kg.graph import links

    seen = tmp_path / "pids"
    real_assertion_lines = links._assertion_lines

    def recording(resolution: Resolution, assertions: Sequence[Assertion]) -> Iterator[bytes]:
        with seen.open("a") as out:
            out.write(f"{os.getpid()} {len(assertions)}\n")
        return real_assertion_lines(resolution, assertions)

    monkeypatch.setattr(links, "_assertion_lines", recording)
    one = build([BUNDLED], tmp_path / "one job", extract=True, jobs=1)
    assert seen.read_text().split() == [str(os.getpid()), str(one.links)]
    seen.unlink()
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    build([BUNDLED], tmp_path / "forked", extract=True, jobs=2)
    parts = dict(line.split() for line in seen.read_text().splitlines())
    assert len(parts) == 2 and str(os.getpid()) in parts
    assert sorted(int(n) for n in parts.values()) == [one.links // 2, one.links - one.links // 2]
    assert _snapshot(tmp_path / "forked") == _snapshot(tmp_path / "one job")


def test_a_sort_process_that_dies_fails_the_build_and_keeps_the_old_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.build

    out = tmp_path / "out"
    build([BUNDLED], out, extract=True)

    def dying(resolution: Resolution) -> Iterator[ox.Quad]:
        os._exit(3)

    monkeypatch.setattr(kg.build, "resolution_quads", dying)  # inherited by the fork
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    _fails_keeping_the_published_set(
        out, r"the process sorting quads beside the build failed: it stopped", extract=True, jobs=2
    )


def test_a_links_process_that_dies_fails_the_build_and_keeps_the_old_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    import kg.build
    from kg.graph import links

    out = tmp_path / "out"
    build([BUNDLED], out, extract=True)
    here = os.getpid()
    real_assertion_lines = links._assertion_lines

    def dying_beside(resolution: Resolution, assertions: Sequence[Assertion]) -> Iterator[bytes]:
        if os.getpid() != here:
            os._exit(3)
        return real_assertion_lines(resolution, assertions)

    monkeypatch.setattr(links, "_assertion_lines", dying_beside)
    monkeypatch.setattr(kg.build, "FORKED_SORT_FROM", 1)
    _fails_keeping_the_published_set(
        out, r"the process sorting quads beside the build failed: it stopped", extract=True, jobs=2
    )
    assert multiprocessing.active_children() == []


def _fails_keeping_the_published_set(out: Path, match: str, **options: Any) -> None:
    """A build into `out` fails with `match`; the published set stays, and nothing else."""
    before = _snapshot(out)
    with pytest.raises(OutputError, match=match):
        build([BUNDLED], out, **options)
    assert _snapshot(out) == before
    assert [p.name for p in (out / "builds").iterdir()] == [
        os.readlink(out / "current").split("/")[-1]
    ]


def test_a_line_sorter_takes_over_the_runs_of_another(tmp_path: Path) -> None:
    mine, other = LineSorter(tmp_path, budget=200), LineSorter(tmp_path, budget=200)
    mine.extend([b"<b> .", b"<d> .", b"<a> ."])
    other.extend([b"<c> .", b"<a> .", b"<e> ."])
    runs = other.handed_over()
    assert runs and list(other) == []
    mine.take(runs)
    assert list(mine) == [b"<a> .", b"<b> .", b"<c> .", b"<d> .", b"<e> ."]
    assert not list(tmp_path.glob(".run-*")), "taken runs are removed once merged"


def test_a_large_graph_gets_its_json_ld_from_a_process_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the threshold, JSON-LD is written by a forked process while this one writes the
    other dumps; the output set is the same to the byte."""
    import kg.build
    from kg.graph import dumps

    build([BUNDLED], tmp_path / "here", extract=False)
    seen = tmp_path / "pids"
    real_jsonld = dumps._jsonld

    def recording(graph: dumps.Canonical, path: Path) -> None:
        seen.write_text(str(os.getpid()))
        real_jsonld(graph, path)

    monkeypatch.setattr(kg.build, "FORKED_JSONLD_FROM", 1)
    monkeypatch.setitem(dumps.DUMPS, "jsonld", ("kg.jsonld", recording))  # inherited by the fork
    build([BUNDLED], tmp_path / "forked", extract=False)
    assert seen.read_text() != str(os.getpid())
    assert _snapshot(tmp_path / "here") == _snapshot(tmp_path / "forked")


def test_a_json_ld_writer_that_dies_fails_the_build_and_keeps_the_old_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.build
    from kg.graph import dumps

    out = tmp_path / "out"
    build([BUNDLED], out, extract=False)

    def dying(graph: dumps.Canonical, path: Path) -> None:
        os._exit(9)

    monkeypatch.setattr(kg.build, "FORKED_JSONLD_FROM", 1)
    monkeypatch.setitem(dumps.DUMPS, "jsonld", ("kg.jsonld", dying))
    _fails_keeping_the_published_set(
        out, r"the process writing .*kg\.jsonld stopped", extract=False
    )


def _quads(out: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(out / "store")))


def test_an_update_patches_the_published_store_to_the_quads_of_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.build as build_module

    monkeypatch.setattr(build_module, "PATCH_SHARE", 1)  # patch whatever the share changed
    weekly = tmp_path / "weekly"
    first = build(FILES[1:], weekly)
    assert first.patched is None, "nothing published yet: the store is loaded"
    for inputs in (FILES, FILES[1:]):  # a week added, then taken out again
        update = build(inputs, weekly)
        full = build(inputs, tmp_path / f"full-{len(inputs)}")
        assert full.patched is None
        assert update.patched is not None and update.patched > 100
        assert _quads(weekly) == _quads(tmp_path / f"full-{len(inputs)}")
        assert len(_quads(weekly)) == update.quads
        assert _snapshot(weekly) == _snapshot(tmp_path / f"full-{len(inputs)}")


def test_a_large_change_loads_the_store_whole(tmp_path: Path) -> None:
    build(FILES, tmp_path / "out")
    again = build(FILES, tmp_path / "out")
    assert again.patched == 0, "the same inputs: the published store is copied as it is"
    fewer = build(FILES[:2], tmp_path / "out")
    assert fewer.patched is None, "most quads changed: loading beats patching"
    assert len(_quads(tmp_path / "out")) == fewer.quads


def test_a_store_that_cannot_be_copied_is_loaded_instead(tmp_path: Path) -> None:
    build(FILES, tmp_path / "out")
    (tmp_path / "out" / "current" / "store" / "CURRENT").unlink()  # a damaged store
    again = build(FILES, tmp_path / "out")
    assert again.patched is None
    assert len(_quads(tmp_path / "out")) == again.quads


def test_lines_with_blank_nodes_are_never_patched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kg.build as build_module

    monkeypatch.setattr(build_module, "PATCH_SHARE", 1)
    vocab = tmp_path / "extra.ttl"
    for lab in ("Anon Lab", "Other Lab"):
        vocab.write_text(
            "@prefix schema: <https://schema.org/> .\n"
            f'<https://example.org/m> schema:creator [ schema:name "{lab}" ] .\n',
            encoding="utf-8",
        )
        summary = build(
            [BUNDLED / "dair-sample.md"], tmp_path / "out", extract=False, vocab=[vocab]
        )
        assert summary.patched is None
    rows = ox.Store.read_only(str(tmp_path / "out" / "store")).query(
        "PREFIX schema: <https://schema.org/> SELECT ?name WHERE { "
        "<https://example.org/m> schema:creator/schema:name ?name }"
    )
    assert [r["name"].value for r in rows] == ["Other Lab"]  # type: ignore[union-attr]


def test_changed_lines_reads_two_sorted_files_side_by_side(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    # byte order of the lines without their newline: "a" < "a\tb" < "b"
    old.write_bytes(b"a\na\tb\nc\nd\n")
    new.write_bytes(b"a\tb\nb\nd\ne\n")
    assert changed_lines(old, new, limit=10) == ([b"a\n", b"c\n"], [b"b\n", b"e\n"])
    assert changed_lines(old, new, limit=3) is None
    assert changed_lines(old, old, limit=0) == ([], [])


def test_a_set_without_its_sorted_lines_is_loaded_whole(tmp_path: Path) -> None:
    """A set published by an older kg has no .kg.nq: there is nothing to patch from."""
    build(FILES, tmp_path / "out")
    (tmp_path / "out" / "current" / ".kg.nq").unlink()
    again = build(FILES, tmp_path / "out")
    assert again.patched is None
    assert (tmp_path / "out" / "current" / ".kg.nq").is_file(), "the new set keeps its lines"
    assert len(_quads(tmp_path / "out")) == again.quads


def test_kg_nt_is_the_sorted_union_of_the_graphs_each_triple_once(tmp_path: Path) -> None:
    from kg.graph.dumps import canonical

    ex = "https://example.org/"
    a, b, c, p = (ox.NamedNode(ex + name) for name in ("a", "b", "c", "p"))
    g1, g2 = ox.NamedNode(ex + "g1"), ox.NamedNode(ex + "g2")
    quads = [
        ox.Quad(b, p, ox.Literal("in the default graph and in g1"), ox.DefaultGraph()),
        ox.Quad(b, p, ox.Literal("in the default graph and in g1"), g1),
        ox.Quad(a, p, ox.Literal("only in g2, sorts first"), g2),
        ox.Quad(c, p, ox.Literal("only in the default graph"), ox.DefaultGraph()),
        ox.Quad(c, p, ox.Literal("in g1 and g2"), g1),
        ox.Quad(c, p, ox.Literal("in g1 and g2"), g2),
    ]
    graph = canonical(quads, tmp_path)
    lines = graph.ntriples.read_bytes().splitlines()
    assert lines == sorted(set(lines)) and graph.triples == len(lines) == 4
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    parsed = ox.parse(path=str(graph.ntriples), format=ox.RdfFormat.N_TRIPLES)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in parsed} == union
    assert graph.quads == len(graph.nquads.read_bytes().splitlines()) == 6
