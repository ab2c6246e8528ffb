"""From resolved papers to RDF: namespaces, IRIs, triples, the Oxigraph store and dumps."""
