"""Outputs are written whole or not at all: one file by rename, one folder by swap."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import BuildSummary
from kg.errors import OutputError
from kg.files import (
    SITE_MARK,
    is_standard_output,
    replace_folder,
    staging_folder,
    write_bytes,
    write_text,
)


def test_write_text_replaces_whole_files_and_keeps_the_old_one_on_failure(tmp_path: Path) -> None:
    page = tmp_path / "deep" / "graph.html"
    write_text(page, "first")
    write_text(page, "second")
    assert page.read_text(encoding="utf-8") == "second"
    with pytest.raises(UnicodeEncodeError):
        write_text(page, "half \ud800 written")
    assert page.read_text(encoding="utf-8") == "second"
    assert [p.name for p in page.parent.iterdir()] == ["graph.html"]
    assert page.stat().st_mode & 0o644 == 0o644
    write_bytes(page, b"\x00\x01")
    assert page.read_bytes() == b"\x00\x01"


def test_write_text_names_what_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match=f"cannot write {blocker / 'page.html'}: "):
        write_text(blocker / "page.html", "x")


def test_a_folder_is_swapped_in_whole(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with staging_folder(out) as stage:
        (stage / "a.html").write_text("one", encoding="utf-8")
        replace_folder(stage, out)
    assert sorted(p.name for p in out.iterdir()) == [SITE_MARK, "a.html"]
    with staging_folder(out) as stage:
        (stage / "b.html").write_text("two", encoding="utf-8")
        assert (out / "a.html").exists()  # the old site is whole until the swap
        replace_folder(stage, out)
    assert sorted(p.name for p in out.iterdir()) == [SITE_MARK, "b.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_failed_run_leaves_the_old_folder_and_no_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "site"
    with staging_folder(out) as stage:
        (stage / "a.html").write_text("one", encoding="utf-8")
        replace_folder(stage, out)
    with pytest.raises(RuntimeError), staging_folder(out) as stage:
        (stage / "half.html").write_text("half", encoding="utf-8")
        raise RuntimeError("stopped")
    assert sorted(p.name for p in out.iterdir()) == [SITE_MARK, "a.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_only_folders_kg_wrote_or_empty_ones_are_replaced(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with staging_folder(tmp_path / "empty") as stage:
        replace_folder(stage, tmp_path / "empty")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(OutputError, match="was not written by kg"), staging_folder(mine):
        pass
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"), staging_folder(tmp_path / "file"):
        pass


def test_a_link_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    target, link = tmp_path / "target.md", tmp_path / "link.md"
    link.symlink_to(target)  # dangling at first
    write_text(link, "one")
    write_text(link, "two")
    assert link.is_symlink() and target.read_text() == "two"


def test_what_is_not_a_plain_file_is_written_into_not_replaced(tmp_path: Path) -> None:
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_bytes(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the pipe is still a pipe"


def test_a_dash_is_the_standard_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_bytes("-", b"to stdout\n")
    assert capfdbinary.readouterr().out == b"to stdout\n"
    assert not Path("-").exists()


@pytest.mark.parametrize("out", ["-", "/dev/stdout"])
def test_output_on_the_standard_output_holds_only_the_output(
    out: str, built: tuple[Path, BuildSummary]
) -> None:
    """`kg export -`: the line saying what was written goes to the standard error."""
    import subprocess
    import sys

    kg = str(Path(sys.executable).parent / "kg")
    run = subprocess.run(
        [kg, "export", out, "--format", "csv", "--store", str(built[0])],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.splitlines()[0].startswith("paper,")
    assert "rows" not in run.stdout and run.stderr.startswith(f"{out}: papers-entities, ")


def test_only_the_standard_output_is_the_standard_output(tmp_path: Path) -> None:
    assert is_standard_output("-")
    assert not is_standard_output(tmp_path / "a.csv")  # no such file yet
    (tmp_path / "a.csv").write_text("")
    assert not is_standard_output(tmp_path / "a.csv")  # pytest's stdout is no such file
