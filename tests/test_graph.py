"""The RDF outputs: four dumps that parse and agree, deterministic bytes, a store that answers
SPARQL, and a vocabulary that matches the ontology file."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import BUNDLED, ONTOLOGY
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF

from kg.build import BuildSummary, build
from kg.graph.dumps import DUMPS, canonical, write_dumps
from kg.graph.namespaces import MLKG
from kg.graph.prefixes import ID, MLKG_NS, PREFIXES
from kg.query import run_query

DUMP_FILES = ("kg.ttl", "kg.nt", "kg.jsonld", "kg.trig")
RDFLIB_FORMATS = {"kg.ttl": "turtle", "kg.nt": "nt", "kg.jsonld": "json-ld", "kg.trig": "trig"}
OX_FORMATS = {
    "kg.ttl": ox.RdfFormat.TURTLE,
    "kg.nt": ox.RdfFormat.N_TRIPLES,
    "kg.jsonld": ox.RdfFormat.JSON_LD,
    "kg.trig": ox.RdfFormat.TRIG,
}
Triple = tuple[str, str, str]


def _n3(term: rdflib.term.Node) -> str:
    """An N-Triples-like key for a term, the same whichever parser produced it."""
    if isinstance(term, rdflib.Literal):
        tag = f"@{term.language}" if term.language else f"^^{term.datatype or ''}"
        return f'"{term!s}"{tag}'
    return str(term)


def _ox_key(term: object) -> str:
    if isinstance(term, ox.Literal):
        xsd_string = PREFIXES["xsd"] + "string"
        tag = f"@{term.language}" if term.language else f"^^{term.datatype.value}"
        if tag == f"^^{xsd_string}":
            tag = "^^"
        return f'"{term.value}"{tag}'
    assert isinstance(term, ox.NamedNode), f"unexpected term {term!r}"
    return term.value


def rdflib_triples(path: Path) -> set[Triple]:
    fmt = RDFLIB_FORMATS[path.name]
    if fmt == "trig":
        dataset = rdflib.Dataset()
        dataset.parse(path, format=fmt)
        return {(_n3(s), _n3(p), _n3(o)) for s, p, o, _ in dataset.quads((None, None, None, None))}
    graph = rdflib.Graph()
    graph.parse(path, format=fmt)
    return {(_n3(s), _n3(p), _n3(o)) for s, p, o in graph}


def ox_triples(path: Path) -> set[Triple]:
    quads = ox.parse(path=str(path), format=OX_FORMATS[path.name])
    return {(_ox_key(q.subject), _ox_key(q.predicate), _ox_key(q.object)) for q in quads}


@pytest.fixture(scope="module")
def nt_triples(built: tuple[Path, BuildSummary]) -> set[Triple]:
    out, _ = built
    return rdflib_triples(out / "kg.nt")


def select(store: ox.Store, query: str) -> list[list[str]]:
    answer = run_query(store, query)
    return [[term.value if term is not None else "" for term in row] for row in answer.rows]


def count(store: ox.Store, query: str) -> int:
    rows = select(store, query)
    assert len(rows) == 1 and len(rows[0]) == 1
    return int(rows[0][0])


# ------------------------------------------------------------------ the dumps


def test_build_writes_the_store_and_four_dumps(built: tuple[Path, BuildSummary]) -> None:
    out, summary = built
    assert [p.name for p in summary.written] == ["store", *DUMP_FILES]
    assert sorted(name for name, _ in DUMPS.values()) == sorted(DUMP_FILES)
    assert (out / "store" / "CURRENT").is_file()
    assert not list(out.glob(".*.tmp")), "temporary files left behind"
    assert summary.papers == 40 and summary.entries == 55 and summary.digests == 7
    assert summary.errors == []


@pytest.mark.parametrize("name", DUMP_FILES)
def test_dump_parses_with_rdflib(
    built: tuple[Path, BuildSummary], nt_triples: set[Triple], name: str
) -> None:
    out, summary = built
    triples = rdflib_triples(out / name)
    assert len(triples) == summary.triples
    assert triples == nt_triples


@pytest.mark.parametrize("name", DUMP_FILES)
def test_dump_parses_with_oxigraph(built: tuple[Path, BuildSummary], name: str) -> None:
    out, summary = built
    triples = ox_triples(out / name)
    assert len(triples) == summary.triples
    assert triples == ox_triples(out / "kg.nt")


def test_jsonld_gives_back_every_kind_of_term(tmp_path: Path) -> None:
    """JSON-LD is written from the N-Triples lines as text: every escape, language, datatype
    and blank node comes back as the term it was."""
    paper, other = ox.NamedNode(ID + "paper/1"), ox.NamedNode(ID + "paper/2")
    label, note = ox.NamedNode(PREFIXES["rdfs"] + "label"), ox.NamedNode(MLKG_NS + "note")
    awkward = "".join(map(chr, range(32))) + '\x7f \\ \\u0041 \\U0001F600 "q" é 😀 \u2028'
    literals = [
        ox.Literal(awkward),
        ox.Literal("검색 증강 생성", language="ko"),
        ox.Literal("3", datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")),
        ox.Literal('ends with a quote"'),
        ox.Literal(""),
    ]
    plain = [ox.Quad(paper, label, literal) for literal in literals]
    plain += [
        ox.Quad(paper, ox.NamedNode(str(RDF.type)), ox.NamedNode(MLKG_NS + "Paper")),
        ox.Quad(paper, note, other),
    ]
    blank = ox.BlankNode("b1")
    triple = ox.Triple(paper, note, ox.Literal("x"))
    quads = [*plain, ox.Quad(other, note, blank), ox.Quad(blank, note, triple)]
    write_dumps(canonical(quads, tmp_path), tmp_path, ("jsonld",))
    path = tmp_path / "kg.jsonld"
    back = list(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD))
    to_blank = [q for q in back if isinstance(q.object, ox.BlankNode)]
    named = {(q.subject, q.predicate, q.object) for q in back if q not in to_blank}
    assert named == {(q.subject, q.predicate, q.object) for q in plain}
    assert [q.subject for q in to_blank] == [other]
    nodes = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    assert nodes[0]["rdfs:label"][2] == awkward and nodes[0]["@type"] == ["mlkg:Paper"]
    assert nodes[1:] == [
        {"@id": "paper:2", "mlkg:note": [{"@id": "_:b1"}]},
        {"@id": "_:b1", "mlkg:note": [{"@id": str(triple)}]},  # JSON-LD has no triple terms
    ]


def test_no_blank_nodes(built: tuple[Path, BuildSummary]) -> None:
    out, _ = built
    graph = rdflib.Graph()
    graph.parse(out / "kg.nt", format="nt")
    assert len(graph) > 1000
    assert not any(isinstance(term, rdflib.BNode) for triple in graph for term in triple)


def test_trig_has_one_named_graph_per_digest(
    built: tuple[Path, BuildSummary], store: ox.Store
) -> None:
    out, _ = built
    dataset = rdflib.Dataset()
    dataset.parse(out / "kg.trig", format="trig")
    names = {
        str(graph.identifier)
        for graph in dataset.graphs()
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID
    }
    digests = {row[0] for row in select(store, "SELECT ?d WHERE { ?d a mlkg:Digest }")}
    assert len(digests) == 7
    assert names == digests
    assert all(name.startswith(ID + "digest/") for name in names)
    for name in names:
        graph = dataset.graph(rdflib.URIRef(name))
        assert (rdflib.URIRef(name), RDF.type, rdflib.URIRef(MLKG_NS + "Digest")) in graph


def test_digest_graphs_hold_what_each_digest_says(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?layout (COUNT(DISTINCT ?e) AS ?n) WHERE {
             GRAPH ?g { ?g mlkg:layout ?layout . ?e a mlkg:Entry ; dcterms:isPartOf ?g } }
           GROUP BY ?layout ORDER BY ?layout""",
    )
    assert rows == [["autotranslate", "10"], ["dair", "5"], ["pytorchkr", "30"], ["qa-ja", "10"]]


def test_two_builds_give_identical_bytes(
    built: tuple[Path, BuildSummary], tmp_path_factory: pytest.TempPathFactory
) -> None:
    first, _ = built
    second = tmp_path_factory.mktemp("kg-again") / "nested" / "out"
    build([BUNDLED], second, extract=False)
    for name in DUMP_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_rebuilding_in_place_replaces_the_outputs(tmp_path: Path) -> None:
    build([BUNDLED / "dair-sample.md"], tmp_path, extract=False)
    small = (tmp_path / "kg.nt").read_bytes()
    summary = build([BUNDLED], tmp_path, extract=False)
    assert summary.papers == 40
    assert (tmp_path / "kg.nt").read_bytes() != small
    shown = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert shown == sorted(["builds", "cache", "current", "store", *DUMP_FILES])
    assert len(list((tmp_path / "builds").iterdir())) == 2, "the published set and the one before"


# ------------------------------------------------------------------ SPARQL over the store


def test_forty_papers(store: ox.Store) -> None:
    assert count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a mlkg:Paper }") == 39
    assert count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a mlkg:Article }") == 1
    assert (
        count(
            store,
            "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { VALUES ?c { mlkg:Paper mlkg:Article } "
            "?p a ?c }",
        )
        == 40
    )


def test_every_paper_has_one_english_label_title_and_week(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?p (COUNT(DISTINCT ?l) AS ?labels) (COUNT(DISTINCT ?t) AS ?titles)
                  (COUNT(DISTINCT ?w) AS ?weeks) WHERE {
             VALUES ?c { mlkg:Paper mlkg:Article } ?p a ?c .
             OPTIONAL { ?p rdfs:label ?l FILTER(langMatches(lang(?l), "en")) }
             OPTIONAL { ?p dcterms:title ?t FILTER(lang(?t) = "en") }
             OPTIONAL { ?p mlkg:week ?w FILTER(datatype(?w) = xsd:date) }
           } GROUP BY ?p""",
    )
    assert len(rows) == 40
    assert {tuple(row[1:]) for row in rows} == {("1", "1", "1")}


def test_labels_are_the_resolved_titles(store: ox.Store) -> None:
    rows = select(store, "SELECT ?l WHERE { paper:2311.11829 rdfs:label ?l }")
    assert rows == [["System 2 Attention (is something you might need too)"]]
    rows = select(store, "SELECT ?l ?w WHERE { article:aya-expanse rdfs:label ?l ; mlkg:week ?w }")
    assert rows == [["Aya Expanse", "2024-10-21"]]


def test_papers_with_arxiv_ids(store: ox.Store) -> None:
    rows = select(
        store, "SELECT DISTINCT ?p ?id WHERE { ?p a mlkg:Paper ; mlkg:arxivId ?id } ORDER BY ?id"
    )
    assert len(rows) == 21
    for iri, arxiv_id in rows:
        assert iri == f"{ID}paper/{arxiv_id}"
        assert "v" not in arxiv_id
    assert [row[1] for row in rows][:3] == ["2311.10537", "2311.10702", "2311.11045"]
    missing_url = """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p mlkg:arxivId ?id
        FILTER NOT EXISTS {
            ?p schema:url ?u FILTER(?u = IRI(CONCAT("https://arxiv.org/abs/", ?id))) } }"""
    assert count(store, missing_url) == 0
    # the digest's own link, version and all, is kept beside the canonical one
    urls = select(store, "SELECT DISTINCT ?u WHERE { paper:2401.15024 schema:url ?u } ORDER BY ?u")
    assert urls == [["https://arxiv.org/abs/2401.15024"], ["https://arxiv.org/abs/2401.15024v1"]]
    # papers known only by title have no arXiv id
    aya = "SELECT (COUNT(?i) AS ?n) WHERE { article:aya-expanse mlkg:arxivId ?i }"
    assert count(store, aya) == 0


def test_japanese_authors_are_people(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?name WHERE { paper:2311.11045 schema:author ?a .
             ?a a schema:Person ; schema:name ?name } ORDER BY ?name""",
    )
    names = [row[0] for row in rows]
    assert len(names) == 15
    assert "Arindam Mitra" in names and "Ahmed Awadallah" in names
    rows = select(
        store,
        """SELECT ?a ?l WHERE { paper:2311.13581 schema:author ?a . ?a rdfs:label ?l }
           ORDER BY ?l""",
    )
    assert rows == [
        [f"{ID}person/armand-joulin", "Armand Joulin"],
        [f"{ID}person/edouard-grave", "Edouard Grave"],
        [f"{ID}person/giovanni-monea", "Giovanni Monea"],
    ]


def test_people_count(store: ox.Store) -> None:
    assert count(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:Person }") > 60
    assert (
        count(
            store,
            "SELECT (COUNT(?a) AS ?n) WHERE { ?a a schema:Person FILTER NOT EXISTS { ?p "
            "schema:author ?a } }",
        )
        == 0
    )


def test_paper_featured_in_three_digests(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?layout WHERE { paper:2311.11829 mlkg:featuredIn ?d .
             GRAPH ?d { ?d mlkg:layout ?layout } } ORDER BY ?layout""",
    )
    assert rows == [["dair"], ["pytorchkr"], ["qa-ja"]]


def test_entry_text_is_language_tagged(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT (lang(?t) AS ?lang) WHERE { paper:2311.11829 mlkg:entry ?e .
             ?e dcterms:title|mlkg:introduction|dcterms:abstract ?t } ORDER BY ?lang""",
    )
    assert rows == [["en"], ["ja"], ["ko"]]


def test_tweets_are_postings(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?t ?id ?account WHERE { paper:2311.11829 mlkg:tweet ?t .
             ?t a schema:SocialMediaPosting ; mlkg:statusId ?id ; mlkg:account ?account }""",
    )
    assert rows == [
        ["https://x.com/jaseweston/status/1726784511357157618", "1726784511357157618", "jaseweston"]
    ]


# ------------------------------------------------------------------ vocabulary and ontology


def _ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(ONTOLOGY, format="turtle")
    return graph


def _mlkg_names(terms: set[str]) -> set[str]:
    return {t.removeprefix(MLKG_NS) for t in terms if t.startswith(MLKG_NS)}


def test_namespace_and_ontology_declare_the_same_terms() -> None:
    graph = _ontology()
    declared = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for s in graph.subjects(RDF.type, kind)
    }
    in_code = set(MLKG.__annotations__)
    assert _mlkg_names(declared) == in_code
    assert str(MLKG._NS) == MLKG_NS == PREFIXES["mlkg"]


def test_every_mlkg_term_in_the_ontology_is_declared() -> None:
    graph = _ontology()
    used = {str(term) for triple in graph for term in triple if isinstance(term, rdflib.URIRef)}
    assert _mlkg_names(used) <= set(MLKG.__annotations__)


def test_every_mlkg_term_in_the_graph_is_declared(nt_triples: set[Triple]) -> None:
    used = {term for triple in nt_triples for term in triple if term.startswith(MLKG_NS)}
    assert used
    assert _mlkg_names(used) <= set(MLKG.__annotations__)


def test_namespace_rejects_unknown_terms() -> None:
    with pytest.raises(AttributeError):
        _ = MLKG.notATerm


def test_a_snippet_with_quotes_and_backslashes_is_one_escaped_literal(
    tmp_path: Path,
) -> None:
    """Link lines are written from the N-Triples form of their terms: a snippet holding what
    N-Triples escapes must come back as written, from the store and from every dump."""
    sentence = 'it scores 69% on MMLU with "quotes" and a back\\slash'
    digest = tmp_path / "dair-escapes.md"
    digest.write_text(
        "# ML Papers of The Week\n\n## Top ML Papers of the Week (April 22 - April 28) - 2024\n"
        "| **Paper**  | **Links** |\n| ------------- | ------------- |\n"
        f"| 1) **Escaped Words** - {sentence}. | [Paper](https://arxiv.org/abs/2404.99999) |\n",
        encoding="utf-8",
    )
    build([digest], tmp_path / "out")
    query = "PREFIX mlkg: <https://w3id.org/mlkg/ontology#> SELECT ?s WHERE { ?st mlkg:snippet ?s }"
    store = ox.Store.read_only(str(tmp_path / "out" / "store"))
    snippets = [r["s"].value for r in store.query(query)]  # type: ignore[union-attr]
    assert snippets == [sentence + "."]
    for name, fmt in (("kg.nt", "nt"), ("kg.trig", "trig"), ("kg.ttl", "turtle")):
        graph = rdflib.Dataset() if fmt == "trig" else rdflib.Graph()
        graph.parse(tmp_path / "out" / name, format=fmt)
        assert [str(o) for o in graph.objects(None, MLKG.snippet)] == snippets, name


@pytest.mark.parametrize(
    ("iri", "compacted"),
    [
        ("https://w3id.org/mlkg/id/paper/2311.11829", "paper:2311.11829"),
        ("https://w3id.org/mlkg/id/organisation/google", "org:google"),
        ("https://w3id.org/mlkg/ontology#proposesModel", "mlkg:proposesModel"),
        ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "rdf:type"),
        ("https://schema.org/author", "schema:author"),
        ("https://w3id.org/mlkg/id/paper/", "https://w3id.org/mlkg/id/paper/"),  # no local name
        ("https://schema.org///x", "https://schema.org///x"),  # it would read as a URL
        ("https://w3id.org/mlkg/id/", "https://w3id.org/mlkg/id/"),  # no namespace of kg's
        ("https://example.org/paper/1", "https://example.org/paper/1"),
    ],
)
def test_iris_are_compacted_with_the_one_namespace_they_are_in(iri: str, compacted: str) -> None:
    from kg.graph.prefixes import PREFIXES, compact

    namespaces = list(PREFIXES.values())
    assert not any(a != b and b.startswith(a) for a in namespaces for b in namespaces)
    assert compact(iri) == compacted
