"""One test per extraction rule: each fails when its rule is removed or broken.

Rules for a paper's own artefact (kg/extract/rules.py), names (kg/extract/entities.py,
pipeline.py, mentions.py), organisations (organisations.py, organisation_roles.json) and the
relations between them (relations.py).
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date

import pytest

from kg.extract.entities import Registry, edit_distance_one
from kg.extract.mentions import Mention, find_mentions
from kg.extract.pipeline import build_pipeline, spellings, stem
from kg.extract.rules import (
    description_artefacts,
    kind_from_text,
    kind_of_phrase,
    name_like,
    opening_kind,
    title_artefact,
)
from kg.extract.vocabulary import load_vocabulary
from kg.records import Assertion, Digest, Entity, Entry, Link, LinkKind, WeekSource
from kg.resolve import resolve

ID = "https://w3id.org/mlkg/id/"


def digest(entries: list[Entry]) -> Digest:
    return Digest(
        source="rows.md",
        checksum="b" * 64,
        language="en",
        layout="dair",
        title="Top ML Papers of the Week",
        week_start=date(2025, 3, 3),
        week_end=date(2025, 3, 9),
        week_source=WeekSource.HEADER,
        entries=tuple(entries),
    )


def mentions_of(entry: Entry) -> list[Mention]:
    vocabulary = load_vocabulary()
    return find_mentions(build_pipeline(vocabulary), resolve([digest([entry])]))


def names_in(text: str) -> set[tuple[str, str]]:
    return {
        (m.kind, m.text)
        for m in mentions_of(Entry(1, "A Study", intro_en=text))
        if not m.kind.startswith("topic")
    }


def extracted(entry: Entry) -> list[Assertion]:
    from kg.extract import extract

    assertions, *_ = extract(resolve([digest([entry])]))
    return assertions


def links(entry: Entry, relation: str) -> set[str]:
    return {a.target.name for a in extracted(entry) if a.relation == relation}


# ------------------------------------------------------------------ the paper's own artefact


@pytest.mark.parametrize(
    ("title", "name", "kind", "release"),
    [
        ("Granite 3.0 Technical Report", "Granite 3.0", "model", True),
        ("Introducing Zorblax", "Zorblax", None, True),
        ("OpenELM: An Efficient Language Model Family", "OpenELM", "model", False),
        ("GPQA: A Graduate-Level Google-Proof Q&A Benchmark", "GPQA", "benchmark", False),
        ("Muse: Text-To-Image Generation via Masked Generative Transformers", "Muse", None, False),
        ("JetMoE", "JetMoE", None, True),
    ],
)
def test_title_rule(title: str, name: str, kind: str | None, release: bool) -> None:
    artefact = title_artefact(title)
    assert artefact is not None
    assert (artefact.name, artefact.kind, artefact.release) == (name, kind, release)


@pytest.mark.parametrize(
    "title",
    [
        "Agentic Information Retrieval",
        "A Survey on Self-Evolution of Large Language Models",
        "Advancing LLM Reasoning",  # a generic acronym is not a name
        "Protein LLMs",
    ],
)
def test_title_rule_names_nothing_for_descriptive_titles(title: str) -> None:
    assert title_artefact(title) is None


@pytest.mark.parametrize(
    ("name", "like"),
    [
        *[("Phi-3", True), ("OpenELM", True), ("GPQA", True), ("SHADE-Arena", True)],
        *[("Advancing LLM Reasoning", False), ("Self-Tuning with LLMs", False)],
    ],
)
def test_name_like(name: str, like: bool) -> None:
    assert name_like(name) is like


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("a family of large-scale diffusion-based language models (dLLMs) optimized", "model"),
        ("the first open-source, natively trained 1-bit LLM at the 2B scale", "model"),
        ("a new benchmark for evaluating agents", "benchmark"),
        ("a database combining worker desires", "benchmark"),
        ("a suite of LLMs optimized for reasoning", "model"),
        ("a new evaluation suite", "benchmark"),
        ("an RL framework for training language agents", None),
        ("a modular agentic system powered by LLMs", None),
        ("a model-based approach", None),
    ],
)
def test_kind_of_phrase(phrase: str, kind: str | None) -> None:
    assert kind_of_phrase(phrase) == kind


def test_opening_phrase_says_what_the_title_is() -> None:
    assert opening_kind("an 8B model trained with less than $0.1 million") == "model"
    assert opening_kind("a scalable RL method for training") is None
    # a verb of putting forward, then its object: the object says what the title names
    assert opening_kind("releases a new code LLM trained on 1.5T tokens") == "model"
    assert opening_kind("Introduces a dense, open-source 32B language model that ...") == "model"
    assert opening_kind("proposes a new benchmark to evaluate agents") == "benchmark"
    assert opening_kind("proposes a new method to train a model") is None
    assert opening_kind("develops a model of how LLMs memorise") is None  # not a release verb
    assert opening_kind("combines diffusion models with evolutionary data") is None
    # a variant of a kind is of that kind
    assert opening_kind("a more efficient variant of byte-level language models") == "model"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "This paper introduces Mercury, a family of diffusion language models.",
            ("Mercury", "model"),
        ),
        ("Tina is a family of 1.5B parameter reasoning models.", ("Tina", "model")),
        ("the resulting model, called TransNAR, demonstrates gains", ("TransNAR", "model")),
        ("proposes a suite of LLMs (Eurus) optimized for reasoning", ("Eurus", "model")),
        ("also develops a large-scale dataset MMTab, covering tables", ("MMTab", "benchmark")),
        (
            "This work introduces BitNet b1.58 2B4T, the first open 1-bit LLM",
            ("BitNet b1.58 2B4T", "model"),
        ),
        ("This work introduces MEM1, an RL framework for agents", ("MEM1", None)),
    ],
)
def test_description_rules(text: str, found: tuple[str, str | None]) -> None:
    assert found in {(a.name, a.kind) for a in description_artefacts(text)}


def test_a_sentence_subject_is_not_a_name() -> None:
    assert description_artefacts("The model is a transformer trained on data.") == []


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


def test_the_title_name_with_an_opening_phrase_is_proposed() -> None:
    entry = Entry(1, "Quibble", intro_en="an 8B model trained on code; beats Llama 2 7B.")
    assert "Quibble" in links(entry, "proposes")


def test_a_title_name_the_text_calls_a_framework_is_no_model() -> None:
    entry = Entry(1, "MEMX", intro_en="This work introduces MEMX, an RL framework for agents.")
    assert "MEMX" not in links(entry, "proposes")


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("HuatuoXGPT-o1", "presents a novel approach to medical reasoning"),  # a model word
        ("SQL-Mistral", "adapts a text-to-SQL approach"),  # a curated family inside the name
        ("UX-TARS", "an agent for GUIs; UX-TARS-72B leads the benchmark"),  # sized variant
    ],
)
def test_a_title_name_built_like_a_model_is_a_model(title: str, text: str) -> None:
    assert title in links(Entry(1, title, intro_en=text), "proposes")


# ------------------------------------------------------------------ names


def test_spellings_of_a_version_number() -> None:
    assert spellings("Llama 3") == ["Llama 3", "Llama-3", "Llama3"]
    assert spellings("o3-mini") == ["o3-mini"]  # a one-letter name keeps its form
    assert spellings("MMLU") == ["MMLU"]


def test_glued_and_hyphenated_versions_find_the_curated_name() -> None:
    found = names_in("We fine-tune PaLM-2 and Llama3 8B.")
    assert ("model", "PaLM-2") in found and ("model", "Llama3 8B") in found


def test_a_named_variant_of_a_curated_family_is_found() -> None:
    found = names_in("It is compared with Claude 3.9 and Mamba-9.")
    assert ("model-shape", "Claude 3.9") in found and ("model-shape", "Mamba-9") in found


def test_a_likeness_is_not_a_mention() -> None:
    assert not any(text == "o1" for _, text in names_in("o1-like models overthink"))


def test_a_name_with_the_word_for_its_kind_keeps_its_kind() -> None:
    found = names_in("Experiments on the ImageNet benchmarks and the Zorblax dataset.")
    assert ("benchmark", "ImageNet") in found
    assert ("benchmark-shape", "Zorblax") not in found  # not capitalised inside: no shape


def test_compound_names_with_sizes() -> None:
    assert ("model-shape", "UX-TARS-72B-DPO") in names_in("UX-TARS-72B-DPO leads the board.")


def test_shape_regexes_become_word_flags_with_the_same_matches() -> None:
    from spacy.matcher import Matcher

    from kg.extract.pipeline import rule_patterns
    from kg.extract.rulers import RULERS

    nlp = build_pipeline(load_vocabulary())
    shapes = nlp.get_pipe(RULERS).patterns("shapes")
    assert shapes and not any("REGEX" in str(p["pattern"]) for p in shapes)
    text = (
        "Qwen2.5-72B-Instruct and Zorb-7B beat MiniCPM-2.4B on VisionBench, "
        "Math-Eval and the GraphQA dataset; llama-7b does not count."
    )
    doc = nlp(text)
    with_regexes = Matcher(nlp.vocab)
    for pattern in rule_patterns():
        with_regexes.add(pattern["id"], [pattern["pattern"]])
    by_regex = {doc[start:end].text for _, start, end in with_regexes(doc)}
    by_flag = {span.text for span in doc.spans["kg"] if span.label_.endswith("-shape")}
    assert by_flag == by_regex
    assert {"Zorb-7B", "VisionBench", "Math-Eval", "GraphQA", "Qwen2.5-72B-Instruct"} <= by_flag
    assert not any("llama" in found for found in by_flag)


def test_a_word_longer_than_any_name_is_no_name_and_costs_no_regex_time() -> None:
    from kg.extract.entities import Registry
    from kg.extract.rules import MAX_NAME_CHARS

    nlp = build_pipeline(load_vocabulary())
    fits = "Zorb" + "Bench" * ((MAX_NAME_CHARS - 6) // 5) + "QA"
    too_long = "Zorb" + "Bench" * ((MAX_NAME_CHARS - 6) // 5 + 1) + "QA"
    huge = "Zorb" + "Bench" * 4_000 + "QA"  # the shape regex takes quadratic time on it
    assert len(fits) <= MAX_NAME_CHARS < len(too_long)
    doc = nlp(f"It beats {fits} and {too_long} and {huge} by far.")
    assert {span.text for span in doc.spans["kg"]} == {fits}
    registry = Registry(load_vocabulary())
    assert registry.entity(huge, "benchmark") is None
    assert registry.entity(too_long, "benchmark") is None
    assert registry.entity(fits, "benchmark") is not None
    import tracemalloc

    registry.lookup("HumanEvalx", "benchmark")  # the index of curated spellings, made once
    tracemalloc.start()
    assert registry.lookup("HumanEvalz" + "z" * 20_000, "benchmark") is None
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000, "no one-letter deletions of a text longer than any name"


def test_more_word_regexes_than_free_flags_is_an_error() -> None:
    from spacy.vocab import Vocab

    from kg.errors import KgError
    from kg.extract.pipeline import _regex_flags

    def shape(n: int) -> dict[str, object]:
        return {"label": "model-shape", "pattern": [{"TEXT": {"REGEX": f"^x{n}$"}}]}

    flagged = _regex_flags(Vocab(), [shape(n) for n in range(45)])
    assert {next(iter(p["pattern"][0])) for p in flagged} == {f"FLAG{i}" for i in range(19, 64)}
    with pytest.raises(KgError, match="more word regexes"):
        _regex_flags(Vocab(), [shape(n) for n in range(46)])


def test_stems_match_topic_cues_in_other_forms() -> None:
    assert stem("pruning") == stem("pruned")
    entry = Entry(1, "A Study", intro_en="Large models can be pruned in one shot.")
    topics = {m.iri for m in mentions_of(entry) if m.kind.startswith("topic")}
    assert f"{ID}topic/model-compression" in topics


def test_misspellings_and_non_names() -> None:
    assert edit_distance_one("humaleval", "humaneval")
    assert not edit_distance_one("gpt4", "gpt5")  # a digit is never a slip
    registry = Registry(load_vocabulary())
    assert registry.entity("HumalEval", "benchmark") == registry.lookup("HumanEval", "benchmark")
    assert registry.entity("7B", "model") is None and registry.entity("model", "model") is None
    assert registry.entity("LLM", "benchmark") is None and registry.entity("VLMs", "model") is None
    assert registry.entity("Zorblax", "model") == Entity("model", "Zorblax")


def test_a_sized_or_named_variant_belongs_to_its_family() -> None:
    registry = Registry(load_vocabulary())
    family = registry.entity("Zorblax", "model")
    assert registry.entity("Zorblax-7B", "model").family == family  # type: ignore[union-attr]
    assert registry.entity("Zorblax 2 Pro", "model").family == family  # type: ignore[union-attr]
    claude = registry.entity("Claude 3.9", "model")
    assert claude is not None and claude.family is not None
    assert claude.family.term == f"{ID}model/claude"
    glued = registry.entity("Zorblax2.5", "model")  # a version glued to the name
    assert glued is not None and glued.family == family
    codegen = registry.entity("CodeGen2.7", "model")
    assert codegen is not None and [t.slug for t in registry.developers(codegen)] == ["salesforce"]
    assert registry.entity("ByT7", "model").family is None  # type: ignore[union-attr]


# ------------------------------------------------------------------ organisations


@pytest.mark.parametrize(
    ("text", "behind"),
    [
        ("Google DeepMind introduces AlphaWidget, a model of cells.", True),
        ("OpenAI has just launched a smaller model.", True),
        ("Meta researchers show that long context helps.", True),
        ("A model by Mistral AI tops the board.", True),
        ("Researchers at Apple find a scaling law.", True),
        ("It outperforms OpenAI's o1 on math.", False),
        ("Models including Anthropic and DeepSeek are tested.", False),
    ],
)
def test_an_organisation_named_as_the_maker(text: str, behind: bool) -> None:
    entry = Entry(1, "A Study", intro_en=text)
    assert bool(links(entry, "organisation")) is behind, links(entry, "organisation")


def test_an_organisation_owning_the_papers_own_model() -> None:
    entry = Entry(1, "Zorblax", intro_en="We present Google's Zorblax, a family of models.")
    assert "Google" in links(entry, "organisation")


def _tweet(account: str) -> Link:
    return Link(
        f"https://x.com/{account}/status/1234567", LinkKind.TWEET, account=account, status_id="1"
    )


def test_accounts_and_domains() -> None:
    official = Entry(1, "A Study", intro_en="a study", links=(_tweet("AnthropicAI"),))
    assert links(official, "organisation") == {"Anthropic"}
    curator = Entry(1, "A Study", intro_en="a study", links=(_tweet("dair_ai"),))
    assert links(curator, "organisation") == set()
    person = Entry(1, "A Study", intro_en="a study", links=(_tweet("omarsar0"),))
    assert links(person, "organisation") == set()
    paper = Link("https://blog.openai.com/research/x.pdf", LinkKind.PAPER, label="Paper")
    assert links(Entry(1, "A Study", intro_en="a study", links=(paper,)), "organisation") == {
        "OpenAI"
    }


def test_a_division_is_linked_without_its_parent() -> None:
    entry = Entry(1, "A Study", intro_en="Google DeepMind introduces a weather model.")
    assert links(entry, "organisation") == {"Google DeepMind"}


def test_the_developer_of_the_papers_own_model() -> None:
    entry = Entry(1, "Phi-3 Technical Report", intro_en="a small model")
    assert "Microsoft" in links(entry, "organisation")


# ------------------------------------------------------------------ relations


def test_a_model_used_as_a_base_and_one_compared_with() -> None:
    entry = Entry(
        1, "A Study", intro_en="We fine-tune Llama 2 7B; it outperforms Mistral 7B on MMLU."
    )
    relations = {(a.relation, a.target.name) for a in extracted(entry)}
    assert ("uses", "Llama 2 7B") in relations
    assert ("compares", "Mistral 7B") in relations
    assert ("evaluatesOn", "MMLU") in relations


def test_no_sentence_ends_at_the_full_stop_of_an_abbreviation() -> None:
    nlp = build_pipeline(load_vocabulary())
    doc = nlp("Long Context vs. RAG for LLMs, e.g. on QA (Smith et al. 2024). E.g. a second.")
    assert [s.text for s in doc.sents] == [
        "Long Context vs. RAG for LLMs, e.g. on QA (Smith et al. 2024).",
        "E.g. a second.",
    ]
    quoted = mentions_of(Entry(1, "Long Context vs. RAG for LLMs", intro_en="a study."))
    assert {m.snippet for m in quoted if m.field == "title"} == {"Long Context vs. RAG for LLMs"}


@pytest.mark.parametrize(
    "text",
    [
        "It works. It scales!? And it is cheap; really… (see § 3.2). GPT-3.5 stays whole.",
        "<br>● What is CoD? – a prompting strategy.   <br>● Low latency – 80% fewer tokens.",
        "• first point • second point.. third",
        "검색 증강 생성을 제안한다. 성능이 좋다！다음 문장？",
        "検索拡張生成を提案する。性能が高い！次の文？ 終わり",
        "?! Opening marks. ",
    ],
)
def test_sentences_are_cut_where_spacys_sentencizer_cuts_them(text: str) -> None:
    import spacy

    ends = [".", "!", "?", "。", "！", "？", ";", "●", "•"]
    reference = spacy.blank(
        "xx", config={"nlp": {"tokenizer": {"@tokenizers": "kg.script_tokenizer.v1"}}}
    )
    reference.add_pipe("sentencizer", config={"punct_chars": ends, "overwrite": True})
    ours = build_pipeline(load_vocabulary())
    expected = [s.text for s in reference(text).sents]
    assert len(expected) > 1
    assert [s.text for s in ours(text).sents] == expected


def test_a_name_with_a_digit_is_found_in_any_case() -> None:
    entry = Entry(1, "A Study", intro_en="On GSM8k math problems and on gsm8k it beats MATH.")
    found = {(m.text, m.iri) for m in mentions_of(entry) if m.kind == "benchmark"}
    assert (("GSM8k", f"{ID}benchmark/gsm8k") in found) and (
        ("gsm8k", f"{ID}benchmark/gsm8k") in found
    )
    lower = Entry(2, "A Study", intro_en="we do the math on it.")
    assert [m for m in mentions_of(lower) if m.kind == "benchmark"] == []  # MATH as written


def test_a_snippet_carries_no_highlight_bullet() -> None:
    entry = Entry(1, "A Study", intro_en="It beats GPT-4 on HotpotQA. ● Faster – it is cheap.")
    snippets = {m.snippet for m in mentions_of(entry) if m.text in ("GPT-4", "HotpotQA")}
    assert snippets == {"It beats GPT-4 on HotpotQA."}


def test_places_are_found_left_to_right_without_overlap() -> None:
    from kg.extract.rules import places

    assert places("aa", "aaaa a aa") == [(0, 2), (2, 4), (7, 9)]
    assert places("GPT-4", "gpt-4 and GPT-4o", ignore_case=True) == [(0, 5), (10, 15)]
    assert places("GPT-4", "gpt-4 and GPT-4o") == [(10, 15)]
    assert places("X.1", "X01 X.1") == [(4, 7)]  # a name, not a pattern
    # a letter whose lower case is longer ("İ" -> "i̇") does not move the offsets
    assert places("Zorb", "İİ zorb", ignore_case=True) == [(3, 7)]
    assert places("", "text") == []


def test_the_topic_model_ranks_by_probability_then_by_slug() -> None:
    from kg.extract.topic_model import Decision, TopicModel

    model = TopicModel(
        topics=("rag", "agents", "code", "safety"),
        bias=(0.0, 0.0, 0.0, -5.0),
        weights={"t:x": {0: 2.0, 1: 2.0, 2: 1.0}, "t:y": {3: 6.0}},
        decision=Decision(threshold=0.5, limit=2, relative=0.0, floor=0.1),
        trained_on={},
    )
    chosen = model.choose({"t:x": 1.0}, {})
    assert [slug for slug, _ in chosen] == ["agents", "rag"]  # a tie, in the order of the slugs
    assert chosen[0][1] == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert [s for s, _ in model.choose({"t:x": 1.0}, {"rag": ("agents",)})] == ["rag"]
    low = dataclasses.replace(model, decision=Decision(0.99, 2, 0.0, 0.5))
    assert [s for s, _ in low.choose({"t:x": 1.0}, {})] == ["agents"]  # the best over the floor
    assert model.choose({}, {}) == []


def test_one_rulers_component_marks_the_spans_four_span_rulers_would() -> None:
    """The rule groups matched in one call leave the spans that spaCy's SpanRuler leaves, one
    ruler per group: the same spans, in the same order (the order later steps break ties by)."""
    import spacy
    from conftest import DEV_README

    from kg.extract.mentions import distinct_texts
    from kg.extract.pipeline import SPANS_KEY
    from kg.extract.rulers import RULERS
    from kg.sources import read_file

    nlp = build_pipeline(load_vocabulary())
    rulers = nlp.get_pipe(RULERS)
    reference = spacy.blank("xx", vocab=nlp.vocab)
    reference.tokenizer = nlp.tokenizer
    for group, attr in (
        ("names-exact", "ORTH"),
        ("names-folded", "LOWER"),
        ("topics-stemmed", "NORM"),
        ("shapes", "ORTH"),
    ):
        config = {"spans_key": SPANS_KEY, "phrase_matcher_attr": attr, "overwrite": False}
        ruler = reference.add_pipe("span_ruler", name=group, config=config)
        with reference.select_pipes(disable=reference.pipe_names):
            ruler.add_patterns(rulers.patterns(group))
    texts = distinct_texts(resolve(read_file(DEV_README)))
    marked = 0
    for ours, theirs in zip(nlp.pipe(texts), reference.pipe(texts), strict=True):
        spans = [(s.start, s.end, s.label_, s.id_) for s in ours.spans[SPANS_KEY]]
        assert spans == [(s.start, s.end, s.label_, s.id_) for s in theirs.spans[SPANS_KEY]]
        marked += len(spans)
    assert len(texts) > 2000 and marked > 5000
