"""The extractor: tokenisation, pipeline patterns from the vocabulary, rules, relations,
provenance in the graph, and measured quality against the annotated set."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import BUNDLED

from kg.build import BuildSummary, build
from kg.evaluate import evaluate, load_gold
from kg.extract.mentions import Mention, find_mentions
from kg.extract.pipeline import ScriptTokenizer, build_pipeline
from kg.extract.rules import kind_from_text, title_artefact
from kg.extract.vocabulary import load_vocabulary
from kg.graph.prefixes import PREFIXES
from kg.graph.store import open_store
from kg.records import Digest, Entry, Link, LinkKind, WeekSource
from kg.resolve import resolve
from kg.validate import validate_store

GOLD = Path(__file__).parent.parent / "data" / "eval" / "annotations.json"
ID = "https://w3id.org/mlkg/id/"


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """One build of the bundled digests with extraction."""
    out = tmp_path_factory.mktemp("linked")
    return out, build([BUNDLED], out)


@pytest.fixture(scope="module")
def graph(linked: tuple[Path, BuildSummary]) -> Iterator[ox.Store]:
    yield open_store(linked[0])


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(s[n].value if s[n] is not None else "" for n in names) for s in result]


def digest(entries: list[Entry], key: str = "a" * 64) -> Digest:
    return Digest(
        source="synthetic.md",
        checksum=key,
        language="en",
        layout="dair",
        title="Top ML Papers of the Week",
        week_start=date(2025, 3, 3),
        week_end=date(2025, 3, 9),
        week_source=WeekSource.HEADER,
        entries=tuple(entries),
    )


def mentions_of(entries: list[Entry]) -> list[Mention]:
    vocabulary = load_vocabulary()
    return find_mentions(build_pipeline(vocabulary), resolve([digest(entries)]))


# ------------------------------------------------------------------ tokenisation and patterns


def test_cjk_characters_are_tokens_and_latin_names_stay_whole() -> None:
    nlp = build_pipeline(load_vocabulary())
    tokens = [t.text for t in ScriptTokenizer(nlp.vocab)("전문가혼합(MoE)을 GPT-3.5와 HumanEval+")]
    assert tokens[:3] == ["전", "문", "가"]
    assert {"MoE", "GPT", "-", "3.5", "HumanEval+"} <= set(tokens)
    assert [t.text for t in ScriptTokenizer(nlp.vocab)("Mistral-7B")] == ["Mistral", "-", "7B"]


@pytest.mark.parametrize(
    ("text", "language", "topic"),
    [
        ("본 논문은 검색증강생성을 위한 새로운 검색기를 제안합니다", "ko", "rag"),
        ("検索拡張生成を改善する手法を提案する", "ja", "rag"),
        ("전문가 혼합(MoE) 구조의 희소 모델", "ko", "moe"),
        ("a Dense-MoE hybrid transformer", "en", "moe"),
    ],
)
def test_topic_labels_match_inside_glued_words(text: str, language: str, topic: str) -> None:
    entry = (
        Entry(1, "Some Title", intro_local=text)
        if language != "en"
        else Entry(1, "Some Title", intro_en=text)
    )
    found = {m.iri for m in mentions_of([entry]) if m.kind.startswith("topic")}
    assert f"{ID}topic/{topic}" in found


def test_curated_names_longest_match_and_no_organisation_inside_a_model_name() -> None:
    entry = Entry(1, "A Study", intro_en="We compare Mixtral 8x7B with DeepSeek 67B on MMLU-Pro.")
    names = {(m.kind, m.text) for m in mentions_of([entry]) if not m.kind.startswith("topic")}
    assert ("model", "Mixtral 8x7B") in names
    assert ("model", "Mixtral") not in names
    assert not any(kind == "organisation" for kind, _ in names)
    assert any(text == "MMLU-Pro" for _, text in names)
    assert ("benchmark", "MMLU") not in names


def test_shape_rule_finds_models_the_vocabulary_does_not_know() -> None:
    entry = Entry(1, "A Study", intro_en="Zephyrine-7B and Quokka 2 13B beat the baselines.")
    shapes = {m.text for m in mentions_of([entry]) if m.kind == "model-shape"}
    assert shapes == {"Zephyrine-7B", "Quokka 2 13B"}


@pytest.mark.parametrize(
    ("title", "name", "kind"),
    [
        ("OpenELM: An Efficient Language Model Family with Open Training", "OpenELM", "model"),
        ("GPQA: A Graduate-Level Google-Proof Q&A Benchmark", "GPQA", "benchmark"),
        ("Granite 3.0 Technical Report", "Granite 3.0", "model"),
        ("SliceGPT: Compress Large Language Models by Deleting Rows", "SliceGPT", None),
        ("FineWeb", "FineWeb", None),
    ],
)
def test_title_rule(title: str, name: str, kind: str | None) -> None:
    artefact = title_artefact(title)
    assert artefact is not None
    assert (artefact.name, artefact.kind) == (name, kind)


@pytest.mark.parametrize(
    "title",
    ["Agentic Information Retrieval", "A Survey on Self-Evolution of Large Language Models"],
)
def test_title_rule_names_nothing_for_descriptive_titles(title: str) -> None:
    assert title_artefact(title) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("NExT, a method to teach LLMs to reason about code", None),
        ("Zork, a 7B open language model trained on code", "model"),
        ("we release a dataset called Zork with 1M questions", "benchmark"),
    ],
)
def test_kind_from_text(text: str, kind: str | None) -> None:
    name = "NExT" if text.startswith("NExT") else "Zork"
    assert kind_from_text(name, text) == kind


# ------------------------------------------------------------------ links in the graph


def test_discovered_entities_are_typed_and_marked(tmp_path: Path) -> None:
    entries = [
        Entry(
            1,
            "Zorblax: An Open Language Model Family",
            intro_en="Zorblax-7B outperforms Llama 2 70B and Quokka-13B on MMLU.",
            links=(
                Link("https://x.com/someone/status/123456", LinkKind.TWEET, status_id="123456"),
            ),
        )
    ]
    from kg.extract import extract

    resolution = resolve([digest(entries)])
    assertions, discovered, *_ = extract(resolution)
    names = {d.name: d for d in discovered}
    assert {"Zorblax", "Zorblax-7B", "Quokka-13B"} <= set(names)
    assert all(d.discovered and d.term is None for d in discovered)
    assert names["Zorblax-7B"].family == names["Zorblax"]
    relation = {a.target.name: a.relation for a in assertions}
    assert relation["Zorblax"] == "proposes"
    assert relation["Zorblax-7B"] == "proposes"
    assert relation["Quokka-13B"] == "compares"
    assert relation["MMLU"] == "evaluatesOn"
    from kg.graph.links import target_iri

    assert target_iri(names["Zorblax-7B"]) == f"{ID}model/zorblax-7b"


def test_papers_evaluating_on_mmlu_with_evidence(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?title ?snippet WHERE {
             ?paper mlkg:evaluatesOn benchmark:mmlu ; dcterms:title ?title .
             ?s rdf:subject ?paper ; rdf:predicate mlkg:evaluatesOn ; rdf:object benchmark:mmlu ;
                mlkg:snippet ?snippet }""",
    )
    titles = {t for t, _ in rows}
    assert any(t.startswith("Phi-3") for t in titles)
    assert any(t.startswith("Camels in a Changing Climate") for t in titles)
    assert any(t.startswith("MedAgents") for t in titles)
    assert any(t.startswith("Make Your LLM") for t in titles)
    assert all("MMLU" in snippet for _, snippet in rows)


def test_everything_linked_to_microsoft(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT DISTINCT ?title WHERE {
             ?paper schema:sourceOrganization/schema:parentOrganization* org:microsoft ;
                    dcterms:title ?title }""",
    )
    titles = {t for (t,) in rows}
    for start in ("Phi-3", "Orca 2", "SliceGPT", "Make Your LLM"):
        assert any(t.startswith(start) for t in titles), start


def test_every_link_has_provenance(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?paper ?p ?o (COUNT(DISTINCT ?s) AS ?statements) WHERE {
             ?paper a mlkg:Paper ; ?p ?o .
             VALUES ?p { dcterms:subject mlkg:proposes mlkg:compares mlkg:uses mlkg:introduces
                         mlkg:evaluatesOn schema:sourceOrganization }
             OPTIONAL { ?s rdf:subject ?paper ; rdf:predicate ?p ; rdf:object ?o ;
                           mlkg:support ?n ; mlkg:confidence ?c ; prov:wasGeneratedBy ?m ;
                           prov:wasDerivedFrom ?d . ?d a mlkg:Digest }
           } GROUP BY ?paper ?p ?o""",
    )
    assert len(rows) > 150
    assert all(int(n) == 1 for *_, n in rows)


def test_support_counts_the_digests(graph: ox.Store) -> None:
    rows = select(
        graph,
        """SELECT ?support (COUNT(DISTINCT ?d) AS ?sources) WHERE {
             ?s rdf:subject paper:2404.14219 ; rdf:object benchmark:mmlu ;
                mlkg:support ?support ; prov:wasDerivedFrom ?d } GROUP BY ?support""",
    )
    assert rows == [("2", "2")]  # Phi-3 on MMLU: the Korean digest and the DAIR.AI list


def test_the_bundled_graph_conforms_to_the_shapes(graph: ox.Store) -> None:
    assert validate_store(graph) == []


def test_a_paper_that_lost_its_type_is_a_violation(graph: ox.Store) -> None:
    paper = ox.NamedNode("https://w3id.org/mlkg/id/paper/2404.14219")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    untyped = ox.Store()
    untyped.extend(q for q in graph if not (q.subject == paper and q.predicate == rdf_type))
    violations = validate_store(untyped)
    assert [(v.focus, v.message.split(" (value")[0]) for v in violations] == [
        ("paper:2404.14219", "a featured or linked paper must be typed mlkg:Paper or mlkg:Article")
    ]


def test_extraction_quality_on_the_bundled_digests(graph: ox.Store) -> None:
    scores = evaluate(graph, load_gold(GOLD))
    assert scores.papers == 40 and not scores.unmatched
    for kind, floor in (("topics", 0.85), ("models", 0.95), ("benchmarks", 0.95)):
        assert scores.by_type[kind].f1 >= floor, (kind, scores.by_type[kind])
    assert scores.by_type["organisations"].f1 == 1.0


def test_a_users_vocabulary_extends_the_curated_one(tmp_path: Path) -> None:
    vocab = tmp_path / "mine.ttl"
    vocab.write_text(
        """@prefix mlkg: <https://w3id.org/mlkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/mlkg/id/benchmark/penguin-suite> a mlkg:Benchmark ;
    rdfs:label "Penguin Suite"@en ; skos:altLabel "펭귄 스위트"@ko .
""",
        encoding="utf-8",
    )
    entries = [
        Entry(1, "A Study", intro_en="Results on the Penguin Suite.", intro_local="펭귄스위트에서")
    ]
    from kg.extract import extract

    assertions, discovered, *_ = extract(resolve([digest(entries)]), vocab=[vocab])
    targets = {a.target.term for a in assertions}
    assert f"{ID}benchmark/penguin-suite" in targets
    assert not discovered


def test_papers_are_related_while_the_processes_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --jobs 2, the first paper is related as soon as its texts come back, while the
    processes still read the last texts (not after the pipeline has read everything)."""
    import time

    from kg.extract import extract, mentions, relations
    from kg.sources import read_files

    resolution = resolve(read_files([BUNDLED]).digests)
    last = mentions.distinct_texts(resolution)[-1]
    related_one = tmp_path / "related-one"
    log = tmp_path / "log"
    real_found, real_paper = mentions._found, relations._Relater.paper

    def reading(nlp: Any, texts: list[str]) -> list[Any]:
        if last in texts:  # the last chunk waits (10 s at most) for the first paper's links
            deadline = time.monotonic() + 10
            while not related_one.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            log.write_text("related before the last chunk" if related_one.exists() else "")
        return real_found(nlp, texts)

    def relating(self: Any, *args: Any) -> Any:
        related_one.touch()
        return real_paper(self, *args)

    monkeypatch.setattr(mentions, "MIN_ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(mentions, "CHUNK", 5)
    monkeypatch.setattr(mentions, "_found", reading)
    monkeypatch.setattr(relations._Relater, "paper", relating)
    extraction = extract(resolution, jobs=2)
    assert log.read_text() == "related before the last chunk"
    assert extraction.related and len(extraction.found) == len(mentions.distinct_texts(resolution))


def test_more_processes_fork_and_give_the_same_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--jobs 2 really runs the pipeline in forked processes, and finds the same links."""
    import os

    from kg.extract import extract, mentions
    from kg.sources import read_files

    resolution = resolve(read_files([BUNDLED]).digests)
    one, *_ = extract(resolution, jobs=1)
    seen = tmp_path / "pids"
    real_found = mentions._found

    def recording(nlp: Any, texts: list[str]) -> list[Any]:
        with seen.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return real_found(nlp, texts)

    monkeypatch.setattr(mentions, "MIN_ITEMS_PER_PROCESS", 1)
    monkeypatch.setattr(mentions, "_found", recording)  # inherited by the forked workers
    two, *_ = extract(resolution, jobs=2)
    workers = set(seen.read_text().split())
    assert len(workers) == 2 and str(os.getpid()) not in workers
    assert [(a.paper, a.relation, a.target, a.confidence) for a in one] == [
        (a.paper, a.relation, a.target, a.confidence) for a in two
    ]
