"""Bad digest files: each gives one DigestError naming the file and the reason, good files are
kept, and `kg build` reports them on one line each (or, with --strict, writes nothing)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from conftest import BUNDLED, DAIR_SAMPLE, PYTORCHKR_2023
from typer.testing import CliRunner, Result

from kg.build import StrictBuildError, build
from kg.cli import app
from kg.errors import DigestError
from kg.sources import read_file, read_files

KG = Path(sys.executable).parent / "kg"
HEADER_ONLY = (
    "[2023/11/20 ~ 11/26] 이번 주의 주요 ML 논문 (Top ML Papers of the Week)\n\n"
    "소개\n이번 주에 선정된 논문들은 주로 LLM과 관련된 경향이 있습니다.\n"
)
HOSTILE_TITLE = "<script>alert(1)</script> \"Quoted\" & 'single' <b>bold</b> \\ back\\slash"
# what the DAIR reader keeps of it: formatting tags go, anything else stays text
HOSTILE_TITLE_READ = "<script>alert(1)</script> \"Quoted\" & 'single' bold \\ back\\slash"


@dataclass(frozen=True)
class BadFile:
    name: str
    content: Callable[[], bytes]
    reason: str


def _korean_truncated() -> bytes:
    """The real Korean digest cut in the middle of its last entry's introduction."""
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    last_intro = text.rindex("논문 소개")
    last_more = text.rindex("더 읽어보기")
    assert last_intro < last_more
    return text[: (last_intro + last_more) // 2].encode("utf-8")


def _dair_truncated() -> bytes:
    """The DAIR sample cut in the middle of its last table row."""
    text = (BUNDLED / DAIR_SAMPLE).read_text(encoding="utf-8").rstrip("\n")
    last_row = text.rindex("\n|") + 1
    return text[: (last_row + len(text)) // 2].encode("utf-8")


def _euc_kr() -> bytes:
    """A Korean digest saved in the legacy EUC-KR / CP949 encoding."""
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    return text.encode("cp949", errors="replace")


BAD_FILES = [
    BadFile(
        "image.png",
        lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 8,
        "binary file (NUL bytes), not a text digest",
    ),
    BadFile(
        "controls.txt",
        lambda: bytes(range(1, 9)) * 200 + b"Top ML Papers of the Week",
        "binary file (control characters), not a text digest",
    ),
    BadFile("empty.txt", lambda: b"", "empty file"),
    BadFile("blank.md", lambda: b"  \n\t\n   \r\n\n", "empty file"),
    BadFile("latin1.md", lambda: "Top ML Papers — café".encode("cp1252"), "not valid UTF-8"),
    BadFile("euc-kr.txt", _euc_kr, "not valid UTF-8 (byte 21: invalid start byte)"),
    BadFile("truncated.ko.txt", _korean_truncated, "truncated: entry 10"),
    BadFile("truncated-dair.md", _dair_truncated, "truncated: the last table row has no closing"),
    BadFile(
        "header-only.ko.txt",
        lambda: HEADER_ONLY.encode("utf-8"),
        "no entries found",
    ),
    BadFile(
        "notes.txt",
        lambda: b"Meeting notes\n\n- buy milk\n- read the Phi-3 paper\n",
        "unknown layout (none of: pytorchkr, autotranslate, qa-ja, dair); force one with --format",
    ),
]
BAD_IDS = [bad.name for bad in BAD_FILES]


def write_bad(directory: Path, bad: BadFile) -> Path:
    path = directory / bad.name
    path.write_bytes(bad.content())
    return path


def hostile_dair() -> str:
    return (
        "## Top ML Papers of the Week (April 22 - April 28) - 2024\n"
        "| **Paper**  | **Links** |\n"
        "| ------------- | ------------- |\n"
        f'| 1) **{HOSTILE_TITLE}** - a description with <i>markup</i> and "quotes". | '
        "[Paper](https://arxiv.org/abs/2404.99999), [Tweet](https://x.com/evil/status/1234567) |\n"
    )


# ------------------------------------------------------------------ the readers


@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
def test_bad_file_is_one_digest_error(tmp_path: Path, bad: BadFile) -> None:
    path = write_bad(tmp_path, bad)
    result = read_files([path])
    assert result.digests == []
    assert result.files == 1
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.path == str(path)
    assert bad.reason in error.reason
    assert str(error) == f"{path}: {error.reason}"
    assert "\n" not in str(error)


@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
def test_read_file_raises(tmp_path: Path, bad: BadFile) -> None:
    path = write_bad(tmp_path, bad)
    with pytest.raises(DigestError) as caught:
        read_file(path)
    assert caught.value.path == str(path)
    assert bad.reason in caught.value.reason


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.md"
    with pytest.raises(DigestError, match=r"nowhere\.md: cannot be read \(No such file"):
        read_file(path)


def test_good_files_survive_bad_ones(tmp_path: Path) -> None:
    bad_paths = [write_bad(tmp_path, bad) for bad in BAD_FILES]
    result = read_files([BUNDLED, *bad_paths])
    assert result.files == 6 + len(BAD_FILES)
    assert len(result.digests) == 7
    assert sum(len(d.entries) for d in result.digests) == 55
    assert [e.path for e in result.errors] == [str(p) for p in bad_paths]


def test_truncated_files_are_readable_uncut() -> None:
    assert len(read_file(BUNDLED / PYTORCHKR_2023)[0].entries) == 10
    assert sum(len(d.entries) for d in read_file(BUNDLED / DAIR_SAMPLE)) == 5


def test_hostile_title_is_kept_verbatim(tmp_path: Path) -> None:
    path = tmp_path / "hostile.md"
    path.write_text(hostile_dair(), encoding="utf-8")
    (digest,) = read_file(path)
    (entry,) = digest.entries
    assert entry.title_en == HOSTILE_TITLE_READ
    assert entry.intro_en == 'a description with markup and "quotes".'
    assert entry.arxiv_ids == ("2404.99999",)


def test_hostile_title_round_trips_through_every_dump(tmp_path: Path) -> None:
    path = tmp_path / "hostile.md"
    path.write_text(hostile_dair(), encoding="utf-8")
    out = tmp_path / "out"
    summary = build([path], out, extract=False)
    assert summary.papers == 1 and summary.errors == []
    paper = rdflib.URIRef("https://w3id.org/mlkg/id/paper/2404.99999")
    label = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    for name, fmt in (("kg.ttl", "turtle"), ("kg.nt", "nt"), ("kg.jsonld", "json-ld")):
        graph = rdflib.Graph()
        graph.parse(out / name, format=fmt)
        assert [str(o) for o in graph.objects(paper, label)] == [HOSTILE_TITLE_READ], name
    document = json.loads((out / "kg.jsonld").read_text(encoding="utf-8"))
    node = next(n for n in document["@graph"] if n["@id"] == "paper:2404.99999")
    assert node["rdfs:label"] == [{"@value": HOSTILE_TITLE_READ, "@language": "en"}]


# ------------------------------------------------------------------ the build


def test_build_skips_bad_files(tmp_path: Path) -> None:
    bad = write_bad(tmp_path, BAD_FILES[0])
    summary = build([BUNDLED / DAIR_SAMPLE, bad], tmp_path / "out", extract=False)
    assert summary.files == 2
    assert [e.path for e in summary.errors] == [str(bad)]
    assert summary.papers == 5


def test_strict_build_raises_and_writes_nothing(tmp_path: Path) -> None:
    bad = write_bad(tmp_path, BAD_FILES[0])
    out = tmp_path / "out"
    with pytest.raises(StrictBuildError) as caught:
        build([BUNDLED / DAIR_SAMPLE, bad], out, extract=False, strict=True)
    assert [e.path for e in caught.value.errors] == [str(bad)]
    assert not out.exists()


# ------------------------------------------------------------------ the CLI


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _outputs(directory: Path) -> list[str]:
    if not directory.exists():
        return []
    published = ("builds", "current")
    return sorted(
        p.name
        for p in directory.iterdir()
        if not p.name.startswith(".") and p.name not in published
    )


@pytest.fixture(scope="module")
def cli_with_bad_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """One `kg build GOOD BAD... --out DIR` with every bad file (a build costs a second)."""
    directory = tmp_path_factory.mktemp("bad")
    paths = [str(write_bad(directory, bad)) for bad in BAD_FILES]
    out = directory / "out"
    return directory, invoke("build", str(BUNDLED / PYTORCHKR_2023), *paths, "--out", str(out))


def test_cli_build_with_bad_files_succeeds(cli_with_bad_files: tuple[Path, Result]) -> None:
    directory, result = cli_with_bad_files
    _no_traceback(result)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == len(BAD_FILES), lines
    assert all(line.startswith("kg: skipped ") for line in lines)
    assert _outputs(directory / "out") == ["kg.jsonld", "kg.nt", "kg.trig", "kg.ttl", "store"]
    assert f"1 of {1 + len(BAD_FILES)}" in result.stdout  # files read


@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
def test_cli_build_reports_each_bad_file(
    cli_with_bad_files: tuple[Path, Result], bad: BadFile
) -> None:
    directory, result = cli_with_bad_files
    path = directory / bad.name
    lines = [line for line in result.stderr.splitlines() if f" {path}: " in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kg: skipped {path}: ")
    assert bad.reason in lines[0]


@pytest.mark.parametrize("bad", BAD_FILES, ids=BAD_IDS)
def test_cli_strict_build_writes_nothing(tmp_path: Path, bad: BadFile) -> None:
    path = write_bad(tmp_path, bad)
    out = tmp_path / "out"
    result = invoke(
        "build", str(BUNDLED / PYTORCHKR_2023), str(path), "--out", str(out), "--strict"
    )
    _no_traceback(result)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"kg: error: {path}: {lines[0].split(': ', 3)[-1]}",
        "kg: error: 1 digest file(s) could not be read; nothing was written",
    ]
    assert bad.reason in lines[0]
    assert _outputs(out) == []
    assert result.stdout == ""


def test_cli_build_with_only_bad_files_fails(tmp_path: Path) -> None:
    paths = [str(write_bad(tmp_path, bad)) for bad in BAD_FILES[:3]]
    out = tmp_path / "out"
    result = invoke("build", *paths, "--out", str(out))
    _no_traceback(result)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "kg: error: no digest could be read; nothing was written"
    assert _outputs(out) == []


def test_kg_command_end_to_end(tmp_path: Path) -> None:
    """The installed `kg` script, as a user runs it: several bad files, then --strict."""
    bad_paths = [str(write_bad(tmp_path, bad)) for bad in BAD_FILES]
    out = tmp_path / "out"
    run = subprocess.run(
        [str(KG), "build", str(BUNDLED), *bad_paths, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    skipped = [line for line in run.stderr.splitlines() if line.startswith("kg: skipped ")]
    assert [line.split(": ")[1].removeprefix("skipped ") for line in skipped] == bad_paths
    assert "Traceback" not in run.stderr + run.stdout
    assert _outputs(out) == ["kg.jsonld", "kg.nt", "kg.trig", "kg.ttl", "store"]

    strict_out = tmp_path / "strict"
    strict = subprocess.run(
        [str(KG), "build", str(BUNDLED), *bad_paths, "--out", str(strict_out), "--strict"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert strict.returncode == 1
    errors = strict.stderr.splitlines()
    assert len(errors) == len(BAD_FILES) + 1
    assert all(line.startswith("kg: error: ") for line in errors)
    assert "Traceback" not in strict.stderr + strict.stdout
    assert _outputs(strict_out) == []
