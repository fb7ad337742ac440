"""Committed notebooks hold no outputs (CI check): outputs leak client data and bloat diffs.

Clear them before committing: JupyterLab's "Edit > Clear Outputs of All Cells", or
``.venv/bin/jupyter nbconvert --clear-output --inplace rcu_kit/notebooks/*.ipynb``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def committed_notebooks() -> list[Path]:
    """The notebooks the package ships (rcu_kit/notebooks/) tracked by git (every one found when
    git is unavailable)."""
    try:
        listed = subprocess.run(["git", "ls-files", "rcu_kit/notebooks/*.ipynb"], cwd=REPO_ROOT,
                                check=True, capture_output=True, text=True).stdout.split()
        return [REPO_ROOT / name for name in listed]
    except (OSError, subprocess.CalledProcessError):
        return sorted((REPO_ROOT / "rcu_kit" / "notebooks").glob("*.ipynb"))


def output_problems(path: Path) -> list[str]:
    """One message per code cell holding outputs or an execution count, and per cell without
    the id nbformat 4.5 requires (a cell added by hand without one: a hard error to come)."""
    import json

    nb = nbformat.read(path, as_version=4)
    problems = []
    raw = json.loads(path.read_text(encoding="utf-8"))
    if (raw.get("nbformat"), raw.get("nbformat_minor", 0)) >= (4, 5):
        problems += [f"{path.name}: cell {i} has no id" for i, cell in enumerate(raw["cells"])
                     if "id" not in cell]
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"{path.name}: cell {i} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"{path.name}: cell {i} has execution_count {cell.execution_count}")
    return problems


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    assert output_problems(path) == [], (
        "clear the outputs before committing: .venv/bin/jupyter nbconvert --clear-output "
        f"--inplace {path.relative_to(REPO_ROOT)}")


def test_the_check_catches_outputs(tmp_path):
    nb = nbformat.v4.new_notebook()
    clean = nbformat.v4.new_code_cell("x = 1")
    dirty = nbformat.v4.new_code_cell("print(1)")
    dirty.execution_count = 3
    dirty.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), clean, dirty]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    # Cell 2 (0-based; cell 0 is markdown) has one output and an execution count; cell 1 is clean.
    assert output_problems(tmp_path / "nb.ipynb") == [
        "nb.ipynb: cell 2 has 1 output(s)", "nb.ipynb: cell 2 has execution_count 3"]


def parameter_problems(path: Path) -> list[str]:
    """Names assigned in the ``parameters`` cell that papermill cannot infer (e.g. a comment holding "=")."""
    from papermill.inspection import _infer_parameters  # the parser behind --help-notebook
    from papermill.iorw import load_notebook_node

    nb = load_notebook_node(str(path))
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        return [f"{path.name}: {len(cells)} cells tagged 'parameters' (expected 1)"]
    assigned = [line.split(":")[0].split("=")[0].strip() for line in cells[0].source.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    inferred = [p.name for p in _infer_parameters(nb)]
    return [f"{path.name}: papermill does not see parameter {name!r}"
            for name in assigned if name not in inferred]


@pytest.mark.parametrize("path", committed_notebooks(), ids=lambda p: p.name)
def test_papermill_sees_every_parameter(path):
    assert parameter_problems(path) == [], (
        "a parameter comment must not contain '=' (papermill's parser drops the line): write "
        "'empty: $RCU_ENGAGEMENT or the demo'")


def test_the_parameter_check_catches_an_equals_sign(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    cell = nbformat.v4.new_code_cell('a: str = ""  # empty: default\nb: int = 0  # 0 = off')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    # Line 2's comment holds "=": papermill's parser skips that line, so 'b' is not seen; 'a' is.
    assert parameter_problems(tmp_path / "nb.ipynb") == ["nb.ipynb: papermill does not see parameter 'b'"]


def test_the_check_catches_a_cell_without_id(tmp_path):
    import json

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    raw = json.loads((tmp_path / "nb.ipynb").read_text(encoding="utf-8"))
    del raw["cells"][1]["id"]  # as a script appending a cell dict would leave it
    (tmp_path / "nb.ipynb").write_text(json.dumps(raw), encoding="utf-8")
    assert output_problems(tmp_path / "nb.ipynb") == ["nb.ipynb: cell 1 has no id"]
