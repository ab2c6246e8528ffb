"""The ontology, the curated vocabularies and the rule patterns, shipped as package data."""
