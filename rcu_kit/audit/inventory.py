"""Inventory of collection points: what the engagement declares about each source, next to what
loading and the quality KPIs measured.

One row per source: system, owner, channel, format and location; the encoding and separator used
(and whether they were detected or declared); rows and columns; unreadable lines; the declared
flow type, refresh frequency, volume per period and peak; and the freshness of the extract, the
oldest and newest dates seen in its date columns (birth dates excluded: they say nothing about
freshness).

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import Engagement
    >>> from rcu_kit.sources.loaders import LoadedSource
    >>> eng = Engagement(client="X", sources=[{"name": "crm", "path": "crm.csv", "refresh": "daily"}])
    >>> loaded = {"crm": LoadedSource(name="crm", format="csv", location="crm.csv",
    ...                               frame=pd.DataFrame({"a": ["1"]}), rows_read=1)}
    >>> build_inventory(eng, loaded)[["source", "rows", "columns", "refresh"]].values.tolist()
    [['crm', 1, 1, 'daily']]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from rcu_kit.core.config import Engagement

__all__ = ["INVENTORY_COLUMNS", "build_inventory"]

INVENTORY_COLUMNS = [
    "source", "system", "owner", "channel", "format", "location", "encoding", "encoding_detected",
    "separator", "rows_read", "rows", "columns", "bad_lines", "flow", "refresh",
    "volume_per_period", "period", "peak", "date_columns", "oldest_date", "newest_date",
    "load_seconds",
]


def build_inventory(engagement: Engagement, loaded: Mapping[str, Any],
                    kpis: pd.DataFrame | None = None) -> pd.DataFrame:
    """The inventory table, one row per loaded source, in the engagement's order.

    Args:
        engagement: the engagement (what the consultant declared about each source).
        loaded: source name -> :class:`rcu_kit.sources.loaders.LoadedSource` (what loading measured).
        kpis: the quality KPIs (:func:`rcu_kit.audit.quality.quality_tables`), for freshness: the
            ``min_date`` / ``max_date`` of the columns of semantic type ``date``.

    Returns:
        Columns :data:`INVENTORY_COLUMNS`; ``oldest_date`` / ``newest_date`` are NaT when the
        source has no date column or none of its dates parse.
    """
    rows = []
    for src in engagement.sources:
        if src.name not in loaded:
            continue
        ls = loaded[src.name]
        dates = pd.DataFrame()
        if kpis is not None and len(kpis):
            dates = kpis[(kpis["source"] == src.name) & (kpis["semantic_type"] == "date")]
        oldest = pd.to_datetime(dates["min_date"]).min() if len(dates) else pd.NaT
        newest = pd.to_datetime(dates["max_date"]).max() if len(dates) else pd.NaT
        rows.append({
            "source": src.name, "system": src.system, "owner": src.owner, "channel": src.channel,
            "format": ls.format, "location": ls.location,
            "encoding": ls.encoding or "", "encoding_detected": bool(ls.encoding_detected),
            "separator": {"\t": "tab"}.get(ls.separator or "", ls.separator or ""),
            "rows_read": int(ls.rows_read), "rows": int(ls.rows_loaded),
            "columns": int(ls.frame.shape[1]), "bad_lines": len(ls.bad_lines),
            "flow": src.flow, "refresh": src.refresh, "volume_per_period": src.volume_per_period,
            "period": src.period, "peak": src.peak,
            "date_columns": ", ".join(dates["column"].astype(str)) if len(dates) else "",
            "oldest_date": oldest, "newest_date": newest,
            "load_seconds": round(float(ls.seconds), 2),
        })
    out = pd.DataFrame(rows, columns=INVENTORY_COLUMNS)
    for col in ("oldest_date", "newest_date"):
        out[col] = pd.to_datetime(out[col])
    for col in ("volume_per_period", "peak"):
        out[col] = out[col].astype("Int64")
    return out
