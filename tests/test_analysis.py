"""Projections and neighbourhoods of kg.analysis, on the bundled build plus the link fixture."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import explore_build

from kg.analysis import (
    AmbiguousPaperError,
    PaperNotFoundError,
    TopicNotFoundError,
    as_rows,
    benchmark_groups,
    find_paper,
    find_topic,
    paper_benchmark_graph,
    query_rows,
    shared_benchmarks,
    topic_neighbourhood,
)
from kg.errors import KgError
from kg.graph.prefixes import ID
from kg.graph.store import open_store

BUNDLED = Path(__file__).parent.parent / "data" / "digests"

PAPER = ID + "paper/"
PHI3 = PAPER + "2404.14219"
TULU2 = PAPER + "2311.10702"
OPENELM = PAPER + "2404.14619"
OLMO = PAPER + "2402.00838"
ORCA2 = PAPER + "2311.11045"
ARCTIC = PAPER + "snowflake-arctic"
FILM = PAPER + "make-your-llm-fully-utilize-the-context"
CRAG = PAPER + "2401.15884"
NOISE = PAPER + "2401.14887"
LONGRAG = PAPER + "longrag-a-dual-perspective-retrieval-augmented-generation-paradigm-for-long-cont"
GPQA_PAPER = PAPER + "2311.12022"
TOPIC = ID + "topic/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    yield open_store(explore_build(tmp_path_factory.getbasetemp()))


def test_paper_benchmark_graph_is_bipartite_with_labels(store: ox.Store) -> None:
    graph = paper_benchmark_graph(store)
    papers = {n for n, d in graph.nodes(data=True) if d["bipartite"] == 0}
    benchmarks = {n for n, d in graph.nodes(data=True) if d["bipartite"] == 1}
    assert len(papers) == 11
    assert len(benchmarks) == 16
    assert graph.number_of_edges() == 30
    assert nx.is_bipartite(graph)
    assert {graph.nodes[n]["kind"] for n in papers} == {"paper"}
    assert {graph.nodes[n]["kind"] for n in benchmarks} == {"benchmark"}
    assert graph.nodes[PHI3]["week"] == date(2024, 4, 22)
    assert graph.nodes[ID + "benchmark/mmlu"]["label"] == "MMLU"
    assert graph.degree[ID + "benchmark/mmlu"] == 5
    assert graph.edges[GPQA_PAPER, ID + "benchmark/gpqa"]["predicates"] == ("mlkg:introduces",)
    assert graph.edges[PHI3, ID + "benchmark/mmlu"]["predicates"] == ("mlkg:evaluatesOn",)


def test_shared_benchmarks_ranking_and_jaccard_are_exact(store: ox.Store) -> None:
    found = shared_benchmarks(store, PHI3)
    assert [(s.paper.iri, s.shared, s.jaccard) for s in found] == [
        (TULU2, 3, 3 / 7),
        (OLMO, 2, 2 / 6),
        (OPENELM, 2, 2 / 7),
        (FILM, 1, 1 / 6),
        (ARCTIC, 1, 1 / 6),
        (ORCA2, 1, 1 / 7),
    ]
    assert [[b.label for b in s.benchmarks] for s in found] == [
        ["GSM8K", "MMLU", "MT-bench"],
        ["HellaSwag", "MMLU"],
        ["HellaSwag", "MMLU"],
        ["MMLU"],
        ["HumanEval"],
        ["GSM8K"],
    ]
    assert (
        found[0].paper.label == "Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2"
    )
    assert found[0].week == date(2023, 11, 20)
    assert as_rows(found[:1]) == [
        {
            "paper": "paper:2311.10702",
            "title": "Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2",
            "week": "2023-11-20",
            "shared": 3,
            "jaccard": 0.4286,
            "benchmarks": "GSM8K, MMLU, MT-bench",
        }
    ]


def test_shared_benchmarks_accepts_what_find_paper_accepts(store: ox.Store) -> None:
    by_title = shared_benchmarks(store, "phi-3 technical report")
    assert by_title == shared_benchmarks(store, "2404.14219")
    assert shared_benchmarks(store, CRAG)[0].paper.iri in {OLMO, OPENELM}
    assert [(s.shared, round(s.jaccard, 4)) for s in shared_benchmarks(store, CRAG)] == [
        (1, 0.2),
        (1, 0.1667),
    ]
    assert shared_benchmarks(store, PAPER + "2401.15947") == []


def test_benchmark_groups_put_the_most_used_benchmark_first(store: ox.Store) -> None:
    groups = benchmark_groups(store)
    assert len(groups) == 16
    assert groups[0].benchmark.label == "MMLU"
    assert [p.iri for p in groups[0].papers] == [TULU2, FILM, OLMO, OPENELM, PHI3]
    sizes = {g.benchmark.label: len(g.papers) for g in groups}
    assert sizes["ARC-Challenge"] == sizes["GSM8K"] == sizes["HellaSwag"] == 3
    assert sizes["GPQA"] == sizes["HotpotQA"] == 1
    assert [len(g.papers) for g in groups] == sorted((len(g.papers) for g in groups), reverse=True)
    assert as_rows(groups[:1])[0]["papers"] == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2404.14219", PHI3),
        ("arXiv:2404.14219v2", PHI3),
        ("https://arxiv.org/abs/2404.14219", PHI3),
        ("https://arxiv.org/pdf/2404.14219v1", PHI3),
        ("paper:2404.14219", PHI3),
        (f"<{PHI3}>", PHI3),
        (PHI3, PHI3),
        ("Phi-3", PHI3),
        ("  phi 3 technical  ", PHI3),
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
    ("text", "error", "pattern"),
    [
        ("survey", AmbiguousPaperError, r"^5 papers match 'survey': paper:2401\.15347 \(A Compre"),
        ("language models", AmbiguousPaperError, r"^15 papers match .*; and 5 more; give more"),
        ("zzzz qqq", PaperNotFoundError, r"^no paper matches 'zzzz qqq' \(give an arXiv id"),
        ("", PaperNotFoundError, r"^no paper matches ''"),
        ("paper:nope", PaperNotFoundError, r"^no paper matches 'paper:nope'"),
        ("9999.99999", PaperNotFoundError, r"^no paper matches '9999\.99999'"),
        (ID + "topic/rag", PaperNotFoundError, r"^no paper matches 'https://w3id"),
        (
            "Large Language Models Reflect the Ideolgy",
            PaperNotFoundError,
            r"did you mean: paper:large-language-models-reflect-the-ideology-of-their-creators",
        ),
    ],
)
def test_find_paper_errors_name_the_candidates(
    store: ox.Store, text: str, error: type[KgError], pattern: str
) -> None:
    with pytest.raises(error, match=pattern) as raised:
        find_paper(store, text)
    assert isinstance(raised.value, KgError)
    assert "\n" not in str(raised.value)


def test_ambiguous_paper_lists_every_candidate(store: ox.Store) -> None:
    with pytest.raises(AmbiguousPaperError) as raised:
        find_paper(store, "survey")
    assert len(raised.value.candidates) == 5
    assert (PAPER + "2402.00253", "A Survey on Hallucination in Large Vision-Language Models") in (
        raised.value.candidates
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rag", "rag"),
        ("topic:rag", "rag"),
        (TOPIC + "rag", "rag"),
        (f"<{TOPIC}rag>", "rag"),
        ("Retrieval-Augmented Generation", "rag"),
        ("Long Context", "long-context"),
        ("long context", "long-context"),
        ("math-reasoning", "math-reasoning"),
    ],
)
def test_find_topic(store: ox.Store, text: str, expected: str) -> None:
    assert find_topic(store, text) == TOPIC + expected


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("ragg", "did you mean: rag$"),
        ("topic:nope", "known topics: "),
        (TOPIC + "rag> <x", "known topics: "),
    ],
)
def test_find_topic_errors_list_known_topics(store: ox.Store, text: str, hint: str) -> None:
    with pytest.raises(TopicNotFoundError, match=hint) as raised:
        find_topic(store, text)
    assert "rag" in raised.value.known
    assert "open-models" in raised.value.known


def test_rag_neighbourhood(store: ox.Store) -> None:
    hood = topic_neighbourhood(store, "rag")
    assert hood.topic.iri == TOPIC + "rag"
    assert hood.topic.label == "Retrieval-Augmented Generation"
    assert [(p.paper.iri, p.week, p.via) for p in hood.papers] == [
        (CRAG, date(2024, 1, 29), ("rag",)),
        (NOISE, date(2024, 1, 29), ("rag",)),
        (LONGRAG, date(2024, 10, 21), ("rag",)),
    ]
    assert hood.papers[0].arxiv_id == "2401.15884"
    assert hood.papers[2].arxiv_id is None
    assert [(k.predicate, k.entity.label) for k in hood.papers[0].of_kind("benchmark")] == [
        ("mlkg:evaluatesOn", "ARC-Challenge"),
        ("mlkg:evaluatesOn", "PopQA"),
        ("mlkg:evaluatesOn", "PubHealth"),
    ]
    assert [(w.week.isoformat(), w.papers) for w in hood.activity] == [
        ("2023-11-20", 0),
        ("2024-01-29", 2),
        ("2024-04-22", 0),
        ("2024-10-21", 1),
    ]
    assert [(c.item.local, c.papers) for c in hood.cooccurring] == [
        ("information-retrieval", 1),
        ("long-context", 1),
    ]
    assert [(c.item.label, c.papers) for c in hood.models] == [("Llama 2", 2)]
    assert [(c.item.label, c.papers) for c in hood.benchmarks] == [
        ("ARC-Challenge", 1),
        ("HotpotQA", 1),
        ("Natural Questions", 1),
        ("PopQA", 1),
        ("PubHealth", 1),
    ]
    assert [(c.item.label, c.papers) for c in hood.organisations] == [
        ("Google", 1),
        ("Sapienza University of Rome", 1),
    ]
    assert [(n.topic.local, [v.label for v in n.via], len(n.papers)) for n in hood.neighbours] == [
        ("open-models", ["ARC-Challenge", "Llama 2"], 3),
        ("small-models", ["ARC-Challenge", "Llama 2"], 2),
        ("long-context", ["Natural Questions"], 1),
        ("reasoning", ["Llama 2"], 1),
        ("training-data", ["Natural Questions"], 1),
    ]


def test_rag_neighbourhood_graph(store: ox.Store) -> None:
    graph = topic_neighbourhood(store, "topic:rag").graph
    kinds: dict[str, set[str]] = {}
    for node, kind in graph.nodes(data="kind"):
        kinds.setdefault(kind, set()).add(node)
    assert kinds["paper"] == {CRAG, NOISE, LONGRAG}
    assert {n.rsplit("/", 1)[-1] for n in kinds["topic"]} == {
        "rag",
        "information-retrieval",
        "long-context",
        "open-models",
        "small-models",
        "reasoning",
        "training-data",
    }
    assert len(kinds["benchmark"]) == 5
    assert {n.rsplit("/", 1)[-1] for n in kinds["model"]} == {"llama-2"}
    assert {n.rsplit("/", 1)[-1] for n in kinds["organisation"]} == {
        "google",
        "sapienza-university-of-rome",
    }
    assert graph.nodes[TOPIC + "rag"]["focus"] is True
    assert graph.edges[CRAG, TOPIC + "rag"]["predicate"] == "dcterms:subject"
    assert graph.edges[ID + "model/llama-2", TOPIC + "open-models"]["predicate"] == "shared"
    assert nx.is_connected(graph)


def test_neighbourhood_follows_narrower_topics(store: ox.Store) -> None:
    hood = topic_neighbourhood(store, "reasoning")
    assert {TOPIC + "chain-of-thought", TOPIC + "math-reasoning"} <= {n.iri for n in hood.narrower}
    assert [p.via for p in hood.papers] == [
        ("reasoning",),
        ("math-reasoning",),
        ("chain-of-thought",),
    ]
    assert [w.papers for w in hood.activity] == [1, 1, 0, 1]
    assert [(c.item.label, c.papers) for c in hood.organisations] == [
        ("Microsoft", 1),
        ("Microsoft Research", 1),
    ]
    assert "math-reasoning" not in {c.item.local for c in hood.cooccurring}


def test_neighbourhood_of_a_topic_without_papers(store: ox.Store) -> None:
    hood = topic_neighbourhood(store, "agents")
    assert hood.papers == ()
    assert [w.papers for w in hood.activity] == [0, 0, 0, 0]
    assert hood.neighbours == ()
    assert set(hood.graph.nodes) == {TOPIC + "agents", *(n.iri for n in hood.narrower)}


def test_query_rows_gives_python_values(store: ox.Store) -> None:
    found = query_rows(store, "topic-timeline", topic="topic:rag")
    assert found == [
        {"topic": "topic:rag", "week": date(2024, 1, 29), "papers": 2},
        {"topic": "topic:rag", "week": date(2024, 10, 21), "papers": 1},
    ]
    (row,) = query_rows(store, "link-evidence", paper="paper:2404.14219", entity="benchmark:mmlu")
    assert row["support"] == 2
    assert row["confidence"] == 0.95
    inline = query_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }")
    assert inline == [{"n": 39}]
