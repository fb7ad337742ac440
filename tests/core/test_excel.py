"""Excel exports: valid unique sheet names, frozen header, sized columns, clear refusal of nothing."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from rcu_kit.core.excel import sheet_name, write_workbook


def test_sheet_names_are_valid_and_unique():
    # forbidden characters become "_", 31 characters at most, case-insensitive clashes numbered
    assert sheet_name("Qualité [e-mail] / tél.") == "Qualité _e-mail_ _ tél."
    assert sheet_name("x" * 40) == "x" * 31
    taken = {"Sources"}
    assert sheet_name("sources", taken) == "sources (2)"
    assert sheet_name("y" * 40, {"y" * 31}) == "y" * 27 + " (2)"
    assert sheet_name("''") == "Sheet"


def test_workbook_has_one_sheet_per_table_with_frozen_header(tmp_path):
    tz = pd.Series(pd.to_datetime(["2024-01-02 10:00"]).tz_localize("Europe/Paris"))
    tables = {"Sources": pd.DataFrame({"source": ["crm", "web"], "rows": [1050, 900]}),
              "Dates": pd.DataFrame({"when": tz})}
    path = write_workbook(tmp_path / "out" / "book.xlsx", tables)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Sources", "Dates"]
    ws = wb["Sources"]
    assert ws.freeze_panes == "A2"
    assert [[c.value for c in row] for row in ws.iter_rows()] == [["source", "rows"], ["crm", 1050],
                                                                 ["web", 900]]
    # width: the longest of header and values + 2, at least 8
    assert ws.column_dimensions["A"].width == 8
    # a timezone-aware datetime is written as its local wall time (Excel has no time zones)
    assert str(wb["Dates"]["A2"].value) == "2024-01-02 10:00:00"


def test_nothing_to_export_is_an_error_naming_the_file(tmp_path):
    with pytest.raises(ValueError, match=r"book.xlsx: nothing to export"):
        write_workbook(tmp_path / "book.xlsx", {})
