"""Tables and sentences as the client reads them (rcu_kit.report.tables)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rcu_kit.report.tables import (EMPTY, cell_text, client_table, client_text, plain_path,
                                   without_values_of)


@pytest.mark.parametrize("value, language, expected", [
    (None, "fr", EMPTY), (np.nan, "en", EMPTY), (pd.NaT, "fr", EMPTY), (pd.NA, "fr", EMPTY),
    ("", "fr", EMPTY), ("nan", "en", EMPTY), ("None", "fr", EMPTY),
    (True, "fr", "oui"), (np.False_, "en", "no"), ("False", "fr", "non"),
    (1234567, "fr", "1\u202f234\u202f567"), (1234567, "en", "1,234,567"),
    (0.920194, "fr", "0,92"), (0.920194, "en", "0.92"), (3.0, "fr", "3"),
    (pd.Timestamp("2025-01-31"), "fr", "31/01/2025"), (pd.Timestamp("2025-01-31"), "en", "2025-01-31"),
    (Path("/tmp/acme/output/audit.xlsx"), "fr", "audit.xlsx"),
    ({"crm": 14, "web": 6}, "en", "crm: 14; web: 6"),
])
def test_cell_text(value, language, expected):
    assert cell_text(value, language) == expected


def test_a_column_of_numbers_has_one_number_of_decimals():
    frame = pd.DataFrame({"rate": [4.23, 3.0, np.nan], "count": [1.0, 2.0, 3.0],
                          "pct": [96.9, 100.0, 10.0], "score": [0.920194, 0.5, 1.0]})
    # the fewest decimals, at most 2, that show every value: 3.0 reads "3,00" beside 4,23, 100.0
    # "100,0" beside 96,9; whole floats read without decimals; 0.920194 is rounded to 0,92
    assert client_table(frame, "fr").to_frame().values.tolist() == [
        ["4,23", "1", "96,9", "0,92"], ["3,00", "2", "100,0", "0,50"], ["–", "3", "10,0", "1,00"]]


def test_cell_text_percent_and_decimals():
    assert cell_text(0.1234, "fr", percent=True) == "12,3\u00a0%"
    assert cell_text(0.1234, "en", percent=True, decimals=0) == "12%"
    assert cell_text(2.0, "en", decimals=2) == "2.00"


def test_a_small_probability_is_not_shown_as_zero():
    # the model table's u at 4 decimals: 3e-5 and 4.9e-5 are not zero, 5e-5 rounds to 0.0001,
    # a true zero stays 0.0000
    frame = pd.DataFrame({"u": [0.00003, 0.000049, 0.00005, 0.0, 0.9895]})
    cells = client_table(frame, "fr", decimals={"u": 4}).to_frame().iloc[:, 0].tolist()
    assert cells == ["< 0,0001", "< 0,0001", "0,0001", "0,0000", "0,9895"]


def test_client_table_headers_values_and_html():
    frame = pd.DataFrame({"source": ["crm", "web"], "rows_loaded": [1750, 0],
                          "duplicate_rate": [0.0537, np.nan], "encoding_detected": [True, False],
                          "record_id": ["CLI01", "CLI02"], "remark": [None, "x"]})
    table = client_table(frame, "fr", prefixes=["audit.col_"], percents=["duplicate_rate"],
                         hide=["record_id"])
    shown = table.to_frame()
    # audit.col_* first, then tables.col_* / common.*; "remark" has no label: kept as is
    assert list(shown.columns) == ["Source", "Lignes chargées", "Taux de doublons",
                                   "Encodage détecté", "remark"]
    assert shown.values.tolist() == [["crm", "1\u202f750", "5,4\u00a0%", "oui", "–"],
                                     ["web", "0", "–", "non", "x"]]
    page = table._repr_html_()
    # no index, no pandas caption, the hidden record ids nowhere; the counts right-aligned
    assert "CLI01" not in page and "rows ×" not in page and "<th></th>" not in page
    assert '<td class="num">1\u202f750</td>' in page and '<td class="">crm</td>' in page


def test_wide_tables_are_split_evenly_repeating_the_key_column():
    frame = pd.DataFrame([list(range(12))], columns=[f"c{i}" for i in range(12)])
    html = client_table(frame, "en")._repr_html_()
    # 11 columns after the key c0, at most 7 per part (8 with it): 2 parts of 6 and 5, not 7 and 4
    parts = html.split("<table")[1:]
    assert [part.count("<th class") for part in parts] == [7, 6]
    assert all('<th class="num">c0</th>' in part for part in parts)


def test_long_tables_say_how_many_rows_the_workbook_holds():
    table = client_table(pd.DataFrame({"count": range(120)}), "fr", max_rows=50)
    assert len(table.to_frame()) == 50
    assert ("50 premières lignes sur 120 : le classeur Excel joint les contient toutes."
            in table._repr_html_())


def test_series_and_mappings_are_two_columns_and_empty_tables_show_nothing():
    assert client_table({"crm": 14}, "en").to_frame().values.tolist() == [["crm", "14"]]
    assert client_table(pd.DataFrame({"source": []}), "fr")._repr_html_() == ""


def test_client_text_and_paths():
    assert client_text("Écrit dans /tmp/x/out/a.xlsx\nfin")._repr_html_() == (
        '<p class="rcu-prose">Écrit dans a.xlsx</p><p class="rcu-prose">fin</p>')
    # dates and URLs are not paths
    assert plain_path("le 31/01/2025, voir https://example.org/a/b") == \
        "le 31/01/2025, voir https://example.org/a/b"
    assert plain_path(r"C:\Users\acme\crm.csv") == "crm.csv"


def test_without_values_of():
    top = pd.DataFrame({"source": ["crm", "crm", "web"], "column": ["id", "ville", "id"],
                        "value": ["CLI01", "Lyon", "W9"]})
    ids = pd.DataFrame({"source": ["crm"], "column": ["id"]})
    assert without_values_of(top, ids)["value"].tolist() == ["Lyon", "W9"]  # web.id is not listed
    assert without_values_of(top, ids, ["value"])["value"].tolist() == [None, "Lyon", "W9"]
