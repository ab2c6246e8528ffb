"""Who is behind a paper: organisations from real evidence only.

An organisation is a paper's when its name is in the text as the one who made the work (see
``ontology/rules/organisation_roles.json``), when a link of the entry is its official account, code
or hub namespace or on a web domain it owns, or when it developed the paper's own model or
benchmark. A digest publisher's accounts (the curator's tweets) and persons' accounts are no
evidence; a division's parent organisation is reached through ``schema:parentOrganization`` on
the organisation, not by a second link from the paper.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kg.extract.entities import Registry
from kg.extract.mentions import Mention
from kg.extract.vocabulary import Term
from kg.records import Entity
from kg.resolve import Paper
from kg.sources.links import find_urls

__all__ = ["Evidence", "paper_organisations"]

_RENDERED_REPO = re.compile(r"\b(GitHub|GitLab|Hugging\s?Face)\s*[-:–]\s*([\w.\-]+)/[\w.\-]+")
_RENDERED_HOST = {"github": "github.com", "gitlab": "gitlab.com", "huggingface": "huggingface.co"}


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason to link a paper to an organisation."""

    organisation: Term
    method: str  # curated-label | link | developer
    digests: tuple[str, ...]
    snippet: str


def _rendered_links(text: str) -> list[str]:
    """Links that a scraped page rendered as text: "GitHub - microsoft/FILM: ..."."""
    return [
        f"https://{_RENDERED_HOST[m[1].lower().replace(' ', '')]}/{m[2]}"
        for m in _RENDERED_REPO.finditer(text)
    ]


def _from_links(paper: Paper, registry: Registry) -> Iterator[Evidence]:
    for appearance in paper.appearances:
        entry = appearance.entry
        text = entry.text_en() + "\n" + entry.text_local()
        urls = [link.url for link in entry.links] + find_urls(text) + _rendered_links(text)
        for url in urls:
            owner = registry.vocabulary.owner(url)
            if owner is not None and owner.kind == "organisation" and not owner.publisher:
                yield Evidence(owner, "link", (appearance.digest.key,), url)


def _owns(mention: Mention, own: Sequence[Entity]) -> bool:
    following = mention.following.lstrip(" '’s").lower()
    return any(following.startswith(entity.name.lower()) for entity in own)


def _english_body(mentions: Sequence[Mention]) -> bool:
    """Whether a paper has English text beyond its titles."""
    return any(m.language == "en" and m.field != "title" for m in mentions)


def _from_text(
    mentions: Sequence[Mention], own: Sequence[Entity], registry: Registry
) -> Iterator[Evidence]:
    named = [m for m in mentions if m.kind == "organisation" and m.iri is not None]
    if any(m.language != "en" for m in named) and _english_body(mentions):
        # translations name organisations the original does not ("Google-Proof")
        named = [m for m in named if m.language == "en"]
    for mention in named:
        term = registry.vocabulary.terms[str(mention.iri)]
        behind = (
            mention.field == "title"
            or mention.role == "agent"
            or (mention.role == "possessor" and _owns(mention, own))
        )
        if behind:
            yield Evidence(term, "curated-label", (mention.digest,), mention.snippet)


def _from_developers(paper: Paper, own: Sequence[Entity], registry: Registry) -> Iterator[Evidence]:
    digests = tuple(a.digest.key for a in paper.appearances)
    for entity in own:
        for developer in registry.developers(entity):
            yield Evidence(developer, "developer", digests, f"developer of {entity.name}")


def paper_organisations(
    paper: Paper, mentions: Sequence[Mention], own: Sequence[Entity], registry: Registry
) -> list[Evidence]:
    """Every piece of evidence for the organisations behind one paper."""
    return [
        *_from_text(mentions, own, registry),
        *_from_links(paper, registry),
        *_from_developers(paper, own, registry),
    ]
