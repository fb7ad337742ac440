"""A corpus of awkward client extracts, one small file per quirk, and the engagement that lists them.

Each entry: the file's name, how it is written (bytes, or a workbook builder), the source options,
and what loading it must give (status, rows loaded, the English message). Tests write the corpus
into a temporary folder with :func:`write_corpus` and load it as ONE engagement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import openpyxl
import yaml


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _workbook(*sheets: tuple[str, list[list[Any]]]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets:
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
        wb.save(path)
    return build


@dataclass
class Quirk:
    """One file of the corpus and what loading it must give."""

    name: str
    file: str
    content: bytes | Callable[[Path], None] | None  # None: the file is not written (missing)
    status: str
    rows: int
    message: str
    options: dict[str, Any] = field(default_factory=dict)
    first_column: list[str] | None = None  # the loaded values of the first column, when checked


CORPUS: list[Quirk] = [
    Quirk("clean", "clean.csv", _utf8("id;nom;ville\n1;Dupont;Lyon\n2;Martin;Nîmes\n"),
          "ok", 2, ""),
    # Two exports concatenated: the first in UTF-8, the second in latin-1 (lines 4-5).
    Quirk("mixed_encoding", "mixed_encoding.csv",
          _utf8("id;nom;ville\n1;Noël;Orléans\n2;Hélène;Besançon\n")
          + "3;Françoise;Nîmes\n4;Zoé;Évry\n".encode("latin-1"),
          "warning", 4,
          "mixed_encoding.csv: lines 4-5 decoded as latin-1, the rest as UTF-8 (two exports joined?)",
          first_column=["1", "2", "3", "4"]),
    # The header again on line 4 (two exports joined): not a customer.
    Quirk("repeated_header", "repeated_header.csv",
          _utf8("id;nom\n1;Dupont\n2;Martin\nid;nom\n3;Bernard\n"),
          "warning", 3,
          "repeated_header.csv: header repeated 1 time(s) in the file (exports joined?), skipped: lines 4",
          first_column=["1", "2", "3"]),
    # An empty line (3) and a line of spaces (5): not records, counted.
    Quirk("blank_lines", "blank_lines.csv", _utf8("id;nom;ville\n1;a;b\n\n2;c;d\n   \n3;e;f\n"),
          "ok", 3, "blank_lines.csv: 2 blank line(s) skipped: lines 3, 5"),
    # Lines of bare separators (Excel saving a formatted range): lines 3 and 5.
    Quirk("separators_only", "separators_only.csv", _utf8("id;nom;ville\n1;a;b\n;;\n2;c;d\n;;\n"),
          "ok", 2, "separators_only.csv: 2 line(s) of bare separators skipped: lines 3, 5"),
    # A footer after a blank line: "Total : 2 clients" (line 5) is not a customer.
    Quirk("footer", "footer.csv", _utf8("id;nom;ville\n1;a;b\n2;c;d\n\nTotal : 2 clients;;\n"),
          "warning", 2,
          "footer.csv: 1 blank line(s) skipped: lines 4 | 1 total or footer line(s) skipped: lines 5"),
    # Excel's "sep=," first line: the separator is ',' and line 1 is not the header.
    Quirk("sep_hint", "sep_hint.csv", _utf8("sep=,\nid,nom\n1,Dupont;Martin\n"),
          "ok", 1, "sep_hint.csv: line 1 'sep=,' (Excel): separator applied, line skipped"),
    # NUL bytes padding a fixed-width field (line 2): stripped, not "binary or UTF-16".
    Quirk("nul_bytes", "nul_bytes.csv", b"id;nom\n1;DUPONT\x00\x00\x00\n2;MARTIN\n",
          "warning", 2, "nul_bytes.csv: NUL bytes removed, lines 2", first_column=["1", "2"]),
    # An old ERP's DOS end-of-file mark (Ctrl-Z) on the last line.
    Quirk("eof_marker", "eof_marker.csv", b"id;nom\r\n1;a\r\n2;b\r\n\x1a",
          "ok", 2, "eof_marker.csv: end-of-file mark (Ctrl-Z) ignored, line 4"),
    # A title and a blank line above the header (line 3).
    Quirk("title_lines", "title_lines.csv", _utf8("Export CRM du 01/02/2024\n\nid;nom\n1;a\n"),
          "warning", 1, "title_lines.csv: 1 title line(s) above the header skipped: lines 1 | "
          "1 blank line(s) skipped: lines 2"),
    Quirk("header_only", "header_only.csv", _utf8("id;nom;email\n"), "warning", 0,
          "header_only.csv: no data row (header only)"),
    Quirk("bad_line", "bad_line.csv", _utf8("id;nom\n1;a\n2\n3;c\n"), "warning", 2,
          "bad_line.csv: 1 unreadable line(s), not loaded: lines 3 (see bad_lines.csv)"),
    # Excel: a title and a blank row above the header (row 3), a total row at the end.
    Quirk("excel_title", "excel_title.xlsx", _workbook(("Clients", [
        ["Extraction clients au 01/02/2024"], [], ["id", "nom", "cp"],
        [1, "Dupont", "01000"], [2, "Martin", "75011"], ["Total", None, 2]])),
        "warning", 2,
        "excel_title.xlsx: 1 title line(s) above the header skipped: lines 1 | "
        "1 total or footer line(s) skipped: lines 6", first_column=["1", "2"]),
    # Excel: a block of metadata above the header, found with header_row; a #N/A cell kept.
    Quirk("excel_header_row", "excel_header_row.xlsx", _workbook(("Export", [
        ["Client", "ACME"], ["Date", "01/02/2024"], [], ["id", "nom"], [1, "Dupont"],
        [2, "#N/A"]])),
        "warning", 2,
        "excel_header_row.xlsx: header read on line 4 (header_row); lines above skipped: 1-2 | "
        "1 cell(s) holding an Excel error (#N/A, #REF!…) kept as written: B6",
        options={"header_row": 4}),
    # Excel: the first sheet left empty, the data on the second.
    Quirk("excel_first_sheet_empty", "excel_first_sheet_empty.xlsx", _workbook(
        ("Feuil1", []), ("Clients", [["id", "nom"], [1, "Dupont"]])),
        "warning", 1,
        "excel_first_sheet_empty.xlsx: sheet 'Clients' read, the first non-empty one (empty: "
        "'Feuil1'); sheets: 'Feuil1', 'Clients'"),
    Quirk("missing", "missing.csv", None, "error", 0, "file not found"),
    Quirk("not_a_workbook", "not_a_workbook.xlsx", b"PK\x03\x04 not really a zip", "error", 0,
          "not a readable .xlsx workbook"),
]


def write_corpus(folder: Path) -> Path:
    """Write every file of :data:`CORPUS` and ``engagement.yaml`` listing them into ``folder``."""
    sources = []
    for quirk in CORPUS:
        path = folder / quirk.file
        if callable(quirk.content):
            quirk.content(path)
        elif quirk.content is not None:
            path.write_bytes(quirk.content)
        fmt = "excel" if quirk.file.endswith(".xlsx") else "csv"
        sources.append({"name": quirk.name, "format": fmt, "path": quirk.file, **quirk.options})
    engagement = folder / "engagement.yaml"
    engagement.write_text(yaml.safe_dump({"client": "Corpus", "language": "en",
                                          "sources": sources}, allow_unicode=True),
                          encoding="utf-8")
    return engagement
