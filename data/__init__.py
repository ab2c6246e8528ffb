"""The bundled sample digests and the annotated evaluation sets, shipped as package data."""
