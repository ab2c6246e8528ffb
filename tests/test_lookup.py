"""The one lookup: the same names resolve to the same nodes in every command; ambiguous and
unknown names get the closest candidates, on one line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import explore_build
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import AmbiguousNameError, KgError, NotFoundError
from kg.explore.lookup import find, find_entity, find_paper, find_topic, node_kind
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store

PAPER = ID + "paper/"
PHI3 = PAPER + "2404.14219"
TULU2 = PAPER + "2311.10702"
ARCTIC = PAPER + "snowflake-arctic"
CRAG = PAPER + "2401.15884"
TOPIC = ID + "topic/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    return open_store(explore_build(tmp_path_factory.getbasetemp()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2404.14219", PHI3),
        ("arXiv:2404.14219v2", PHI3),
        ("https://arxiv.org/abs/2404.14219", PHI3),
        ("https://arxiv.org/pdf/2404.14219v1", PHI3),
        ("https://arxiv.org/pdf/2404.14219v1.pdf", PHI3),
        ("paper:2404.14219", PHI3),
        (f"<{PHI3}>", PHI3),
        (PHI3, PHI3),
        ("Phi-3", PHI3),
        ("  phi 3 technical  ", PHI3),
        ("PHI-3 TECHNICAL REPORT", PHI3),
        ("Tülu 2", TULU2),
        ("tulu", TULU2),
        ("snowflake-arctic", ARCTIC),
        ("Snowflake Arctic", ARCTIC),
        ("article:aya-expanse", ID + "article/aya-expanse"),
        ("Corrective Retrieval Augmented Generation", CRAG),
    ],
)
def test_find_paper(store: ox.Store, text: str, expected: str) -> None:
    assert find_paper(store, text) == expected


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("rag", "topic", "topic/rag"),
        ("RAG", "topic", "topic/rag"),
        ("topic:rag", "topic", "topic/rag"),
        (TOPIC + "rag", "topic", "topic/rag"),
        (f"<{TOPIC}rag>", "topic", "topic/rag"),
        ("Retrieval-Augmented Generation", "topic", "topic/rag"),
        ("retrieval augmented generation", "topic", "topic/rag"),
        ("Mixture-of-Experts", "topic", "topic/moe"),
        ("mixture of experts", "topic", "topic/moe"),
        ("Long Context", "topic", "topic/long-context"),
        ("math-reasoning", "topic", "topic/math-reasoning"),
        ("MMLU", "benchmark", "benchmark/mmlu"),
        ("mt bench", "benchmark", "benchmark/mt-bench"),
        ("benchmark:gsm8k", "benchmark", "benchmark/gsm8k"),
        ("Llama 2", "model", "model/llama-2"),
        ("Tülu 2", "model", "model/tulu-2"),
        ("tulu 2", "model", "model/tulu-2"),
        ("org:microsoft", "organisation", "organisation/microsoft"),
        ("Allen Institute for AI", "organisation", "organisation/allen-institute-for-ai"),
    ],
)
def test_find_entity_by_id_iri_or_any_name(
    store: ox.Store, text: str, kind: str, expected: str
) -> None:
    match = find_entity(store, text)
    assert (match.iri, match.kind) == (ID + expected, kind)
    if kind == "topic":
        assert find_topic(store, text) == ID + expected


def test_entities_win_over_paper_titles_only_when_they_are_named_exactly(store: ox.Store) -> None:
    assert find(store, "Phi-3").iri == ID + "model/phi-3"  # the model's name, exactly
    assert find(store, "Phi-3 technical").iri == PHI3  # title words
    assert find(store, "OLMo", ("paper",)).iri == PAPER + "2402.00838"


@pytest.mark.parametrize(
    ("text", "kinds", "error", "pattern"),
    [
        (
            "survey",
            ("paper",),
            AmbiguousNameError,
            r"^5 papers match 'survey': paper:2401\.15347 \(",
        ),
        ("language models", ("paper",), AmbiguousNameError, r"; and \d+ more; give more words"),
        ("zzzz qqq", ("paper",), NotFoundError, r"^no paper matches 'zzzz qqq' \(give a paper by"),
        ("", ("paper",), NotFoundError, r"^no paper matches ''"),
        ("paper:nope", ("paper",), NotFoundError, r"^no paper matches 'paper:nope'"),
        ("9999.99999", ("paper",), NotFoundError, r"^no paper matches '9999\.99999'"),
        (TOPIC + "rag", ("paper",), NotFoundError, r"topic:rag is a topic; give a paper"),
        (
            "Large Language Models Reflect the Ideolgy",
            ("paper",),
            NotFoundError,
            r"did you mean: paper:large-language-models-reflect-the-ideology-of-their-creators",
        ),
        ("ragg", ("topic",), NotFoundError, r"^no topic matches 'ragg'; did you mean: topic:rag"),
        ("mmluu", ("benchmark",), NotFoundError, r"did you mean: benchmark:mmlu"),
        ("topic:nope", ("topic",), NotFoundError, r"^no topic matches 'topic:nope'"),
        (TOPIC + "rag> <x", ("topic",), NotFoundError, r"^no topic matches"),
        ("benchmark:mmlu", ("topic",), NotFoundError, r"benchmark:mmlu is a benchmark"),
    ],
)
def test_lookup_errors_name_the_candidates_on_one_line(
    store: ox.Store, text: str, kinds: tuple[str, ...], error: type[KgError], pattern: str
) -> None:
    with pytest.raises(error, match=pattern) as raised:
        find(store, text, kinds)
    assert isinstance(raised.value, KgError)
    assert "\n" not in str(raised.value)


def test_ambiguous_names_list_every_candidate(store: ox.Store) -> None:
    with pytest.raises(AmbiguousNameError) as raised:
        find_paper(store, "survey")
    assert len(raised.value.candidates) == 5
    iris = [iri for iri, _ in raised.value.candidates]
    assert PAPER + "2402.00253" in iris
    assert iris == sorted(iris, key=lambda i: dict(raised.value.candidates)[i].split(" (")[1])


def test_old_style_arxiv_ids(tmp_path: Path) -> None:
    store = ox.Store()
    paper = ox.NamedNode(ID + "paper/cs/0112017")
    store.add(
        ox.Quad(
            paper, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["mlkg"] + "Paper")
        )
    )
    store.add(ox.Quad(paper, ox.NamedNode(PREFIXES["mlkg"] + "arxivId"), ox.Literal("cs/0112017")))
    for text in (
        "cs/0112017",
        "arXiv:cs/0112017v2",
        "https://arxiv.org/abs/cs/0112017",
        "paper:cs/0112017",
    ):
        assert find_paper(store, text) == paper.value, text


@pytest.mark.parametrize("text", ['"', "???", " - ", "...", "日本語", "Ωμέγα"])
def test_a_name_without_a_slug_of_its_own_is_not_untitled(text: str) -> None:
    """Punctuation, or words with no ASCII letter: slugify gives "untitled" for them, the slug
    of a paper whose title is punctuation only; they do not name that paper."""
    store = ox.Store()
    paper = ox.NamedNode(ID + "paper/untitled")
    title = ox.NamedNode(PREFIXES["dcterms"] + "title")
    store.add(
        ox.Quad(
            paper, ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(PREFIXES["mlkg"] + "Paper")
        )
    )
    store.add(ox.Quad(paper, title, ox.Literal("???", language="en")))
    assert find_paper(store, "untitled") == paper.value
    with pytest.raises(NotFoundError, match=r"^no paper matches"):
        find_paper(store, text)


@pytest.mark.parametrize("text", ["topic:", "model:", "paper:", "topic: "])
def test_a_prefix_alone_names_nothing(store: ox.Store, text: str) -> None:
    with pytest.raises(NotFoundError, match=r"^no \w+ matches"):
        find(store, text)


def test_an_ontology_term_is_said_to_be_one(store: ox.Store) -> None:
    with pytest.raises(NotFoundError, match="mlkg:Paper is a class or property of the ontology"):
        find(store, "mlkg:Paper")


def test_node_kind(store: ox.Store) -> None:
    assert node_kind(store, PHI3) == "paper"
    assert node_kind(store, TOPIC + "rag") == "topic"
    assert node_kind(store, ID + "organisation/microsoft") == "organisation"
    assert node_kind(store, ID + "article/aya-expanse") == "article"
    assert node_kind(store, ID + "model/nothing-like-this") is None
    assert node_kind(store, "not an iri at all") is None


SAME_NAMES = [
    ("https://arxiv.org/abs/2404.14219", "2404.14219"),
    ("Phi-3 technical report", "2404.14219"),
    ("paper:2404.14219", "2404.14219"),
]


@pytest.mark.parametrize(("name", "arxiv"), SAME_NAMES)
def test_every_command_accepts_the_same_paper_names(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, name: str, arxiv: str
) -> None:
    built = str(explore_build(tmp_path_factory.getbasetemp()))
    runs = {
        "related": ["related", name, "--store", built, "-f", "json"],
        "shared": ["shared-benchmarks", name, "--store", built, "-f", "json"],
        "report": ["report", name, "--store", built],
        "viz": ["viz", "--paper", name, "--store", built, "-o", str(tmp_path / "v.html")],
    }
    for command, args in runs.items():
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (command, result.output)
    report = CliRunner().invoke(app, runs["report"]).stdout
    assert f"[{arxiv}](https://arxiv.org/abs/{arxiv})" in report


@pytest.mark.parametrize("name", ["RAG", "rag", "topic:rag", "Retrieval-Augmented Generation"])
def test_report_and_viz_accept_the_same_topic_names(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, name: str
) -> None:
    built = str(explore_build(tmp_path_factory.getbasetemp()))
    report = CliRunner().invoke(app, ["report", name, "--store", built])
    assert report.exit_code == 0, report.output
    assert report.stdout.startswith("# Topic: Retrieval-Augmented Generation\n")
    page = tmp_path / "v.html"
    viz = CliRunner().invoke(app, ["viz", "--topic", name, "--store", built, "-o", str(page)])
    assert viz.exit_code == 0, viz.output
    assert viz.stdout.startswith(f"{page}: Retrieval-Augmented Generation (topic) within 1 link;")
