"""Stage files of a deduplication: written atomically, found again by fingerprint, removed at the end."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rcu_kit.linkage.stages import StageStore, fingerprint


def test_the_fingerprint_changes_with_the_settings_and_the_records():
    hashes = np.array([1, 2, 3], dtype=np.uint64)
    base = fingerprint({"threshold": 0.9}, hashes)
    assert fingerprint({"threshold": 0.9}, hashes.copy()) == base
    assert fingerprint({"threshold": 0.8}, hashes) != base
    assert fingerprint({"threshold": 0.9}, np.array([1, 2, 4], dtype=np.uint64)) != base
    assert len(base) == 16


def test_stages_are_found_by_a_second_store_and_removed_when_the_run_ends(tmp_path):
    first = StageStore(tmp_path / "stages", "k1")
    first.save_arrays("candidates", {"first": np.array([3, 5])}, meta={"stats": [{"pass": "x"}]})
    first.save_frame("levels", pd.DataFrame({"phone": np.array([2, -1], dtype=np.int8)}))
    # no temporary file is left behind by the atomic writes
    assert sorted(p.name for p in (tmp_path / "stages" / "k1").iterdir()) == \
        ["candidates.npz", "levels.parquet"]
    again = StageStore(tmp_path / "stages", "k1")
    saved = again.load_arrays("candidates")
    assert saved["first"].tolist() == [3, 5] and saved["__meta__"] == {"stats": [{"pass": "x"}]}
    assert again.load_frame("levels")["phone"].tolist() == [2, -1]
    assert again.load_frame("u_levels") is None
    assert again.resumed == ["candidates", "levels"]
    # another fingerprint sees nothing
    assert StageStore(tmp_path / "stages", "k2").load_arrays("candidates") is None
    again.finish()
    assert not (tmp_path / "stages").exists()
