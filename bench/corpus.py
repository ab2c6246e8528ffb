"""Large graphs for the benches, built once with the real ``kg build`` and kept for reuse.

The corpus is a generated DAIR.AI README (``tests/dairgen.py``) of about ten papers a week. Its
arXiv ids restart every hundred years (``yymm``), so over 10,000 weeks many would repeat and
papers would merge; each paper link gets a fresh number inside its own ``yymm`` instead, which
keeps every week's year as the reader infers it and makes every row a distinct paper.

Builds take minutes and gigabytes at 100,000 papers: they run under
``flock /tmp/kg-bigrun.lock`` (one big run at a time on the machine) and land in
``$KG_BENCH_CACHE`` (default ``/tmp/kg-bench-cache``), where a later bench finds them.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from dairgen import generate  # noqa: E402

__all__ = ["KG", "LOCK", "built_graph", "cache_dir", "distinct_ids", "readme"]

KG = Path(sys.executable).with_name("kg")
LOCK = Path("/tmp/kg-bigrun.lock")
_PAPER_LINK = re.compile(r"(\[Paper\]\(https://arxiv\.org/abs/)(cs/\d{7}|\d{4}\.\d{4,5})")


def cache_dir() -> Path:
    """Where built graphs are kept between runs."""
    return Path(os.environ.get("KG_BENCH_CACHE", "/tmp/kg-bench-cache"))


def distinct_ids(text: str) -> str:
    """A generated README with one distinct arXiv id per paper link, numbered from the oldest
    week up, so a README without its newest week keeps every other paper's id."""
    used: Counter[str] = Counter()
    links = list(_PAPER_LINK.finditer(text))
    fresh: list[str] = []
    for match in reversed(links):
        ident = match.group(2)
        if ident.startswith("cs/"):
            yymm = ident[3:7]
            used["cs" + yymm] += 1
            fresh.append(f"{match.group(1)}cs/{yymm}{used['cs' + yymm]:03d}")
        else:
            yymm = ident[:4]
            used[yymm] += 1
            fresh.append(f"{match.group(1)}{yymm}.{used[yymm]:05d}")
    pieces, end = [], 0
    for match, link in zip(links, reversed(fresh), strict=True):
        pieces += [text[end : match.start()], link]
        end = match.end()
    return "".join([*pieces, text[end:]])


def readme(weeks: int, seed: int = 11) -> tuple[str, int]:
    """The generated README of `weeks` weeks with one distinct arXiv id per paper link, and
    its number of rows."""
    generated = generate(weeks, seed)
    return distinct_ids(generated.text), generated.row_count


def built_graph(weeks: int, log: bool = True) -> Path:
    """The build directory of the graph of a generated README of `weeks` weeks (about ten
    papers each), building it if needed."""
    folder = cache_dir() / f"dair-{weeks}w"
    done = folder / "built"
    if done.exists():
        return folder / "graph"
    folder.mkdir(parents=True, exist_ok=True)
    with LOCK.open("a") as lock:
        if log:
            print(f"waiting for {LOCK} ...", file=sys.stderr, flush=True)
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return folder / "graph"
        text, rows = readme(weeks)
        source = folder / "README.md"
        source.write_text(text, encoding="utf-8")
        if log:
            print(f"building {rows:,} rows ({weeks:,} weeks) with kg build ...", file=sys.stderr)
        started = time.perf_counter()
        subprocess.run(
            [str(KG), "build", str(source), "--out", str(folder / "graph")],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - started
        done.write_text(f"{rows} rows, built in {seconds:.0f} s\n", encoding="utf-8")
        if log:
            print(f"built in {seconds:.0f} s", file=sys.stderr)
    return folder / "graph"
