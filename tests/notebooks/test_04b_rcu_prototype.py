"""Notebook 04b (golden records, preventive check, review) end to end on the small demo."""

from __future__ import annotations

from pathlib import Path

import json
import shutil

import nbformat
import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.golden.review import LabelStore, estimate_quality, labels_path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "04b-rcu-prototype.ipynb"


def _outputs(nb) -> str:
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", ""))
            for value in out.get("data", {}).values():
                texts.append(value if isinstance(value, str) else json.dumps(value))
    return "\n".join(texts)


@pytest.mark.notebook
def test_notebook_04b_reads_labels_of_an_earlier_session(demo_engagement, tmp_path):
    import papermill

    from rcu_kit.dedup.run import run_dedup

    folder = shutil.copytree(demo_engagement.parent, tmp_path / "demo")
    engagement = load_engagement(folder / "engagement.yaml")
    # An earlier session (this process) labelled 12 pairs from the truth; the notebook's kernel
    # is a new process: it must find them in the engagement's label file.
    run = run_dedup(engagement, progress=False)
    truth = pd.read_csv(folder / "truth.csv", dtype=str).set_index(["source", "record_id"])
    person = truth["person_id"]
    pairs = run.pairs.sort_values("match_probability", ascending=False)
    chosen = pd.concat([pairs.head(6), pairs.tail(6)])
    store = LabelStore(labels_path(engagement))
    for pair in chosen.itertuples(index=False):
        same = person[(str(pair.source_1), pair.record_id_1)] == \
            person[(str(pair.source_2), pair.record_id_2)]
        store.add(pair, "match" if same else "non_match")
    expected = estimate_quality(store.labels(), run.threshold, pairs=run.pairs, seed=engagement.seed)

    out = tmp_path / "04b.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(folder / "engagement.yaml"),
                                           "show_panel": False, "n_review": 10},
                               cwd=str(NOTEBOOKS))
    nb = nbformat.read(out, as_version=4)
    text = _outputs(nb)
    # The kernel read the 12 labels and estimated the precision from them as this process does.
    assert f"| labels: 12 | precision: {expected.precision}" in text
    golden = pd.read_csv(engagement.output_path / "golden" / "golden_records.csv", dtype=str)
    # one golden record per customer of the crosswalk, each customer once
    assert len(golden) == run.result.n_customers
    assert sorted(golden["customer_id"]) == sorted(run.crosswalk["customer_id"].unique())
    assert (engagement.output_path / "golden" / "reference_index.pkl").exists()
    # No raw e-mail or phone of the demo in what the notebook shows.
    raw = pd.concat([run.records["email"], run.records["phone"]]).dropna().astype(str).unique()
    leaked = [v for v in raw if v in text]
    assert not leaked, leaked[:5]
