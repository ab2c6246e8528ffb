"""A lint of the curated vocabularies and the topic scheme: names that are unique and clean,
families and developers that hold together, domains that are an organisation's own."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from kg.extract.entities import SIZE_TAIL
from kg.extract.vocabulary import Term, Vocabulary, load_vocabulary, normalise_alias
from kg.resources import ontology_path

# models a collaboration released, with no single developer to name
_NO_DEVELOPER = {"OpenThinker"}
# hosting and publishing platforms: a link there says nothing of who made a paper
_PLATFORMS = {
    "github.com", "github.io", "huggingface.co", "arxiv.org", "x.com", "twitter.com",
    "medium.com", "substack.com", "youtube.com", "google.com", "sites.google.com",
    "docs.google.com", "openreview.net", "nature.com", "science.org", "biorxiv.org",
    "paperswithcode.com", "kaggle.com",
}  # fmt: skip
# (square brackets are part of some names as written: "FLUX.1 [dev]")
_NOISE = re.compile(r"https?:|[|<>{}\\\n\t“”]|\s{2}|^[\s\-–,.:;]|[\s\-–,:;]$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


def test_names_are_unique_within_a_kind(vocabulary: Vocabulary) -> None:
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for term in vocabulary.terms.values():
        for name, _ in term.names:
            owners[(term.kind, normalise_alias(name))].add(term.iri)
    shared = {key: iris for key, iris in owners.items() if len(iris) > 1}
    assert shared == {}


def test_no_scraping_noise_or_fragments_as_names(vocabulary: Vocabulary) -> None:
    noisy = [
        (term.iri, name)
        for term in vocabulary.terms.values()
        for name, _ in (*term.names, *term.cues)
        if _NOISE.search(name)
    ]
    assert noisy == []
    short = [
        (term.iri, name)
        for term in vocabulary.terms.values()
        if term.kind != "topic"
        for name, _ in term.names
        if len(name) < 3 and not term.case_sensitive and not _CJK.search(name)
    ]
    assert short == []


def _of(vocabulary: Vocabulary, iris: tuple[str, ...], kind: str) -> list[Term]:
    return [
        vocabulary.terms[i]
        for i in iris
        if i in vocabulary.terms and vocabulary.terms[i].kind == kind
    ]


def test_links_between_terms_reach_terms_of_the_right_kind(vocabulary: Vocabulary) -> None:
    broken = []
    for term in vocabulary.terms.values():
        checks = (
            (term.families, term.kind),
            (term.developers, "organisation"),
            (term.parents, "organisation"),
            (term.broader, "topic"),
        )
        for iris, kind in checks:
            if len(_of(vocabulary, iris, kind)) != len(iris):
                broken.append((term.iri, iris))
    assert broken == []


def test_every_model_reaches_a_developer(vocabulary: Vocabulary) -> None:
    orphans = {
        term.label for term in vocabulary.of_kind("model") if not vocabulary.developers(term)
    }
    assert orphans <= _NO_DEVELOPER


def test_a_sized_variant_is_a_variant_of_its_family_everywhere(vocabulary: Vocabulary) -> None:
    """Where the vocabulary knows a family ("Llama 3"), each of its sized members ("Llama 3
    8B") is its variant (a model that only ever came in one size may carry it in its name)."""
    loose = []
    for term in vocabulary.of_kind("model"):
        stem = SIZE_TAIL.sub("", term.label).strip(" -")
        family = vocabulary.lookup(stem, "model") if stem != term.label else None
        if family not in (None, term) and family.iri not in _ancestors(vocabulary, term):
            loose.append(term.label)
    assert loose == []


def _ancestors(vocabulary: Vocabulary, term: Term) -> set[str]:
    found: set[str] = set()
    stack = list(term.families)
    while stack:
        iri = stack.pop()
        if iri not in found:
            found.add(iri)
            stack.extend(vocabulary.terms[iri].families)
    return found


def test_families_have_no_cycles(vocabulary: Vocabulary) -> None:
    for term in vocabulary.terms.values():
        seen, stack = {term.iri}, list(term.families)
        while stack:
            current = stack.pop()
            assert current != term.iri, term.iri
            if current not in seen:
                seen.add(current)
                stack.extend(vocabulary.terms[current].families)


def test_organisation_domains_are_their_own(vocabulary: Vocabulary) -> None:
    platform = [
        (term.label, domain)
        for term in vocabulary.of_kind("organisation")
        for domain in term.domains
        if re.sub(r"^https?://(www\.)?", "", domain).split("/")[0] in _PLATFORMS
        and "huggingface.co/blog" not in domain
    ]
    assert platform == []
    publishers = [t.label for t in vocabulary.of_kind("organisation") if t.publisher]
    assert publishers == ["DAIR.AI"]


def test_the_topic_scheme_keeps_its_starting_ids_and_maps_to_arxiv(
    vocabulary: Vocabulary,
) -> None:
    topics = {term.slug: term for term in vocabulary.of_kind("topic")}
    starting = [
        line.split("\t")[0]
        for line in ontology_path("topics.tsv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    ]
    assert len(starting) == 26 and set(starting) <= set(topics)
    scheme = ontology_path("topics.ttl").read_text(encoding="utf-8")
    for slug, term in topics.items():
        if not term.broader:
            block = scheme[scheme.index(f"topic:{slug} a mlkg:Topic") :]
            block = block[: block.index(" .\n")]
            assert "skos:relatedMatch <https://arxiv.org/list/" in block, slug
    assert len(topics) >= 60
    assert not any(term.cues and "hiddenLabel" in scheme for term in topics.values())
