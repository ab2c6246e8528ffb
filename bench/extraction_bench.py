"""Extraction quality and the health of the upstream graph, each figure next to its target.

1. ``kg build`` (a whole process) of the bundled digests and of the upstream development README
   (tests/fixtures/upstream/dair-readme-dev.md), timed, next to the same build with
   ``--no-extract`` (the baseline: reading, resolving, storing and dumping without extraction).
2. Precision / recall / F1 per type for each annotated set (data/eval): the bundled digests,
   and the dev (tuned on) and test (only scored) samples of the upstream list.
3. The upstream graph's health: papers without a topic, papers with a digest publisher as their
   organisation, titles with markup or over 160 characters.

    python bench/extraction_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "digests"
DEV_README = ROOT / "tests" / "fixtures" / "upstream" / "dair-readme-dev.md"
KG = Path(sys.executable).parent / "kg"

TARGETS = {  # (set, type) -> the F1 to reach
    ("bundled", "*"): 0.90,
    ("upstream-dev", "models"): 0.90,
    ("upstream-dev", "benchmarks"): 0.90,
    ("upstream-dev", "organisations"): 0.85,
    ("upstream-dev", "topics"): 0.85,
    ("upstream-test", "models"): 0.90,
    ("upstream-test", "benchmarks"): 0.90,
    ("upstream-test", "organisations"): 0.85,
    ("upstream-test", "topics"): 0.85,
}
_HEALTH = """
PREFIX mlkg: <https://w3id.org/mlkg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
SELECT ?paper ?title (COUNT(DISTINCT ?topic) AS ?topics) (COUNT(DISTINCT ?publisher) AS ?curated)
WHERE {
  VALUES ?class { mlkg:Paper mlkg:Article } ?paper a ?class ; dcterms:title ?title .
  OPTIONAL { ?paper dcterms:subject ?topic }
  OPTIONAL { ?paper schema:sourceOrganization/schema:parentOrganization* ?publisher .
             ?publisher a mlkg:DigestPublisher }
} GROUP BY ?paper ?title"""


def timed_build(paths: list[Path], out: Path, *flags: str, runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(KG), "build", *map(str, paths), "--out", str(out), *flags],
            check=True,
            capture_output=True,
        )
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from kg.evaluate import TYPES, evaluate, load_gold
    from kg.graph.store import open_store
    from kg.resources import annotation_files

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        print(f"{'build (kg build, whole process)':<46} {'median s':>9} {'best s':>8}  target")
        builds = {}
        for name, paths in (("bundled", [BUNDLED]), ("upstream dev README", [DEV_README])):
            baseline = timed_build(paths, work / "plain", "--no-extract", runs=args.runs)
            full = timed_build(paths, work / name, runs=args.runs)
            builds[name] = work / name
            target = "< 10 s" if name != "bundled" else ""
            for label, seconds in (
                ("--no-extract (baseline)", baseline),
                ("with extraction", full),
            ):
                print(
                    f"  {name + ', ' + label:<44} {statistics.median(seconds):>9.2f} "
                    f"{min(seconds):>8.2f}  {target if label == 'with extraction' else ''}"
                )
        print()
        print(f"{'extraction quality (strict F1)':<46} {'P':>6} {'R':>6} {'F1':>6}  target")
        for path in annotation_files():
            gold = load_gold(path)
            store = builds["bundled"] if gold.name == "bundled" else builds["upstream dev README"]
            scores = evaluate(open_store(store), gold)
            for kind in (*TYPES, "overall"):
                score = scores.overall if kind == "overall" else scores.by_type[kind]
                target = TARGETS.get((gold.name, kind), TARGETS.get((gold.name, "*")))
                mark = (
                    ""
                    if target is None
                    else f">= {target:.2f} {'met' if score.f1 >= target else 'NOT MET'}"
                )
                print(
                    f"  {gold.name + ' ' + kind:<44} {score.precision:>6.3f} {score.recall:>6.3f} "
                    f"{score.f1:>6.3f}  {mark if kind != 'overall' else ''}"
                )
        print()
        store = open_store(builds["upstream dev README"])
        rows = list(store.query(_HEALTH, use_default_graph_as_union=True))
        papers = len(rows)
        no_topic = sum(1 for r in rows if int(r["topics"].value) == 0)
        curated = sum(1 for r in rows if int(r["curated"].value) > 0)
        titles = [r["title"].value for r in rows]
        markup = sum(1 for t in titles if re.search(r"<br|\*\*|\||\\[&_*]|●", t) or len(t) > 160)
        print("upstream dev README graph")
        print(f"  {'papers':<44} {papers:>6}")
        health = (
            (
                "papers without a topic",
                f"{no_topic / papers:.1%}",
                "<= 10%",
                no_topic <= papers / 10,
            ),
            ("papers with a digest publisher as organisation", str(curated), "0", curated == 0),
            ("titles with markup or over 160 characters", str(markup), "0", markup == 0),
        )
        for what, value, target, met in health:
            print(f"  {what:<44} {value:>6}  {target} {'met' if met else 'NOT MET'}")
        print(f"  {'longest title':<44} {max(map(len, titles)):>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
