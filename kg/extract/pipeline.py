"""The spaCy pipeline, assembled from the vocabulary's labels and the rule patterns on disk.

Tokenisation is script-aware: every CJK character is a token of its own, so a label such as
"전문가 혼합" or "検索拡張生成" matches inside unspaced or particle-glued words ("전문가혼합을"),
while Latin words and version numbers stay whole ("HumanEval+", "GPT-3.5") and hyphens are
tokens of their own, so a name is found inside a compound ("MoE" in "Dense-MoE", "GPT-4" in
"GPT-4-based").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.pipeline import SpanRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.extract.vocabulary import Term, Vocabulary
from kg.resources import ontology_path

__all__ = ["SPANS_KEY", "ScriptTokenizer", "build_pipeline", "rule_patterns"]

SPANS_KEY = "kg"
_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\u1100-\u11ff\u3130-\u318f]"
    r"|[A-Za-z0-9\u00c0-\u024f]+(?:[.+][A-Za-z0-9\u00c0-\u024f]+)*\+*"
    r"|\S"
)


class ScriptTokenizer:
    """Latin words and numbers whole, CJK one character a token, punctuation alone."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        for match in _TOKEN.finditer(text):
            words.append(match.group())
            spaces.append(text[match.end() : match.end() + 1].isspace())
        return Doc(self.vocab, words=words, spaces=spaces)

    def pipe(self, texts: Any, batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> ScriptTokenizer:
        return self

    def to_disk(self, _path: Path, **_: Any) -> None:
        return None

    def from_disk(self, _path: Path, **_: Any) -> ScriptTokenizer:
        return self


@spacy.registry.tokenizers("kg.script_tokenizer.v1")
def create_script_tokenizer() -> Any:
    def make(nlp: Language) -> ScriptTokenizer:
        return ScriptTokenizer(nlp.vocab)

    return make


def _case_sensitive(name: str) -> bool:
    """Short capitalised or all-caps names are matched as written ("MATH", "Meta", "Orca")."""
    one_word = len(name.split()) == 1 and name.isalpha()
    return (name.isupper() and len(name) <= 6) or (one_word and name[:1].isupper())


def _name_patterns(term: Term, cue: bool = False) -> Iterator[tuple[bool, dict[str, Any]]]:
    label = f"{term.kind}-cue" if cue else term.kind
    for text, _language in term.cues if cue else term.names:
        text = text.strip()
        if len(text) < 2:
            continue
        exact = term.case_sensitive or _case_sensitive(text)
        yield exact, {"label": label, "pattern": text, "id": term.iri}


def rule_patterns() -> list[dict[str, Any]]:
    """Token patterns of the name-shape and cue rules, kept as data in ontology/rules/."""
    patterns: list[dict[str, Any]] = []
    for path in sorted(ontology_path("rules").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            patterns.extend(json.loads(line) for line in handle if line.strip())
    return patterns


def build_pipeline(vocabulary: Vocabulary) -> Language:
    """A blank multilingual pipeline with rulers for curated names, topic cues and shapes."""
    nlp = spacy.blank(
        "xx", config={"nlp": {"tokenizer": {"@tokenizers": "kg.script_tokenizer.v1"}}}
    )
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "。", "！", "？", ";"]})
    exact: list[dict[str, Any]] = []
    folded: list[dict[str, Any]] = []
    for term in vocabulary.terms.values():
        for cue in (False, True):
            for case_sensitive, pattern in _name_patterns(term, cue):
                (exact if case_sensitive else folded).append(pattern)
    common = {"spans_key": SPANS_KEY, "overwrite": False, "validate": False}
    rulers = (
        ("kg_names_exact", common, exact),
        ("kg_names_folded", {**common, "phrase_matcher_attr": "LOWER"}, folded),
        ("kg_shapes", common, rule_patterns()),
    )
    for name, config, patterns in rulers:
        if patterns:
            ruler = nlp.add_pipe("span_ruler", name=name, config=config)
            cast(SpanRuler, ruler).add_patterns(patterns)
    return nlp
