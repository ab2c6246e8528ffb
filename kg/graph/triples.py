"""Quads from resolved papers: canonical facts in the default graph, what each digest says of
its entries in a named graph of its own (the digest's IRI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pyoxigraph as ox

from kg.graph.iris import DigestNames, paper_iri, person_iri, tweet_iri
from kg.graph.namespaces import MLKG
from kg.graph.prefixes import PREFIXES
from kg.records import Digest, EntryKind, Link, LinkKind
from kg.resolve import Paper, Resolution

__all__ = ["DEFAULT", "M", "V", "digest_label", "resolution_quads"]


class V:
    """Oxigraph terms of the vocabularies, made once."""

    RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
    LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
    SEE_ALSO = ox.NamedNode(PREFIXES["rdfs"] + "seeAlso")
    COMMENT = ox.NamedNode(PREFIXES["rdfs"] + "comment")
    TITLE = ox.NamedNode(PREFIXES["dcterms"] + "title")
    ABSTRACT = ox.NamedNode(PREFIXES["dcterms"] + "abstract")
    ISSUED = ox.NamedNode(PREFIXES["dcterms"] + "issued")
    LANGUAGE = ox.NamedNode(PREFIXES["dcterms"] + "language")
    SOURCE = ox.NamedNode(PREFIXES["dcterms"] + "source")
    IS_PART_OF = ox.NamedNode(PREFIXES["dcterms"] + "isPartOf")
    SUBJECT = ox.NamedNode(PREFIXES["dcterms"] + "subject")
    AUTHOR = ox.NamedNode(PREFIXES["schema"] + "author")
    NAME = ox.NamedNode(PREFIXES["schema"] + "name")
    URL = ox.NamedNode(PREFIXES["schema"] + "url")
    CODE = ox.NamedNode(PREFIXES["schema"] + "codeRepository")
    PERSON = ox.NamedNode(PREFIXES["schema"] + "Person")
    POSTING = ox.NamedNode(PREFIXES["schema"] + "SocialMediaPosting")
    SOURCE_ORG = ox.NamedNode(PREFIXES["schema"] + "sourceOrganization")
    DERIVED = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
    GENERATED = ox.NamedNode(PREFIXES["prov"] + "wasGeneratedBy")
    STATEMENT = ox.NamedNode(PREFIXES["rdf"] + "Statement")
    R_SUBJECT = ox.NamedNode(PREFIXES["rdf"] + "subject")
    R_PREDICATE = ox.NamedNode(PREFIXES["rdf"] + "predicate")
    R_OBJECT = ox.NamedNode(PREFIXES["rdf"] + "object")
    XSD_DATE = ox.NamedNode(PREFIXES["xsd"] + "date")
    XSD_INT = ox.NamedNode(PREFIXES["xsd"] + "integer")
    XSD_DECIMAL = ox.NamedNode(PREFIXES["xsd"] + "decimal")
    XSD_BOOL = ox.NamedNode(PREFIXES["xsd"] + "boolean")

    @staticmethod
    def term(name: str) -> ox.NamedNode:
        return ox.NamedNode(str(getattr(MLKG, name)))


M = {name: V.term(name) for name in MLKG.__annotations__}
DEFAULT = ox.DefaultGraph()


def _date(value: date) -> ox.Literal:
    return ox.Literal(value.isoformat(), datatype=V.XSD_DATE)


def _text(value: str, language: str) -> ox.Literal:
    return ox.Literal(value, language=language)


def digest_label(digest: Digest) -> str:
    """An English label for a digest: its week, layout and language."""
    week = (
        f"{digest.week_start.isoformat()} to {digest.week_end.isoformat()}"
        if digest.week_start and digest.week_end
        else "undated"
    )
    return f"Top ML Papers of the Week, {week} ({digest.layout}, {digest.language})"


def _digest_quads(digest: Digest, names: DigestNames) -> Iterator[ox.Quad]:
    node = ox.NamedNode(names.digest(digest))
    graph = node
    yield ox.Quad(node, V.RDF_TYPE, M["Digest"], graph)
    yield ox.Quad(node, V.LABEL, _text(digest_label(digest), "en"), graph)
    yield ox.Quad(node, V.TITLE, _text(digest.title, digest.language), graph)
    yield ox.Quad(node, V.LANGUAGE, ox.Literal(digest.language), graph)
    yield ox.Quad(node, M["layout"], ox.Literal(digest.layout), graph)
    yield ox.Quad(node, M["sha256"], ox.Literal(digest.checksum), graph)
    yield ox.Quad(
        node, V.SOURCE, ox.Literal(digest.source.replace("\\", "/").rsplit("/", 1)[-1]), graph
    )
    if digest.section:
        yield ox.Quad(
            node, M["section"], ox.Literal(str(digest.section), datatype=V.XSD_INT), graph
        )
    if digest.week_start and digest.week_end and digest.week_source:
        yield ox.Quad(node, M["weekStart"], _date(digest.week_start), graph)
        yield ox.Quad(node, M["weekEnd"], _date(digest.week_end), graph)
        yield ox.Quad(node, M["weekSource"], ox.Literal(digest.week_source.value), graph)


def _paper_quads(paper: Paper, names: DigestNames) -> Iterator[ox.Quad]:
    node = ox.NamedNode(paper_iri(paper))
    kind = M["Article"] if paper.kind is EntryKind.ARTICLE else M["Paper"]
    yield ox.Quad(node, V.RDF_TYPE, kind, DEFAULT)
    yield ox.Quad(node, V.LABEL, _text(paper.title, "en"), DEFAULT)
    yield ox.Quad(node, V.TITLE, _text(paper.title, "en"), DEFAULT)
    if paper.arxiv_id:
        yield ox.Quad(node, M["arxivId"], ox.Literal(paper.arxiv_id), DEFAULT)
        yield ox.Quad(node, V.URL, ox.NamedNode(f"https://arxiv.org/abs/{paper.arxiv_id}"), DEFAULT)
    if paper.week:
        yield ox.Quad(node, M["week"], _date(paper.week), DEFAULT)
    if paper.published:
        yield ox.Quad(node, V.ISSUED, _date(paper.published), DEFAULT)
    for name in paper.authors:
        person = ox.NamedNode(person_iri(name))
        yield ox.Quad(node, V.AUTHOR, person, DEFAULT)
        yield ox.Quad(person, V.RDF_TYPE, V.PERSON, DEFAULT)
        yield ox.Quad(person, V.LABEL, _text(name, "en"), DEFAULT)
        yield ox.Quad(person, V.NAME, ox.Literal(name), DEFAULT)
    english = [a.entry for a in paper.appearances]
    abstract = next((e.abstract_en for e in english if e.abstract_en), None)
    if abstract:
        yield ox.Quad(node, V.ABSTRACT, _text(abstract, "en"), DEFAULT)
    for appearance in paper.appearances:
        digest, entry = appearance.digest, appearance.entry
        graph = ox.NamedNode(names.digest(digest))
        entry_node = ox.NamedNode(names.entry(digest, entry))
        language = digest.language
        yield ox.Quad(node, M["featuredIn"], graph, graph)
        yield ox.Quad(node, M["entry"], entry_node, graph)
        yield ox.Quad(entry_node, V.RDF_TYPE, M["Entry"], graph)
        yield ox.Quad(entry_node, V.IS_PART_OF, graph, graph)
        yield ox.Quad(
            entry_node, M["position"], ox.Literal(str(entry.position), datatype=V.XSD_INT), graph
        )
        yield ox.Quad(entry_node, M["kind"], ox.Literal(entry.kind.value), graph)
        yield ox.Quad(entry_node, V.TITLE, _text(entry.title_en, "en"), graph)
        texts = (
            (V.TITLE, entry.title_local, language),
            (M["introduction"], entry.intro_en, "en"),
            (M["introduction"], entry.intro_local, language),
            (V.ABSTRACT, entry.abstract_en, "en"),
            (V.ABSTRACT, entry.abstract_local, language),
        )
        for predicate, value, tag in texts:
            if value:
                yield ox.Quad(entry_node, predicate, _text(value, tag), graph)
        for category in entry.categories:
            yield ox.Quad(entry_node, M["category"], ox.Literal(category), graph)
        for link in entry.links:
            yield from _link_quads(node, entry_node, link, graph)


def _link_quads(
    paper: ox.NamedNode, entry: ox.NamedNode, link: Link, graph: ox.NamedNode
) -> Iterator[ox.Quad]:
    try:
        url = ox.NamedNode(link.url)
    except ValueError:
        return
    yield ox.Quad(entry, V.SEE_ALSO, url, graph)
    if link.kind is LinkKind.TWEET and link.status_id and link.account:
        tweet = ox.NamedNode(tweet_iri(link))
        yield ox.Quad(paper, M["tweet"], tweet, graph)
        yield ox.Quad(tweet, V.RDF_TYPE, V.POSTING, graph)
        yield ox.Quad(tweet, M["statusId"], ox.Literal(link.status_id), graph)
        yield ox.Quad(tweet, M["account"], ox.Literal(link.account), graph)
    elif link.kind is LinkKind.CODE:
        yield ox.Quad(paper, V.CODE, url, graph)
    elif link.kind in (LinkKind.PAPER, LinkKind.ARXIV):
        yield ox.Quad(paper, V.URL, url, graph)


def resolution_quads(resolution: Resolution) -> Iterator[ox.Quad]:
    """Every quad of the papers and the digests that featured them."""
    digests = {a.digest.key: a.digest for p in resolution.papers for a in p.appearances}
    names = DigestNames(digests.values())
    for digest in digests.values():
        yield from _digest_quads(digest, names)
    for paper in resolution.papers:
        yield from _paper_quads(paper, names)
