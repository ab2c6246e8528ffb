"""The spaCy pipeline, assembled from the vocabulary's labels and the rule patterns on disk.

Tokenisation is script-aware: every CJK character is a token of its own, so a label such as
"전문가 혼합" or "検索拡張生成" matches inside unspaced or particle-glued words ("전문가혼합을"),
while Latin words and version numbers stay whole ("HumanEval+", "GPT-3.5") and hyphens are
tokens of their own, so a name is found inside a compound ("MoE" in "Dense-MoE", "GPT-4" in
"GPT-4-based").

Topic labels and cue phrases are matched on word stems (Snowball English, from PyStemmer, kept
as each word's NORM), so "pruning" also finds "pruned" and "jailbreak" "jailbreaking"; names of
models, benchmarks and organisations are matched on the words as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import spacy
import Stemmer
from spacy.attrs import IS_PUNCT, IS_SPACE, LANG, LOWER, NORM
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from kg.errors import KgError
from kg.extract.rulers import RULERS, SPANS_KEY, Rulers
from kg.extract.rules import MAX_NAME_CHARS
from kg.extract.vocabulary import Term, Vocabulary
from kg.resources import ontology_path

__all__ = [
    "SPANS_KEY",
    "ScriptTokenizer",
    "build_pipeline",
    "rule_patterns",
    "spellings",
    "stem",
    "token_count",
    "words_of",
]

_TOKEN = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3\uf900-\ufaff\u1100-\u11ff\u3130-\u318f]"
    r"|[A-Za-z0-9\u00c0-\u024f]+(?:[.+][A-Za-z0-9\u00c0-\u024f]+)*\+*"
    r"|\S"
)


def token_count(text: str) -> int:
    """How many tokens the pipeline makes of a text (a CJK character is one)."""
    return len(_TOKEN.findall(text))


def words_of(text: str) -> list[str]:
    """The words of a text as the pipeline cuts them, without punctuation."""
    return [word for word in _TOKEN.findall(text) if word[0].isalnum()]


_STEMMER = Stemmer.Stemmer("english")


@lru_cache(maxsize=1 << 17)
def stem(word: str) -> str:
    """The stem a word is matched on: Snowball English for Latin letters, else the word."""
    lower = word.lower()
    return str(_STEMMER.stemWord(lower)) if lower.isascii() and lower.isalpha() else lower


_SENTENCE_ENDS = frozenset({".", "!", "?", "。", "！", "？", ";", "●", "•"})
_ABBREVIATIONS = frozenset({"vs", "e.g", "i.e", "cf", "al", "fig", "approx", "resp"})
_ABBREVIATED = re.compile(r"\b(?:vs|e\.g|i\.e|cf|al|fig|approx|resp)\.", re.I)


class ScriptTokenizer:
    """Latin words and numbers whole, CJK one character a token, punctuation alone; every
    word's NORM is its stem (set once per word, on its lexeme).

    Sentences are cut here too, where the words are at hand: a sentence starts at the first
    word after an end mark (``.``, ``!``, ``?``, ``;``, a bullet, their CJK forms), as spaCy's
    sentencizer cuts them, except after the full stop of an abbreviation ("vs.", "e.g.",
    "et al."), so "Long Context vs. RAG" is one sentence."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        # Every word whose lexeme has its stem set, and whether it is punctuation (a lexeme
        # attribute read here for each token, where a dictionary lookup is cheaper).
        self._is_punct: dict[str, bool] = {}

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        starts: list[bool | int | None] = []
        abbreviated = _ABBREVIATED.search(text) is not None
        after_end = False
        for match in _TOKEN.finditer(text):
            word = match.group()
            punct = self._is_punct.get(word)
            if punct is None:
                lexeme = self.vocab[word]
                lexeme.norm_ = stem(word)
                punct = self._is_punct[word] = bool(lexeme.is_punct)
            end = word in _SENTENCE_ENDS
            start = not words
            if after_end and not punct and not end:
                after_end = False
                start = not (
                    abbreviated
                    and len(words) >= 2
                    and words[-1] == "."
                    and words[-2].lower() in _ABBREVIATIONS
                )
            elif end:
                after_end = True
            words.append(word)
            spaces.append(text[match.end() : match.end() + 1].isspace())
            starts.append(start)
        return Doc(self.vocab, words=words, spaces=spaces, sent_starts=starts)

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
    """Short capitalised or all-caps names are matched as written ("MATH", "Meta", "Orca"); one
    holding a digit is no word of the language, whatever its case ("GSM8k" is GSM8K)."""
    one_word = len(name.split()) == 1 and name.isalpha()
    short_caps = name.isupper() and len(name) <= 6 and not any(c.isdigit() for c in name)
    return short_caps or (one_word and name[:1].isupper())


_VERSION_JOIN = re.compile(r"(?<=[A-Za-z]{2})([ -]?)(?=\d)")


def spellings(name: str) -> list[str]:
    """A name as people write it: a version number apart, hyphenated or glued to the word
    before it ("Llama 3" ~ "Llama-3" ~ "Llama3", "PaLM 2" ~ "PaLM-2")."""
    if not _VERSION_JOIN.search(name) or not re.search(r"[A-Za-z]", name):
        return [name]
    forms = [name]
    for joint in (" ", "-", ""):
        variant = _VERSION_JOIN.sub(joint, name)
        if variant not in forms:
            forms.append(variant)
    return forms


def _name_patterns(term: Term, cue: bool = False) -> Iterator[tuple[bool, dict[str, Any]]]:
    label = f"{term.kind}-cue" if cue else term.kind
    for text, _language in term.cues if cue else term.names:
        text = text.strip()
        if len(text) < 2:
            continue
        exact = term.case_sensitive or _case_sensitive(text)
        forms = spellings(text) if term.kind in ("model", "benchmark") else [text]
        for form in forms:
            yield exact, {"label": label, "pattern": form, "id": term.iri}


def rule_patterns() -> list[dict[str, Any]]:
    """Token patterns of the name-shape and cue rules, kept as data in ontology/rules/."""
    patterns: list[dict[str, Any]] = []
    for path in sorted(ontology_path("rules").glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            patterns.extend(json.loads(line) for line in handle if line.strip())
    return patterns


_FIRST_FREE_FLAG, _LAST_FLAG = 19, 63  # spaCy's own flags (IS_ALPHA ...) take the bits below


def _regex_flags(vocab: Vocab, patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The patterns with each word regex (``{"TEXT": {"REGEX": ...}}``) turned into a flag of
    the word's lexeme, decided once per word of the vocabulary instead of once per token of
    every text; the matches are the same (spaCy's REGEX is ``re.search`` on the token's text,
    the same as its lexeme's). A word longer than any name is no part of one: its regexes are
    not run (some take time quadratic in the length of a word)."""
    flags: dict[str, int] = {}

    def flag(expression: str) -> str:
        if expression not in flags:
            if _FIRST_FREE_FLAG + len(flags) > _LAST_FLAG:
                free = _LAST_FLAG - _FIRST_FREE_FLAG + 1
                raise KgError(f"more word regexes in the rule patterns than {free} flags")
            search = re.compile(expression).search
            flags[expression] = vocab.add_flag(
                lambda text: len(text) <= MAX_NAME_CHARS and search(text) is not None,
                _FIRST_FREE_FLAG + len(flags),
            )
        return f"FLAG{flags[expression]}"

    def token(spec: dict[str, Any]) -> dict[str, Any]:
        regex = spec.get("TEXT")
        if not (isinstance(regex, dict) and set(regex) == {"REGEX"}):
            return spec
        rest = {key: value for key, value in spec.items() if key != "TEXT"}
        return {**rest, flag(regex["REGEX"]): True}

    return [
        {**pattern, "pattern": [token(spec) for spec in pattern["pattern"]]}
        if isinstance(pattern["pattern"], list)
        else pattern
        for pattern in patterns
    ]


_LEXEME_ATTRS = (IS_PUNCT, IS_SPACE, LOWER, NORM, LANG)


def build_pipeline(vocabulary: Vocabulary) -> Language:
    """A blank multilingual pipeline with rules for curated names, topic cues and shapes."""
    nlp = spacy.blank(
        "xx", config={"nlp": {"tokenizer": {"@tokenizers": "kg.script_tokenizer.v1"}}}
    )
    # A word's lexeme is made once, with only the attributes the rulers and the sentence cuts
    # read (spaCy computes some twenty by default: its shape, whether it looks like a URL ...).
    vocab = cast(Any, nlp.vocab)  # lex_attr_getters is not in spaCy's type stubs
    getters = vocab.lex_attr_getters
    vocab.lex_attr_getters = {attr: getters[attr] for attr in _LEXEME_ATTRS if attr in getters}
    exact: list[dict[str, Any]] = []
    folded: list[dict[str, Any]] = []
    stemmed: list[dict[str, Any]] = []
    for term in vocabulary.terms.values():
        for cue in (False, True):
            for case_sensitive, pattern in _name_patterns(term, cue):
                if case_sensitive:
                    exact.append(pattern)
                else:
                    (stemmed if term.kind == "topic" else folded).append(pattern)
    rulers = cast(Rulers, nlp.add_pipe(RULERS))
    rulers.add_phrases("names-exact", "ORTH", exact)
    rulers.add_phrases("names-folded", "LOWER", folded)
    rulers.add_phrases("topics-stemmed", "NORM", stemmed)
    rulers.add_tokens("shapes", _regex_flags(nlp.vocab, rule_patterns()))
    return nlp
