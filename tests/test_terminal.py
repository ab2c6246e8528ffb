"""Digest text stays inert in the terminal: never rich markup, never control sequences, never
reordered by bidi overrides; in `kg query`, `kg shared-benchmarks` and `kg related` alike."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import store_path
from kg.render import text_table
from kg.terminal import inert, inert_line

MARKUP = "Closing [/] and [bold red]loud[/bold red] text"
CONTROL = "Evil \x1b[31mred\x1b[0m \u202eolleh\u202c end\rover"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of three papers sharing a benchmark, two with hostile titles."""
    out = tmp_path_factory.mktemp("hostile")
    store = ox.Store(str(store_path(out)))
    m, dc = PREFIXES["mlkg"], PREFIXES["dcterms"]
    papers = (
        ("markup", MARKUP),
        ("control", CONTROL),
        ("twin", "Evil \u202etwin\x1b[2J"),
        ("plain", "Plain paper"),
    )
    for slug, title in papers:
        paper = ox.NamedNode(f"{ID}paper/{slug}")
        store.add(ox.Quad(paper, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(m + "Paper")))
        store.add(ox.Quad(paper, ox.NamedNode(dc + "title"), ox.Literal(title, language="en")))
        store.add(ox.Quad(paper, ox.NamedNode(m + "evaluatesOn"), ox.NamedNode(ID + "benchmark/b")))
    store.add(
        ox.Quad(
            ox.NamedNode(ID + "benchmark/b"),
            ox.NamedNode(PREFIXES["rdfs"] + "label"),
            ox.Literal("Bench [/]", language="en"),
        )
    )
    store.flush()
    del store
    return out


def test_inert_escapes_controls_and_bidi_but_keeps_text() -> None:
    assert inert(CONTROL) == "Evil \\x1b[31mred\\x1b[0m \\u202eolleh\\u202c end\\x0dover"
    assert inert(MARKUP) == MARKUP
    assert inert("한국어 日本語 Tülu 👩\u200d💻") == "한국어 日本語 Tülu 👩\u200d💻"
    assert inert("a\nb\tc\u2028d") == "a\\x0ab\\x09c\\u2028d"
    assert inert_line("a\n  b") == "a b"


def test_tables_show_markup_as_text_and_count_wide_characters() -> None:
    table = text_table(["t", "n"], [[MARKUP, 1], ["한국어", None]])
    lines = table.splitlines()
    assert lines[2] == f"{MARKUP}  1"
    assert lines[3] == "한국어"
    assert lines[1].startswith("-" * len(MARKUP) + "  ")
    assert "\x1b" not in text_table(["t"], [[CONTROL]])
    long = text_table(["t"], [["x" * 100]])
    assert long.splitlines()[2] == "x" * 59 + "…"


@pytest.mark.parametrize(
    "args",
    [
        ["query", "SELECT ?p ?t WHERE { ?p dcterms:title ?t } ORDER BY ?t"],
        ["shared-benchmarks", "paper:plain"],
        ["shared-benchmarks"],
        ["related", "paper:plain"],
    ],
)
def test_commands_print_hostile_titles_as_text(hostile_build: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--store", str(hostile_build)])
    assert result.exit_code == 0, result.output
    assert (
        "\x1b" not in result.stdout and "\u202e" not in result.stdout and "\r" not in result.stdout
    )
    if args[0] != "shared-benchmarks" or len(args) > 1:
        assert MARKUP in result.stdout
        assert "Evil \\x1b[31mred\\x1b[0m \\u202eolleh\\u202c end over" in result.stdout
    else:
        assert "Bench [/]" in result.stdout


def test_errors_name_hostile_titles_inertly(hostile_build: Path) -> None:
    result = CliRunner().invoke(app, ["related", "Evil", "--store", str(hostile_build)])
    assert result.exit_code == 1
    assert result.stderr.startswith("kg: error: 2 papers match 'Evil': paper:")
    assert "paper:twin (Evil \\u202etwin\\x1b[2J)" in result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr
    assert result.stderr.count("\n") == 1
