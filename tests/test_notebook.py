"""The exploration notebook runs top to bottom on a built graph, in a kernel of this Python."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import explore_build

BUNDLED = Path(__file__).parent.parent / "data" / "digests"
NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "explore.ipynb"
KERNEL = "kg-test-python"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def kernelspec(root: Path) -> Path:
    """A kernel spec running this very interpreter, in a Jupyter data dir of its own."""
    folder = root / "kernels" / KERNEL
    folder.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "kg tests",
        "language": "python",
    }
    (folder / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return root


def outputs(cell: Any) -> str:
    """Everything a cell showed: text, HTML and stdout, as one string."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        for kind in ("text/plain", "text/html"):
            value = output.get("data", {}).get(kind)
            if value:
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def test_the_notebook_has_no_logic_and_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    source = "\n".join(cell.source for cell in code)
    assert "def " not in source and "class " not in source and "for " not in source
    assert "kg.explore" in source and "kg.report" in source and "kg.view" in source


def test_the_notebook_runs(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = explore_build(tmp_path_factory.getbasetemp())
    monkeypatch.setenv("KG_STORE", str(built))
    monkeypatch.setenv("JUPYTER_PATH", str(kernelspec(tmp_path / "jupyter")))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=60,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    started = time.monotonic()
    client.execute()
    assert time.monotonic() - started < 60

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.get("output_type") == "error"]
    assert errors == []
    shown = [outputs(cell) for cell in code]
    papers, by_topic, per_topic, related, shared, topics, report, view = shown[1:]
    assert re.search(r"^39 ", papers, re.M) and not re.search(r"^40 ", papers, re.M)
    assert "paper:a-comparative-study-on-reasoning-pattern" in papers
    assert "Corrective Retrieval Augmented Generation" in by_topic
    assert "The Power of Noise" in by_topic
    assert "topic:open-models" in per_topic
    assert "Camels in a Changing Climate" in related and "7.4879" in related
    assert "benchmark MT-bench, benchmark GSM8K" in related
    assert "Camels in a Changing Climate" in shared
    assert "0.4286" in shared and "0.1429" in shared
    assert "https://w3id.org/mlkg/id/topic/small-models" in topics
    assert "\n<div><iframe srcdoc=" in report
    assert "Topic&lt;/span&gt; Retrieval-Augmented Generation" in report
    assert "\n<div><iframe srcdoc=" in view
    assert "Retrieval-Augmented Generation (topic) within 1 link" in view
    assert "Warning" not in report + view
