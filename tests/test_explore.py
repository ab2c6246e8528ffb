"""The explorer on the bundled build plus tests/fixtures/explore_links.ttl: the link table,
the label rule, activity, related papers, profiles, subgraphs and projections, with exact values;
and a check that one-node answers ask only about that node's neighbourhood."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import explore_build

from kg.explore.activity import activity, unit_for
from kg.explore.kinds import LINKS, OWN_WORK, kind_from_classes, kind_from_iri
from kg.explore.labels import best_label, fold
from kg.explore.lookup import find_paper
from kg.explore.notebook import as_rows, query_rows
from kg.explore.profiles import entity_profile, paper_profile
from kg.explore.projections import cooccurrence, paper_entity_graph, paper_projection, to_networkx
from kg.explore.related import RelatedPaper, related_papers, shared_benchmarks
from kg.explore.subgraph import around, whole
from kg.graph.prefixes import ID, PREFIXES
from kg.graph.store import open_store
from kg.site.build import _RelatedIndex

PAPER = ID + "paper/"
PHI3 = PAPER + "2404.14219"
TULU2 = PAPER + "2311.10702"
OPENELM = PAPER + "2404.14619"
OLMO = PAPER + "2402.00838"
ORCA2 = PAPER + "2311.11045"
ARCTIC = PAPER + "snowflake-arctic"
FILM = PAPER + "make-your-llm-fully-utilize-the-context"
GPQA_PAPER = PAPER + "2311.12022"
CRAG = PAPER + "2401.15884"
NOISE = PAPER + "2401.14887"
LONGRAG = PAPER + "longrag-a-dual-perspective-retrieval-augmented-generation-paradigm-for-long-cont"
MOE_LLAVA = PAPER + "2401.15947"
TOPIC = ID + "topic/"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    return open_store(explore_build(tmp_path_factory.getbasetemp()))


# ---------------------------------------------------------------------------------- the tables


def _listed_predicates(text: str) -> list[set[str]]:
    """The predicate sets of every ``FILTER (?x IN (...))`` and ``VALUES ?x {...}`` list of
    link predicates in a query."""
    found = []
    for group in re.findall(r"IN \(([^)]*)\)", text) + re.findall(
        r"VALUES \?\w+ \{([^}]*)\}", text
    ):
        names = set(re.findall(r"\b(\w+):(\w+)\b", group))
        iris = {PREFIXES[p] + n for p, n in names if p in PREFIXES}
        if iris & {link.predicate for link in LINKS}:
            found.append(iris)
    return found


def test_every_query_lists_the_link_predicates_of_the_one_table() -> None:
    """A query that lists paper -> entity predicates lists all those of the kinds it names."""
    by_kind: dict[str, set[str]] = {}
    for link in LINKS:
        by_kind.setdefault(link.kind, set()).add(link.predicate)
    kind_of = {link.predicate: link.kind for link in LINKS}
    checked = 0
    for item in resources.files("kg.queries").iterdir():
        if item.name.endswith(".rq"):
            for listed in _listed_predicates(item.read_text(encoding="utf-8")):
                assert listed <= set(kind_of), (item.name, listed - set(kind_of))
                if listed == OWN_WORK:
                    continue
                kinds = {kind_of[p] for p in listed}
                assert listed == set().union(*(by_kind[k] for k in kinds)), (item.name, kinds)
                checked += 1
    assert checked >= 10


def test_kinds_from_classes_and_iris() -> None:
    assert kind_from_classes([PREFIXES["mlkg"] + "Topic", PREFIXES["skos"] + "Concept"]) == "topic"
    assert kind_from_classes([PREFIXES["schema"] + "Organization"]) == "organisation"
    assert kind_from_classes([PREFIXES["mlkg"] + "Paper", PREFIXES["mlkg"] + "Model"]) == "paper"
    assert kind_from_classes(["https://example.org/Other"]) is None
    assert kind_from_iri(ID + "benchmark/mmlu") == "benchmark"
    assert kind_from_iri(ID + "organisation/apple") == "organisation"
    assert kind_from_iri("https://example.org/benchmark/mmlu") is None


def test_the_label_rule() -> None:
    pref, label, title = (
        PREFIXES[p] + n for p, n in (("skos", "prefLabel"), ("rdfs", "label"), ("dcterms", "title"))
    )
    names = [
        (title, ox.Literal("A title", language="en")),
        (label, ox.Literal("Label", language="en")),
        (pref, ox.Literal("검색 증강 생성", language="ko")),
        (pref, ox.Literal("Preferred", language="en")),
    ]
    assert best_label(names) == "Preferred"
    assert best_label(names[:3]) == "Label"
    assert best_label([names[2], (label, ox.Literal("untagged"))]) == "untagged"
    assert best_label([names[2]]) == "검색 증강 생성"
    assert best_label([(label, ox.Literal("  two\n lines "))]) == "two lines"
    assert best_label([]) is None
    assert fold("Mixture-of-Experts") == fold("mixture of experts") == "mixture of experts"
    assert fold("Tülu 2") == "tulu 2"


# ---------------------------------------------------------------------------------- activity


def test_activity_bins_by_the_span() -> None:
    weeks = [date(2024, 1, 1), date(2024, 1, 8), date(2024, 3, 4)]
    short = activity(weeks)
    assert short.unit == "week"
    assert len(short.periods) == 10 and short.total == 3
    assert [(p.label, p.papers) for p in short.active] == [
        ("2024-01-01", 1),
        ("2024-01-08", 1),
        ("2024-03-04", 1),
    ]
    long = activity(weeks, (date(2023, 1, 2), date(2025, 6, 30)))
    assert long.unit == "month" and len(long.periods) == 30
    assert [(p.label, p.papers) for p in long.active] == [("Jan 2024", 2), ("Mar 2024", 1)]
    assert long.peak is not None and long.peak.label == "Jan 2024"
    longer = activity(weeks, (date(2019, 1, 7), date(2025, 6, 30)))
    assert longer.unit == "quarter"
    assert [(p.label, p.papers) for p in longer.active] == [("2024 Q1", 3)]
    assert unit_for(date(2024, 1, 1), date(2024, 6, 24)) == "week"
    assert unit_for(date(2024, 1, 1), date(2024, 7, 1)) == "month"
    assert activity([]).periods == ()


# ---------------------------------------------------------------------------------- related


# A link's weight over ln(1 + papers linked to the entity): GSM8K, evaluated on by 3 papers,
# 3 / ln 4 = 2.164; GPT-3.5, which Phi-3 only compares with (0.5), 0.5 / ln 4 = 0.3607.
RELATED_TO_PHI3 = [
    (TULU2, 7.4879, ["mt-bench", "gsm8k", "mmlu", "open-models", "gpt-3-5"]),
    (OPENELM, 5.1178, ["hellaswag", "mmlu", "small-models", "open-models"]),
    (OLMO, 4.3965, ["hellaswag", "mmlu", "open-models"]),
    (ORCA2, 3.6067, ["gsm8k", "microsoft", "small-models"]),
    (FILM, 3.3059, ["mmlu", "training-data", "microsoft"]),
    (ARCTIC, 3.2888, ["humaneval", "open-models"]),
    (GPQA_PAPER, 0.3607, ["gpt-3-5"]),
]


def test_related_papers_are_ranked_by_weighted_rarity_with_every_reason(store: ox.Store) -> None:
    found = related_papers(store, PHI3)
    assert [
        (r.paper.iri, round(r.score, 4), [x.entity.local for x in r.reasons]) for r in found
    ] == (RELATED_TO_PHI3)
    tulu = found[0]
    assert [(x.entity.kind, x.papers, round(x.score, 4)) for x in tulu.reasons] == [
        ("benchmark", 2, 2.7307),
        ("benchmark", 3, 2.164),
        ("benchmark", 5, 1.6743),
        ("topic", 5, 0.5581),
        ("model", 3, 0.3607),
    ]
    assert as_rows(found[:1])[0] == {
        "paper": "paper:2311.10702",
        "title": "Camels in a Changing Climate: Enhancing LM Adaptation with Tulu 2",
        "week": "2023-11-20",
        "score": 7.4879,
        "shared": "benchmark MT-bench, benchmark GSM8K, benchmark MMLU, "
        "topic Open Foundation Models, model GPT-3.5",
    }
    assert [r.paper.iri for r in related_papers(store, PHI3, limit=2)] == [TULU2, OPENELM]


def test_a_paper_without_benchmarks_still_has_related_papers(store: ox.Store) -> None:
    assert shared_benchmarks(store, MOE_LLAVA) == []
    found = related_papers(store, MOE_LLAVA)
    assert [(r.paper.iri, [x.entity.local for x in r.reasons]) for r in found] == [
        (ARCTIC, ["moe"])
    ]
    assert related_papers(store, PAPER + "2311.12351")[0].reasons[0].entity.local == "long-context"


def test_the_site_ranks_exactly_as_kg_related(store: ox.Store) -> None:
    sub = whole(store)
    index = _RelatedIndex(store, sub)
    papers = [n.iri for n in sub.papers()]
    assert len(papers) == 40  # 39 papers and an article

    def ranking(found: list[RelatedPaper]) -> list[tuple[str, float, list[tuple[str, int]]]]:
        return [
            (r.paper.iri, r.score, [(x.entity.iri, x.papers) for x in r.reasons]) for r in found
        ]

    compared = 0
    for paper in papers:
        assert ranking(index(paper)) == ranking(related_papers(store, paper)), paper
        compared += bool(index(paper))
    assert compared >= 15


def test_shared_benchmarks_ranking_and_jaccard_are_exact(store: ox.Store) -> None:
    found = shared_benchmarks(store, PHI3)
    assert [(s.paper.iri, s.shared, round(s.jaccard, 4)) for s in found] == [
        (TULU2, 3, round(3 / 7, 4)),
        (OLMO, 2, round(2 / 6, 4)),
        (OPENELM, 2, round(2 / 7, 4)),
        (FILM, 1, round(1 / 6, 4)),
        (ARCTIC, 1, round(1 / 6, 4)),
        (ORCA2, 1, round(1 / 7, 4)),
    ]
    assert found[0].benchmarks == ("GSM8K", "MMLU", "MT-bench")


# ---------------------------------------------------------------------------------- profiles


def test_paper_profile_lists_links_with_evidence(store: ox.Store) -> None:
    profile = paper_profile(store, PHI3)
    assert profile.node.label.startswith("Phi-3 Technical Report")
    assert profile.node.arxiv == "2404.14219" and profile.node.week == date(2024, 4, 22)
    assert [(k.entity.kind, k.entity.local) for k in profile.links] == [
        ("topic", "open-models"),
        ("topic", "small-models"),
        ("topic", "training-data"),
        ("model", "phi-3"),
        ("model", "gpt-3-5"),
        ("model", "mixtral-8x7b"),
        ("benchmark", "gsm8k"),
        ("benchmark", "hellaswag"),
        ("benchmark", "humaneval"),
        ("benchmark", "mmlu"),
        ("benchmark", "mt-bench"),
        ("organisation", "microsoft"),
    ]
    mmlu = next(k for k in profile.links if k.entity.local == "mmlu")
    assert mmlu.wording == "evaluates on" and mmlu.entity.papers == 5
    assert mmlu.evidence is not None
    assert (mmlu.evidence.support, mmlu.evidence.confidence) == (2, 0.95)
    assert mmlu.evidence.methods == ("curated-label",)
    assert mmlu.evidence.digests == ("dair-2024-04-22", "pytorchkr-2024-04-22")
    assert mmlu.evidence.snippet == "phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench"
    phi = next(k for k in profile.links if k.entity.local == "phi-3")
    assert phi.evidence is not None and phi.evidence.methods == ("curated-label", "title-rule")
    assert next(k for k in profile.links if k.entity.local == "gsm8k").evidence is None
    assert profile.web[0].url == "https://arxiv.org/abs/2404.14219"
    assert {w.role for w in profile.web} >= {"paper", "tweet"}
    assert [r.paper.iri for r in profile.related] == [iri for iri, _, _ in RELATED_TO_PHI3]
    assert profile.kinds == ("topic", "model", "benchmark", "organisation")


def test_topic_profile_includes_its_narrower_topics(store: ox.Store) -> None:
    profile = entity_profile(store, TOPIC + "reasoning")
    assert profile.papers == 3
    assert {n.local for n in profile.facts.narrower} == {
        "math-reasoning",
        "chain-of-thought",
        "test-time-compute",
    }
    assert [(k.entity.local, k.paper.week) for k in profile.links] == [
        ("chain-of-thought", date(2024, 10, 21)),
        ("math-reasoning", date(2024, 1, 29)),
        ("reasoning", date(2023, 11, 20)),
    ]
    assert profile.node.papers == 3
    assert profile.activity.unit == "month"
    assert [(p.label, p.papers) for p in profile.activity.active] == [
        ("Nov 2023", 1),
        ("Jan 2024", 1),
        ("Oct 2024", 1),
    ]
    topics = [c.node.local for c in profile.neighbours_of("topic")]
    assert topics == ["small-models"]  # never its own narrower topics


def test_rag_profile_counts_neighbours_and_keeps_evidence(store: ox.Store) -> None:
    profile = entity_profile(store, "https://w3id.org/mlkg/id/topic/rag")
    assert profile.node.label == "Retrieval-Augmented Generation"
    assert profile.papers == profile.shown == 3
    assert [k.paper.iri for k in profile.links] == [LONGRAG, NOISE, CRAG]
    crag = next(k for k in profile.links if k.paper.iri == CRAG)
    assert crag.evidence is not None and crag.evidence.snippet == (
        "Corrective Retrieval Augmented Generation"
    )
    counts = {
        kind: [(c.node.label, c.papers) for c in counts] for kind, counts in profile.neighbours
    }
    assert counts["model"] == [("Llama 2", 2)]
    assert counts["topic"] == [("Information Retrieval", 1), ("Long Context", 1)]
    assert counts["organisation"] == [("Google", 1), ("Sapienza University of Rome", 1)]
    assert len(counts["benchmark"]) == 5
    assert profile.facts.names[:1] == ("RAG",) or "RAG" in profile.facts.names


def test_model_and_organisation_profiles(store: ox.Store) -> None:
    model = entity_profile(store, ID + "model/llama-2")
    assert model.papers == 4
    assert [n.label for n in model.facts.developers] == ["Meta"]
    assert {k.wording for k in model.links} == {"uses"}
    microsoft = entity_profile(store, ID + "organisation/microsoft")
    assert microsoft.papers == 3
    assert {"phi", "wizardlm"} <= {n.local for n in microsoft.facts.developed}
    assert [n.local for n in microsoft.facts.parts] == ["microsoft-research"]
    empty = entity_profile(store, ID + "benchmark/mmlu-pro")
    assert (empty.papers, empty.links, empty.neighbours, empty.activity.active) == (0, (), (), ())


# ---------------------------------------------------------------------------------- subgraphs


def test_around_a_topic_follows_narrower_topics_and_keeps_the_outer_papers_links(
    store: ox.Store,
) -> None:
    sub = around(store, [TOPIC + "reasoning"], hops=1)
    depth1 = {iri for iri, d in sub.depth.items() if d == 1}
    papers = {n.iri for n in sub.papers()}
    assert papers == {
        ORCA2,
        PAPER + "2402.00157",
        PAPER + "a-theoretical-understanding-of-chain-of-thought-coherent-reasoning-and-error-awa",
    }
    assert papers <= depth1
    assert {TOPIC + "math-reasoning", TOPIC + "chain-of-thought"} <= depth1
    assert ID + "model/orca-2" in sub.nodes and sub.depth[ID + "model/orca-2"] == 2
    assert sub.nodes[TOPIC + "reasoning"].papers == 3


def test_around_a_paper_and_the_size_limit(store: ox.Store) -> None:
    sub = around(store, [PHI3], hops=1)
    assert {iri for iri, d in sub.depth.items() if d == 1} == {
        link.entity.iri for link in paper_profile(store, PHI3).links
    }
    assert {n.iri for n in sub.papers()} == {PHI3}
    two = around(store, [PHI3], hops=2)
    assert {TULU2, OPENELM, OLMO, ORCA2, ARCTIC, FILM, GPQA_PAPER} <= {n.iri for n in two.papers()}
    small = around(store, [PHI3], hops=2, limit=15)
    assert len([d for d in small.depth.values() if d <= 2]) == 15
    assert small.left_out > 0


def test_whole_and_projections(store: ox.Store) -> None:
    sub = whole(store)
    graph = to_networkx(sub)
    assert graph.number_of_nodes() == len(sub.nodes) and graph.number_of_edges() == len(sub.edges)
    assert graph.nodes[PHI3]["kind"] == "paper" and graph.nodes[PHI3]["arxiv"] == "2404.14219"
    assert graph.get_edge_data(PHI3, ID + "benchmark/mmlu")["mlkg:evaluatesOn"]["label"] == (
        "evaluates on"
    )
    assert sub.nodes[TOPIC + "reasoning"].papers == 3  # narrower topics counted
    bipartite = paper_entity_graph(sub, ["benchmark"])
    assert nx.is_bipartite(bipartite)
    assert bipartite.degree[ID + "benchmark/mmlu"] == 5
    assert bipartite.edges[GPQA_PAPER, ID + "benchmark/gpqa"]["predicates"] == ("mlkg:introduces",)
    topics = cooccurrence(sub, ["topic"])
    assert topics.edges[TOPIC + "open-models", TOPIC + "small-models"]["weight"] == 2
    papers = paper_projection(sub, ["benchmark"])
    assert papers.edges[PHI3, TULU2]["weight"] == 3
    assert (
        papers.edges[PHI3, TULU2]["shared"] == "benchmark:gsm8k benchmark:mmlu benchmark:mt-bench"
    )


def test_query_rows_gives_python_values(store: ox.Store) -> None:
    assert query_rows(store, "topic-timeline", topic="topic:rag") == [
        {"topic": "topic:rag", "week": date(2024, 1, 29), "papers": 2},
        {"topic": "topic:rag", "week": date(2024, 10, 21), "papers": 1},
    ]
    assert query_rows(store, "SELECT (COUNT(*) AS ?n) WHERE { ?p a mlkg:Paper }") == [{"n": 39}]


# ---------------------------------------------------------------------------------- locality


@dataclass
class Recording:
    """A graph that records what it is asked: the query text and the bound parameters."""

    store: ox.Store
    asked: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def query(self, text: str, **options: Any) -> Any:
        self.asked.append((text, dict(options.get("substitutions") or {})))
        return self.store.query(text, **options)


def _bound(text: str, substitutions: dict[str, Any]) -> bool:
    return bool(substitutions) or bool(re.search(r"VALUES \?\w+ \{ <", text))


@pytest.mark.parametrize(
    "action",
    [
        lambda g: related_papers(g, PHI3),
        lambda g: shared_benchmarks(g, PHI3),
        lambda g: paper_profile(g, PHI3),
        lambda g: entity_profile(g, TOPIC + "rag"),
        lambda g: around(g, [TOPIC + "rag"], hops=2),
        lambda g: find_paper(g, "2404.14219"),
    ],
)
def test_one_node_answers_only_ask_about_bound_nodes(store: ox.Store, action: Any) -> None:
    graph = Recording(store)
    action(graph)
    assert graph.asked
    unbound = [text for text, subs in graph.asked if not _bound(text, subs)]
    assert [t for t in unbound if "?digest mlkg:weekStart ?week" not in t] == []


def test_rank_stops_early_and_stays_exact() -> None:
    """The ranking that skips the papers of common entities equals scoring every paper."""
    import random
    from decimal import Decimal

    from kg.explore.related import Share, rank

    rng = random.Random(3)
    papers = [f"p{i:04d}" for i in range(3000)]
    for trial in range(30):
        sizes = [rng.choice((2, 3, 5, 40, 300, 1500, 2500)) for _ in range(rng.randint(1, 8))]
        papers_of = {
            f"e{j}": set(rng.sample(papers, size)) | {"p0000"} for j, size in enumerate(sizes)
        }
        shares = {
            e: Share(e, rng.choice((1.0, 2.0, 3.0)), len(members))
            for e, members in papers_of.items()
        }
        brute = []
        for other in {p for members in papers_of.values() for p in members} - {"p0000"}:
            found = [s for e, s in sorted(shares.items()) if other in papers_of[e]]
            score = sum((s.value for s in found), Decimal(0))
            brute.append((-score, -len(found), other))
        brute.sort()
        limit = rng.choice((1, 5, 20))
        got = rank("p0000", shares, papers_of, limit)
        assert [(o, s) for o, s, _ in got] == [(o, -s) for s, _, o in brute[:limit]], trial
