"""Inventory of collection points: declared facts next to measured ones."""

import pandas as pd

from rcu_kit.core.config import Engagement
from rcu_kit.audit.inventory import INVENTORY_COLUMNS, build_inventory
from rcu_kit.sources.loaders import LoadedSource


def test_inventory_rows_freshness_and_order():
    eng = Engagement(client="X", sources=[
        {"name": "web", "path": "web.parquet", "format": "parquet", "flow": "real-time", "channel": "site"},
        {"name": "crm", "path": "crm.csv", "refresh": "weekly", "period": "week", "volume_per_period": 10},
        {"name": "absent", "path": "absent.csv"},  # not loaded: not in the inventory
    ])
    loaded = {
        "crm": LoadedSource(name="crm", format="csv", location="/d/crm.csv",
                            frame=pd.DataFrame({"a": ["1", "2"], "b": ["x", None]}), rows_read=2,
                            encoding="utf-8", separator="\t", seconds=0.123),
        "web": LoadedSource(name="web", format="parquet", location="/d/web.parquet",
                            frame=pd.DataFrame({"c": ["1"]}), rows_read=1),
    }
    kpis = pd.DataFrame({
        "source": ["crm", "crm", "crm", "web"],
        "column": ["maj", "naiss", "creation", "c"],
        "semantic_type": ["date", "birth_date", "date", "id"],
        "min_date": pd.to_datetime(["2021-01-01", "1950-01-01", "2019-05-01", None]),
        "max_date": pd.to_datetime(["2025-03-01", "2000-01-01", "2024-01-01", None]),
    })
    inv = build_inventory(eng, loaded, kpis)
    assert inv.columns.tolist() == INVENTORY_COLUMNS
    # engagement order, the unloaded source left out
    assert inv["source"].tolist() == ["web", "crm"]
    crm = inv.iloc[1]
    assert (crm.rows, crm.columns, crm.bad_lines, crm.separator, crm.load_seconds) == (2, 2, 0, "tab", 0.12)
    assert (crm.refresh, crm.period, crm.volume_per_period) == ("weekly", "week", 10)
    # freshness from the two 'date' columns (birth dates excluded): 2019-05-01 .. 2025-03-01
    assert crm.date_columns == "maj, creation"
    assert (crm.oldest_date, crm.newest_date) == (pd.Timestamp("2019-05-01"), pd.Timestamp("2025-03-01"))
    web = inv.iloc[0]
    assert (web.flow, web.channel, web.format, web.date_columns) == ("real-time", "site", "parquet", "")
    assert pd.isna(web.oldest_date) and pd.isna(web.volume_per_period)
