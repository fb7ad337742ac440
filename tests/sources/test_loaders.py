"""Tests for rcu_kit.sources.loaders: every file here is written by the test itself, values asserted exactly."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rcu_kit.core.config import Engagement, Source
from rcu_kit.sources.loaders import (
    BadLine,
    bad_lines_frame,
    detect_encoding,
    detect_separator,
    load_all,
    load_source,
    summarise_sources,
)


def _csv(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Source:
    (tmp_path / name).write_bytes(text.encode(encoding))
    return Source(name=name.split(".")[0], path=str(tmp_path / name))


def _values(frame: pd.DataFrame) -> list[list]:
    """Rows as lists, missing values as None (whatever pandas uses internally)."""
    return [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]


# -- encodings -----------------------------------------------------------------------------------
def test_cp1252_semicolon_with_french_accents(tmp_path):
    # œ (0x9C) and € (0x80) only exist in cp1252: their bytes in 0x80-0x9F decide for cp1252.
    src = _csv(tmp_path, "crm.csv",
               "nom;prenom;ville;montant\nLEFÈVRE;Hélène;Besançon;12,50 €\nCŒUR;Noël;Orléans;3 €\n",
               encoding="cp1252")
    loaded = load_source(src)
    assert (loaded.encoding, loaded.encoding_detected) == ("cp1252", True)
    assert (loaded.separator, loaded.separator_detected) == (";", True)
    assert list(loaded.frame.columns) == ["nom", "prenom", "ville", "montant"]
    assert _values(loaded.frame) == [["LEFÈVRE", "Hélène", "Besançon", "12,50 €"],
                                     ["CŒUR", "Noël", "Orléans", "3 €"]]
    assert loaded.rows_read == 2 and loaded.bad_lines == []
    assert loaded.format == "csv" and loaded.location == str((tmp_path / "crm.csv").resolve())
    assert loaded.sheet is None


def test_latin1_file_without_cp1252_specific_bytes(tmp_path):
    # é è ç à are 0xE9 0xE8 0xE7 0xE0 in both encodings; no byte in 0x80-0x9F -> reported latin-1.
    src = _csv(tmp_path, "fid.csv", "nom;ville\nGarçon;Nîmes\nRené;Évry\n", encoding="latin-1")
    loaded = load_source(src)
    assert loaded.encoding == "latin-1"
    assert _values(loaded.frame) == [["Garçon", "Nîmes"], ["René", "Évry"]]


def test_latin1_when_byte_undefined_in_cp1252(tmp_path):
    # 0x81 is undefined in cp1252, so cp1252 cannot decode the file: latin-1 decodes anything.
    (tmp_path / "x.csv").write_bytes(b"a;b\n\x81;\xe9\n")
    loaded = load_source(Source(name="x", path=str(tmp_path / "x.csv")))
    assert loaded.encoding == "latin-1"
    assert _values(loaded.frame) == [["\x81", "é"]]


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")])
def test_utf8_and_utf8_bom(tmp_path, encoding, expected):
    src = _csv(tmp_path, "web.csv", "email,nom\nzoé@exemple.fr,Cœur\n", encoding=encoding)
    loaded = load_source(src)
    assert loaded.encoding == expected
    # The BOM is not part of the first column's name.
    assert list(loaded.frame.columns) == ["email", "nom"]
    assert _values(loaded.frame) == [["zoé@exemple.fr", "Cœur"]]


def test_detect_encoding_rule():
    assert detect_encoding("Cœur".encode("cp1252")) == "cp1252"
    assert detect_encoding("Hélène".encode("latin-1")) == "latin-1"
    assert detect_encoding(b"plain ascii") == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfnom") == "utf-8-sig"
    assert detect_encoding("nom".encode("utf-16")) == "utf-16"


# -- separators ----------------------------------------------------------------------------------
@pytest.mark.parametrize("sep", ["\t", "|", ",", ";"])
def test_separators_detected(tmp_path, sep):
    text = sep.join(["id", "nom", "cp"]) + "\n" + sep.join(["1", "DUPONT", "01000"]) + "\n"
    loaded = load_source(_csv(tmp_path, "s.csv", text))
    assert loaded.separator == sep and loaded.separator_detected
    assert _values(loaded.frame) == [["1", "DUPONT", "01000"]]


def test_separator_prefers_consistent_split():
    # ',' appears in amounts but not in the header: ';' splits the header into 2 fields.
    assert detect_separator("nom;montant\nDupont;12,50\nMartin;3,00\n") == ";"
    # A one-column file gets a separator that does not occur in it (',' occurs, ';' does not).
    assert detect_separator("adresse\n1, rue X\n2, rue Y\n") == ";"
    # Separators inside quotes do not count: ',' splits every record into 2 fields, ';' never.
    assert detect_separator('"nom;prenom",ville\n"DUPONT;Jean",Lyon\n') == ","


def test_declared_encoding_and_separator_override_detection(tmp_path):
    # Read as utf-8 the bytes would fail; declared cp1252 + ',' must be used and reported declared.
    (tmp_path / "o.csv").write_bytes("a;b,c\n1;2,3\n".encode("cp1252"))
    src = Source(name="o", path=str(tmp_path / "o.csv"), encoding="cp1252", separator=",")
    loaded = load_source(src)
    assert (loaded.encoding, loaded.encoding_detected) == ("cp1252", False)
    assert (loaded.separator, loaded.separator_detected) == (",", False)
    assert list(loaded.frame.columns) == ["a;b", "c"]
    assert _values(loaded.frame) == [["1;2", "3"]]


def test_declared_encoding_that_cannot_decode(tmp_path):
    (tmp_path / "e.csv").write_bytes("a\nok\nCœur\n".encode("cp1252"))
    src = Source(name="e", path=str(tmp_path / "e.csv"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"source 'e' .*cannot decode as 'utf-8' \(declared\).*line 3"):
        load_source(src)


# -- values and rows -----------------------------------------------------------------------------
def test_values_kept_as_text(tmp_path):
    src = _csv(tmp_path, "v.csv", 'cp;tel;x;y\n01000;0612345678;NA;null\n;" ";"";N/A\n')
    frame = load_source(src).frame
    assert all(dtype == object for dtype in frame.dtypes)
    # Row 1: leading zeros and NA-like words stay text. Row 2: empty and "" become missing,
    # a single space is a value (not stripped).
    assert _values(frame) == [["01000", "0612345678", "NA", "null"], [None, " ", None, "N/A"]]


def test_broken_line_reported_others_loaded(tmp_path):
    text = ("id;nom;ville\n"      # line 1: header
            "1;DUPONT;Lyon\n"     # line 2
            "2;MARTIN\n"          # line 3: 2 fields instead of 3
            "\n"                  # line 4: blank, not a row
            "3;PETIT;Paris;xx\n"  # line 5: 4 fields
            "4;DURAND;Évry\n")    # line 6
    loaded = load_source(_csv(tmp_path, "b.csv", text))
    assert loaded.bad_lines == [BadLine(3, "2;MARTIN", "expected 3 fields, found 2"),
                                BadLine(5, "3;PETIT;Paris;xx", "expected 3 fields, found 4")]
    assert _values(loaded.frame) == [["1", "DUPONT", "Lyon"], ["4", "DURAND", "Évry"]]
    assert loaded.rows_read == 4  # 2 loaded + 2 bad; the blank line is not a row


def test_quoted_newline_keeps_line_numbers_right(tmp_path):
    text = ('id;adresse;cp\n'                         # line 1
            '1;"12 rue X\nBâtiment B; 2e étage";75001\n'  # lines 2-3: one row, ';' and newline quoted
            '2;"3 av. Y";69001\n'                      # line 4
            '3;seul\n'                                  # line 5: broken
            '4;"bd Z\r\nCEDEX";13001\n')                 # lines 6-7
    loaded = load_source(_csv(tmp_path, "q.csv", text))
    assert loaded.bad_lines == [BadLine(5, "3;seul", "expected 3 fields, found 2")]
    assert _values(loaded.frame) == [["1", "12 rue X\nBâtiment B; 2e étage", "75001"],
                                     ["2", "3 av. Y", "69001"],
                                     ["4", "bd Z\r\nCEDEX", "13001"]]
    assert loaded.rows_read == 4


def test_unclosed_quote_in_last_field_is_reported(tmp_path):
    # The quote on line 3 is never closed: pyarrow would read lines 3-5 as one row of 2 fields.
    text = 'a,b\n1,2\n3,"oops\n4,5\n6,7\n'
    loaded = load_source(_csv(tmp_path, "u.csv", text))
    assert loaded.bad_lines == [BadLine(3, '3,"oops\n4,5\n6,7', 'a quote (") opened on line 3 is '
                                        'never closed: lines 3-5 (end of file) were read as one row')]
    assert _values(loaded.frame) == [["1", "2"]]
    assert loaded.rows_read == 2


def test_a_quote_inside_a_value_neither_opens_nor_closes_the_last_field(tmp_path):
    # 12" is text to the parser: the last row's quoted value on lines 3-4 is closed, a row
    text = 'a;b;c\n1;x;ok\n2;b 12";"ligne un\nligne deux"\n'
    loaded = load_source(_csv(tmp_path, "s.csv", text))
    assert loaded.bad_lines == [] and loaded.rows_read == 2
    assert _values(loaded.frame)[-1] == ["2", 'b 12"', "ligne un\nligne deux"]
    # the quote opened on line 3 is never closed (12" on line 2 does not pair with it): lines
    # 3-5 are not a row of 3 fields ending with 'ligne un\nligne deux\n3;c;d' but a bad line
    text = 'a;b;c\n1;x;ecran 12" pouces\n2;b;"ligne un\nligne deux\n3;c;d\n'
    loaded = load_source(_csv(tmp_path, "s.csv", text))
    assert [(b.line_number, b.error) for b in loaded.bad_lines] == [
        (3, 'a quote (") opened on line 3 is never closed: lines 3-5 (end of file) were read as one row')]
    assert _values(loaded.frame) == [["1", "x", 'ecran 12" pouces']] and loaded.rows_read == 2


def test_unclosed_quote_in_first_field_is_reported(tmp_path):
    text = 'a,b\n1,2\n"oops,3\n4,5\n'
    loaded = load_source(_csv(tmp_path, "u.csv", text))
    assert loaded.bad_lines == [BadLine(3, '"oops,3\n4,5', 'a quote (") opened on line 3 is never '
                                        'closed: lines 3-4 were read as one row; expected 2 fields, '
                                        'found 1')]
    assert loaded.rows_read == 2


def test_crlf_file_line_numbers(tmp_path):
    # Windows line ends: line 3 is broken, line 4 ("\r\n" alone) is blank, line 5 is fine.
    text = "a;b\r\n1;2\r\n3\r\n\r\n4;5\r\n"
    loaded = load_source(_csv(tmp_path, "w.csv", text))
    assert loaded.bad_lines == [BadLine(3, "3", "expected 2 fields, found 1")]
    assert _values(loaded.frame) == [["1", "2"], ["4", "5"]]


def test_declared_utf8_with_bom(tmp_path):
    src = _csv(tmp_path, "bom.csv", "id;nom\n1;Zoé\n", encoding="utf-8-sig")
    loaded = load_source(src.model_copy(update={"encoding": "utf-8"}))
    assert list(loaded.frame.columns) == ["id", "nom"] and _values(loaded.frame) == [["1", "Zoé"]]


def test_unknown_declared_encoding(tmp_path):
    src = _csv(tmp_path, "k.csv", "a\n1\n").model_copy(update={"encoding": "klingon"})
    with pytest.raises(ValueError, match=r"source 'k' .*unknown encoding 'klingon'"):
        load_source(src)


def test_utf16_without_bom_is_recognised(tmp_path):
    # Every other byte NUL: UTF-16 without a byte-order mark, decoded (and said so), not refused.
    src = _csv(tmp_path, "n.csv", "a;b\n1;2\n", encoding="utf-16-le")
    loaded = load_source(src)
    assert _values(loaded.frame) == [["1", "2"]] and loaded.encoding == "utf-16-le"
    assert [n.code for n in loaded.notes] == ["utf16_no_bom"] and loaded.status == "ok"
    # Declared, the same file reads the same.
    loaded = load_source(src.model_copy(update={"encoding": "utf-16-le"}))
    assert _values(loaded.frame) == [["1", "2"]] and loaded.separator == ";" and loaded.notes == []


def test_long_bad_line_content_is_cut(tmp_path):
    long_value = "x" * 2500
    loaded = load_source(_csv(tmp_path, "l.csv", f"a;b\n{long_value}\n"))
    # 2,000 characters kept, then a note of the 500 left out.
    assert loaded.bad_lines[0].content == "x" * 2000 + " … (500 more characters)"


def test_runaway_quote_larger_than_a_block_is_a_clear_error(tmp_path):
    # The quote opened on line 3 never closes: the value would hold line 3 and the 250,000 lines
    # after it (lines 3-250003, ~17 MB): it straddles two of pyarrow's 8 MiB parsing blocks.
    body = "".join(f"{i};{'x' * 64}\n" for i in range(250_000))
    src = _csv(tmp_path, "r.csv", 'id;v\n1;ok\n2;"open\n' + body)
    with pytest.raises(ValueError, match=r"source 'r' .*a quote \(\"\) opened on line 3 is never "
                                         r"closed: lines 3-250003 would form a single value"):
        load_source(src)


def test_header_only_file(tmp_path):
    loaded = load_source(_csv(tmp_path, "h.csv", "id;nom;email\n"))
    assert list(loaded.frame.columns) == ["id", "nom", "email"]
    assert len(loaded.frame) == 0 and loaded.rows_read == 0 and loaded.bad_lines == []


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n"])
def test_empty_file_is_an_error(tmp_path, text):
    src = _csv(tmp_path, "empty.csv", text)
    with pytest.raises(ValueError, match=r"source 'empty' .*empty\.csv\): the file is empty"):
        load_source(src)


@pytest.mark.parametrize("text, header_row", [("sep=;\n", None),       # only Excel's sep= line
                                              ("id;nom\n1;a\n", 3)])   # header_row on the empty last line
def test_nothing_left_below_the_top_lines_is_an_error_not_a_crash(tmp_path, text, header_row):
    src = _csv(tmp_path, "top.csv", text)
    src.header_row = header_row
    with pytest.raises(ValueError, match=r"source 'top' .*top\.csv\): no header line below line"):
        load_source(src)
    # in a batch, the source is reported in error and the others still load
    eng = Engagement(client="t", sources=[src, _csv(tmp_path, "ok.csv", "id;nom\n1;a\n")])
    loaded = load_all(eng)
    assert list(loaded) == ["ok"] and list(loaded.failed) == ["top"]


def test_duplicate_columns_are_an_error(tmp_path):
    src = _csv(tmp_path, "d.csv", "id;nom;nom;id;ville\n1;a;b;2;c\n")
    with pytest.raises(ValueError, match=r"duplicate column names 'id', 'nom'"):
        load_source(src)


def test_empty_header_cell_named_by_position(tmp_path):
    # A trailing ';' on every line (a common export habit) gives a fifth, unnamed column.
    loaded = load_source(_csv(tmp_path, "t.csv", "a;b;c;d;\n1;2;3;4;\n"))
    assert list(loaded.frame.columns) == ["a", "b", "c", "d", "unnamed_5"]
    assert _values(loaded.frame) == [["1", "2", "3", "4", None]]


def test_missing_file_names_source_path_and_engagement(tmp_path):
    eng_file = tmp_path / "engagement.yaml"
    eng = Engagement(client="C", base_dir=tmp_path, file=eng_file,
                     sources=[Source(name="crm", path="data/crm.csv")])
    expected = str(tmp_path / "data" / "crm.csv")
    with pytest.raises(FileNotFoundError) as err:
        load_source(eng.sources[0], eng)
    message = str(err.value)
    assert "source 'crm'" in message and expected in message and str(eng_file) in message


# -- Excel ---------------------------------------------------------------------------------------
def _workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["id", "cp", "tel", "actif"])
    ws.append([1, "01000", 612345678, True])
    ws.append([None, None, None, None])   # blank row 3: skipped
    ws.append([2, 1000, "06 12 34 56 78", False])
    ws.append([3, 75001, None, None, "extra"])  # row 5: a value beyond the header
    other = wb.create_sheet("Contrats")
    other.append(["contrat", "date"])
    other.append(["K1", dt.datetime(2024, 1, 31)])
    other.append(["K2", 12.5])
    wb.save(path)


def test_excel_first_sheet_by_default(tmp_path):
    _workbook(tmp_path / "c.xlsx")
    loaded = load_source(Source(name="c", format="excel", path=str(tmp_path / "c.xlsx")))
    assert loaded.sheet == "Clients" and loaded.encoding is None and loaded.separator is None
    # Numbers become their text (the phone already lost its 0 in Excel), booleans TRUE/FALSE.
    assert _values(loaded.frame) == [["1", "01000", "612345678", "TRUE"],
                                     ["2", "1000", "06 12 34 56 78", "FALSE"]]
    assert loaded.bad_lines == [BadLine(5, "3\t75001\t\t\textra",
                                        "values beyond the 4 header columns (cells E5)")]
    assert loaded.rows_read == 3


@pytest.mark.parametrize("sheet", ["Contrats", 1])
def test_excel_sheet_by_name_or_index(tmp_path, sheet):
    _workbook(tmp_path / "c.xlsx")
    loaded = load_source(Source(name="c", format="excel", path=str(tmp_path / "c.xlsx"), sheet=sheet))
    assert loaded.sheet == "Contrats"
    # A midnight datetime is shown as its date; 12.5 as written.
    assert _values(loaded.frame) == [["K1", "2024-01-31"], ["K2", "12.5"]]


def test_excel_header_problems(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["id", None, "nom"])
    wb.active.append([1, 2, 3])
    dup = wb.create_sheet("dup")
    dup.append(["id", "id"])
    wb.create_sheet("vide")
    wb.save(tmp_path / "h.xlsx")
    src = Source(name="h", format="excel", path=str(tmp_path / "h.xlsx"))
    with pytest.raises(ValueError, match=r"header row 1 has empty cells in column\(s\) B"):
        load_source(src)
    with pytest.raises(ValueError, match=r"sheet 'dup'.*duplicate column names 'id'"):
        load_source(src.model_copy(update={"sheet": "dup"}))
    with pytest.raises(ValueError, match=r"sheet 'vide'.*the sheet is empty"):
        load_source(src.model_copy(update={"sheet": "vide"}))


def test_old_xls_is_an_error(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValueError, match=r"old \.xls workbooks cannot be read; .*save it as \.xlsx"):
        load_source(Source(name="old", format="excel", path=str(tmp_path / "old.xls")))


def test_excel_bad_sheet_name_lists_sheets(tmp_path):
    _workbook(tmp_path / "c.xlsx")
    src = Source(name="c", format="excel", path=str(tmp_path / "c.xlsx"), sheet="Factures")
    with pytest.raises(ValueError, match=r"no sheet named 'Factures'; sheets are: 'Clients', 'Contrats'"):
        load_source(src)
    src = Source(name="c", format="excel", path=str(tmp_path / "c.xlsx"), sheet=5)
    with pytest.raises(ValueError, match=r"no sheet at index 5 .* 2 sheet\(s\): 'Clients', 'Contrats'"):
        load_source(src)


# -- Parquet -------------------------------------------------------------------------------------
def test_parquet_every_column_as_text(tmp_path):
    table = pa.table({"id": pa.array([1, 2, None], pa.int64()),
                      "cp": ["01000", "", None],
                      "score": [0.5, 2.0, None],
                      "ville": pa.array(["Lyon", "Paris", "Lyon"]).dictionary_encode(),
                      "ne_le": pa.array([dt.date(1980, 5, 17), None, dt.date(2001, 1, 2)]),
                      "vu": pa.array([dt.datetime(2024, 1, 31), dt.datetime(2024, 1, 31, 8, 30), None],
                                     pa.timestamp("us")),
                      "optin": [True, False, None]})
    pq.write_table(table, tmp_path / "p.parquet")
    loaded = load_source(Source(name="p", format="parquet", path=str(tmp_path / "p.parquet")))
    assert all(dtype == object for dtype in loaded.frame.dtypes)
    # Nulls and the empty string are missing; 2.0 reads "2" like an Excel number; dates ISO, a
    # midnight timestamp as its date; booleans TRUE/FALSE as Excel shows them.
    assert _values(loaded.frame) == [
        ["1", "01000", "0.5", "Lyon", "1980-05-17", "2024-01-31", "TRUE"],
        ["2", None, "2", "Paris", None, "2024-01-31 08:30:00", "FALSE"],
        [None, None, None, "Lyon", "2001-01-02", None, None]]
    assert loaded.rows_read == 3 and loaded.encoding is None


def test_parquet_folder(tmp_path):
    folder = tmp_path / "extract"
    folder.mkdir()
    pq.write_table(pa.table({"id": ["1", "2"]}), folder / "part-0.parquet")
    pq.write_table(pa.table({"id": ["3"]}), folder / "part-1.parquet")
    loaded = load_source(Source(name="p", format="parquet", path=str(folder)))
    assert sorted(loaded.frame["id"]) == ["1", "2", "3"] and loaded.rows_read == 3


# -- SQL -----------------------------------------------------------------------------------------
@pytest.fixture
def sqlite_db(tmp_path) -> Path:
    path = tmp_path / "crm.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE clients (id INTEGER, nom TEXT, cp TEXT, solde REAL)")
    con.executemany("INSERT INTO clients VALUES (?, ?, ?, ?)",
                    [(1, "DUPONT", "01000", 10.0), (2, "Cœur", None, 2.5), (3, "", "75001", None)])
    con.commit()
    con.close()
    return path


def test_sqlite_table(sqlite_db):
    src = Source(name="crm", format="sql", url=f"sqlite:///{sqlite_db}", table="clients")
    loaded = load_source(src)
    assert list(loaded.frame.columns) == ["id", "nom", "cp", "solde"]
    assert _values(loaded.frame) == [["1", "DUPONT", "01000", "10"],
                                     ["2", "Cœur", None, "2.5"],
                                     ["3", None, "75001", None]]
    assert loaded.rows_read == 3
    assert loaded.location == f"sqlite:///{sqlite_db} table=clients"


def test_sqlite_query_relative_to_engagement(sqlite_db, tmp_path):
    src = Source(name="crm", format="sql", url="sqlite:///crm.db",
                 query="SELECT nom, cp FROM clients WHERE id >= 2 ORDER BY id")
    eng = Engagement(client="C", base_dir=tmp_path, sources=[src])
    loaded = load_source(src, eng)
    assert _values(loaded.frame) == [["Cœur", None], [None, "75001"]]


def test_sql_query_with_duplicate_columns(sqlite_db):
    src = Source(name="crm", format="sql", url=f"sqlite:///{sqlite_db}",
                 query="SELECT id, nom, id FROM clients")
    with pytest.raises(ValueError, match=r"source 'crm' .*duplicate column names 'id'"):
        load_source(src)


def test_sql_bad_query_names_source(sqlite_db):
    src = Source(name="crm", format="sql", url=f"sqlite:///{sqlite_db}", query="SELECT nope FROM clients")
    with pytest.raises(ValueError, match=r"source 'crm' .*cannot read: no such column: nope"):
        load_source(src)


def test_sql_unknown_table_lists_tables(sqlite_db):
    src = Source(name="crm", format="sql", url=f"sqlite:///{sqlite_db}", table="contacts")
    with pytest.raises(ValueError, match=r"source 'crm' .*no table or view 'contacts'; tables are: clients; views are: \(none\)"):
        load_source(src)


def test_missing_sqlite_database(tmp_path):
    src = Source(name="crm", format="sql", url="sqlite:///absent.db", table="t")
    eng = Engagement(client="C", base_dir=tmp_path, sources=[src])
    with pytest.raises(FileNotFoundError, match=r"source 'crm': SQLite database not found: .*absent\.db"):
        load_source(src, eng)


def test_sql_errors_hide_the_password():
    src = Source(name="erp", format="sql", url="postgresql://bob:s3cret@127.0.0.1:1/erp", table="t")
    with pytest.raises(ValueError) as err:
        load_source(src)
    assert "source 'erp'" in str(err.value) and "bob:***@127.0.0.1" in str(err.value)
    assert "s3cret" not in str(err.value)
    if importlib.util.find_spec("psycopg") is None:
        # Without the PostgreSQL driver the message says which package to install.
        assert 'pip install "psycopg[binary]"' in str(err.value)
    else:
        # With it, nothing listens on port 1: the connection error is reported.
        assert "cannot read" in str(err.value)


# -- load_all and summaries ----------------------------------------------------------------------
def test_load_all_summary_and_bad_lines(tmp_path):
    (tmp_path / "crm.csv").write_bytes("id;nom\n1;Cœur\n2\n3;Noël\n".encode("cp1252"))
    (tmp_path / "web.csv").write_bytes(b"id\tmail\n9\tx@y.fr\n")
    eng = Engagement(client="C", base_dir=tmp_path, sources=[
        Source(name="crm", path="crm.csv"),
        Source(name="web", path="web.csv", encoding="utf-8", separator="tab")])
    loaded = load_all(eng)
    assert list(loaded) == ["crm", "web"]
    assert list(load_all(eng, ["web"])) == ["web"]

    summary = summarise_sources(loaded, "fr")
    assert summary.to_dict("records") == [
        # crm: 3 data rows, line 3 has 1 field instead of 2.
        {"source": "crm", "status": "warning", "format": "csv",
         "location": str((tmp_path / "crm.csv").resolve()),
         "encoding": "cp1252 (détecté)", "separator": "; (détecté)",
         "rows_read": 3, "rows_loaded": 2, "bad_lines": 1, "excluded_lines": 0, "columns": 2,
         "message": "crm.csv: 1 ligne(s) illisible(s), non chargée(s) : lignes 3 (voir bad_lines.csv)",
         # the same in English for the command line's console
         "message_en": "crm.csv: 1 unreadable line(s), not loaded: lines 3 (see bad_lines.csv)"},
        {"source": "web", "status": "ok", "format": "csv",
         "location": str((tmp_path / "web.csv").resolve()),
         "encoding": "utf-8 (déclaré)", "separator": "tabulation (déclaré)",
         "rows_read": 1, "rows_loaded": 1, "bad_lines": 0, "excluded_lines": 0, "columns": 2,
         "message": "", "message_en": ""},
    ]
    assert summarise_sources(loaded, "en")["separator"].tolist() == ["; (detected)", "tab (declared)"]
    assert bad_lines_frame(loaded).to_dict("records") == [
        {"source": "crm", "line_number": 3, "error": "expected 2 fields, found 1", "content": "2"}]


def test_summary_of_excel_parquet_and_sql(tmp_path, sqlite_db):
    _workbook(tmp_path / "c.xlsx")
    pq.write_table(pa.table({"a": ["x"]}), tmp_path / "p.parquet")
    eng = Engagement(client="C", base_dir=tmp_path, sources=[
        Source(name="xl", format="excel", path="c.xlsx", sheet="Contrats"),
        Source(name="pq", format="parquet", path="p.parquet"),
        Source(name="db", format="sql", url="sqlite:///crm.db", table="clients")])
    summary = summarise_sources(load_all(eng, progress=True), "en")
    assert summary.drop(columns=["status", "excluded_lines", "message", "message_en"]).to_dict("records") == [
        # The sheet is appended to the location; no encoding or separator outside CSV.
        {"source": "xl", "format": "excel", "location": f"{(tmp_path / 'c.xlsx').resolve()} [Contrats]",
         "encoding": "", "separator": "", "rows_read": 2, "rows_loaded": 2, "bad_lines": 0,
         "columns": 2},
        {"source": "pq", "format": "parquet", "location": str((tmp_path / "p.parquet").resolve()),
         "encoding": "", "separator": "", "rows_read": 1, "rows_loaded": 1, "bad_lines": 0,
         "columns": 1},
        {"source": "db", "format": "sql", "location": f"sqlite:///{sqlite_db.resolve()} table=clients",
         "encoding": "", "separator": "", "rows_read": 3, "rows_loaded": 3, "bad_lines": 0,
         "columns": 4},
    ]
    assert summary["status"].tolist() == ["ok", "ok", "ok"]


def test_bad_lines_frame_without_bad_lines_is_empty_with_columns(tmp_path):
    loaded = {"a": load_source(_csv(tmp_path, "a.csv", "x;y\n1;2\n"))}
    frame = bad_lines_frame(loaded)
    assert list(frame.columns) == ["source", "line_number", "error", "content"] and len(frame) == 0


def test_load_all_unknown_source(tmp_path):
    eng = Engagement(client="C", base_dir=tmp_path, sources=[Source(name="crm", path="crm.csv")])
    with pytest.raises(KeyError, match="no source named 'erp'"):
        load_all(eng, ["erp"])


# ---------------------------------------------------------------------------------------------
# Streaming: the same rows, bad lines, excluded lines and notes, chunk by chunk
# ---------------------------------------------------------------------------------------------
def _streamed(source: Source, tmp_path: Path, chunk_bytes: int, tail_lines: int = 2):
    from rcu_kit.sources.loaders import read_spill_column, stream_source

    spill = tmp_path / f"{source.name}-{chunk_bytes}.parquet"
    loaded = stream_source(source, None, spill, chunk_bytes=chunk_bytes, tail_lines=tail_lines)
    frame = pd.DataFrame({c: read_spill_column(loaded, i) for i, c in enumerate(loaded.frame.columns)})
    return loaded, frame


def _assert_same_load(memory, streamed, frame):
    pd.testing.assert_frame_equal(frame, memory.frame, check_dtype=False)
    assert streamed.rows_loaded == len(memory.frame) and streamed.rows_read == memory.rows_read
    assert streamed.bad_lines == memory.bad_lines
    assert streamed.excluded_lines == memory.excluded_lines
    assert [n for n in streamed.notes if n.code != "streamed"] == memory.notes
    assert (streamed.encoding, streamed.separator) == (memory.encoding, memory.separator)


def _awkward_csv() -> str:
    """A title and a blank line above the header (lines 1-3), then 121 records among which a
    short row (line 53), a line of bare separators (84), the header repeated (105), a blank
    line (116), a value spanning two lines (122-123), doubled quotes (127) and a footer of two
    lines (130-131)."""
    lines = ["Export clients du 01/02/2024", "", "id;nom;ville"]
    for i in range(1, 121):
        if i == 50:
            lines.append("x;y")
        if i == 80:
            lines.append(";;")
        if i == 120 - 1:
            lines.append('"quoted";"a ""b"" c";Lyon')
        if i == 100:
            lines.append("id;nom;ville")
        if i == 110:
            lines.append("")
        lines.append(f'{i};"multi\nline";Paris' if i == 115 else f"{i};Nom {i % 7};Ville{i % 3}")
    return "\n".join(lines + ["Total : 120 clients;;", "Fin de fichier", ""])


@pytest.mark.parametrize("chunk_bytes", [1, 40, 333, 1 << 20])
def test_stream_source_gives_what_load_source_gives_chunk_by_chunk(tmp_path, chunk_bytes):
    source = _csv(tmp_path, "awkward.csv", _awkward_csv())
    memory = load_source(source)
    streamed, frame = _streamed(source, tmp_path, chunk_bytes)
    _assert_same_load(memory, streamed, frame)
    # 120 records + the quoted one, less none: the short row is a bad line, not a row
    assert len(frame) == 121 and [b.line_number for b in streamed.bad_lines] == [53]
    assert [(b.line_number, b.error) for b in streamed.excluded_lines] == [
        (1, "title line above the header"), (2, "blank line"), (84, "separator-only line"),
        (105, "repeated header"), (116, "blank line"), (130, "footer line"), (131, "footer line")]
    chunks = streamed.notes[-1].params["chunks"]
    assert streamed.notes[-1].code == "streamed" and (chunks > 20 if chunk_bytes < 100 else chunks >= 1)


def test_stream_source_keeps_the_tail_in_the_last_chunk(tmp_path):
    # A footer of two lines cut between two chunks would be missed: the last lines stay together.
    source = _csv(tmp_path, "footer.csv", "id;nom\n1;a\n2;b\n3;c\nTotal : 3 clients;\nFin de fichier;\n")
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=4, tail_lines=3)
    assert frame["id"].tolist() == ["1", "2", "3"]
    assert [b.error for b in streamed.excluded_lines] == ["footer line", "footer line"]


def _stray_quote_csv(records: int, multiline: bool) -> str:
    """``records`` records ``i;NOMi;ok``, but record 3 (line 4) holds a quote inside an unquoted
    value (``ecran 12" pouces``: text to the parser) and, when ``multiline``, record 300 a quoted
    value on two lines (lines 301-302)."""
    lines = ["id;name;note"]
    for i in range(1, records + 1):
        note = 'ecran 12" pouces' if i == 3 else ('"ligne un\nligne deux"' if i == 300 and multiline else "ok")
        lines.append(f"{i};NOM{i};{note}")
    return "\n".join(lines) + "\n"



def _stream_stray_quote(tmp_path, records: int, multiline: bool):
    """:func:`_stray_quote_csv` streamed 512 bytes at a time, checked equal to the in-memory
    load; returns the streamed load and its frame."""
    source = _csv(tmp_path, "stray.csv", _stray_quote_csv(records, multiline))
    source = source.model_copy(update={"separator": ";"})
    memory = load_source(source)
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=512, tail_lines=4)
    _assert_same_load(memory, streamed, frame)
    return streamed, frame

def test_stream_source_a_quote_inside_an_unquoted_value_does_not_move_the_chunk_ends(tmp_path):
    # The quote on line 4 is text; counting it as opening a value cut a chunk inside the quoted
    # value of line 301 ('ligne un\n' and a false bad line 302).
    streamed, frame = _stream_stray_quote(tmp_path, 399, multiline=True)
    # 399 records, none rejected; record 300 (row 299) keeps both its lines
    assert len(frame) == 399 and streamed.bad_lines == [] and streamed.excluded_lines == []
    assert frame["id"].tolist() == [str(i) for i in range(1, 400)]
    assert frame["note"].iat[2] == 'ecran 12" pouces' and frame["note"].iat[299] == "ligne un\nligne deux"
    # 5,416 bytes read 512 at a time, each chunk the whole lines of its 512 bytes: 11 chunks
    assert streamed.notes[-1].params["chunks"] == 11


def test_stream_source_after_a_quote_inside_a_value_still_reads_chunk_by_chunk(tmp_path):
    # The quote on line 4 left every later newline "inside quotes": the rest of the file was read
    # as one chunk (2 chunks), i.e. whole, and nothing said so.
    streamed, frame = _stream_stray_quote(tmp_path, 3999, multiline=False)
    assert len(frame) == 3999 and streamed.bad_lines == [] and streamed.excluded_lines == []
    assert frame["id"].tolist() == [str(i) for i in range(1, 4000)]
    # 61,797 bytes read 512 at a time, each chunk the whole lines of its 512 bytes: 122 chunks
    assert streamed.notes[-1].params["chunks"] == 122


@pytest.mark.parametrize("chunk_bytes", [1, 5, 16, 40, 1 << 20])
def test_stream_source_opens_a_quoted_value_only_at_a_field_start(tmp_path, chunk_bytes):
    # As pyarrow parses: a quote opens a value only at a field start (line start, after the
    # separator, after a lone \r), "" inside it is a quote, and after it closes, or anywhere else
    # in a value, a quote is text.
    text = ('id;nom;adresse\n'
            '1;Résidence "Les Pins";12" rue\n'  # quotes inside values: text
            '2;"a ""b"";\nc";x"y"\n'  # a quoted value with "", the separator and a newline
            '3;"d"e";"f\r\n"\r\n'  # text after a closing quote (e"), a \r\n inside a value
            '4;"";g\r5;h;"i\n'  # an empty quoted value; a lone \r ends record 4; a value on
            'j"\n'  # two lines: its closing quote is not at a field start
            '6;k;l\n')
    source = _csv(tmp_path, "quotes.csv", text)
    memory = load_source(source)
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=chunk_bytes)
    _assert_same_load(memory, streamed, frame)
    # 6 records, none rejected, each value as pyarrow reads it
    assert _values(frame) == [
        ["1", 'Résidence "Les Pins"', '12" rue'], ["2", 'a "b";\nc', 'x"y"'],
        ["3", 'de"', "f\r\n"], ["4", None, "g"], ["5", "h", "i\nj"], ["6", "k", "l"]]
    assert streamed.bad_lines == [] and streamed.excluded_lines == []
    chunks = streamed.notes[-1].params["chunks"]
    # reads of 1 and 5 bytes (less than any record) end a chunk at each newline outside quotes:
    # after the header, record 1 (line 2), 2 (line 4), 3 (line 6); records 4-6 (lines 7-9) are
    # the last chunk (the last 2 lines stay in it): 5 chunks. 1 MB reads the file in one chunk.
    assert chunks == {1: 5, 5: 5, 1 << 20: 1}.get(chunk_bytes, chunks) and chunks >= 1


CAN_STREAM = {"clean", "repeated_header", "blank_lines", "separators_only", "footer", "sep_hint",
              "title_lines", "header_only", "bad_line"}
CANNOT_STREAM = {"mixed_encoding": "encoding", "nul_bytes": "quirk", "eof_marker": "quirk"}


def test_stream_source_on_the_corpus_of_quirks(tmp_path):
    from tests.sources.corpus import CORPUS

    from rcu_kit.sources.loaders import CannotStream

    csv_quirks = [q for q in CORPUS if q.file.endswith(".csv") and q.content is not None]
    assert {q.name for q in csv_quirks} == CAN_STREAM | set(CANNOT_STREAM)
    for quirk in csv_quirks:
        (tmp_path / quirk.file).write_bytes(quirk.content)
        source = Source(name=quirk.name, path=str(tmp_path / quirk.file), **quirk.options)
        if quirk.name in CANNOT_STREAM:
            with pytest.raises(CannotStream) as caught:
                _streamed(source, tmp_path, chunk_bytes=8)
            assert caught.value.code == CANNOT_STREAM[quirk.name], quirk.name
            continue
        memory = load_source(source)
        for chunk_bytes in (1, 8, 1 << 20):
            streamed, frame = _streamed(source, tmp_path, chunk_bytes)
            _assert_same_load(memory, streamed, frame)


@pytest.mark.parametrize(("text", "encoding"), [
    ("Hélène", "latin-1"),  # é, è: no byte 0x80-0x9F, latin-1 (cp1252 would read them alike)
    ("Cœur 10 €", "cp1252"),  # œ (0x9C) and € (0x80) are cp1252's
])
def test_stream_source_detects_a_single_byte_encoding_over_the_whole_file(tmp_path, text, encoding):
    # the telling byte is in the last line, read in the last of many chunks
    raw = "id;nom\n".encode() + b"".join(f"{i};Nom\n".encode() for i in range(300))
    (tmp_path / "x.csv").write_bytes(raw + f"300;{text}\n".encode("cp1252"))
    source = Source(name="x", path=str(tmp_path / "x.csv"))
    memory = load_source(source)
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=64)
    _assert_same_load(memory, streamed, frame)
    assert streamed.encoding == encoding and frame["nom"].iat[-1] == text


def test_stream_source_with_a_declared_encoding_names_the_line_it_cannot_decode(tmp_path):
    text = "id;nom\n" + "".join(f"{i};Hélène\n" for i in range(1, 30))
    source = _csv(tmp_path, "latin.csv", text, encoding="cp1252")
    source = source.model_copy(update={"encoding": "cp1252"})
    memory = load_source(source)
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=16)
    _assert_same_load(memory, streamed, frame)
    assert frame["nom"].iat[0] == "Hélène"
    # 0x81 is undefined in cp1252: on line 31, in a late chunk
    (tmp_path / "latin.csv").write_bytes(text.encode("cp1252") + b"30;\x81\n")
    with pytest.raises(ValueError, match=r"byte b'\\x81' on line 31 is invalid"):
        _streamed(source, tmp_path, chunk_bytes=16)
    with pytest.raises(ValueError, match=r"byte b'\\x81' on line 31 is invalid"):
        load_source(source)


def test_stream_source_reads_parquet_by_batches_and_excel_cannot(tmp_path):
    from rcu_kit.sources.loaders import CannotStream

    pq.write_table(pa.table({"id": [1, 2, None], "nom": ["a", "", "c"]}), tmp_path / "p.parquet")
    source = Source(name="pq", format="parquet", path=str(tmp_path / "p.parquet"))
    streamed, frame = _streamed(source, tmp_path, chunk_bytes=1)
    _assert_same_load(load_source(source), streamed, frame)
    assert frame.values.tolist() == [["1", "a"], ["2", None], [None, "c"]]
    # a folder of files partitioned by a column (hive): the partition column as the loader gives it
    pq.write_to_dataset(pa.table({"id": [1, 2, 3], "pays": ["FR", "BE", "FR"]}), tmp_path / "ds",
                        partition_cols=["pays"])
    folder = Source(name="ds", format="parquet", path=str(tmp_path / "ds"))
    streamed, frame = _streamed(folder, tmp_path, chunk_bytes=1)
    _assert_same_load(load_source(folder), streamed, frame)
    assert frame.values.tolist() == [["2", "BE"], ["1", "FR"], ["3", "FR"]]
    with pytest.raises(CannotStream) as caught:
        _streamed(Source(name="x", format="excel", path=str(tmp_path / "p.parquet")), tmp_path, 1)
    assert caught.value.code == "format"


def test_load_all_streams_above_the_threshold_and_says_when_it_cannot(tmp_path):
    (tmp_path / "big.csv").write_text("id;nom\n" + "".join(f"{i};N{i}\n" for i in range(200)),
                                      encoding="utf-8")
    (tmp_path / "small.csv").write_text("id;nom\n1;a\n", encoding="utf-8")
    # two exports joined: UTF-8 lines, then cp1252 lines (decoded line by line, on the whole file)
    (tmp_path / "latin.csv").write_bytes("id;nom\n".encode() + "1;Hélène\n".encode("utf-8") * 100
                                         + "1;Hélène\n".encode("cp1252") * 100)
    eng = Engagement(client="C", base_dir=tmp_path, sources=[
        Source(name="big", path="big.csv"), Source(name="small", path="small.csv"),
        Source(name="latin", path="latin.csv")])
    spill = tmp_path / "spill"
    spill.mkdir()
    loaded = load_all(eng, spill_dir=spill, stream_above_bytes=100, chunk_bytes=256)
    # big.csv (~1.6 kB) and latin.csv are above 100 bytes; small.csv (14 bytes) is not
    assert loaded["big"].spill == spill / "big.parquet" and loaded["big"].rows_loaded == 200
    assert len(loaded["big"].frame) == 0 and list(loaded["big"].frame.columns) == ["id", "nom"]
    assert loaded["small"].spill is None and len(loaded["small"].frame) == 1
    # latin.csv may mix encodings and declares none: loaded whole, and the note says so
    assert loaded["latin"].spill is None and len(loaded["latin"].frame) == 200
    assert [n.code for n in loaded["latin"].notes] == ["mixed_encoding", "no_stream_encoding"]
    summary = summarise_sources(loaded, "en").set_index("source")
    assert summary.loc["big", "rows_loaded"] == 200 and summary.loc["big", "status"] == "ok"
    assert "declare 'encoding'" in summary.loc["latin", "message"]
    # 1,587 bytes in chunks of 256, the last 64 lines (TAIL_LINES, 576 bytes) in the last one
    assert "read in chunks (4 chunk(s) of 0.000244 MB)" in summary.loc["big", "message"]
