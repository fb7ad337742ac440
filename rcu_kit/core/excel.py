"""Excel exports: the tables a client wants, one workbook, one sheet per table."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

__all__ = ["write_workbook", "sheet_name"]

_FORBIDDEN = set('[]:*?/\\')


def sheet_name(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique Excel sheet name (31 characters at most, no ``[]:*?/\\``)."""
    clean = "".join("_" if ch in _FORBIDDEN else ch for ch in str(name)).strip("'") or "Sheet"
    clean = clean[:31]
    taken = taken if taken is not None else set()
    candidate, i = clean, 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({i})"
        candidate = clean[: 31 - len(suffix)] + suffix
        i += 1
    return candidate


def write_workbook(path: str | Path, tables: Mapping[str, pd.DataFrame], *, index: bool = False) -> Path:
    """Write ``tables`` to one .xlsx workbook, one sheet each, with frozen header and sized columns.

    Args:
        path: the workbook to write (its folder is created).
        tables: sheet title -> table, in the order the sheets should appear.
        index: also write each frame's index.

    Returns:
        The path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not tables:
        raise ValueError(f"{path}: nothing to export (no tables given)")
    taken: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for title, frame in tables.items():
            name = sheet_name(title, taken)
            taken.add(name)
            frame = frame.copy()
            # Excel cannot hold timezone-aware datetimes.
            for col in frame.columns:
                if isinstance(frame[col].dtype, pd.DatetimeTZDtype):
                    frame[col] = frame[col].dt.tz_localize(None)
            frame.to_excel(writer, sheet_name=name, index=index)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            for i, col in enumerate(frame.reset_index().columns if index else frame.columns, start=1):
                values = [str(col)] + [str(v) for v in frame.reset_index()[col].head(200)] if index \
                    else [str(col)] + [str(v) for v in frame[col].head(200)]
                width = min(60, max(8, max(len(v) for v in values) + 2))
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
    return path
