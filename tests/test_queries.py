"""The shipped named queries, run on the bundled build plus the link fixture."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import QueryError
from kg.graph.prefixes import ID, compact
from kg.graph.store import open_store
from kg.query import named_queries, run_query

BUNDLED = Path(__file__).parent.parent / "data" / "digests"

PHI3 = "paper:2404.14219"
TULU2 = "paper:2311.10702"
OPENELM = "paper:2404.14619"
OLMO = "paper:2402.00838"
ORCA2 = "paper:2311.11045"
ARCTIC = "paper:snowflake-arctic"
FILM = "paper:make-your-llm-fully-utilize-the-context"
CRAG = "paper:2401.15884"
NOISE = "paper:2401.14887"
LONGRAG = "paper:longrag-a-dual-perspective-retrieval-augmented-generation-paradigm-for-long-cont"
MATH = "paper:2402.00157"
COT = "paper:a-theoretical-understanding-of-chain-of-thought-coherent-reasoning-and-error-awa"

INVALID_IRIS = ['"} ; DROP ALL ; {', "> <", "https://w3id.org/mlkg/id/topic/rag> <x", "rag"]


@pytest.fixture(scope="module")
def store(built_dir: Path) -> Iterator[ox.Store]:
    yield open_store(built_dir)


def rows(store: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    """A named query's rows as {variable: compact text}, unbound variables left out."""
    query = named_queries()[name]
    answer = run_query(store, query.text, params, query.params)
    return [
        {
            v: compact(t.value) if isinstance(t, ox.NamedNode) else t.value
            for v, t in zip(answer.variables, row, strict=True)
            if t is not None
        }
        for row in answer.rows
    ]


def test_every_named_query_is_shipped_with_its_summary_and_parameters() -> None:
    queries = named_queries()
    expected = {
        "papers": {},
        "papers-by-topic": {"topic": "iri"},
        "shared-benchmarks": {"paper": "iri"},
        "topic-cooccurrence": {},
        "orgs-by-topic": {"topic": "iri"},
        "models-compared": {"paper": "iri"},
        "topic-timeline": {"topic": "iri"},
        "link-evidence": {"paper": "iri", "entity": "iri"},
        "entity-links": {"entity": "iri"},
    }
    assert set(expected) <= set(queries)
    for name, params in expected.items():
        assert {p: kind for p, (kind, _) in queries[name].params.items()} == params, name
        assert queries[name].summary and not queries[name].summary.startswith("@"), name
        assert all(description for _, description in queries[name].params.values()), name


def test_papers_lists_every_paper_with_week_and_arxiv_id(store: ox.Store) -> None:
    found = rows(store, "papers")
    assert len(found) == 40
    phi3 = next(r for r in found if r["paper"] == PHI3)
    assert phi3["week"] == "2024-04-22"
    assert phi3["arxivId"] == "2404.14219"
    assert phi3["title"].startswith("Phi-3 Technical Report")
    weeks = [r["week"] for r in found]
    assert weeks == sorted(weeks)
    assert sum(1 for r in found if "arxivId" in r) == 21


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (
            "topic:rag",
            [
                (CRAG, "2024-01-29", "rag"),
                (NOISE, "2024-01-29", "rag"),
                (LONGRAG, "2024-10-21", "rag"),
            ],
        ),
        (
            "topic:reasoning",
            [
                (ORCA2, "2023-11-20", "reasoning"),
                (MATH, "2024-01-29", "math-reasoning"),
                (COT, "2024-10-21", "chain-of-thought"),
            ],
        ),
        ("topic:math-reasoning", [(MATH, "2024-01-29", "math-reasoning")]),
        ("topic:agents", []),
    ],
)
def test_papers_by_topic_includes_narrower_topics(
    store: ox.Store, topic: str, expected: list[tuple[str, str, str]]
) -> None:
    found = rows(store, "papers-by-topic", topic=topic)
    assert sorted((r["paper"], r["week"], r["via"]) for r in found) == sorted(expected)
    assert {r["topic"] for r in found} <= {topic}
    weeks = [r["week"] for r in found]
    assert weeks == sorted(weeks)


def test_shared_benchmarks_ranks_by_shared_count_then_jaccard(store: ox.Store) -> None:
    found = rows(store, "shared-benchmarks", paper=PHI3)
    got = [
        (r["other"], int(r["shared"]), Decimal(r["jaccard"]), set(r["benchmarks"].split(", ")))
        for r in found
    ]
    third = Decimal(1) / Decimal(3)
    assert [g[0] for g in got] == [TULU2, OLMO, OPENELM, FILM, ARCTIC, ORCA2]
    assert [g[1] for g in got] == [3, 2, 2, 1, 1, 1]
    expected_jaccard = [Decimal(3) / 7, third, Decimal(2) / 7, Decimal(1) / 6, Decimal(1) / 6]
    for value, wanted in zip([g[2] for g in got], [*expected_jaccard, Decimal(1) / 7], strict=True):
        assert abs(value - wanted) < Decimal("1e-15")
    assert got[0][3] == {"GSM8K", "MMLU", "MT-bench"}
    assert got[1][3] == got[2][3] == {"HellaSwag", "MMLU"}
    assert [g[3] for g in got[3:]] == [{"MMLU"}, {"HumanEval"}, {"GSM8K"}]
    assert all(r["paper"] == PHI3 for r in found)


def test_shared_benchmarks_of_a_paper_without_benchmarks_is_empty(store: ox.Store) -> None:
    assert rows(store, "shared-benchmarks", paper="paper:2401.15947") == []


def test_topic_cooccurrence_counts_papers_per_pair(store: ox.Store) -> None:
    found = {
        (r["topic"], r["otherTopic"]): int(r["papers"]) for r in rows(store, "topic-cooccurrence")
    }
    assert found == {
        ("topic:open-models", "topic:small-models"): 2,
        ("topic:information-retrieval", "topic:rag"): 1,
        ("topic:long-context", "topic:rag"): 1,
        ("topic:long-context", "topic:training-data"): 1,
        ("topic:moe", "topic:multimodal"): 1,
        ("topic:moe", "topic:open-models"): 1,
        ("topic:open-models", "topic:training-data"): 1,
        ("topic:reasoning", "topic:small-models"): 1,
        ("topic:small-models", "topic:training-data"): 1,
    }
    first = rows(store, "topic-cooccurrence")[0]
    assert (first["label"], first["otherLabel"]) == (
        "Open Foundation Models",
        "Small Language Models",
    )


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        (
            "topic:open-models",
            {
                "org:allen-institute-for-ai": 2,
                "org:apple": 1,
                "org:microsoft": 1,
                "org:snowflake": 1,
            },
        ),
        ("topic:small-models", {"org:microsoft": 2, "org:apple": 1, "org:microsoft-research": 1}),
        ("topic:rag", {"org:google": 1, "org:sapienza-university-of-rome": 1}),
        ("topic:reasoning", {"org:microsoft": 1, "org:microsoft-research": 1}),
    ],
)
def test_orgs_by_topic_counts_papers_directly_or_through_their_models(
    store: ox.Store, topic: str, expected: dict[str, int]
) -> None:
    found = rows(store, "orgs-by-topic", topic=topic)
    assert {r["organisation"]: int(r["papers"]) for r in found} == expected
    assert [int(r["papers"]) for r in found] == sorted(expected.values(), reverse=True)


def test_models_compared_with_developers_and_other_papers(store: ox.Store) -> None:
    found = rows(store, "models-compared", paper=PHI3)
    assert [(r["model"], r["label"], r["developer"], int(r["otherPapers"])) for r in found] == [
        ("model:gpt-3-5", "GPT-3.5", "OpenAI", 2),
        ("model:mixtral-8x7b", "Mixtral 8x7B", "Mistral AI", 0),
    ]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("topic:rag", [("2024-01-29", 2), ("2024-10-21", 1)]),
        ("topic:reasoning", [("2023-11-20", 1), ("2024-01-29", 1), ("2024-10-21", 1)]),
        ("topic:open-models", [("2023-11-20", 1), ("2024-01-29", 1), ("2024-04-22", 3)]),
    ],
)
def test_topic_timeline_counts_papers_per_week(
    store: ox.Store, topic: str, expected: list[tuple[str, int]]
) -> None:
    found = rows(store, "topic-timeline", topic=topic)
    assert [(r["week"], int(r["papers"])) for r in found] == expected


def test_link_evidence_gives_the_provenance_statement(store: ox.Store) -> None:
    (found,) = rows(store, "link-evidence", paper=PHI3, entity="benchmark:mmlu")
    assert found["predicate"] == "mlkg:evaluatesOn"
    assert int(found["support"]) == 2
    assert Decimal(found["confidence"]) == Decimal("0.95")
    assert found["methods"] == "curated-label"
    assert set(found["digests"].split(", ")) == {"dair-2024-04-22", "pytorchkr-2024-04-22"}
    assert found["snippets"] == "phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench"
    (model,) = rows(store, "link-evidence", paper=PHI3, entity="model:phi-3")
    assert model["predicate"] == "mlkg:proposes"
    assert set(model["methods"].split(", ")) == {"curated-label", "title-rule"}


def test_link_evidence_without_a_statement_is_empty(store: ox.Store) -> None:
    assert rows(store, "link-evidence", paper=PHI3, entity="benchmark:gsm8k") == []


def test_entity_links_lists_papers_with_predicate_and_evidence(store: ox.Store) -> None:
    found = rows(store, "entity-links", entity="benchmark:mmlu")
    papers = {r["node"]: r for r in found if r.get("kind") == "Paper"}
    assert set(papers) == {PHI3, OPENELM, TULU2, OLMO, FILM}
    assert {r["predicate"] for r in papers.values()} == {"mlkg:evaluatesOn"}
    assert papers[PHI3]["snippets"] == "phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench"
    assert int(papers[PHI3]["support"]) == 2
    assert papers[TULU2]["snippets"] == "MMLU, BBH, TydiQA, AlpacaEval, ToxiGen"
    assert papers[OLMO].get("snippets", "") == ""
    assert "support" not in papers[OLMO]
    assert papers[OLMO]["week"] == "2024-01-29"


def test_entity_links_of_an_organisation(store: ox.Store) -> None:
    found = rows(store, "entity-links", entity="org:microsoft")
    papers = {(r["node"], r["predicate"]) for r in found if r.get("kind") == "Paper"}
    assert papers == {
        (PHI3, "schema:sourceOrganization"),
        (ORCA2, "schema:sourceOrganization"),
        (FILM, "schema:sourceOrganization"),
    }
    assert ("model:phi-3", "mlkg:developedBy") in {(r["node"], r["predicate"]) for r in found}
    orca = next(r for r in found if r["node"] == ORCA2)
    assert orca["snippets"] == "Microsoft Research presents Orca 2"
    assert all(not r["node"].startswith("_:") for r in found)


def test_a_query_read_as_written_reads_the_default_graph_on_its_own(store: ox.Store) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s mlkg:featuredIn ?digest }"
    over_union = run_query(store, count).rows[0][0]
    as_written = run_query(store, "# @dataset: as written\n" + count).rows[0][0]
    assert over_union is not None and int(over_union.value) > 0
    assert as_written is not None and int(as_written.value) == 0  # links live in digest graphs


AS_WRITTEN_CASES = [
    ("entity-links", {"entity": entity})
    for entity in (
        "benchmark:mmlu",
        "org:microsoft",
        "model:phi-3",
        "topic:rag",
        "topic:reasoning",  # a broader topic: links in the default graph too
    )
]


@pytest.mark.parametrize(("name", "params"), AS_WRITTEN_CASES)
def test_a_query_read_as_written_answers_as_over_the_union(
    store: ox.Store, name: str, params: dict[str, str]
) -> None:
    query = named_queries()[name]
    assert "@dataset: as written" in query.text
    answer = run_query(store, query.text, params, query.params)
    union = run_query(store, query.text.replace("@dataset: as written", ""), params, query.params)
    assert answer.rows and answer.variables == union.variables
    assert [_sorted_snippets(row) for row in answer.rows] == [
        _sorted_snippets(row) for row in union.rows
    ]


def _sorted_snippets(row: list[ox.NamedNode | ox.BlankNode | ox.Literal | None]) -> list[str]:
    """A row as text, the snippets (joined in no set order) sorted."""
    return [
        " | ".join(sorted(term.value.split(" | "))) if isinstance(term, ox.Literal) else str(term)
        for term in row
    ]


@pytest.mark.parametrize("value", INVALID_IRIS)
@pytest.mark.parametrize(
    ("name", "param"),
    [("papers-by-topic", "topic"), ("shared-benchmarks", "paper"), ("entity-links", "entity")],
)
def test_hostile_iri_parameters_are_refused_not_pasted(
    store: ox.Store, name: str, param: str, value: str
) -> None:
    before = len(store)
    with pytest.raises(QueryError, match=r"is not an IRI; give one in full or with a prefix \("):
        rows(store, name, **{param: value})
    assert len(store) == before


@pytest.mark.parametrize(
    "value",
    [
        "https://w3id.org/mlkg/id/topic/rag%3E%20%3Chttps://w3id.org/mlkg/id/topic/moe",
        ID + "topic/rag%22%7D%20;%20DROP%20ALL%20;%20%7B",
        "topic:rag%3E",
    ],
)
def test_valid_iris_carrying_a_payload_just_match_nothing(store: ox.Store, value: str) -> None:
    assert rows(store, "papers-by-topic", topic=value) == []
    assert len(rows(store, "papers-by-topic", topic="topic:rag")) == 3


@pytest.mark.parametrize("value", ['"} ; DROP ALL ; {', "> <", '2404.14219" } ; CLEAR DEFAULT ; #'])
def test_literal_parameters_are_bound_as_terms(store: ox.Store, value: str) -> None:
    text = "SELECT ?id ?paper WHERE { ?paper mlkg:arxivId ?id }"
    kinds = {"id": ("literal", "an arXiv id")}
    before = len(store)
    assert run_query(store, text, {"id": value}, kinds).rows == []
    assert len(store) == before
    (row,) = run_query(store, text, {"id": "2404.14219"}, kinds).rows
    assert row == [ox.Literal("2404.14219"), ox.NamedNode(ID + "paper/2404.14219")]


def test_kg_query_binds_the_parameter_from_the_command_line(built_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "query",
            "papers-by-topic",
            "--param",
            "topic=topic:rag",
            "--store",
            str(built_dir),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert {b["paper"]["value"] for b in bindings} == {
        ID + "paper/2401.15884",
        ID + "paper/2401.14887",
        ID + LONGRAG.replace(":", "/", 1),
    }
