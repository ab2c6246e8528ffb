"""A normal (non-editable) install ships everything kg needs: code, ontology, data, queries."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.resources import (
    ResourceError,
    annotation_files,
    bundled_digests,
    ontology_path,
    vocabulary_files,
)

ROOT = Path(__file__).resolve().parent.parent


def _declared_packages() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_code_package_is_declared() -> None:
    found = {
        ".".join(path.parent.relative_to(ROOT).parts) for path in (ROOT / "kg").rglob("__init__.py")
    }
    assert found <= _declared_packages()


def test_resources_are_found_and_complete() -> None:
    assert ontology_path("mlkg.ttl").is_file()
    assert [p.name for p in vocabulary_files()] == [
        "topics.ttl",
        "models.ttl",
        "benchmarks.ttl",
        "organisations.ttl",
    ]
    assert len(list(bundled_digests().iterdir())) >= 6
    assert "annotations.json" in [p.name for p in annotation_files()]


def test_a_missing_resource_is_an_error_not_an_empty_vocabulary() -> None:
    with pytest.raises(ResourceError, match="missing from this installation"):
        ontology_path("vocab", "no-such-vocabulary.ttl")
    assert issubclass(ResourceError, KgError)


@pytest.mark.slow
def test_the_wheel_builds_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    """Build the wheel, unpack it into a folder of its own and build a graph from another
    directory: the installed copy, not the checkout, must be the one that runs."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("kg-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = [sys.executable, "-c", "import sys; from kg.cli import main; sys.argv[0] = 'kg'; main()"]
    where = subprocess.run(
        [sys.executable, "-c", "import kg; print(kg.__file__)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(target))
    for args in (["build", "--out", "g"], ["validate", "--store", "g"], ["eval", "--store", "g"]):
        result = subprocess.run(
            [*run, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
    assert (elsewhere / "g" / "kg.nt").stat().st_size > 0
