"""Bad digest files: each gives one DigestError naming the file and the reason, good files are
kept, and `kg build` reports them on one line each (or, with --strict, writes nothing)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from conftest import BUNDLED, DAIR_SAMPLE, DEV_README, PYTORCHKR_2023, QA_JA
from typer.testing import CliRunner, Result

from kg import sources
from kg.build import StrictBuildError, build
from kg.cli import app
from kg.errors import DigestError, UnknownNameError
from kg.records import Digest, LinkKind
from kg.sources import MAX_ENTRY_CHARS, MAX_FILE_BYTES, READERS, ReadResult, read_file, read_files

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


def _dair_cut_in_a_link() -> bytes:
    """The DAIR sample cut inside the tweet URL of its last row: '(' without its ')'."""
    text = (BUNDLED / DAIR_SAMPLE).read_text(encoding="utf-8")
    return text[: text.rindex("/status/") + 12].encode("utf-8")


def _dair_cut_in_a_heading() -> bytes:
    text = (BUNDLED / DAIR_SAMPLE).read_text(encoding="utf-8")
    return (text + "\n---\n## Top ML Papers of the Week (Novem").encode("utf-8")


def _dair_long_entry() -> bytes:
    description = "word " * (MAX_ENTRY_CHARS // 5 + 10)
    return hostile_dair().replace("a description", description).encode("utf-8")


def dev_weeks(first: int, count: int, contents: int = 0) -> str:
    """`count` weeks of the development README from week `first` on, after a contents list of
    the first `contents` of them (as the upstream README opens with)."""
    text = DEV_README.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^## Top ML Papers", text, re.M)]
    body = text[starts[first] : starts[first + count]]
    titles = re.findall(r"^## (Top ML Papers of the Week .*)$", body, re.M)[:contents]
    toc = "".join(f"- [{title}](./#week)\n" for title in titles)
    return f"# ML Papers of The Week\n\n{toc}\n{body}"


def _dair_cut_in_a_week() -> bytes:
    """Four weeks numbered 1) to 10), the last cut cleanly after its sixth row."""
    text = dev_weeks(3, 4)
    last = text.rindex("## Top ML Papers")
    sixth = text.index("\n| 7) ", last)
    return text[: sixth + 1].encode("utf-8")


def _dair_cut_after_a_week() -> bytes:
    """Five weeks in the contents list, four in the file."""
    return (
        dev_weeks(3, 4, contents=4)
        .replace("\n\n## Top", "\n- [Top ML Papers of the Week (Jan 1 - Jan 7)](./#w)\n\n## Top", 1)
        .encode("utf-8")
    )


def _qa(cut: Callable[[str], str]) -> Callable[[], bytes]:
    def content() -> bytes:
        return cut((BUNDLED / QA_JA).read_text(encoding="utf-8")).encode("utf-8")

    return content


def _qa_cut_in_an_answer(text: str) -> str:
    last = text.rstrip().rindex("A: ")
    return text[: last + 40]


def _qa_cut_after_a_block(text: str) -> str:
    blocks = [m.start() for m in re.finditer(r"^著者", text, re.M)]
    return text[: text.rindex("\n", 0, blocks[7])]


def _korean_cut_in_a_tweet() -> bytes:
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    return text[: text.rindex("/status/") + 12].encode("utf-8")


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
    BadFile("cut-in-a-link.md", _dair_cut_in_a_link, "truncated: the last table row has no"),
    BadFile("cut-in-a-heading.md", _dair_cut_in_a_heading, "truncated: the file ends with a"),
    BadFile("cut-in-a-week.md", _dair_cut_in_a_week, "numbers its rows 1) to 10), the last"),
    BadFile("cut-after-a-week.md", _dair_cut_after_a_week, "the contents list 5 weeks, the file"),
    BadFile("cut-in-an-answer.ja.txt", _qa(_qa_cut_in_an_answer), "answer stops mid-sentence"),
    BadFile("cut-after-a-block.ja.txt", _qa(_qa_cut_after_a_block), "the file holds 7 of them"),
    BadFile("cut-in-a-tweet.ko.txt", _korean_cut_in_a_tweet, "truncated: entry 10"),
    BadFile("long-entry.md", _dair_long_entry, "characters long (limit 100,000)"),
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
    published = ("builds", "cache", "current")
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


def test_cli_build_of_nothing_but_passed_over_files_names_them(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("build", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    _no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "kg: error: no digest file was found; nothing was written"
    ]
    (tmp_path / "pdfs").mkdir()
    (tmp_path / "pdfs" / "paper.pdf").write_bytes(b"%PDF-1.4")
    result = invoke("build", str(tmp_path / "pdfs"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"kg: not read {tmp_path / 'pdfs' / 'paper.pdf'}: not a digest file name (suffix '.pdf';"
        " digests end in .md, .markdown or .txt)",
        "kg: error: no digest could be read; nothing was written",
    ]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing.ttl", r"No such file or directory"),
        (lambda d: d, r"Is a directory"),
        (lambda d: _write(d / "v.ttl", (BUNDLED / DAIR_SAMPLE).read_bytes()), r"Parser error"),
        (lambda d: _write(d / "v.ttl", bytes(range(256)) * 8), r"Parser error"),
    ],
    ids=["missing", "folder", "markdown", "binary"],
)
@pytest.mark.parametrize("extract", ["--extract", "--no-extract"])
def test_a_bad_vocabulary_is_one_line(
    tmp_path: Path, make: Callable[[Path], Path], reason: str, extract: str
) -> None:
    vocab = make(tmp_path)
    out = tmp_path / "out"
    result = invoke(
        "build", str(BUNDLED / DAIR_SAMPLE), "--vocab", str(vocab), extract, "-o", str(out)
    )
    _no_traceback(result)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"kg: error: {vocab}: not a readable Turtle vocabulary (")
    assert re.search(reason, line)
    assert _outputs(out) == []


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


_UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def _without_root_s_reading_rights() -> list[str]:
    """A command prefix under which file permissions hold (root reads everything otherwise)."""
    if os.geteuid() != 0:
        return []
    if subprocess.run([*_UNPRIVILEGED, "true"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot drop root's reading rights here")
    return _UNPRIVILEGED


def test_an_unreadable_file_named_is_skipped_and_the_others_built(tmp_path: Path) -> None:
    prefix = _without_root_s_reading_rights()
    secret = _write(tmp_path / "secret.md", (BUNDLED / DAIR_SAMPLE).read_bytes())
    secret.chmod(0)
    out = tmp_path / "out"
    done = subprocess.run(
        [
            *prefix,
            str(KG),
            "build",
            "--no-extract",
            str(BUNDLED / QA_JA),
            str(secret),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"kg: skipped {secret}: cannot be read (Permission denied)"]
    assert (out / "kg.nt").stat().st_size > 0


def test_an_unreadable_store_is_one_line(tmp_path: Path) -> None:
    prefix = _without_root_s_reading_rights()
    out = tmp_path / "out"
    build([BUNDLED / DAIR_SAMPLE], out, extract=False)
    store = (out / "store").resolve()
    store.chmod(0)
    try:
        done = subprocess.run(
            [*prefix, str(KG), "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--store", str(out)],
            capture_output=True,
            text=True,
        )
    finally:
        store.chmod(0o755)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"kg: error: cannot open the store at {out / 'store'}: Permission denied"
    ]


def test_an_empty_out_is_refused_not_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("build", str(BUNDLED / DAIR_SAMPLE), "--no-extract", "--out", " ")
    _no_traceback(result)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "kg: error: --out is empty; give the folder to build into"
    ]
    assert list(tmp_path.iterdir()) == []


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


# ------------------------------------------------------------------ hostile inputs


def _in_time(call: Callable[[], object], seconds: float = 10.0) -> object:
    """The value of `call`, which must return within `seconds` (a read that blocks fails)."""
    box: list[object] = []
    worker = threading.Thread(target=lambda: box.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    assert box, "the call raised"
    return box[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "digest.md"
    os.mkfifo(fifo)
    result = _in_time(lambda: read_files([fifo, BUNDLED / DAIR_SAMPLE]))
    assert isinstance(result, ReadResult)
    assert [(e.path, e.reason) for e in result.errors] == [
        (str(fifo), "not a regular file (a FIFO)")
    ]
    assert sum(len(d.entries) for d in result.digests) == 5


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_an_error_not_a_hang() -> None:
    result = _in_time(lambda: read_files([Path("/dev/zero")]))
    assert isinstance(result, ReadResult)
    assert [e.reason for e in result.errors] == ["not a regular file (a character device)"]


def test_a_folder_given_to_read_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DigestError) as caught:
        read_file(tmp_path)
    assert caught.value.reason == "not a regular file (a folder)"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    assert MAX_FILE_BYTES == 64 * 1024 * 1024
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:  # sparse: no 64 MB written
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(DigestError) as caught:
        read_file(path)
    assert caught.value.reason == "too large for a digest (64.0 MB; the limit is 64 MB)"


def test_a_file_growing_past_the_limit_is_read_no_further(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose size says little (as in /proc) is read up to the limit plus one byte."""
    path = tmp_path / "grows.md"
    path.write_bytes(b"x" * 5000)
    read: list[int] = []
    real_fstat, real_read = os.fstat, os.read

    def small_fstat(descriptor: int) -> os.stat_result:
        found = real_fstat(descriptor)
        return os.stat_result((found.st_mode, *found[1:6], 0, *found[7:10]))

    def counted_read(descriptor: int, size: int) -> bytes:
        chunk = real_read(descriptor, size)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 1000)
    monkeypatch.setattr(os, "fstat", small_fstat)
    monkeypatch.setattr(os, "read", counted_read)
    with pytest.raises(DigestError) as caught:
        read_file(path)
    assert caught.value.reason == "too large for a digest (more than 0.0 MB; the limit is 0.0 MB)"
    assert sum(read) == 1001


def test_entry_cap_keeps_text_far_below_spacy_s_limit() -> None:
    assert MAX_ENTRY_CHARS == 100_000 < 1_000_000


def test_a_long_korean_entry_is_refused(tmp_path: Path) -> None:
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    intro = text.index("논문 소개") + len("논문 소개\n")
    long = text[:intro] + "아주 긴 소개입니다. " * 12_000 + "\n" + text[intro:]
    path = tmp_path / "long.ko.txt"
    path.write_text(long, encoding="utf-8")
    with pytest.raises(DigestError) as caught:
        read_file(path)
    assert re.fullmatch(
        r"entry 1 is 1\d\d,\d{3} characters long \(limit 100,000\): not one paper's text",
        caught.value.reason,
    )


def test_no_entry_text_over_the_cap_is_ever_returned(tmp_path: Path) -> None:
    """Just under the cap is read; the row's text is all kept."""
    path = tmp_path / "near.md"
    description = "word " * ((MAX_ENTRY_CHARS - 400) // 5)
    path.write_text(hostile_dair().replace("a description", description), encoding="utf-8")
    (digest,) = read_file(path)
    (entry,) = digest.entries
    assert MAX_ENTRY_CHARS - 1000 < len(entry.intro_en or "") < MAX_ENTRY_CHARS


def test_a_reader_s_crash_is_that_file_s_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(text: str, source: str, checksum: str) -> list[Digest]:
        raise RuntimeError("boom\non two lines")

    monkeypatch.setattr(READERS["qa-ja"], "read", crash)
    result = read_files([BUNDLED / QA_JA, BUNDLED / DAIR_SAMPLE])
    assert [(e.path, e.reason) for e in result.errors] == [
        (str(BUNDLED / QA_JA), "reader failed: RuntimeError: boom on two lines")
    ]
    assert [d.layout for d in result.digests] == ["dair", "dair"]


def test_an_unknown_format_is_raised_once_before_reading(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError):
        read_files([tmp_path / "missing.md", BUNDLED], layout="markdown")


def test_a_file_name_cannot_forge_a_message_line(tmp_path: Path) -> None:
    path = tmp_path / "a.md\nkg: skipped \u202eforged.md: fine"
    path.write_bytes(b"")
    (error,) = read_files([path]).errors
    assert error.path == str(path)
    assert "\n" not in str(error) and "\u202e" not in str(error)
    assert str(error).endswith("a.md\\x0akg: skipped \\u202eforged.md: fine: empty file")


def test_two_introduction_lines_in_a_row_are_one_entry(tmp_path: Path) -> None:
    text = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    third = [m.start() for m in re.finditer("^논문 소개", text, re.M)][2]
    path = tmp_path / "twice.ko.txt"
    path.write_text(text[:third] + "논문 소개\n" + text[third:], encoding="utf-8")
    doubled = read_file(path)[0].entries
    original = read_file(BUNDLED / PYTORCHKR_2023)[0].entries
    assert len(doubled) == 10
    assert doubled == original


def test_a_link_to_an_unparsable_url_is_not_a_paper_link(tmp_path: Path) -> None:
    path = tmp_path / "ipv6.md"
    path.write_text(
        hostile_dair().replace("https://arxiv.org/abs/2404.99999", "https://[..."),
        encoding="utf-8",
    )
    (digest,) = read_file(path)
    (entry,) = digest.entries
    assert [(link.url, link.kind) for link in entry.links] == [
        ("https://[", LinkKind.OTHER),
        ("https://x.com/evil/status/1234567", LinkKind.TWEET),
    ]


def test_control_and_bidi_characters_are_removed(tmp_path: Path) -> None:
    hostile = "\u202eevil\u202c \x1b[31mred\x1b[0m\u2066x\u2069\u200f"
    path = tmp_path / "bidi.md"
    path.write_text(hostile_dair().replace(HOSTILE_TITLE, hostile), encoding="utf-8")
    (digest,) = read_file(path)
    (entry,) = digest.entries
    assert entry.title_en == "evil [31mred[0mx"
    korean = (BUNDLED / PYTORCHKR_2023).read_text(encoding="utf-8")
    path = tmp_path / "bidi.ko.txt"
    path.write_text(
        korean.replace("시스템 2 어텐션", "시스템\u202e 2 어텐션\x07"), encoding="utf-8"
    )
    first = read_file(path)[0].entries[0]
    assert first.title_local == "(여러분에게도 필요할 수 있는) 시스템 2 어텐션"


@pytest.mark.parametrize(
    ("where", "brk"),
    [
        *[("title", c) for c in ["\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\x1c", "\x1e"]],
        *[("cells", c) for c in ["\n", "\r\n", "\r", "\n\n"]],
        ("description", "\n"),
    ],
)
def test_a_row_broken_in_the_middle_of_a_file_keeps_its_links(
    tmp_path: Path, where: str, brk: str
) -> None:
    """Characters Python splits lines at are spaces in Markdown; a line break inside a row
    joins the row back (a blank line ends it: the row is then cut, its links lost, told)."""
    text = (BUNDLED / DAIR_SAMPLE).read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "**Phi-3**" in line)
    broken = {
        "title": row.replace("**Phi-3**", f"**Phi{brk}-3**"),
        "cells": row.replace(" | [Paper]", f" |{brk}[Paper]").replace(" [Paper]", f"{brk}[Paper]"),
        "description": row.replace(" - ", f" - {brk}", 1),
    }[where]
    path = tmp_path / "broken.md"
    path.write_bytes(text.replace(row, broken).encode("utf-8"))
    digests = read_file(path)
    entries = {e.title_en: e for d in digests for e in d.entries}
    whole = {e.title_en: e for d in read_file(BUNDLED / DAIR_SAMPLE) for e in d.entries}
    assert len(entries) == len(whole)
    phi = entries["Phi -3" if where == "title" else "Phi-3"]
    if brk == "\n\n":
        assert phi.arxiv_ids == ()  # a blank line ends a table: what follows is no part of it
        return
    assert phi.arxiv_ids == whole["Phi-3"].arxiv_ids == ("2404.14219",)
    assert phi.links == whole["Phi-3"].links
    assert phi.intro_en == whole["Phi-3"].intro_en


def test_a_last_row_broken_and_cut_is_still_told(tmp_path: Path) -> None:
    text = (BUNDLED / DAIR_SAMPLE).read_text(encoding="utf-8").rstrip("\n")
    last = text.splitlines()[-1]
    path = tmp_path / "cut.md"
    start = re.escape(repr(last[:12])[:-1])  # the row as written, not spaced out
    for cut in ("\nmore of it", "\\|"):  # a line break after the cut; an escaped bar at the end
        path.write_text(text.replace(last, last[: len(last) // 3] + cut), encoding="utf-8")
        with pytest.raises(DigestError, match=f"the last table row has no closing .*{start}"):
            read_file(path)


# ------------------------------------------------------------------ cut at any offset

_CUT_SOURCES = {
    **{
        name: lambda name=name: (BUNDLED / name).read_text(encoding="utf-8")
        for name in (
            "autotranslate-2024-01-29.ko.txt",
            DAIR_SAMPLE,
            PYTORCHKR_2023,
            "pytorchkr-2024-10-21.ko.txt",
            QA_JA,
        )
    },
    "dev-weeks.md": lambda: dev_weeks(3, 4),
    "dev-weeks-with-contents.md": lambda: dev_weeks(10, 3, contents=3),
}


def _entries(digests: list[Digest]) -> list[tuple[int, object]]:
    return [(d.section, e) for d in digests for e in d.entries]


def _ends_a_row(text: str) -> bool:
    """Whether a DAIR text ends right after a whole row or a rule between weeks: a cut there
    cannot be told from a digest with fewer rows (the layout has no end marker)."""
    return text.rstrip().endswith(("|", "---"))


@pytest.mark.parametrize("name", list(_CUT_SOURCES))
def test_a_cut_at_any_offset_is_refused_or_loses_no_entry(tmp_path: Path, name: str) -> None:
    text = _CUT_SOURCES[name]()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    whole = _entries(read_file(path))
    offsets = sorted({*range(1, len(text), max(1, len(text) // 200)), len(text) - 1})
    accepted = []
    for cut in offsets:
        path.write_text(text[:cut], encoding="utf-8")
        try:
            got = _entries(read_file(path))
        except DigestError as exc:
            assert exc.path == str(path)
            continue
        accepted.append(cut)
        assert got == whole[: len(got)], f"cut at {cut}: an entry was changed"
        if len(got) < len(whole):
            assert name.endswith(".md") and _ends_a_row(text[:cut]), f"cut at {cut}: {got[-1]}"
    assert len(accepted) < len(offsets) // 10  # nearly every cut is told


@pytest.mark.parametrize(
    "filler",
    ["[", "[a](", "<b ", " ", "\t", "**", "(", "|", "\\|", " -", "가/", "https://x.com/"],
)
def test_a_long_row_is_read_in_linear_time(tmp_path: Path, filler: str) -> None:
    """Rows just under the entry limit, made of what the row patterns look for."""
    run = filler * ((MAX_ENTRY_CHARS - 500) // len(filler))
    path = tmp_path / "long-row.md"
    path.write_text(hostile_dair().replace("a description", run + " x"), encoding="utf-8")
    started = time.perf_counter()
    result = read_files([path])
    assert time.perf_counter() - started < 1.0
    assert result.files == 1 and len(result.digests) + len(result.errors) == 1


@pytest.mark.parametrize("filler", [" ", " *", "* "])
def test_a_row_of_spaces_and_stars_is_read_in_linear_time(tmp_path: Path, filler: str) -> None:
    """A table line the header-row pattern tries: "|" and a long run of blanks (and stars)."""
    run = "|" + filler * ((MAX_ENTRY_CHARS - 500) // len(filler)) + "x"
    path = tmp_path / "blank-row.md"
    text = hostile_dair()
    first_row = text.index("| 1)")
    path.write_text(text[:first_row] + run + "\n" + text[first_row:], encoding="utf-8")
    started = time.perf_counter()
    result = read_files([path])
    assert time.perf_counter() - started < 1.0
    assert result.files == 1 and len(result.digests) + len(result.errors) == 1


def test_blank_lines_are_sniffed_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("x\n" + "\n" * 30_000 + "x", encoding="utf-8")
    started = time.perf_counter()
    (error,) = read_files([path]).errors
    assert time.perf_counter() - started < 1.0
    assert error.reason.startswith("unknown layout")
