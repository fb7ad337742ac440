"""Stage outputs of a deduplication, kept on disk so that a run stopped half-way resumes.

The costly stages (the candidate pairs of the blocking, their comparison levels, the comparison
of the random pairs that measure u) are written to ``<folder>/<fingerprint>/`` as they finish. A
later run on the same records with the same settings finds them and starts after the last one
written; a run on other records or settings has another fingerprint and starts afresh. When a
run finishes, the whole folder is removed (its results are in the outputs; stages of stopped runs
on other records or settings are superseded), so nothing stale stays.

Examples:
    >>> import tempfile
    >>> store = StageStore(tempfile.mkdtemp(), "abc")
    >>> store.save_arrays("u", {"first": np.array([1, 2])})
    >>> store.load_arrays("u")["first"].tolist()
    [1, 2]
    >>> store.load_arrays("candidates") is None
    True
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["StageStore", "fingerprint"]


def fingerprint(settings: Mapping[str, Any], record_hashes: np.ndarray) -> str:
    """A short hex digest of the settings and the records (one 64-bit hash per record)."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    digest.update(np.ascontiguousarray(record_hashes, dtype=np.uint64).tobytes())
    return digest.hexdigest()[:16]


class StageStore:
    """The stage files of one run: ``<folder>/<fingerprint>/<stage>.npz`` or ``.parquet``."""

    def __init__(self, folder: str | Path, key: str) -> None:
        self.root = Path(folder)
        self.folder = self.root / key
        self.resumed: list[str] = []

    def _path(self, stage: str, suffix: str) -> Path:
        return self.folder / f"{stage}{suffix}"

    def save_arrays(self, stage: str, arrays: Mapping[str, np.ndarray],
                    meta: Mapping[str, Any] | None = None) -> None:
        """Write a stage's arrays (and a JSON-able ``meta``), atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self._path(stage, ".tmp.npz")
        np.savez(tmp, **{k: np.asarray(v) for k, v in arrays.items()},
                 __meta__=np.array(json.dumps(meta or {}, default=str)))
        tmp.replace(self._path(stage, ".npz"))

    def load_arrays(self, stage: str) -> dict[str, Any] | None:
        """A stage's arrays (``__meta__`` decoded), or None when it was not written."""
        path = self._path(stage, ".npz")
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            out: dict[str, Any] = {k: data[k] for k in data.files if k != "__meta__"}
            out["__meta__"] = json.loads(str(data["__meta__"]))
        self.resumed.append(stage)
        return out

    def save_frame(self, stage: str, frame: pd.DataFrame) -> None:
        """Write a stage's table (Parquet), atomically."""
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self._path(stage, ".tmp.parquet")
        frame.to_parquet(tmp, index=False)
        tmp.replace(self._path(stage, ".parquet"))

    def load_frame(self, stage: str) -> pd.DataFrame | None:
        """A stage's table, or None when it was not written."""
        path = self._path(stage, ".parquet")
        if not path.exists():
            return None
        self.resumed.append(stage)
        return pd.read_parquet(path)

    def finish(self) -> None:
        """The run is done: remove its stage files, and those of stopped runs on other records
        or settings, which a finished run supersedes (gigabytes of levels would stay)."""
        shutil.rmtree(self.root, ignore_errors=True)
