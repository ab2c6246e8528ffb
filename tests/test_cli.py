"""The `kg` command: `kg build` prints its summary, `kg query` answers in every format and
reports errors on one line."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from conftest import BUNDLED
from typer.testing import CliRunner, Result

from kg.build import BuildSummary
from kg.cli import app

KG_COMMAND = [str(Path(sys.executable).parent / "kg")]
TITLES_BY_ARXIV = """SELECT DISTINCT ?id ?title WHERE {
    ?p a mlkg:Paper ; mlkg:arxivId ?id ; rdfs:label ?title } ORDER BY ?id LIMIT 3"""
FIRST_THREE = [
    (
        "2311.10537",
        "MedAgents: Large Language Models as Collaborators for Zero-shot Medical Reasoning",
    ),
    ("2311.10702", "Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2"),
    ("2311.11045", "Orca 2: Teaching Small Language Models How to Reason"),
]


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    out = tmp_path_factory.mktemp("cli") / "kg-out"
    return out, invoke("build", str(BUNDLED), "--out", str(out))


@pytest.fixture(scope="module")
def store_dir(built: tuple[Path, BuildSummary]) -> str:
    return str(built[0])


def query(store_dir: str, text: str, *options: str) -> Result:
    return invoke("query", text, "--store", store_dir, *options)


def one_error_line(result: Result) -> str:
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("kg: error: ")
    return lines[0]


# ------------------------------------------------------------------ kg build


def _summary_value(stdout: str, key: str) -> str:
    match = re.search(rf"{key}\s*│\s*(.+?)\s*│", stdout)
    assert match, f"no {key!r} row in:\n{stdout}"
    return match.group(1)


def test_build_prints_the_summary(cli_build: tuple[Path, Result]) -> None:
    out, result = cli_build
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert f"kg build -> {out}" in result.stdout
    assert _summary_value(result.stdout, "files read") == "6 of 6"
    assert _summary_value(result.stdout, "digests") == "7"
    assert _summary_value(result.stdout, "entries") == "55"
    assert _summary_value(result.stdout, "distinct papers") == "40"
    assert _summary_value(result.stdout, "merged entries") == "15"
    assert int(_summary_value(result.stdout, "triples")) > 1600
    written = _summary_value(result.stdout, "files written")
    assert written == "store, kg.ttl, kg.nt, kg.jsonld, kg.trig"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "builds",
        "cache",
        "current",
        "kg.jsonld",
        "kg.nt",
        "kg.trig",
        "kg.ttl",
        "store",
    ]


def test_build_store_answers(cli_build: tuple[Path, Result]) -> None:
    out, _ = cli_build
    result = query(
        str(out), "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a mlkg:Paper }", "-f", "csv"
    )
    assert result.stdout == "n\n39\n"


def test_build_with_an_unknown_format(tmp_path: Path) -> None:
    result = invoke("build", str(BUNDLED), "--out", str(tmp_path / "out"), "--format", "nope")
    assert result.exit_code == 1
    line = one_error_line(result)
    assert line == (
        "kg: error: unknown digest format 'nope'; known: autotranslate, dair, pytorchkr, qa-ja"
    )
    assert not (tmp_path / "out").exists()


def test_build_with_a_forced_format(tmp_path: Path) -> None:
    result = invoke(
        "build", str(BUNDLED / "dair-sample.md"), "--out", str(tmp_path), "--format", "dair"
    )
    assert result.exit_code == 0, result.output
    assert _summary_value(result.stdout, "distinct papers") == "5"


# ------------------------------------------------------------------ kg query: formats


def test_query_table(store_dir: str) -> None:
    result = query(store_dir, "SELECT ?p ?id WHERE { ?p mlkg:arxivId ?id } ORDER BY ?id LIMIT 2")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"p\s+id", lines[0])
    assert re.fullmatch(r"-+  -+", lines[1])
    assert re.fullmatch(r"paper:2311\.10537  2311\.10537", lines[2])
    assert re.fullmatch(r"paper:2311\.10702  2311\.10702", lines[3])
    assert lines[-1] == "2 row(s)"


def test_query_csv(store_dir: str) -> None:
    result = query(store_dir, TITLES_BY_ARXIV, "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["id", "title"]
    assert [tuple(row) for row in rows[1:]] == FIRST_THREE


def test_query_tsv(store_dir: str) -> None:
    result = query(store_dir, TITLES_BY_ARXIV, "-f", "tsv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1] == "\t".join(FIRST_THREE[0])


def test_query_json(store_dir: str) -> None:
    text = """SELECT ?p ?t ?w (COUNT(DISTINCT ?d) AS ?digests) WHERE {
        ?p mlkg:arxivId "2311.11829" ; rdfs:label ?t ; mlkg:week ?w ; mlkg:featuredIn ?d
    } GROUP BY ?p ?t ?w"""
    result = query(store_dir, text, "-f", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["head"]["vars"] == ["p", "t", "w", "digests"]
    assert document["results"]["bindings"] == [
        {
            "p": {"type": "uri", "value": "https://w3id.org/mlkg/id/paper/2311.11829"},
            "t": {
                "type": "literal",
                "value": "System 2 Attention (is something you might need too)",
                "xml:lang": "en",
            },
            "w": {
                "type": "literal",
                "value": "2023-11-20",
                "datatype": "http://www.w3.org/2001/XMLSchema#date",
            },
            "digests": {
                "type": "literal",
                "value": "3",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            },
        }
    ]


def test_query_ask(store_dir: str) -> None:
    yes = query(store_dir, 'ASK { ?p mlkg:arxivId "2404.14219" }')
    no = query(store_dir, 'ASK { ?p mlkg:arxivId "9999.99999" }', "-f", "json")
    assert yes.stdout == "true\n"
    assert json.loads(no.stdout) == {"head": {}, "boolean": False}


def test_query_construct_as_turtle(store_dir: str) -> None:
    text = """CONSTRUCT { ?p rdfs:label ?t } WHERE {
        ?p a mlkg:Paper ; mlkg:week "2024-04-22"^^xsd:date ; rdfs:label ?t }"""
    result = query(store_dir, text, "--format", "ttl")
    assert result.exit_code == 0
    assert "@prefix paper: <https://w3id.org/mlkg/id/paper/> ." in result.stdout
    graph = rdflib.Graph()
    graph.parse(data=result.stdout, format="turtle")
    assert len(graph) == 10
    labels = {str(o) for o in graph.objects()}
    assert "FineWeb" in labels and "Snowflake Arctic" in labels
    phi = rdflib.URIRef("https://w3id.org/mlkg/id/paper/2404.14219")
    assert str(graph.value(phi, rdflib.RDFS.label)).startswith("Phi-3 Technical Report")


def test_query_from_an_rq_file_with_a_parameter(store_dir: str, tmp_path: Path) -> None:
    path = tmp_path / "week.rq"
    path.write_text(
        "# The papers of one week, by title.\n"
        "# @param week: date The Monday the week starts on\n"
        "SELECT ?title ?week WHERE { ?p mlkg:week ?week ; rdfs:label ?title } ORDER BY ?title\n",
        encoding="utf-8",
    )
    result = query(store_dir, str(path), "--param", "week=2024-10-21", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["title", "week"]
    assert {week for _, week in rows[1:]} == {"2024-10-21"}
    titles = [title for title, _ in rows[1:]]
    assert len(titles) == 10
    assert titles[0] == "A Comparative Study on Reasoning Patterns of OpenAI's o1 Model"
    assert "Aya Expanse" in titles
    missing = query(store_dir, str(path))
    assert missing.exit_code == 1
    assert one_error_line(missing) == (
        "kg: error: missing parameter(s): week; give --param NAME=VALUE"
    )


def test_parameter_outside_the_projection_is_one_line(store_dir: str) -> None:
    text = "SELECT ?title WHERE { ?p mlkg:week ?week ; rdfs:label ?title }"
    result = query(store_dir, text, "--param", "week=2024-10-21")
    assert result.exit_code == 1
    assert "week" in one_error_line(result)


@pytest.mark.parametrize("item", ["week", "=x", "x-y=1", "?week=1", " =1", "1x=1"])
def test_query_parameter_must_be_name_equals_value(store_dir: str, item: str) -> None:
    result = query(store_dir, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--param", item)
    assert result.exit_code == 2
    assert one_error_line(result) == (
        f"kg: error: --param {item!r} is not NAME=VALUE (a NAME of letters, digits and _)"
    )


def test_a_parameter_name_may_be_any_sparql_variable_name(store_dir: str) -> None:
    result = query(store_dir, "SELECT ?été WHERE {}", "--param", "été=x", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines() == ["été", "x"]


def test_query_parameter_twice_or_not_text_is_one_line(store_dir: str) -> None:
    text = "SELECT ?p WHERE { ?p mlkg:week ?week }"
    twice = query(store_dir, text, "--param", "week=1", "--param", "week=2")
    assert one_error_line(twice) == "kg: error: --param week is given twice"
    not_text = query(store_dir, text, "--param", "week=\udcff")  # a byte that is not UTF-8
    assert one_error_line(not_text) == "kg: error: --param week: the value is not UTF-8 text"
    assert one_error_line(query(store_dir, "SELECT * WHERE { ?s ?p '\udcff' }")) == (
        "kg: error: the query is not UTF-8 text"
    )


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX a: <http://a/> DROP ALL",
        "# a comment\nPREFIX a: <http://a/>\nCLEAR DEFAULT",
        "delete where { ?s ?p ?o }",
    ],
)
def test_a_sparql_update_is_refused_as_such(store_dir: str, update: str, tmp_path: Path) -> None:
    from kg.query import UPDATE_REFUSED

    assert one_error_line(query(store_dir, update)) == f"kg: error: {UPDATE_REFUSED}"
    file = tmp_path / "update.rq"
    file.write_text(update, encoding="utf-8")
    assert one_error_line(query(store_dir, str(file))) == f"kg: error: {UPDATE_REFUSED}"


@pytest.mark.parametrize(
    "select",
    [
        "# DROP the old ones\nSELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "PREFIX a: <http://a/> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # DELETE later",
        'PREFIX a: <http://a/> SELECT (" DELETE me" AS ?n) WHERE {}',
        "BASE <http://a/> PREFIX delete: <http://d/> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ],
)
def test_an_update_word_outside_the_first_operation_is_no_update(
    store_dir: str, select: str
) -> None:
    result = query(store_dir, select)
    assert result.exit_code == 0, result.output


def test_a_query_file_that_is_not_text_is_one_line(store_dir: str, tmp_path: Path) -> None:
    file = tmp_path / "binary.rq"
    file.write_bytes(b"\xff\xfe\x00bad")
    assert one_error_line(query(store_dir, str(file))) == (
        f"kg: error: {file}: cannot be read (not UTF-8 text)"
    )


# ------------------------------------------------------------------ kg query: errors


_BAD_QUERIES = [
    pytest.param("SELECT ?x WHERE { ?x ?y }", "the query does not parse", id="missing-object"),
    pytest.param("SELECT * WHERE { ?s ?p ?o } LIMIT x", "the query does not parse", id="bad-limit"),
    pytest.param(
        "SELECT (COUNT(?x) WHERE { ?x ?y ?z }", "the query does not parse", id="unclosed-count"
    ),
    pytest.param("papers-by-nothing", "unknown query 'papers-by-nothing'", id="unknown-name"),
    pytest.param("missing.rq", "missing.rq: no such query file", id="missing-file"),
    pytest.param("SELECT * WHERE { ?s ?p ?o", "the query does not parse", id="unclosed-brace"),
    pytest.param(
        "SELECT ?x WHERE { ?x nope:foo ?y }", "the query does not parse", id="unknown-prefix"
    ),
]


@pytest.mark.parametrize(("text", "message"), _BAD_QUERIES)
def test_bad_query_is_one_line(store_dir: str, text: str, message: str) -> None:
    result = query(store_dir, text)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert message in line


@pytest.mark.parametrize(
    ("text", "output", "message"),
    [
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "xml",
            "unknown output format 'xml'; known: csv, json, table, tsv, ttl",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "ttl",
            "unknown output format for SELECT 'ttl'; known: csv, json, table, tsv",
        ),
        (
            "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1",
            "csv",
            "unknown output format for CONSTRUCT 'csv'; known: ttl",
        ),
    ],
)
def test_wrong_output_format(store_dir: str, text: str, output: str, message: str) -> None:
    result = query(store_dir, text, "-f", output)
    assert result.exit_code == 1
    assert one_error_line(result) == f"kg: error: {message}"


def test_missing_store(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-build"
    result = invoke("query", "SELECT * WHERE { ?s ?p ?o }", "--store", str(missing))
    assert result.exit_code == 1
    assert one_error_line(result) == (
        f"kg: error: no kg store at {missing / 'store'}; run 'kg build --out {missing}' first"
    )


def test_empty_directory_is_not_a_store(tmp_path: Path) -> None:
    result = invoke("query", "SELECT * WHERE { ?s ?p ?o }", "--store", str(tmp_path))
    assert result.exit_code == 1
    assert str(tmp_path) in one_error_line(result)


def test_query_without_text(store_dir: str) -> None:
    result = invoke("query", "--store", store_dir)
    assert result.exit_code == 2
    assert "give a query" in one_error_line(result)


def test_query_csv_is_sparql_csv_streamed_by_the_store(store_dir: str) -> None:
    """As a process: RFC 4180 line ends, the header, one row per solution, like the table."""
    command = [*KG_COMMAND, "query", "--store", store_dir, TITLES_BY_ARXIV, "-f", "csv"]
    done = subprocess.run(command, capture_output=True, check=True)
    assert done.stdout.startswith(b"id,title\r\n")
    rows = list(csv.reader(io.StringIO(done.stdout.decode())))
    assert [tuple(row) for row in rows[1:]] == FIRST_THREE


def test_build_extracts_in_one_process_per_core_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --jobs, a build large enough to gain from it forks one process per core, each
    at a lower priority than the process relating the papers."""
    import os

    from kg.extract import mentions

    seen = tmp_path / "pids"
    real_found = mentions._found

    def recording(nlp: object, texts: list[str]) -> list[object]:
        with seen.open("a") as log:
            log.write(f"{os.getpid()} {os.nice(0)}\n")
        return real_found(nlp, texts)  # type: ignore[arg-type]

    def processes() -> set[tuple[str, int]]:
        pairs = (line.split() for line in seen.read_text().splitlines())
        return {(pid, int(niceness)) for pid, niceness in pairs}

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(mentions, "MIN_ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(mentions, "_found", recording)  # inherited by the forked workers
    result = invoke("build", str(BUNDLED), "--out", str(tmp_path / "auto"))
    assert result.exit_code == 0, result.output
    here = (str(os.getpid()), os.nice(0))
    workers = processes() - {here}
    assert len({pid for pid, _ in workers}) == 2
    assert {niceness for _, niceness in workers} == {min(19, here[1] + mentions.NICENESS)}

    seen.unlink()
    result = invoke("build", str(BUNDLED), "--out", str(tmp_path / "one"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert processes() == {here}


@pytest.mark.parametrize(
    "command",
    [
        "related 2404.14219",
        "shared-benchmarks 2404.14219",
        "query 'SELECT * WHERE { ?s ?p ?o }' --format table",
    ],
)
def test_a_reader_that_stops_reading_is_no_error(
    cli_build: tuple[Path, Result], command: str
) -> None:
    """`kg ... | head -1`: the reader goes away; no error, no message."""
    kg = Path(sys.executable).with_name("kg")
    done = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {kg} {command} --store {cli_build[0]} | head -1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.count("\n") == 1
    # a reader gone before the first line (head may read a short output whole before it exits)
    reading, writing = os.pipe()
    os.close(reading)
    try:
        gone = subprocess.run(
            [str(kg), *shlex.split(command), "--store", str(cli_build[0])],
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writing)
    assert (gone.returncode, gone.stderr) == (0, "")
