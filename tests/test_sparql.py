"""SPARQL text read lexically: SERVICE found however it is written, parameters bound as VALUES;
and ``kg query`` refusing federation unless asked."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.sparql import bind_values, mentions_service, query_form, sparql_term, with_prefixes
from tests.test_serve import Recorder, recorder  # noqa: F401  (the fixture)

FEDERATED = [
    "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "select * where { ?s ?p ?o . service<http://x/>{} }",
    "SELECT * WHERE { ?s ?p ?o.SERVICE <http://x/> {} }",
    "SELECT * { \\u0053ERVICE <http://x/> {} }",
    "PREFIX SERVICE: <http://x/> SELECT * { ?s ?p SERVICE:x }",
    # '<' read as less-than, '#' then opens a comment: the IRI-like span hides nothing
    'SELECT * WHERE { ?s ?p ?o FILTER(?o<true#>"""\n)\n SERVICE <http://x/> {} # """\n}',
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<true)SERVICE#>\n<http://x/> {} }",
]
HARMLESS = [
    "SELECT ?service WHERE { ?service ?p ?o }",
    "SELECT * { ?s <http://schema.org/Service> ?o FILTER(?o = 'SERVICE') } # SERVICE",
    'SELECT * { ?s ?p """ SERVICE <x> {} """ }',
    "SELECT * { ?s ?p ex:a.SERVICE }",
    "SELECT * { ?s <http://x/#SERVICE> ?o }",
]


@pytest.mark.parametrize("query", FEDERATED)
def test_service_is_found_however_written(query: str) -> None:
    assert mentions_service(query)


@pytest.mark.parametrize("query", HARMLESS)
def test_service_in_names_strings_and_comments_is_not_federation(query: str) -> None:
    assert not mentions_service(query)


def test_a_hostile_query_is_read_in_linear_time() -> None:
    import time

    query = "SELECT * WHERE { FILTER(" + "?a<b#>" * 20_000 + ") }"
    started = time.perf_counter()
    assert not mentions_service(query)
    assert time.perf_counter() - started < 2.0


def test_query_forms_and_prefixes() -> None:
    assert query_form("PREFIX a: <x:> # SELECT\n ask { }") == "ASK"
    assert query_form("BASE <x:> CONSTRUCT WHERE { ?s ?p ?o }") == "CONSTRUCT"
    text = with_prefixes("PREFIX a: <x:> ASK {}", {"a": "http://a/", "b": "http://b/"})
    assert text == "PREFIX b: <http://b/>\nPREFIX a: <x:> ASK {}"


def test_terms_are_written_so_nothing_escapes_them() -> None:
    assert sparql_term(ox.Literal('a"b\\\n', language="en")) == '"a\\"b\\\\\\n"@en'
    date = ox.Literal("2024-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    assert sparql_term(date) == '"2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date>'
    with pytest.raises(ValueError, match="IRIs and literals only"):
        sparql_term(ox.BlankNode("b"))


def test_values_bind_the_query_and_the_subqueries_that_project_the_variable() -> None:
    query = (
        "SELECT ?t ?n WHERE { { SELECT ?t (COUNT(*) AS ?n) WHERE { ?x ?p ?t } GROUP BY ?t } "
        "{ SELECT ?y WHERE { ?y ?q ?t } } }"
    )
    bound = bind_values(query, {ox.Variable("t"): ox.NamedNode("http://x/t")})
    assert bound.count("VALUES (?t) { (<http://x/t>) }") == 2  # top and the sub-SELECT of ?t
    store = ox.Store()
    for subject in ("a", "b"):
        for target in ("t", "u"):
            store.add(
                ox.Quad(
                    ox.NamedNode(f"http://x/{subject}"),
                    ox.NamedNode("http://x/p"),
                    ox.NamedNode(f"http://x/{target}"),
                )
            )
    substitutions = {ox.Variable("t"): ox.NamedNode("http://x/t")}
    by_values = [list(s) for s in store.query(bound)]  # type: ignore[union-attr]
    by_oxigraph = [list(s) for s in store.query(query, substitutions=substitutions)]  # type: ignore[union-attr]
    assert by_values == by_oxigraph and by_values


def test_construct_where_short_form_is_bound_too() -> None:
    bound = bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {ox.Variable("o"): ox.Literal("x")})
    assert bound == 'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { ("x") }  ?s ?p ?o }'


def test_kg_query_refuses_service_unless_asked(
    built_dir: Path,
    recorder: Recorder,  # noqa: F811
) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    runner = CliRunner()
    refused = runner.invoke(app, ["query", query, "--store", str(built_dir)])
    assert refused.exit_code == 1
    assert refused.stderr.startswith("kg: error: the query uses SERVICE (federation")
    assert "--allow-service" in refused.stderr
    assert recorder.hits == []
    allowed = runner.invoke(app, ["query", query, "--store", str(built_dir), "--allow-service"])
    assert allowed.exit_code == 1  # the other server answers 500
    assert recorder.hits == ["/sparql"]
