"""Seeded mutations of real digests: reading any of them gives digests or DigestErrors, fast.

Each mutant is a bundled digest, or a few weeks of the development README, changed one to
four times: text deleted, duplicated or cut off; lines dropped or repeated; Markdown and layout
markers inserted (``|``, ``**``, ``[``, ``](``, ``<br>``, ``논문 소개``, ``원문``, ``Q&A:``);
lines hundreds of kilobytes long; NUL bytes, invalid UTF-8, control and bidi characters. The
seed is fixed, so every run reads the same mutants.
"""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BUNDLED, BUNDLED_FILES, DEV_README

from kg.errors import DigestError
from kg.records import Digest
from kg.sources import MAX_ENTRY_CHARS, read_files

SEED = 20240422
MUTANTS = 1500
SLOW = 5.0  # seconds for one mutant: far above what a linear reader takes

MARKERS = (
    "|",
    "**",
    "[",
    "](",
    "<br>",
    "\\|",
    "|\n",
    "\n",
    "(",
    ")",
    "논문 소개",
    "\n논문 소개\n",
    "\n더 읽어보기\n",
    "\n원문\n",
    " / ",
    "\n著者: A\n",
    "\nQ&A:\n",
    "\nA: ",
    "\n## Top ML Papers of the Week (",
    "[Paper](https://[...)",
    "https://x.com/a/status/12",
    "\x1b[31m",
    "\u202e",
    "\u2066",
    "\r",
    "\x0c",
)
HUGE_UNITS = ("a", "가", "[", "<b ", "|", "(", " ", "\t", "\n", "**", "[a](", "가/", "https://")
BAD_BYTES = (b"\x00", b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00" * 9000)

_Mutation = Callable[[random.Random, str], str]


def _span(rng: random.Random, text: str) -> tuple[int, int]:
    start = rng.randrange(len(text) + 1)
    return start, min(len(text), start + rng.randint(1, 300))


def _delete(rng: random.Random, text: str) -> str:
    start, end = _span(rng, text)
    return text[:start] + text[end:]


def _duplicate(rng: random.Random, text: str) -> str:
    start, end = _span(rng, text)
    return text[:end] + text[start:end] + text[end:]


def _insert(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(MARKERS) * rng.randint(1, 3) + text[at:]


def _huge_line(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    unit = rng.choice(HUGE_UNITS)
    return text[:at] + unit * (rng.randint(20_000, 160_000) // len(unit)) + text[at:]


def _cut(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _lines(change: Callable[[random.Random, list[str]], None]) -> _Mutation:
    def mutate(rng: random.Random, text: str) -> str:
        lines = text.split("\n")
        change(rng, lines)
        return "\n".join(lines)

    return mutate


def _drop_line(rng: random.Random, lines: list[str]) -> None:
    del lines[rng.randrange(len(lines))]


def _repeat_line(rng: random.Random, lines: list[str]) -> None:
    lines.insert(rng.randrange(len(lines) + 1), lines[rng.randrange(len(lines))])


MUTATIONS: tuple[tuple[_Mutation, int], ...] = (
    (_delete, 4),
    (_duplicate, 3),
    (_insert, 8),
    (_huge_line, 1),
    (_cut, 3),
    (_lines(_drop_line), 3),
    (_lines(_repeat_line), 3),
)


def _seeds() -> list[str]:
    """The bundled digests and four weeks of the development README (no contents list)."""
    texts = [(BUNDLED / name).read_text(encoding="utf-8") for name in BUNDLED_FILES]
    dev = DEV_README.read_text(encoding="utf-8")
    weeks = [m.start() for m in re.finditer(r"^## Top ML Papers", dev, re.M)]
    return [*texts, dev[weeks[20] : weeks[24]]]


def _mutant(rng: random.Random, text: str) -> bytes:
    mutations, weights = zip(*MUTATIONS, strict=True)
    for _ in range(rng.randint(1, 4)):
        text = rng.choices(mutations, weights)[0](rng, text or "x")
    raw = text.encode("utf-8")
    if rng.random() < 0.08:
        at = rng.randrange(len(raw) + 1)
        raw = raw[:at] + rng.choice(BAD_BYTES) + raw[at:]
    return raw


def _unsafe(text: str) -> bool:
    return any(
        unicodedata.category(ch) == "Cc" or ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069"
        for ch in text
    )


def _check_digests(digests: list[Digest]) -> None:
    for digest in digests:
        assert [e.position for e in digest.entries] == list(range(1, len(digest.entries) + 1))
        for entry in digest.entries:
            texts = [entry.text_en(), entry.text_local()]
            assert sum(len(t) for t in texts) <= 2 * MAX_ENTRY_CHARS
            assert all(len(t) <= MAX_ENTRY_CHARS for t in texts if t)
            fields = (entry.title_en, entry.title_local, entry.intro_en, entry.intro_local)
            assert not any(_unsafe(f) for f in fields if f), entry.title_en[:80]


def _read(path: Path) -> tuple[str, float]:
    """Read one mutant; what it gave ("digests" or the error's reason) and how long it took."""
    started = time.perf_counter()
    result = read_files([path])
    took = time.perf_counter() - started
    assert result.files == 1 and result.skipped == []
    assert bool(result.digests) != bool(result.errors)
    if result.digests:
        _check_digests(result.digests)
        return "digests", took
    (error,) = result.errors
    assert isinstance(error, DigestError) and error.path == str(path)
    assert "\n" not in str(error)
    assert not error.reason.startswith("reader failed"), error.reason
    return error.reason, took


@pytest.mark.slow
def test_mutated_digests_give_digests_or_digest_errors(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    seeds = _seeds()
    outcomes: Counter[str] = Counter()
    slowest = (0.0, -1)
    for number in range(MUTANTS):
        path = tmp_path / f"mutant-{number}.md"
        path.write_bytes(_mutant(rng, seeds[number % len(seeds)]))
        outcome, took = _read(path)
        outcomes[outcome.split(" (")[0].split(":")[0]] += 1
        slowest = max(slowest, (took, number))
        path.unlink()
    assert slowest[0] < SLOW, f"mutant {slowest[1]} took {slowest[0]:.1f} s"
    # the mutants exercise both sides: many are still read, many are refused for a reason
    assert outcomes["digests"] > MUTANTS // 5, outcomes
    assert outcomes["truncated"] > 50, outcomes
    assert sum(outcomes.values()) - outcomes["digests"] > MUTANTS // 5, outcomes
