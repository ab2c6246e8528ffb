"""What the pipeline found in each text, kept between builds into one output folder.

A weekly update re-reads every digest (reading is cheap) but runs the spaCy pipeline only on
texts the previous build did not read (the cache holds the last build's texts, no others): the
mentions of a text depend on nothing but the text and the pipeline, so they are kept by the
text's SHA-256 under a fingerprint of everything the pipeline is made from (kg's and spaCy's
versions, the ontology, the vocabularies, the rule files and the code that turns spans into
mentions). A different fingerprint starts an empty cache.

It also keeps each paper's links (``kg.extract.relations.PaperLinks``) by a digest of what
relating the paper reads of it, with the questions the paper asked the registry of discovered
entities and its answers. A paper is taken from the cache only when the registry of this build
answers it the same way; everything else across papers (entity discovery, identity) is
computed again on every build, so a build with the cache gives the same bytes as one without.

The cache is a SQLite file (``kg.cachefile``), ``OUT/cache/mentions.sqlite``. It is read and
written under the output folder's lock, written after the build is published; an unreadable
or damaged cache is an empty one, and one that cannot be written is left as it was: the cache
can make a build faster, never different, and never make it fail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kg import __version__
from kg.cachefile import CacheFile, Table, code_digest
from kg.records import Assertion, Entity, PaperLinks
from kg.resources import ontology_files, ontology_path

__all__ = ["CACHE_FILE", "Found", "MentionCache", "fingerprint"]

CACHE_FILE = Path("cache") / "mentions.sqlite"

Found = tuple[str, str | None, str, str, str, str, str, int]
"""One mention without its context: kind, iri, text, snippet, rule, role, following, sentence."""

_FIELDS = 8  # the length of a Found


def fingerprint(vocab: Sequence[Path] = ()) -> str | None:
    """A digest of everything the mentions of a text depend on: the versions of Python, kg,
    spaCy and PyStemmer, the code of the extraction package, of the resource lookup and of the
    cache file, the ontology, the vocabularies and the rule files. None when one cannot be read
    (no cache)."""
    import platform
    from importlib.metadata import version

    import kg.cachefile
    import kg.extract
    import kg.resources

    versions = [platform.python_version(), __version__, version("spacy"), version("PyStemmer")]
    code = sorted(Path(kg.extract.__file__).parent.glob("*.py"))
    rules = sorted(p for p in ontology_path("rules").iterdir() if p.is_file())
    modules = [Path(kg.resources.__file__), Path(kg.cachefile.__file__)]
    return code_digest(versions, [*code, *modules, *ontology_files(vocab), *rules])


def _key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _encoded(items: list[Found]) -> str:
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def _decoded(value: str) -> list[Found]:
    items = json.loads(value)
    if not isinstance(items, list) or any(len(item) != _FIELDS for item in items):
        raise ValueError("not a list of mentions")
    return [tuple(item) for item in items]


def _entity_json(entity: Entity | None) -> list[Any] | None:
    if entity is None:
        return None
    return [entity.kind, entity.name, entity.term, _entity_json(entity.family)]


def _entity(item: list[Any] | None) -> Entity | None:
    if item is None:
        return None
    kind, name, term, family = item
    return Entity(kind, name, term, _entity(family))


def _links_json(links: PaperLinks) -> str:
    assertions = [
        [
            a.relation,
            _entity_json(a.target),
            sorted(a.methods),
            sorted(a.digests),
            a.snippets,
            a.score,
            a.confidence,
        ]
        for a in links.assertions
    ]
    answers = [_entity_json(entity) for entity in links.answers]
    value = [links.calls, answers, assertions]
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _links(value: str) -> PaperLinks:
    calls, answers, assertions = json.loads(value)
    items = []
    for relation, target, methods, digests, snippets, score, confidence in assertions:
        entity = _entity(target)
        if entity is None:
            raise ValueError("a link without a target")
        items.append(
            Assertion(-1, relation, entity, set(methods), set(digests), snippets, score, confidence)
        )
    return PaperLinks(
        tuple((name, kind) for name, kind in calls),
        tuple(_entity(answer) for answer in answers),
        tuple(items),
    )


class MentionCache:
    """The mentions found by the previous build into one output folder, for one fingerprint."""

    def __init__(self, out: Path, fingerprint: str) -> None:
        self.file = CacheFile(out / CACHE_FILE, fingerprint, ("found", "related"))

    def found(self, texts: Iterable[str]) -> dict[str, list[Found]]:
        """The cached mentions of every text that has them (an unreadable cache has none)."""
        keys = {_key(text): text for text in texts}
        rows = self.file.read("found", list(keys), _decoded)
        return {keys[key]: value for key, value in rows.items()}

    def related(self) -> dict[bytes, PaperLinks]:
        """The links of every paper the previous build related, by ``paper_key``."""
        return self.file.read("related", None, _links)

    def keep(
        self,
        found: Mapping[str, list[Found]],
        extracted: Iterable[str] = (),
        related: Mapping[bytes, PaperLinks] | None = None,
    ) -> None:
        """Store the mentions of this build's texts and the links of its papers, and forget
        every other text and paper; the texts `extracted` this time replace what the cache held
        for them (a damaged row)."""
        mentions = {_key(text): items for text, items in found.items()}
        self.file.write(
            {
                "found": Table(mentions, _encoded, renewed=(_key(text) for text in extracted)),
                "related": Table(related or {}, _links_json),
            }
        )
